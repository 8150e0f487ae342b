#!/usr/bin/env bash
# scripts/check-repo-references: fails on a tree with each forbidden reference planted, names the
# file; passes on a clean tree. (The forbidden strings are built from pieces here too.)
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
check="$src/scripts/check-repo-references"

tmp="$(mktemp -d /tmp/phoenix.XXXXXX)"
cleanup() { case "$tmp" in /tmp/phoenix.?*) rm -rf -- "$tmp" ;; esac; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

dots='..'
mkdir -p "$tmp/clean/docs"
echo "See docs/architecture.md and shared/platform/." > "$tmp/clean/docs/ok.md"
"$check" "$src" >/dev/null 2>&1 || fail "this checkout refers outside the repository"
"$check" "$tmp/clean" >/dev/null || fail "a clean tree was refused"

n=0
for bad in "$dots/shared/x" "the SPEC"".md contract" "/wo""rk/main/build" "shared/no""tes/tart.md"; do
  n=$((n + 1))
  tree="$tmp/t$n"
  mkdir -p "$tree/docs"
  cp "$tmp/clean/docs/ok.md" "$tree/docs/"
  printf 'intro\nsee %s\n' "$bad" > "$tree/docs/bad$n.md"
  if out="$("$check" "$tree" 2>&1)"; then fail "'$bad' passed"; fi
  grep -q "docs/bad$n.md:2:" <<<"$out" || fail "'$bad': file and line not named in: $out"
  grep -q "docs/ok.md" <<<"$out" && fail "the clean file was named: $out"
done
echo "check-repo-references test: ok ($n planted references caught)"
