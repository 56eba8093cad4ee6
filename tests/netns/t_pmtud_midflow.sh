#!/bin/bash
# The path MTU drops while a transfer runs (1500 -> 1400 on the home-isp
# link, ICMP too-big dropped: a fresh black hole). The sending wgmtud sees
# full-size packets go out, re-confirms its MTU with a probe, finds the
# confirmed size lost, steps down and searches again: the new MTU is in
# place within 5 s and the transfer completes. When the link goes back to
# 1500 the raise timer (shortened to 8 s with WGMTUD_TEST_PMTU_RAISE_MS)
# finds the larger MTU again within one interval while data flows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
RAISE_MS=8000
lab_init
WGMTUD_TEST_PMTU_RAISE_MS=$RAISE_MS pmd_story wgmtud wgmtud 4 1500 1500 1500
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "vps: discovery completes" pmd_wait_key 10 "$VIF" wgmtu_state search_complete
lab_check "vps: path MTU 1480 (TUN 1420 + 60)" test "$(pmd_get "$VIF" wgmtu_path_mtu)" = 1480
# a long transfer VPS -> laptop, paced by the sender (iperf3 -b 30M, 9 s)
lab_bg laptop iperf3s iperf3 -s -1 -B 10.99.0.1
lab_wait_for 5 bash -c "ip netns exec $(lab_ns laptop) ss -ltn | grep -q ':5201 '"
lab_bg vps iperf3c timeout 30 iperf3 -c 10.99.0.1 -t 9 -b 30M -J
CPID=$LAB_LASTPID
sleep 3
lab_link_mtu home isp 1400
T0=$(date +%s%N)
found=0
for ((i = 0; i < 100; i++)); do
	if [ "$(pmd_get "$VIF" wgmtu_path_mtu)" = 1400 ]; then found=1; break; fi
	sleep 0.1
done
T1=$(date +%s%N)
echo "# new MTU in place after $(((T1 - T0) / 1000000)) ms; reason: $(pmd_get "$VIF" wgmtu_reason)"
lab_check "vps: path MTU 1400 within 5 s of the change" test "$found" = 1 -a $(((T1 - T0) / 1000000)) -le 5000
lab_check "vps: effective MTU 1340" test "$(pmd_get "$VIF" wgmtu_effective_mtu)" = 1340
wait "$CPID"; RC=$?
GOT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"])' "$LAB_TMP/iperf3c.log" 2>/dev/null)
echo "# iperf3 exit $RC, $GOT bytes received"
lab_check "the transfer completes (iperf3 exit 0)" test "$RC" = 0
lab_check "more than 25 MB arrived in 9 s at 30 Mbit/s" test "${GOT:-0}" -gt 25000000
lab_check "log shows the black hole with evidence" grep -q "black hole" "$LAB_TMP/$VIF.log"
lab_check "the VPS kernel learned exactly 1340 from wgmtud's ICMP into the TUN (TSO segments too big)" \
	bash -c "ip netns exec $(lab_ns vps) ip route get 10.99.0.1 | grep -q 'mtu 1340'"
lab_check "wgmtud counted too-big drops" grep -q "drop too-big" "$LAB_TMP/$VIF.log"
# the link recovers: the raise timer probes upward again (an idle peer
# defers raise searches until it sends again: keep a ping going)
lab_bg vps pinger ping -n -i 0.5 -w 15 10.99.0.1
lab_link_mtu home isp 1500
T0=$(date +%s%N)
lab_check "vps: 1480 found again within one raise interval ($RAISE_MS ms + 2 s search)" \
	pmd_wait_key $((RAISE_MS / 1000 + 2)) "$VIF" wgmtu_path_mtu 1480
T1=$(date +%s%N)
echo "# larger MTU back after $(((T1 - T0) / 1000000)) ms"
if [ "$LAB_FAIL" != 0 ]; then
	grep -i "mtu\|probe" "$LAB_TMP/$VIF.log" | tail -20 | sed "s/^/# vps: /"
	lab_run home ip -s link show v-isp | sed "s/^/# home: /"
fi
lab_done
