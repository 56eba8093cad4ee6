#!/bin/bash
# wgmtud on both ends of the story's path (1454 bottleneck, ICMP too-big
# dropped): in-band probes measure each direction exactly; everything
# loads, TCP and UDP, both ways. Usage: t_pmtud_story_both.sh [4|6] (outer
# family; the default runs IPv4, t_pmtud_story_both6.sh runs IPv6).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
FAM=${1:-4}
OVH=60; [ "$FAM" = 6 ] && OVH=80
lab_init
pmd_story wgmtud wgmtud "$FAM"
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "laptop: discovery completes" pmd_wait_key 10 "$LIF" wgmtu_state search_complete
lab_check "vps: discovery completes" pmd_wait_key 10 "$VIF" wgmtu_state search_complete
for side in "$LIF" "$VIF"; do
	echo "# $side: method $(pmd_get "$side" wgmtu_method) path $(pmd_get "$side" wgmtu_path_mtu) effective $(pmd_get "$side" wgmtu_effective_mtu) probes $(pmd_get "$side" wgmtu_probes_sent)/$(pmd_get "$side" wgmtu_probe_bytes) B"
	lab_check "$side: method inband" test "$(pmd_get "$side" wgmtu_method)" = inband
	lab_check "$side: path MTU exactly 1454" test "$(pmd_get "$side" wgmtu_path_mtu)" = 1454
	lab_check "$side: effective MTU $((1454 - OVH)) (outer IPv$FAM)" \
		test "$(pmd_get "$side" wgmtu_effective_mtu)" = $((1454 - OVH))
done
E=$((1454 - OVH))
lab_check "27 KB page laptop <- vps" pmd_page laptop http://10.99.0.2:8080/login.html 5
lab_check "27 KB page laptop <- vps (IPv6 inside)" pmd_page laptop "http://[fd99::2]:8080/login.html" 5
lab_check "10 MB laptop <- vps" pmd_fetch laptop http://10.99.0.2:8080/big 20 big
lab_check "10 MB vps <- laptop (IPv6 inside)" pmd_fetch vps "http://[fd99::1]:8080/big" 20 big
lab_run laptop ping -n -c1 -W1 -M do -s $((1420 - 28)) 10.99.0.2 >"$LAB_TMP/ping.out" 2>&1
lab_check "UDP/ICMP: a DF ping of 1420 gets 'mtu = $E' from wgmtud" grep -q "mtu = $E" "$LAB_TMP/ping.out"
lab_check "a DF ping of $E passes (laptop -> vps)" lab_ping_df laptop 10.99.0.2 "$E"
lab_check "a DF ping of $E passes (vps -> laptop)" lab_ping_df vps 10.99.0.1 "$E"
lab_check "UDP without DF, 1420 bytes, fragmented by wgmtud, arrives whole" pmd_udp_nodf vps laptop 10.99.0.1 1420
lab_done
