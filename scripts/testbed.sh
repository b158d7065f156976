#!/usr/bin/env bash
# scripts/testbed.sh — a multi-host fault lab on one machine (root, iproute2, iptables).
#
#   scripts/testbed.sh up N [--no-seed I]... [-- extra meshnode options]
#   scripts/testbed.sh down
#   scripts/testbed.sh inject HOST FAULT [ARG]     (see FAULTS below)
#   scripts/testbed.sh heal HOST                   removes every fault injected on HOST
#   scripts/testbed.sh exec HOST COMMAND...        runs COMMAND inside HOST's namespace
#   scripts/testbed.sh status
#
# `up` makes N hosts: network namespaces mn-h1 … mn-hN, each with one interface (eth0,
# 10.77.0.I/24) on a bridge that lives in its own namespace (mn-lan), and starts one real
# meshnode per host (P2P 10.77.0.I:7071, debug 10.77.0.I:7070, seed 10.77.0.1:7071). The
# root namespace joins the bridge as 10.77.0.254 so that tests reach every debug endpoint.
# The hosts have no other route: nothing they send can leave the lab.
# `--no-seed I` starts host I with no seed (nobody dials it until told to).
#
# FAULTS (HOST is the host whose namespace gets the rule; T is another host's number):
#   refuse             TCP to :7071 answered with a reset (dialers see connection_refused)
#   syn-drop           SYNs to :7071 dropped (dialers time out at their own --dial-timeout)
#   unreachable T      route to T: unreachable (no_route_to_host)
#   blackhole T        route to T: blackhole (network_unreachable)
#   prohibit T         route to T: prohibit (network_unreachable)
#   reset T            every TCP segment from T answered with a reset (T's connections reset)
#   loss PERCENT       that share of incoming packets dropped at random (statistic match)
#   bandwidth RATE     egress capped by a token bucket (tbf), e.g. 256kbit
#   partition T        all packets between HOST and T dropped, both directions (silent)
#
# Environment: MESHNODE_BIN (default .build/debug/meshnode), TESTBED_DIR (state and logs,
# default /tmp/meshnode-testbed). Node logs: $TESTBED_DIR/hI.log (JSON lines).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dir="${TESTBED_DIR:-/tmp/meshnode-testbed}"
bin="${MESHNODE_BIN:-$PWD/.build/debug/meshnode}"
net="10.77.0"

ns() { echo "mn-h$1"; }
in_host() { local host="$1"; shift; ip netns exec "$(ns "$host")" "$@"; }
die() { echo "testbed: $*" >&2; exit 2; }

up() {
  local count="$1"; shift
  [[ "$count" =~ ^[0-9]+$ && "$count" -ge 1 && "$count" -le 50 ]] || die "up: N must be 1..50"
  local no_seed=() extra=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --no-seed) no_seed+=("$2"); shift 2 ;;
      --) shift; extra=("$@"); break ;;
      *) die "up: unknown option $1" ;;
    esac
  done
  [[ -x "$bin" ]] || die "no meshnode binary at $bin (swift build, or set MESHNODE_BIN)"
  command -v iptables >/dev/null || die "iptables is not installed (apt-get install iptables)"
  down >/dev/null 2>&1 || true
  mkdir -p "$dir"
  ip netns add mn-lan
  ip -n mn-lan link add br0 type bridge
  ip -n mn-lan link set br0 up
  ip link add mn-root type veth peer name root netns mn-lan
  ip -n mn-lan link set root master br0 up
  ip addr add "$net.254/24" dev mn-root
  ip link set mn-root up
  for i in $(seq 1 "$count"); do
    ip netns add "$(ns "$i")"
    ip link add "h$i" netns mn-lan type veth peer name eth0 netns "$(ns "$i")"
    ip -n mn-lan link set "h$i" master br0 up
    ip -n "$(ns "$i")" addr add "$net.$i/24" dev eth0
    ip -n "$(ns "$i")" link set eth0 up
    ip -n "$(ns "$i")" link set lo up
  done
  echo "$count" > "$dir/hosts"
  for i in $(seq 1 "$count"); do
    local seed=(--seed "$net.1:7071")
    [[ "$i" == 1 ]] && seed=()
    for skip in "${no_seed[@]+"${no_seed[@]}"}"; do [[ "$i" == "$skip" ]] && seed=(); done
    rm -rf "$dir/h$i"
    # A plain command in the background (not a shell function, whose subshell would hold the
    # caller's stdout open): `ip netns exec` execs the node, so $! is the node's own pid.
    MESHNODE_DEBUG_PUBLIC_PEERS=1 ip netns exec "$(ns "$i")" "$bin" run --listen "$net.$i:7071" \
      --debug-listen "$net.$i:7070" --data-dir "$dir/h$i" --lan --log-format json \
      "${seed[@]+"${seed[@]}"}" "${extra[@]+"${extra[@]}"}" </dev/null >/dev/null 2>"$dir/h$i.log" &
    echo $! > "$dir/h$i.pid"
  done
  echo "testbed: $count hosts up ($net.1 … $net.$count), logs in $dir"
}

down() {
  if [[ -f "$dir/hosts" ]]; then
    for pidfile in "$dir"/h*.pid; do
      [[ -f "$pidfile" ]] || continue
      kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    done
    for _ in $(seq 1 50); do
      alive=0
      for pidfile in "$dir"/h*.pid; do
        [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && alive=1
      done
      [[ "$alive" == 0 ]] && break
      sleep 0.1
    done
    for pidfile in "$dir"/h*.pid; do
      [[ -f "$pidfile" ]] || continue
      kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    done
    rm -f "$dir/hosts"
  fi
  # Whatever still runs inside a lab namespace (a run killed before its `down`) goes too.
  for name in $(ip netns list | awk '{print $1}' | grep -E '^mn-(h[0-9]+|lan)$' || true); do
    for pid in $(ip netns pids "$name" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$name"
  done
  ip link del mn-root 2>/dev/null || true
  echo "testbed: down"
}

inject() {
  local host="$1" fault="$2" arg="${3:-}"
  case "$fault" in
    refuse) in_host "$host" iptables -I INPUT -p tcp --dport 7071 -j REJECT --reject-with tcp-reset ;;
    syn-drop) in_host "$host" iptables -I INPUT -p tcp --dport 7071 --syn -j DROP ;;
    unreachable | blackhole | prohibit)
      [[ -n "$arg" ]] || die "$fault needs a target host"
      in_host "$host" ip route replace "$fault" "$net.$arg/32" ;;
    reset)
      [[ -n "$arg" ]] || die "reset needs a target host"
      in_host "$host" iptables -I INPUT -s "$net.$arg" -p tcp -j REJECT --reject-with tcp-reset ;;
    loss)
      [[ "$arg" =~ ^[0-9]+$ ]] || die "loss needs a percentage"
      local probability
      probability=$(awk "BEGIN { printf \"%.2f\", $arg / 100 }")
      in_host "$host" iptables -I INPUT -m statistic --mode random --probability "$probability" -j DROP ;;
    bandwidth)
      [[ -n "$arg" ]] || die "bandwidth needs a rate, e.g. 256kbit"
      in_host "$host" tc qdisc replace dev eth0 root tbf rate "$arg" burst 16kb latency 400ms ;;
    partition)
      [[ -n "$arg" ]] || die "partition needs a target host"
      # Dropped on arrival at both ends: silent, like a cut cable (an OUTPUT drop would
      # instead fail the sender's own syscalls with EPERM).
      in_host "$host" iptables -I INPUT -s "$net.$arg" -j DROP
      in_host "$arg" iptables -I INPUT -s "$net.$host" -j DROP ;;
    *) die "unknown fault '$fault'" ;;
  esac
}

heal() {
  local host="$1" count
  count=$(cat "$dir/hosts" 2>/dev/null || echo 0)
  in_host "$host" iptables -F INPUT
  in_host "$host" tc qdisc del dev eth0 root 2>/dev/null || true
  for kind in unreachable blackhole prohibit; do
    in_host "$host" ip route show type "$kind" | awk '{print $2}' | while read -r target; do
      in_host "$host" ip route del "$kind" "$target"
    done
  done
  # A partition also put a rule on the other side.
  for i in $(seq 1 "$count"); do
    [[ "$i" == "$host" ]] && continue
    while in_host "$i" iptables -D INPUT -s "$net.$host" -j DROP 2>/dev/null; do :; done
  done
}

status() {
  local count
  count=$(cat "$dir/hosts" 2>/dev/null || echo 0)
  for i in $(seq 1 "$count"); do
    local pid state="dead"
    pid=$(cat "$dir/h$i.pid" 2>/dev/null || echo 0)
    kill -0 "$pid" 2>/dev/null && state="running (pid $pid)"
    echo "h$i $net.$i: meshnode $state"
  done
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  inject) shift; [[ $# -ge 2 ]] || die "usage: inject HOST FAULT [ARG]"; inject "$@" ;;
  heal) shift; [[ $# -eq 1 ]] || die "usage: heal HOST"; heal "$1" ;;
  exec) shift; host="$1"; shift; in_host "$host" "$@" ;;
  status) status ;;
  *) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
