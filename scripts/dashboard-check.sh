#!/usr/bin/env bash
# The dashboard in a real browser: starts a 3-node mesh on 127.0.93.1-3 (--lan, 0.2 s tick),
# loads node 1's page (GET /) in headless Chromium (Debian package `chromium`), and checks:
#   - no console message at all (the page writes none; errors, uncaught exceptions, CSP
#     violations and failed loads all show as CONSOLE lines with --enable-logging=stderr),
#   - the page's own error counter is 0 and its first refresh succeeded (data-state="ok"),
#   - the DOM shows the other two nodes' addresses,
#   - the "why" panel, opened by the URL (#why=IP), shows node 2's session,
#   - a screenshot is taken and is not blank (PNG decoded with Python's zlib: enough
#     distinct colours).
# DASHBOARD_SCREENSHOT=PATH keeps the screenshot.
# Skips (exit 0, with the reason on stderr) when chromium is not installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "dashboard-check: SKIPPED: chromium is not installed (apt-get install -y chromium)" >&2
  exit 0
fi

swift build --product meshnode 2>&1 | grep -E "error:" && exit 1
bin="$(swift build --show-bin-path)/meshnode"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

net=127.0.93
for n in 1 2 3; do
  extra=()
  [ "$n" != 1 ] && extra=(--peer "$net.1:7071")
  "$bin" run --listen "$net.$n:7071" --debug-listen "$net.$n:7070" --lan --tick 0.2 \
    --data-dir "$work/node$n" "${extra[@]}" 2>"$work/node$n.log" &
  pids+=($!)
done

url="http://$net.1:7070/"
fetch() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=1).read().decode())' "$1"; }
# Bounded wait (20 s) for node 1 to hold sessions with both others.
for _ in $(seq 100); do
  peers=$(fetch "http://$net.1:7070/p2p/peers" 2>/dev/null || true)
  if grep -q "$net.2:7071" <<<"$peers" && grep -q "$net.3:7071" <<<"$peers"; then break; fi
  sleep 0.2
done
grep -q "$net.2:7071" <<<"$peers" && grep -q "$net.3:7071" <<<"$peers" || {
  echo "dashboard-check: the mesh did not form within 20 s: $peers" >&2
  tail -5 "$work"/node*.log >&2
  exit 1
}

chrome=("$browser" --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$work/chrome"
  --enable-logging=stderr --v=0 --virtual-time-budget=6000 --window-size=1280,1300)
page="$url#why=$net.2"
timeout 60 "${chrome[@]}" --dump-dom "$page" >"$work/dom.html" 2>"$work/dom.log"
timeout 60 "${chrome[@]}" --screenshot="$work/shot.png" "$page" >/dev/null 2>"$work/shot.log"

failed=0
fail() { echo "dashboard-check: FAIL: $*" >&2; failed=1; }
if grep -h "CONSOLE" "$work/dom.log" "$work/shot.log" >"$work/console.txt"; then
  fail "the page wrote to the console:"; cat "$work/console.txt" >&2
fi
grep -q 'data-state="ok"' "$work/dom.html" || fail "the page's first refresh did not succeed (data-state)"
grep -q 'data-errors="0"' "$work/dom.html" || fail "the page counted script errors (data-errors)"
for n in 2 3; do
  grep -qF "$net.$n:7071" "$work/dom.html" || fail "the DOM does not show peer $net.$n:7071"
done
grep -q 'data-why="ok"' "$work/dom.html" && grep -q '<td>connected</td>' "$work/dom.html" \
  || fail "the why panel does not show $net.2's session"
[ -s "$work/shot.png" ] || fail "no screenshot"
# DASHBOARD_SCREENSHOT=PATH keeps the screenshot (a CI artifact, or to look at it).
if [ -n "${DASHBOARD_SCREENSHOT:-}" ] && [ -s "$work/shot.png" ]; then cp "$work/shot.png" "$DASHBOARD_SCREENSHOT"; fi
if [ -s "$work/shot.png" ]; then
  python3 scripts/png-colours.py "$work/shot.png" 8 || fail "the screenshot is blank"
fi
if [ "$failed" != 0 ]; then
  echo "--- DOM (first 3000 bytes)" >&2
  head -c 3000 "$work/dom.html" >&2
  exit 1
fi
echo "dashboard-check: ok: peers $net.2:7071 and $net.3:7071 shown, why panel filled, no console message, screenshot not blank"
