#!/bin/bash
# The story ends differently: wgmtud on the laptop, unmodified wireguard-go
# on the VPS, both at MTU 1420, over the 1454-byte path whose routers drop
# ICMP too-big (t_story_wggo.sh shows the page hanging with wireguard-go on
# both ends). wgmtud finds the VPS is a standard peer (its one in-band probe
# goes unanswered), pings the VPS's tunnel address with DF echoes inside
# the tunnel, and clamps the MSS to what it found: the page loads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
pmd_story wgmtud wireguard-go 4
T0=$(date +%s.%N)
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "discovery completes within 10 s" pmd_wait_key 10 "$LIF" wgmtu_state search_complete
T1=$(date +%s.%N)
echo "# discovery took $(echo "$T1 - $T0" | bc) s (from the first ping)"
lab_check "method icmp-tunnel (the VPS is a standard peer)" test "$(pmd_get "$LIF" wgmtu_method)" = icmp-tunnel
PM=$(pmd_get "$LIF" wgmtu_path_mtu) EM=$(pmd_get "$LIF" wgmtu_effective_mtu)
echo "# path MTU $PM, effective MTU $EM; reason: $(pmd_get "$LIF" wgmtu_reason)"
lab_check "path MTU within 16 bytes below 1454 (the VPS pads its replies)" pmd_in 1439 1454 "$PM"
lab_check "effective MTU = path MTU - 60" test "$EM" = $((PM - 60))
lab_check "probe address is the VPS's /32" test "$(pmd_get "$LIF" wgmtu_probe_address)" = 10.99.0.2
lab_check "at most one in-band probe, probes counted" pmd_in 2 200 "$(pmd_get "$LIF" wgmtu_probes_sent)"
lab_check "the 27 KB page loads (IPv4 inside)" pmd_page laptop http://10.99.0.2:8080/login.html 5
lab_check "the 27 KB page loads (IPv6 inside)" pmd_page laptop "http://[fd99::2]:8080/login.html" 5
lab_check "10 MB from the VPS" pmd_fetch laptop http://10.99.0.2:8080/big 20 big
lab_check "the VPS loads the page from the laptop (SYN-ACK clamped)" \
	lab_run vps curl -sf -o /dev/null --max-time 5 http://10.99.0.1:8080/login.html
lab_check "log shows the method and the evidence" grep -q "path MTU $PM (icmp-tunnel)" "$LAB_TMP/$LIF.log"
lab_done
