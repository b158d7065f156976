#!/usr/bin/env bash
# The dashboard in a real browser: starts a 3-node mesh on 127.0.93.1-3 with
# `meshnode testnet --nodes 3` (as an operator does), loads the page it names (node 1's GET /)
# in headless Chromium (Debian package `chromium`), and checks:
#   - no console message at all (the page writes none; errors, uncaught exceptions, CSP
#     violations and failed loads all show as CONSOLE lines with --enable-logging=stderr),
#   - the page's own error counter is 0 and its first refresh succeeded (data-state="ok"),
#   - the DOM shows the other two nodes' addresses,
#   - the "why" panel, opened by the URL (#why=IP), shows node 2's session,
#   - the mesh graph (an SVG drawn from GET /api/p2p/mesh) has the testnet's 3 nodes, this
#     node (127.0.93.1) marked as such, and 3 edges: one per session, from the side that dialed,
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
"$bin" testnet --nodes 3 --base-ip "$net.1" --data-dir "$work/testnet" >"$work/testnet.out" 2>&1 &
pids+=($!)

# Bounded wait (30 s) for the testnet's own "ready" line (every node holds the two others).
for _ in $(seq 150); do
  grep -q '^ready' "$work/testnet.out" && break
  sleep 0.2
done
grep -q '^ready' "$work/testnet.out" || {
  echo "dashboard-check: the testnet's mesh did not form within 30 s:" >&2
  cat "$work/testnet.out" >&2
  tail -5 "$work"/testnet/node*/node.log >&2
  exit 1
}
# The page the testnet tells the operator to open.
url=$(sed -n 's|^dashboard: \(http://[^ ]*\) .*|\1|p' "$work/testnet.out")
[ "$url" = "http://$net.1:7070/" ] || { echo "dashboard-check: the testnet printed no dashboard URL" >&2; cat "$work/testnet.out" >&2; exit 1; }

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
# The mesh graph: 3 nodes (this one marked), 3 sessions, each an edge from its dialer (the
# higher IP) to the lower.
nodes=$(grep -o 'class="mesh-node [a-z]*"' "$work/dom.html" | wc -l)
edges=$(grep -o '<line class="mesh-edge"[^>]*>' "$work/dom.html" | grep -o 'data-from="[0-9.]*" data-to="[0-9.]*"' | sort | tr '\n' ' ')
[ "$nodes" = 3 ] || fail "the mesh graph has $nodes nodes, not 3"
grep -q 'data-nodes="3" data-edges="3"' "$work/dom.html" || fail "the mesh SVG does not count 3 nodes and 3 edges"
grep -q "class=\"mesh-node self\" data-ip=\"$net.1\"" "$work/dom.html" || fail "the graph does not mark this node ($net.1)"
want="data-from=\"$net.2\" data-to=\"$net.1\" data-from=\"$net.3\" data-to=\"$net.1\" data-from=\"$net.3\" data-to=\"$net.2\" "
[ "$edges" = "$want" ] || fail "the graph's edges are: $edges (want $want)"
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
echo "dashboard-check: ok: peers $net.2:7071 and $net.3:7071 shown, why panel filled, mesh graph of 3 nodes and 3 directed sessions, no console message, screenshot not blank"
