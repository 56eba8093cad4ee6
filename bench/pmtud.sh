#!/bin/bash
# bench/pmtud.sh — the cost of wgmtud's path-MTU work (issue 6):
#  1. iperf3 TCP throughput between two wgmtud in namespaces (the setup of
#     bench/throughput.sh) with discovery + MSS clamping ON and OFF
#     (wgmtu_probe / wgmtu_clamp_mss), alternated ROUNDS times so drift
#     and noise hit both alike; prints the medians and the loss in %;
#  2. probe bytes of an idle peer on a path below the TUN MTU (1454, where
#     the raise timer would search upward every interval), measured from
#     wgmtu_probe_bytes over IDLE seconds with the raise timer shortened to
#     2 s, extrapolated to an hour at the real 600 s timer; and the same
#     with a ping every second (an active peer: raise searches run).
#
#   sudo bench/pmtud.sh [SECONDS_PER_RUN] [ROUNDS] [IDLE_SECONDS]
# Not a test: it prints numbers, it asserts nothing.
set -u
T=${1:-5} ROUNDS=${2:-3} IDLE=${3:-20}
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/../tests/netns/lib_daemon.sh"
. "$(dirname "$0")/../tests/netns/lib_pmtud.sh"
dmn_init

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
setmode() {
	local v=$1
	pmd_uapi "$IA" set=1 "wgmtu_probe=$v" "wgmtu_clamp_mss=$v" | grep -q errno=0 &&
		pmd_uapi "$IB" set=1 "wgmtu_probe=$v" "wgmtu_clamp_mss=$v" | grep -q errno=0
}

dmn_pair wgmtud wgmtud 4
dmn_ping a 192.168.77.2 >/dev/null || echo "# no ping through the tunnel" >&2
sleep 1
: >"$LAB_TMP/on"; : >"$LAB_TMP/off"
for ((r = 0; r < ROUNDS; r++)); do
	for mode in off on; do
		setmode "$mode" || echo "# cannot set $mode" >&2
		sleep 1
		dmn_iperf b 192.168.77.2 a "$T" >>"$LAB_TMP/$mode" || echo 0 >>"$LAB_TMP/$mode"
	done
done
ON=$(median <"$LAB_TMP/on") OFF=$(median <"$LAB_TMP/off")
echo "runs on  (Mbit/s): $(awk '{ printf "%.0f ", $1 / 1e6 }' "$LAB_TMP/on")"
echo "runs off (Mbit/s): $(awk '{ printf "%.0f ", $1 / 1e6 }' "$LAB_TMP/off")"
awk -v a="$ON" -v b="$OFF" 'BEGIN { printf "median: discovery+clamp on %.0f Mbit/s, off %.0f Mbit/s, loss %.1f %%\n", a / 1e6, b / 1e6, (b - a) * 100 / b }'
kill "${DMN_PIDS[@]}" 2>/dev/null
sleep 1

# idle probe cost on the story's path
export WGMTUD_TEST_PMTU_RAISE_MS=2000
. "$(dirname "$0")/../tests/netns/lib_wg.sh"
pmd_story wgmtud wgmtud 4
lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
pmd_wait_key 10 "$LIF" wgmtu_state search_complete >/dev/null
B0=$(pmd_get "$LIF" wgmtu_probe_bytes) P0=$(pmd_get "$LIF" wgmtu_probes_sent)
echo "initial search: $P0 probes, $B0 bytes"
sleep "$IDLE"
B1=$(pmd_get "$LIF" wgmtu_probe_bytes) P1=$(pmd_get "$LIF" wgmtu_probes_sent)
echo "idle ${IDLE} s with a 2 s raise timer: $((P1 - P0)) probes, $((B1 - B0)) bytes (path MTU $(pmd_get "$LIF" wgmtu_path_mtu))"
awk -v b=$((B1 - B0)) -v t="$IDLE" 'BEGIN { printf "idle peer: %.0f probe bytes/hour (raise searches deferred while idle)\n", b * 3600 / t / 300 }'
lab_bg laptop pinger ping -n -i 1 -w "$IDLE" 10.99.0.2
B0=$B1 P0=$P1
sleep "$IDLE"
B1=$(pmd_get "$LIF" wgmtu_probe_bytes) P1=$(pmd_get "$LIF" wgmtu_probes_sent)
echo "active (1 ping/s) ${IDLE} s with a 2 s raise timer: $((P1 - P0)) probes, $((B1 - B0)) bytes"
awk -v b=$((B1 - B0)) -v t="$IDLE" 'BEGIN { per = b / (t / 2.0); printf "active peer: %.0f bytes per raise search, %.0f probe bytes/hour at the real 600 s timer\n", per, per * 6 }'
