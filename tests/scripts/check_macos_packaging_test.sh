#!/usr/bin/env bash
# scripts/check-macos-packaging: passes on this checkout, and fails on copies of the formula and
# plist with one planted fault each, naming the rule that caught it.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
check="$src/scripts/check-macos-packaging"

tmp="$(mktemp -d /tmp/phoenix.XXXXXX)"
cleanup() { case "$tmp" in /tmp/phoenix.?*) rm -rf -- "$tmp" ;; esac; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$check" "$src" >/dev/null 2>&1 || fail "the checkout's packaging does not pass"

n=0
# plant DESCRIPTION EXPECTED-OUTPUT FILE SED-EXPRESSION: a fresh copy with one edit must fail.
plant() {
  local what="$1" expect="$2" file="$3" edit="$4"
  n=$((n + 1))
  local tree="$tmp/t$n"
  mkdir -p "$tree"
  cp -r "$src/packaging" "$tree/"
  sed -i -e "$edit" "$tree/$file"
  cmp -s "$src/$file" "$tree/$file" && fail "$what: the edit changed nothing"
  local out
  if out="$("$check" "$tree" 2>&1)"; then fail "$what: passed"; fi
  grep -q -- "$expect" <<<"$out" || fail "$what: expected '$expect' in: $out"
  echo "caught: $what"
}
F=packaging/homebrew/phoenix-hub.rb
P=packaging/macos/com.phoenix.hub.plist
plant "a syntax error" "formula syntax" "$F" 's/^  def install$/  def install(/'
plant "the service as root" "requires root" "$F" 's/^    keep_alive true$/    keep_alive true\n    require_root true/'
plant "a missing dependency" 'no depends_on "openssl@3"' "$F" '/depends_on "openssl@3"/d'
plant "not the portable build" "PHOENIX_PORTABLE" "$F" 's/-DPHOENIX_PORTABLE=ON/-DPHOENIX_PORTABLE=OFF/'
plant "a bad checksum" "sha256" "$F" 's/^  sha256 "0/  sha256 "x/'
plant "an element the document type lacks" "document type" "$P" 's|<true/>|<yes/>|'
plant "a key without a value" "do not alternate" "$P" 's|<key>ProcessType</key>|<key>ProcessType</key><key>Nice</key>|'
plant "UserName root" "never root" "$P" 's|<key>RunAtLoad</key>|<key>UserName</key><string>root</string><key>RunAtLoad</key>|'
plant "logs outside ~/Library/Logs" "Console.app" "$P" 's|__HOME__/Library/Logs/Phoenix/phoenix-hub.log|/tmp/hub.log|'
echo "check-macos-packaging test: ok ($n planted faults caught)"
