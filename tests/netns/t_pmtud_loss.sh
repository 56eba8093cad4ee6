#!/bin/bash
# 10 % random loss on the story's path (1454, ICMP too-big dropped): the
# in-band search still finds exactly 1454, and over a 30 s window with
# traffic flowing (confirmation probes every second) and the raise timer
# shortened to 10 s (three upward searches) the MTU never changes. The
# issue asks for 60 s; 30 s keeps the script under its CI budget.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
WINDOW=30
lab_init
WGMTUD_TEST_PMTU_RAISE_MS=10000 pmd_story wgmtud wgmtud 4
lab_loss isp 10
lab_check "tunnel ping works" lab_wait_for 10 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "laptop: discovery completes" pmd_wait_key 15 "$LIF" wgmtu_state search_complete
lab_check "vps: discovery completes" pmd_wait_key 15 "$VIF" wgmtu_state search_complete
lab_check "laptop: path MTU exactly 1454 despite the loss" test "$(pmd_get "$LIF" wgmtu_path_mtu)" = 1454
lab_check "vps: path MTU exactly 1454 despite the loss" test "$(pmd_get "$VIF" wgmtu_path_mtu)" = 1454
C0=$(pmd_get "$VIF" wgmtu_last_change_sec) L0=$(pmd_get "$LIF" wgmtu_last_change_sec)
lab_bg laptop iperf3s iperf3 -s -1 -B 10.99.0.1
lab_wait_for 5 bash -c "ip netns exec $(lab_ns laptop) ss -ltn | grep -q ':5201 '"
lab_bg vps iperf3c timeout $((WINDOW + 15)) iperf3 -c 10.99.0.1 -t "$WINDOW" -b 5M
IPID=$LAB_LASTPID
flaps=0
for ((i = 0; i < WINDOW; i++)); do
	v=$(pmd_get "$VIF" wgmtu_path_mtu) l=$(pmd_get "$LIF" wgmtu_path_mtu)
	[ "$v" = 1454 ] && [ "$l" = 1454 ] || { flaps=$((flaps + 1)); echo "# t=$i s: vps $v laptop $l"; }
	sleep 1
done
wait "$IPID"
echo "# probes: vps $(pmd_get "$VIF" wgmtu_probes_sent), laptop $(pmd_get "$LIF" wgmtu_probes_sent)"
lab_check "no flapping over $WINDOW s with traffic (samples off 1454: $flaps)" test "$flaps" = 0
lab_check "vps: last change unchanged" test "$(pmd_get "$VIF" wgmtu_last_change_sec)" = "$C0"
lab_check "laptop: last change unchanged" test "$(pmd_get "$LIF" wgmtu_last_change_sec)" = "$L0"
lab_check "the log has no black hole" bash -c "! grep -q 'black hole' '$LAB_TMP/$VIF.log' '$LAB_TMP/$LIF.log'"
lab_done
