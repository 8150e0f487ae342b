#!/usr/bin/env bash
# Integration (root): the dashboard in a real browser. A hub with the netns driver serves two
# VMs (network namespaces with a real dockerd and phoenix-agent each); vm1 is started and set up
# first, vm2 stays stopped. Then tests/browser/dashboard.mjs drives Debian's chromium through
# playwright-core: the page shows the fleet, starts vm2, sees its agent arrive, launches a
# docker-tls rotation and sees it complete, all through GET /events; the screenshot is kept in
# $PHOENIX_ARTIFACTS (default build/test-artifacts/dashboard.png). Then tests/browser/
# dashboard_token.mjs drives the page against a second hub, with API tokens (tart driver, fake
# tart): token prompt, refusal, read and write roles, reload. Nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD_DIR="${BUILD_DIR:-build}"
HUB="$(realpath -m "$BUILD_DIR/hub/phoenix-hub")"
FAKE_TART="$(realpath -m "$BUILD_DIR/tests/hub/fake_tart/fake-tart")"
ARTIFACTS="$(realpath -m "${PHOENIX_ARTIFACTS:-$BUILD_DIR/test-artifacts}")"
API_PORT=18282 AGENT_PORT=18643 BRIDGE=phxbt SUBNET=10.75.0
TOKEN_API_PORT=18283 TOKEN_AGENT_PORT=18644 TOKEN_VM=phxbt-tok

fail() { echo "dashboard browser test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (network namespaces, dockerd)"
[ -x "$HUB" ] && [ -x "$FAKE_TART" ] || fail "$HUB or $FAKE_TART is missing: build first (./dev build)"
[ -x /usr/bin/chromium ] || fail "Debian's chromium is missing: run ./dev setup"
[ -d tests/browser/node_modules/playwright-core ] || fail "playwright-core is missing: run ./dev setup"

WORK="$(mktemp -d /tmp/phoenix-browser.XXXXXX)"
HUB_PID="" TOKEN_HUB_PID=""
export TART_HOME="$WORK/tart"  # the fake tart's VMs, for the second hub
cleanup() {
  local rc=$?
  for pid in $HUB_PID $TOKEN_HUB_PID; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # tart runs VMs detached from the hub (they outlive it on purpose): stop ours.
  "$FAKE_TART" stop "$TOKEN_VM" --timeout 5 >/dev/null 2>&1 || true
  if [ "$rc" != 0 ]; then
    for log in hub.log token-hub.log; do
      [ -f "$WORK/$log" ] || continue
      echo "--- last lines of $log" >&2
      tail -n 40 "$WORK/$log" >&2
    done
  fi
  local left=""
  for vm in vm1 vm2; do [ -e "/var/run/netns/$BRIDGE-$vm" ] && left+=" namespace $BRIDGE-$vm"; done
  [ -e "/sys/class/net/$BRIDGE" ] && left+=" bridge $BRIDGE"
  pgrep -f "$WORK" >/dev/null && left+=" processes: $(pgrep -af "$WORK" | head -3)"
  pgrep -f "fake-tart run $TOKEN_VM" >/dev/null && left+=" the fake VM $TOKEN_VM"
  if [ -n "$left" ]; then echo "dashboard browser test: left behind:$left" >&2; rc=1; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

api() { curl -sS --fail-with-body --max-time 120 -X "$1" "http://127.0.0.1:$API_PORT$2"; }
token_api() { curl -sS --fail-with-body --max-time 30 -H "Authorization: Bearer $READ_TOKEN" "http://127.0.0.1:$TOKEN_API_PORT$1"; }
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

# The page against a hub with API tokens: the fake tart stands for tart (no agents needed).
READ_TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
WRITE_TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
cat > "$WORK/token-hub.json" <<JSON
{
  "api": {"listen": "127.0.0.1:$TOKEN_API_PORT",
          "tokens": [{"token": "$READ_TOKEN", "role": "read"}, {"token": "$WRITE_TOKEN", "role": "write"}]},
  "agent_endpoint": {"listen": "127.0.0.1:$TOKEN_AGENT_PORT", "public_url": "wss://127.0.0.1:$TOKEN_AGENT_PORT"},
  "driver": "tart",
  "tart": {"path": "$FAKE_TART"}
}
JSON
"$FAKE_TART" create "$TOKEN_VM" --linux >/dev/null
"$HUB" init --state-dir "$WORK/token-hub" --config "$WORK/token-hub.json" >"$WORK/token-init.log"
"$HUB" serve --config "$WORK/token-hub.json" --state-dir "$WORK/token-hub" 2>"$WORK/token-hub.log" &
TOKEN_HUB_PID=$!
wait_for 20 "the token hub's /health" token_api /health
rm -f "$ARTIFACTS/dashboard-token.png" "$ARTIFACTS/dashboard-token-failed.png"
node tests/browser/dashboard_token.mjs --url "http://127.0.0.1:$TOKEN_API_PORT/" --vm "$TOKEN_VM" \
  --read-token "$READ_TOKEN" --write-token "$WRITE_TOKEN" --screenshot "$ARTIFACTS/dashboard-token.png"
echo "dashboard browser test: ok (screenshots $ARTIFACTS/dashboard.png, dashboard-token.png)"
