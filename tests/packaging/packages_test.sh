#!/usr/bin/env bash
# The Debian packages install, work and remove cleanly (root: dpkg on this machine).
# Builds them with CPack from the build dir, installs both with dpkg -i, checks the programs,
# units (systemd-analyze verify on the installed files) and state directories, then removes
# (state kept) and purges (state gone). Leaves the machine as it found it, also on failure.
set -euo pipefail
build_dir="$1"
out="$(mktemp -d)"
cleanup() {
  dpkg -P phoenix-agent phoenix-hub >/dev/null 2>&1 || true
  rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "packages: $*"; exit 1; }

for p in phoenix-agent phoenix-hub; do
  ! dpkg -s "$p" >/dev/null 2>&1 || fail "$p is already installed on this machine; not touching it"
done
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

echo "state" > /var/lib/phoenix-hub/keep-me
dpkg -r phoenix-agent phoenix-hub >"$out/remove.log" 2>&1 || { cat "$out/remove.log"; fail "dpkg -r failed"; }
[ ! -e /usr/bin/phoenix-agent ] && [ ! -e /usr/bin/phoenix-hub ] || fail "binaries left after dpkg -r"
[ -e /var/lib/phoenix-hub/keep-me ] || fail "dpkg -r deleted the hub's state (only purge may)"
dpkg -P phoenix-agent phoenix-hub >"$out/purge.log" 2>&1 || { cat "$out/purge.log"; fail "dpkg -P failed"; }
[ ! -e /var/lib/phoenix-hub ] && [ ! -e /var/lib/phoenix-agent ] || fail "state left after purge"
echo "packages install, verify, remove and purge: ok"
