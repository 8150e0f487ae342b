#!/bin/sh
# The hub's container entry point. First start: writes a config into the state volume (unless
# one is mounted at $PHOENIX_CONFIG) with a fresh API write token, and runs `phoenix-hub init`.
# Every start: `phoenix-hub serve`, with any arguments given to the container.
#
# Environment:
#   PHOENIX_PUBLIC_URL    wss://HOST:8443 the VMs dial (HOST must be an address they reach;
#                         it goes into the hub's server certificate). Needed to enroll VMs.
#   PHOENIX_CONFIG        a mounted config to use instead (default /etc/phoenix/hub.json)
#   PHOENIX_STATE_DIR     default /var/lib/phoenix-hub (the state volume)
#   PHOENIX_API_LISTEN    default 0.0.0.0:8082     PHOENIX_AGENT_LISTEN  default 0.0.0.0:8443
#   PHOENIX_TART          default /usr/local/bin/tart (the bind-mounted tart binary)
set -eu
state="${PHOENIX_STATE_DIR:-/var/lib/phoenix-hub}"
config="${PHOENIX_CONFIG:-/etc/phoenix/hub.json}"

if [ ! -f "$config" ]; then
  config="$state/hub.json"
  if [ ! -f "$config" ]; then
    # Off loopback the hub refuses to serve its API without tokens: make one, once.
    token="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
    public=""
    if [ -n "${PHOENIX_PUBLIC_URL:-}" ]; then
      case "$PHOENIX_PUBLIC_URL" in
        *[\"\\\ ]*|*"'"*) echo "phoenix-hub-entrypoint: PHOENIX_PUBLIC_URL must not contain quotes or spaces" >&2; exit 2 ;;
        wss://?*) public=", \"public_url\": \"$PHOENIX_PUBLIC_URL\"" ;;
        *) echo "phoenix-hub-entrypoint: PHOENIX_PUBLIC_URL must be wss://HOST:PORT (got $PHOENIX_PUBLIC_URL)" >&2; exit 2 ;;
      esac
    fi
    umask 077
    cat > "$config.tmp" <<JSON
{
  "api": {"listen": "${PHOENIX_API_LISTEN:-0.0.0.0:8082}", "tokens": [{"token": "$token", "role": "write"}]},
  "agent_endpoint": {"listen": "${PHOENIX_AGENT_LISTEN:-0.0.0.0:8443}"$public},
  "tart": {"path": "${PHOENIX_TART:-/usr/local/bin/tart}"}
}
JSON
    mv "$config.tmp" "$config"
    echo "phoenix-hub-entrypoint: wrote $config with a new API write token (Authorization: Bearer" \
         "<token>); show it with: docker compose exec hub cat $config" >&2
  fi
fi

if [ ! -f "$state/hub.db" ]; then
  phoenix-hub init --state-dir "$state" --config "$config"
fi
exec phoenix-hub serve --config "$config" --state-dir "$state" "$@"
