#!/usr/bin/env bash
# The Debian packages install, work and remove cleanly (root: dpkg on this machine).
# Builds them with CPack from the build dir, installs both with dpkg -i, checks the programs,
# units (systemd-analyze verify on the installed files), default config and state directories,
# runs the installed hub's init, reinstalls over an edited config, then removes (state and
# configs kept) and purges (all gone). Leaves the machine as it found it, also on failure.
set -euo pipefail
build_dir="$1"
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
cleanup() {
  dpkg -P phoenix-agent phoenix-hub >/dev/null 2>&1 || true
  if [ "${had_etc_dir:-0}" = 1 ]; then mkdir -p /etc/phoenix; fi
  rm -rf "$out"
}
fail() { echo "packages: $*"; exit 1; }

for p in phoenix-agent phoenix-hub; do
  ! dpkg -s "$p" >/dev/null 2>&1 || fail "$p is already installed on this machine; not touching it"
done
for d in /var/lib/phoenix-agent /var/lib/phoenix-hub; do
  [ ! -e "$d" ] || fail "$d exists on this machine; not touching it"
done
# An empty /etc/phoenix (left by older packages) is put back afterwards; one with files is not ours.
[ -z "$(ls -A /etc/phoenix 2>/dev/null)" ] || fail "/etc/phoenix holds files on this machine; not touching it"
[ -d /etc/phoenix ] && had_etc_dir=1 || had_etc_dir=0
# Only now, when nothing of the machine's own is at stake, may a failure purge the packages.
out="$(mktemp -d)"
trap cleanup EXIT
cpack --config "$build_dir/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1 || { cat "$out/cpack.log"; fail "cpack failed"; }
agent_deb="$(ls "$out"/phoenix-agent_*.deb)"
hub_deb="$(ls "$out"/phoenix-hub_*.deb)"
dpkg -i "$agent_deb" "$hub_deb" >"$out/install.log" 2>&1 || { cat "$out/install.log"; fail "dpkg -i failed"; }

/usr/bin/phoenix-agent --version | grep -q . || fail "phoenix-agent --version printed nothing"
/usr/bin/phoenix-hub --version | grep -q . || fail "phoenix-hub --version printed nothing"
for unit in phoenix-agent phoenix-hub; do
  f="$(dpkg -L "$unit" | grep "/systemd/system/$unit.service$")" || fail "$unit.service not installed"
  systemd-analyze verify "$f" || fail "the installed $unit.service does not verify"
  [ "$(stat -c %a "/var/lib/$unit")" = 700 ] || fail "/var/lib/$unit is not 0700"
done
dpkg -s phoenix-agent | grep -q '^Depends:.*libssl3' || fail "phoenix-agent does not depend on libssl3"
size=$(stat -c %s /usr/bin/phoenix-hub)
[ "$size" -lt 40000000 ] || fail "phoenix-hub is $size bytes: not stripped?"

# Default config: the agent's holds the defaults; the hub's is written by init.
cmp -s /etc/phoenix/agent.json "$source_dir/packaging/config/agent.json" || fail "/etc/phoenix/agent.json is not the shipped default"
[ -s /usr/share/doc/phoenix-hub/examples/hub.json ] || fail "the hub's example config is missing"
/usr/bin/phoenix-hub init --state-dir /var/lib/phoenix-hub --config /etc/phoenix/hub.json >"$out/init.log" 2>&1 \
  || { cat "$out/init.log"; fail "the installed hub's init failed"; }
[ -s /var/lib/phoenix-hub/hub.db ] && [ -s /etc/phoenix/hub.json ] || fail "init made no store or no hub.json"

echo '{"users": ["root", "ops"]}' > /etc/phoenix/agent.json  # an operator's edit
# An upgrade (here a reinstall, unattended) keeps it and asks nothing.
dpkg -i "$agent_deb" </dev/null >"$out/upgrade.log" 2>&1 || { cat "$out/upgrade.log"; fail "reinstalling phoenix-agent failed"; }
grep -q ops /etc/phoenix/agent.json || fail "an upgrade replaced the operator's agent.json"
dpkg -r phoenix-agent phoenix-hub >"$out/remove.log" 2>&1 || { cat "$out/remove.log"; fail "dpkg -r failed"; }
[ ! -e /usr/bin/phoenix-agent ] && [ ! -e /usr/bin/phoenix-hub ] || fail "binaries left after dpkg -r"
[ -e /var/lib/phoenix-hub/hub.db ] || fail "dpkg -r deleted the hub's state (only purge may)"
grep -q ops /etc/phoenix/agent.json && [ -e /etc/phoenix/hub.json ] || fail "dpkg -r deleted the configs (only purge may)"
dpkg -P phoenix-agent phoenix-hub >"$out/purge.log" 2>&1 || { cat "$out/purge.log"; fail "dpkg -P failed"; }
[ ! -e /var/lib/phoenix-hub ] && [ ! -e /var/lib/phoenix-agent ] || fail "state left after purge"
[ ! -e /etc/phoenix ] || fail "/etc/phoenix left after purge: $(ls -A /etc/phoenix)"
echo "packages install, verify, init, remove and purge: ok"
