#!/bin/bash
# Enforcement with a pinned MTU, the first line of defence: wgmtud on the
# laptop with wgmtu_pinned_mtu=1380 towards an unmodified wireguard-go VPS
# on the story's black-holed 1454 path. MSS clamping (both directions) and
# ICMP "too big" into the TUN make the 27 KB page load without any probe.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
pmd_story wgmtud wireguard-go 4
lab_check "pin 1380 for the VPS peer over UAPI" pmd_set_peer "$LIF" "$VIF" wgmtu_pinned_mtu=1380
lab_check "get reports the pinned MTU" test "$(pmd_get "$LIF" wgmtu_pinned_mtu)" = 1380
lab_check "effective MTU is the pinned one" test "$(pmd_get "$LIF" wgmtu_effective_mtu)" = 1380
lab_check "method pinned" test "$(pmd_get "$LIF" wgmtu_method)" = pinned
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "the 27 KB page loads (IPv4 inside)" pmd_page laptop http://10.99.0.2:8080/login.html 5
lab_check "the 27 KB page loads (IPv6 inside)" pmd_page laptop "http://[fd99::2]:8080/login.html" 5
lab_check "the VPS loads a page from the laptop too (its SYN-ACK is clamped)" \
	lab_run vps curl -sf -o /dev/null --max-time 5 http://10.99.0.1:8080/login.html
# a DF ping larger than the peer MTU gets "frag needed" from wgmtud itself
lab_run laptop ping -n -c1 -W1 -M do -s $((1400 - 28)) 10.99.0.2 >"$LAB_TMP/ping.out" 2>&1
lab_check "DF ping of 1400 bytes: 'mtu = 1380' from the TUN" grep -q "mtu = 1380" "$LAB_TMP/ping.out"
lab_check "DF ping of 1380 bytes passes" lab_ping_df laptop 10.99.0.2 1380
lab_check "IPv4 UDP without DF, 1400 bytes: fragmented by wgmtud, arrives whole" \
	pmd_udp_nodf laptop vps 10.99.0.2 1400
lab_run laptop ping -n -c1 -W1 -M do -s $((1400 - 48)) fd99::2 >"$LAB_TMP/ping6.out" 2>&1
lab_check "IPv6 ping of 1400 bytes: Packet Too Big 'mtu = 1380'" grep -q "mtu = 1380\|mtu=1380" "$LAB_TMP/ping6.out"
lab_check "unpin: effective MTU back to the TUN MTU" pmd_set_peer "$LIF" "$VIF" wgmtu_pinned_mtu=0 wgmtu_probe=off
lab_check "effective 1420 after unpinning" test "$(pmd_get "$LIF" wgmtu_effective_mtu)" = 1420
lab_done
