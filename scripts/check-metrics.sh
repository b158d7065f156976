#!/usr/bin/env bash
# Starts a real meshnode, fetches /metrics and checks it with promtool (Debian package
# `prometheus`). Installs promtool with apt-get when it is missing and apt-get works.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v promtool >/dev/null; then
  echo "check-metrics: installing promtool (Debian package prometheus)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; } >/dev/null 2>&1; then
    echo "check-metrics: SKIPPED: promtool is not installed and apt-get could not install it" >&2
    exit 0
  fi
fi

bin="$(swift build --show-bin-path)/meshnode"
data="$(mktemp -d)"
"$bin" run --listen 127.0.77.1:7071 --debug-listen 127.0.77.1:7070 --lan --tick 0.2 \
  --data-dir "$data" --peer 127.0.77.2:7071 2>"$data/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
metrics=""
for _ in $(seq 50); do
  metrics=$(python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.77.1:7070/metrics", timeout=1).read().decode(), end="")' 2>/dev/null) && break
  sleep 0.1
done
[ -n "$metrics" ] || { echo "check-metrics: no answer from /metrics" >&2; cat "$data/log" >&2; exit 1; }
printf '%s\n' "$metrics" | promtool check metrics
# Series that must exist from the start (INTERFACE.md): labelled counters at 0, process_*, build info.
for series in 'meshnode_disconnects_total{reason="ping_timeout",side="local"} 0' 'meshnode_disconnects_total{reason="remote_closed",side="remote"} 0' 'meshnode_handshake_failures_total{reason="handshake_timeout"} 0' \
  'process_cpu_seconds_total ' 'process_resident_memory_bytes ' 'process_open_fds ' 'process_start_time_seconds ' \
  'meshnode_build_info{version=' 'meshnode_received_bytes_total ' 'meshnode_sent_bytes_total '; do
  grep -qF "$series" <<<"$metrics" || { echo "check-metrics: /metrics lacks $series" >&2; exit 1; }
done
echo "check-metrics: promtool accepts /metrics ($(printf '%s\n' "$metrics" | grep -vc '^#') samples)"
