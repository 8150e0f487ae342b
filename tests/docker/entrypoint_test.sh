#!/usr/bin/env bash
# Integration (root, to drop to an unprivileged user): what the hub's image does, outside a
# container, since CI machines have no Docker engine to build it. docker/entrypoint.sh runs as a
# non-root user with the image's environment: the first start writes a 0600 config with a token
# and initialises the state; the HEALTHCHECK command taken from docker/Dockerfile reports healthy;
# the API wants the token off loopback; a restart reuses state and token; bad input is refused.
# Also checks that the Dockerfile and compose.yaml agree on user, ports and volumes.
#   usage: entrypoint_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC="$(realpath "$1")" BUILD="$(realpath "$2")"
DOCKERFILE="$SRC/docker/Dockerfile" COMPOSE="$SRC/docker/compose.yaml" ENTRYPOINT="$SRC/docker/entrypoint.sh"
FAKE_TART="$BUILD/tests/hub/fake_tart/fake-tart"
fail() { echo "entrypoint test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (to run the entry point as an unprivileged user)"
[ -x "$BUILD/hub/phoenix-hub" ] && [ -x "$FAKE_TART" ] || fail "build first (phoenix-hub, fake-tart)"

# --- the image's declared contract
grep -qx 'USER phoenix' "$DOCKERFILE" || fail "the image must run as the phoenix user"
grep -q 'useradd --system --uid 10001' "$DOCKERFILE" || fail "the phoenix user must be a fixed non-root uid"
grep -qx 'EXPOSE 8082 8443' "$DOCKERFILE" || fail "the image must expose 8082 and 8443"
grep -qx 'VOLUME \["/var/lib/phoenix-hub", "/home/phoenix/.tart"\]' "$DOCKERFILE" || fail "volumes for state and ~/.tart"
[ "$(grep -c '^FROM ' "$DOCKERFILE")" -ge 2 ] || fail "the image must be a multi-stage build"
for target in /var/lib/phoenix-hub /usr/local/bin/tart:ro /home/phoenix/.tart; do
  grep -q ":$target " "$COMPOSE" || fail "compose.yaml does not mount $target"
done
grep -q '"127.0.0.1:8082:8082"' "$COMPOSE" && grep -q '"8443:8443"' "$COMPOSE" || fail "compose.yaml ports"
health="$(sed -n 's/^ *CMD \(\[.*\]\)$/\1/p' "$DOCKERFILE")"
[ -n "$health" ] || fail "no HEALTHCHECK CMD in the Dockerfile"

WORK="$(mktemp -d /tmp/phoenix-entrypoint.XXXXXX)"
HUB_PID=""
cleanup() {
  [ -z "$HUB_PID" ] || { kill -TERM "$HUB_PID" 2>/dev/null || true; wait "$HUB_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
# The image's layout, in a directory the unprivileged user owns (uid 65534: nobody).
mkdir -p "$WORK/bin" "$WORK/state" "$WORK/tart"
cp "$BUILD/hub/phoenix-hub" "$WORK/bin/"
chmod 0755 "$WORK" "$WORK/bin"
chown 65534:65534 "$WORK/state" "$WORK/tart"
chmod 0700 "$WORK/state"
# A port nothing listens on now (ss is in iproute2, which ./dev setup installs; no python here).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    [ -z "$(ss -Htln "sport = :$port")" ] && { echo "$port"; return; }
  done
}
API_PORT="$(free_port)"
AGENT_PORT="$(free_port)"
while [ "$AGENT_PORT" = "$API_PORT" ]; do AGENT_PORT="$(free_port)"; done
# The command prefix that runs a program as that user with the image's environment.
user_env() {
  AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups -- env -i PATH="$WORK/bin:/usr/bin:/bin"
    HOME=/nonexistent TART_HOME="$WORK/tart" PHOENIX_STATE_DIR="$WORK/state" PHOENIX_CONFIG="$WORK/no-such-config.json"
    PHOENIX_API_LISTEN="0.0.0.0:$API_PORT" PHOENIX_AGENT_LISTEN="127.0.0.1:$AGENT_PORT" PHOENIX_TART="$FAKE_TART"
    PHOENIX_PUBLIC_URL="${PUBLIC_URL-wss://127.0.0.1:$AGENT_PORT}")
}
as_user() { user_env; "${AS_USER[@]}" "$@"; }
as_user "$FAKE_TART" create vm1 --linux
start_hub() {
  user_env
  # A plain command (not a function) in the background: $! is the process that becomes the hub.
  "${AS_USER[@]}" sh "$ENTRYPOINT" 2>>"$WORK/hub.log" &
  HUB_PID=$!
}
healthy() {  # the Dockerfile's HEALTHCHECK command, on this test's port
  local -a argv
  mapfile -t argv < <(jq -r '.[]' <<<"${health//8082/$API_PORT}")
  as_user "${argv[@]}" >/dev/null 2>&1
}
wait_healthy() {
  for _ in $(seq 100); do healthy && return 0; kill -0 "$HUB_PID" 2>/dev/null || break; sleep 0.2; done
  cat "$WORK/hub.log" >&2
  fail "the HEALTHCHECK command never succeeded"
}
stop_hub() {
  kill -TERM "$HUB_PID"
  local rc=0
  wait "$HUB_PID" || rc=$?
  HUB_PID=""
  [ "$rc" = 0 ] || fail "the hub exited $rc on SIGTERM"
}

# --- first start
healthy && fail "the HEALTHCHECK command succeeded with no hub running: it cannot fail"
start_hub
wait_healthy
config="$WORK/state/hub.json"
[ "$(stat -c '%a %u' "$config")" = "600 65534" ] || fail "config must be 0600 and the user's: $(stat -c '%a %u' "$config")"
token="$(jq -r '.api.tokens[0].token' "$config")"
[ "${#token}" = 64 ] || fail "no 256-bit token in $config"
[ "$(jq -r '.agent_endpoint.public_url' "$config")" = "wss://127.0.0.1:$AGENT_PORT" ] || fail "public_url not in config"
uid="$(awk '/^Uid:/ {print $2}' "/proc/$(pgrep -f "phoenix-hub serve --config $config")/status")"
[ "$uid" = 65534 ] || fail "the hub runs as uid $uid, not the unprivileged user"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "http://127.0.0.1:$API_PORT/vms")" = 401 ] || fail "the API answered without a token"
[ "$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$API_PORT/vms" | jq -r '.[0].name')" = vm1 ] ||
  fail "the token does not open the API, or tart (fake) was not used"
ca_before="$(sha256sum "$WORK/state/ca/identity-ca.pem")"
stop_hub

# --- second start: same state, same token, no second init
start_hub
wait_healthy
[ "$(jq -r '.api.tokens[0].token' "$config")" = "$token" ] || fail "the token changed across a restart"
[ "$(sha256sum "$WORK/state/ca/identity-ca.pem")" = "$ca_before" ] || fail "the CA changed across a restart"
stop_hub

# --- bad input: refused before anything is written
rm -rf "$WORK/state"/*
for bad in 'http://example:8443' 'wss://a" b'; do
  rc=0
  PUBLIC_URL="$bad" as_user sh "$ENTRYPOINT" 2>"$WORK/bad.log" || rc=$?
  [ "$rc" = 2 ] || fail "PHOENIX_PUBLIC_URL=$bad: exit $rc, not 2"
  grep -q PHOENIX_PUBLIC_URL "$WORK/bad.log" || fail "PHOENIX_PUBLIC_URL=$bad: no explanation"
  [ ! -e "$config" ] || fail "PHOENIX_PUBLIC_URL=$bad: a config was written"
done
echo "entrypoint test: ok"
