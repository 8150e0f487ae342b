#!/usr/bin/env bash
# Integration (root): the dashboard in a real browser. A hub with the netns driver serves two
# VMs (network namespaces with a real dockerd and phoenix-agent each); vm1 is started and set up
# first, vm2 stays stopped. Then tests/browser/dashboard.mjs drives Debian's chromium through
# playwright-core: the page shows the fleet, starts vm2, sees its agent arrive, launches a
# docker-tls rotation and sees it complete, all through GET /events; the screenshot is kept in
# $PHOENIX_ARTIFACTS (default build/test-artifacts/dashboard.png). Nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD_DIR="${BUILD_DIR:-build}"
HUB="$(realpath -m "$BUILD_DIR/hub/phoenix-hub")"
ARTIFACTS="$(realpath -m "${PHOENIX_ARTIFACTS:-$BUILD_DIR/test-artifacts}")"
API_PORT=18282 AGENT_PORT=18643 BRIDGE=phxbt SUBNET=10.75.0

fail() { echo "dashboard browser test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (network namespaces, dockerd)"
[ -x "$HUB" ] || fail "$HUB is missing: build first (./dev build)"
[ -x /usr/bin/chromium ] || fail "Debian's chromium is missing: run ./dev setup"
[ -d tests/browser/node_modules/playwright-core ] || fail "playwright-core is missing: run ./dev setup"

WORK="$(mktemp -d /tmp/phoenix-browser.XXXXXX)"
HUB_PID=""
cleanup() {
  local rc=$?
  if [ -n "$HUB_PID" ]; then
    kill -TERM "$HUB_PID" 2>/dev/null || true
    wait "$HUB_PID" 2>/dev/null || true
  fi
  if [ "$rc" != 0 ] && [ -f "$WORK/hub.log" ]; then
    echo "--- last lines of the hub's log" >&2
    tail -n 40 "$WORK/hub.log" >&2
  fi
  local left=""
  for vm in vm1 vm2; do [ -e "/var/run/netns/$BRIDGE-$vm" ] && left+=" namespace $BRIDGE-$vm"; done
  [ -e "/sys/class/net/$BRIDGE" ] && left+=" bridge $BRIDGE"
  pgrep -f "$WORK" >/dev/null && left+=" processes: $(pgrep -af "$WORK" | head -3)"
  if [ -n "$left" ]; then echo "dashboard browser test: left behind:$left" >&2; rc=1; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

api() { curl -sS --fail-with-body --max-time 120 -X "$1" "http://127.0.0.1:$API_PORT$2"; }
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$(( $(date +%s) + $1 )) what="$2"; shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 0.3
  done
}
vm1_set_up() {
  api GET /vms/vm1 | jq -e '.agent.connected and .agent.certs.docker_server.serial != null' >/dev/null &&
    api GET /rotations | jq -e 'length >= 1 and all(.[]; .state == "completed")' >/dev/null
}

cat > "$WORK/hub.json" <<JSON
{
  "api": {"listen": "127.0.0.1:$API_PORT"},
  "agent_endpoint": {"listen": "0.0.0.0:$AGENT_PORT", "public_url": "wss://$SUBNET.1:$AGENT_PORT"},
  "driver": "netns",
  "netns": {"bridge": "$BRIDGE", "subnet": "$SUBNET.0/24", "vms": [{"name": "vm1"}, {"name": "vm2"}]},
  "swarm": {"managers": 1, "auto_join": true}
}
JSON
"$HUB" init --state-dir "$WORK/hub" --config "$WORK/hub.json" >"$WORK/init.log"
PHOENIX_NETNS_AGENT_ARGS="--backoff-start-ms 200 --backoff-cap-ms 2000 --state-interval-ms 1000" \
  "$HUB" serve --config "$WORK/hub.json" --state-dir "$WORK/hub" 2>"$WORK/hub.log" &
HUB_PID=$!
wait_for 20 "the hub's /health" api GET /health
api POST /vms/vm1/start >/dev/null
wait_for 120 "vm1's agent and its docker TLS" vm1_set_up

mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS/dashboard.png" "$ARTIFACTS/dashboard-failed.png"
node tests/browser/dashboard.mjs --url "http://127.0.0.1:$API_PORT/" --screenshot "$ARTIFACTS/dashboard.png"
[ -s "$ARTIFACTS/dashboard.png" ] || fail "no screenshot at $ARTIFACTS/dashboard.png"
echo "dashboard browser test: ok (screenshot $ARTIFACTS/dashboard.png)"
