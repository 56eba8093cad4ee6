#!/bin/bash
# No unauthenticated input lowers the MTU: forged outer ICMP "too big"
# messages claiming 576, sent to the laptop as if from the path towards the
# VPS, are counted as hints (wgmtu_ptb_hints) and trigger a probe, and the
# MTU stays what authenticated probes confirm. IPv4 and IPv6 outer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
FORGE="$(dirname "$0")/pmtud_forge_ptb.py"
lab_init
PMD_KEEP_PTB=1 pmd_story wgmtud wgmtud 4 1500 1500 1500
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "discovery completes" pmd_wait_key 10 "$LIF" wgmtu_state search_complete
lab_check "path MTU 1480 (TUN 1420 + 60)" test "$(pmd_get "$LIF" wgmtu_path_mtu)" = 1480
SENT0=$(pmd_get "$LIF" wgmtu_probes_sent)
lab_check "forge 3 ICMP frag-needed claiming 576 from the ISP router" \
	lab_run isp python3 "$FORGE" "$(lab_ip4 laptop)" 51820 "$(lab_ip4 vps)" 51820 576 3
lab_check "the hints are counted" lab_wait_for 3 test "$(pmd_get "$LIF" wgmtu_ptb_hints)" -ge 1
sleep 2
echo "# ptb hints $(pmd_get "$LIF" wgmtu_ptb_hints), probes $SENT0 -> $(pmd_get "$LIF" wgmtu_probes_sent)"
lab_check "a hint triggers probes" test "$(pmd_get "$LIF" wgmtu_probes_sent)" -gt "$SENT0"
lab_check "path MTU unchanged (1480)" test "$(pmd_get "$LIF" wgmtu_path_mtu)" = 1480
lab_check "effective MTU unchanged (1420)" test "$(pmd_get "$LIF" wgmtu_effective_mtu)" = 1420
lab_check "the kernel's route cache may believe it; our datagrams do not shrink" \
	lab_ping_df laptop 10.99.0.2 1420
lab_check "forge 3 ICMPv6 Packet Too Big claiming 1280 (IPv6 outer peer is not affected either)" \
	lab_run isp python3 "$FORGE" "$(lab_ip6 laptop)" 51820 "$(lab_ip6 vps)" 51820 1280 3
sleep 1
lab_check "still 1420 after the IPv6 forgery" test "$(pmd_get "$LIF" wgmtu_effective_mtu)" = 1420
lab_done
