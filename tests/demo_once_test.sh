#!/usr/bin/env bash
# Integration test of README's main command: `scripts/demo --once` must succeed, print a summary
# that shows the whole story (three VMs, a three-node swarm with one manager, a completed
# rotation that changed every serial) and leave no namespace, bridge, dockerd or mount behind.
set -euo pipefail
cd "$(dirname "$0")/.."
export PHOENIX_DEMO_API_PORT=18182 PHOENIX_DEMO_AGENT_PORT=18543 PHOENIX_DEMO_BRIDGE=phxdt PHOENIX_DEMO_SUBNET=10.76.0
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
scripts/demo --once > "$out"
jq -e '.ok == true and (.vms | length) == 3 and all(.vms[]; .connected and .serial_before != .serial_after)
       and (.swarm.nodes | length) == 3 and ([.swarm.nodes[] | select(.role == "manager")] | length) == 1
       and .rotation.state == "completed" and (.docker_cli_through_context | length) > 0' "$out" >/dev/null \
  || { echo "demo summary is not what it should be:"; cat "$out"; exit 1; }
left="$(ip netns list | grep -c '^phxdt-' || true)"
[ "$left" = 0 ] || { echo "namespaces left behind: $(ip netns list)"; exit 1; }
[ ! -e /sys/class/net/phxdt ] || { echo "bridge phxdt left behind"; exit 1; }
if pgrep -f 'phoenix-demo\.' >/dev/null; then echo "processes left behind: $(pgrep -af 'phoenix-demo\.')"; exit 1; fi
if grep -q 'phoenix-demo\.' /proc/self/mountinfo; then echo "mounts left behind"; exit 1; fi
echo "demo --once: ok"
