#!/usr/bin/env bash
# `systemd-analyze verify` on the shipped units, with ExecStart pointed at the binaries just
# built (the packaged paths do not exist on a build machine). A control unit whose program is
# missing must fail the same check, so a green run means the check really ran.
set -euo pipefail
source_dir="$1" build_dir="$2"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not found (apt-get install systemd)"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed "s|/usr/bin/phoenix-agent|$build_dir/agent/phoenix-agent|" "$source_dir/systemd/phoenix-agent.service" > "$work/phoenix-agent.service"
sed "s|/usr/bin/phoenix-hub|$build_dir/hub/phoenix-hub|" "$source_dir/systemd/phoenix-hub.service" > "$work/phoenix-hub.service"
out="$(systemd-analyze verify "$work/phoenix-agent.service" "$work/phoenix-hub.service" 2>&1)" || {
  echo "systemd-analyze verify failed:"; echo "$out"; exit 1; }
# Warnings count as failures too (an unknown key is only a warning to systemd).
if [ -n "$out" ]; then echo "systemd-analyze verify complained:"; echo "$out"; exit 1; fi
sed "s|/usr/bin/phoenix-agent|$work/no-such-agent|" "$source_dir/systemd/phoenix-agent.service" > "$work/broken.service"
if systemd-analyze verify "$work/broken.service" >/dev/null 2>&1; then
  echo "the control unit with a missing program passed: the check proves nothing"; exit 1
fi
grep -q '^Type=notify$' "$work/phoenix-agent.service" && grep -q '^WatchdogSec=' "$work/phoenix-agent.service" \
  || { echo "phoenix-agent.service must be Type=notify with a watchdog"; exit 1; }
echo "systemd units verify: ok"
