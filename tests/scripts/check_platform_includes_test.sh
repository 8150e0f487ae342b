#!/usr/bin/env bash
# scripts/check-platform-includes: passes on this checkout, and fails on a tree with planted
# Linux-only code outside the platform layer, naming each file; allowed places stay allowed.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
check="$src/scripts/check-platform-includes"

tmp="$(mktemp -d /tmp/phoenix.XXXXXX)"
cleanup() { case "$tmp" in /tmp/phoenix.?*) rm -rf -- "$tmp" ;; esac; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$check" "$src" >/dev/null || fail "the checkout itself does not pass"

tree="$tmp/tree"
mkdir -p "$tree/shared/platform" "$tree/shared/core" "$tree/hub/netns" "$tree/hub/api" "$tree/tests/hub/http"
# Allowed: the platform layer and the netns driver.
printf '#include <linux/close_range.h>\n#include <systemd/sd-daemon.h>\n' > "$tree/shared/platform/ok.cpp"
printf '#include <sched.h>\nint f() { return setns(3, 0); }\n' > "$tree/hub/netns/netns_vm_service.cpp"
# Clean portable code, with a comment that names a Linux call.
printf '// setns(2) is not used here\n#include <unistd.h>\n' > "$tree/shared/core/clean.cpp"
"$check" "$tree" >/dev/null 2>&1 || fail "a tree with Linux code only in allowed places was refused"

# Planted violations, one of each kind.
printf '#include <systemd/sd-daemon.h>\n' > "$tree/hub/api/serve_bad.cpp"
printf '  #  include <linux/close_range.h>\n' > "$tree/shared/core/bad_header.hpp"
printf '#include <sys/mount.h>\n' > "$tree/hub/netns/netns_layout.cpp"  # the layout must stay portable
printf 'void f() { prctl(1, 0); }\n' > "$tree/tests/hub/http/bad_call.cpp"
printf 'auto p = "/proc/self/exe";\n' > "$tree/shared/core/bad_proc.cpp"
if out="$("$check" "$tree" 2>&1)"; then fail "planted violations passed: $out"; fi
for f in hub/api/serve_bad.cpp shared/core/bad_header.hpp hub/netns/netns_layout.cpp \
         tests/hub/http/bad_call.cpp shared/core/bad_proc.cpp; do
  grep -q "$f:" <<<"$out" || fail "$f not named in: $out"
done
grep -q "shared/platform/ok.cpp\|netns_vm_service.cpp\|clean.cpp" <<<"$out" && fail "an allowed file was named: $out"
echo "check-platform-includes test: ok"
