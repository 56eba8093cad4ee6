#!/bin/bash
# bench/throughput.sh — iperf3 TCP, one stream, SECONDS, between two network
# namespaces, measured in the same run:
#   raw veth (no tunnel)
#   wireguard-go <-> wireguard-go
#   wgmtud <-> wgmtud, all cores (WGMTUD_THREADS default: the online CPUs,
#     shared while a CPU is idle)
#   wgmtud <-> wgmtud, WGMTUD_THREADS=<online CPUs>: every batch shared, so
#     the ordering across threads shows in the retransmits
#   wgmtud <-> wgmtud, one core (WGMTUD_THREADS=1, both daemons pinned to
#     CPU 0 with taskset) -- the scaling from worker threads
# and prints each rate with the TCP retransmits iperf3 counted (reordering
# inside the tunnel would show up there), the ratio wgmtud / wireguard-go,
# all cores / one core, and wgmtud's resident memory idle and under load.
#
#   sudo bench/throughput.sh [SECONDS]        (BUILD=build-san for ASan)
#   OFFLOADS=off ...   veth offloads off, as in the tests (default: on)
#
# Not a test: it prints numbers, it asserts nothing.
set -u
T=${1:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/netns/lib.sh"
. "$HERE/../tests/netns/lib_daemon.sh"
. "$HERE/lib_bench.sh"
dmn_init

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
mbit() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }

echo "# $(uname -r), $(nproc) CPUs, veth offloads ${OFFLOADS:-on}, $T s per run"
bench_hosts
# raw veth: iperf3 to b's outer address
lab_bg b iperf3s iperf3 -s -1 -B "$(lab_ip4 b)"
spid=$LAB_LASTPID
lab_wait_for 5 bash -c "ip netns exec $(lab_ns b) ss -ltn | grep -q ':5201 '"
lab_run a timeout $((T + 10)) iperf3 -c "$(lab_ip4 b)" -t "$T" -J >"$LAB_TMP/raw.json" 2>&1
wait "$spid" 2>/dev/null
RAW=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$LAB_TMP/raw.json" 2>/dev/null || echo 0)

# measure KIND TAG PIN [ENV=V...]: sets RATE RETR (and RSS for wgmtud)
measure() {
	local kind=$1 tag=$2 pin=$3; shift 3
	bench_pair "$kind" "$tag" "$@"
	if [ "$pin" = 1 ]; then
		taskset -a -p -c 0 "$BP_PIDA" >/dev/null
		taskset -a -p -c 0 "$BP_PIDB" >/dev/null
	fi
	IDLE_RSS=$(rss_kb "$BP_PIDA")
	( sleep $((T / 2)); rss_kb "$BP_PIDA" >"$LAB_TMP/rss.$tag" ) &
	local rpid=$!
	# shellcheck disable=SC2046
	set -- $(bench_iperf "$T")
	RATE=$1 RETR=$3
	wait "$rpid"
	LOAD_RSS=$(cat "$LAB_TMP/rss.$tag")
	bench_stop
}

measure wggo g 0
GO=$RATE GO_R=$RETR
measure wgmtud m 0
WM=$RATE WM_R=$RETR WM_IDLE=$IDLE_RSS WM_LOAD=$LOAD_RSS
NT=$(nproc); [ "$NT" -gt 16 ] && NT=16
measure wgmtud n 0 WGMTUD_THREADS="$NT"
WN=$RATE WN_R=$RETR
measure wgmtud one 1 WGMTUD_THREADS=1
W1=$RATE W1_R=$RETR

printf '%-44s %6s Mbit/s\n' "raw veth:" "$(mbit "$RAW")"
printf '%-44s %6s Mbit/s, %s retransmits\n' "wireguard-go <-> wireguard-go:" "$(mbit "$GO")" "$GO_R"
printf '%-44s %6s Mbit/s, %s retransmits\n' "wgmtud <-> wgmtud, all cores:" "$(mbit "$WM")" "$WM_R"
printf '%-44s %6s Mbit/s, %s retransmits\n' "wgmtud <-> wgmtud, $NT threads always shared:" "$(mbit "$WN")" "$WN_R"
printf '%-44s %6s Mbit/s, %s retransmits\n' "wgmtud <-> wgmtud, 1 core (taskset):" "$(mbit "$W1")" "$W1_R"
echo "ratio wgmtud / wireguard-go: $(bench_ratio "$WM" "$GO")"
echo "ratio wgmtud all cores / 1 core: $(bench_ratio "$WM" "$W1")"
echo "wgmtud resident memory: idle ${WM_IDLE:-?} kB, under load ${WM_LOAD:-?} kB"
