#!/bin/bash
# No unauthenticated input lowers the MTU: forged outer ICMP "too big"
# messages claiming 576, sent to the laptop as if from the path towards the
# VPS, are counted as hints (wgmtu_ptb_hints) and trigger a probe, and the
# MTU stays what authenticated probes confirm. IPv4 and IPv6 outer.
# Then a flood (20,000 forged messages in 5 s, 1.1 MB) and a trickle (300
# at 30/s): hints start at most one probe round a second and no more probe
# bytes than the forger sent (issue 11.2: before the limit, 25 MB of probes
# for 1.3 MB forged; here 0.65 and ~40 probe bytes per forged byte).
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

# forge NAME COUNT RATE: forged frag-needed claiming 576 from the ISP router;
# sets PB (probe bytes meanwhile, 2 s after), FORGED (their IP bytes), HINTS
# and LIMITED (deltas), and prints the numbers
forge() {
	local b0 h0 l0
	b0=$(pmd_get "$LIF" wgmtu_probe_bytes)
	h0=$(pmd_get "$LIF" wgmtu_ptb_hints)
	l0=$(pmd_get "$LIF" wgmtu_ptb_hints_limited)
	lab_check "$1: forge $2 ICMP frag-needed at $3/s" \
		lab_run isp python3 "$FORGE" "$(lab_ip4 laptop)" 51820 "$(lab_ip4 vps)" 51820 576 "$2" "$3"
	FORGED=$(sed -n 's/.*, \([0-9]*\) IP bytes$/\1/p' "$LAB_TMP/check.out")
	FORGED=${FORGED:-0}
	sleep 2
	PB=$(($(pmd_get "$LIF" wgmtu_probe_bytes) - b0))
	HINTS=$(($(pmd_get "$LIF" wgmtu_ptb_hints) - h0))
	LIMITED=$(($(pmd_get "$LIF" wgmtu_ptb_hints_limited) - l0))
	echo "# $1: $2 forged at $3/s, $FORGED IP bytes; $HINTS hints reached wgmtud, $LIMITED limited; probe bytes $PB; probe bytes per forged byte $(awk -v p="$PB" -v f="$FORGED" 'BEGIN { if (f > 0) printf "%.4f", p / f; else print "?" }')"
	lab_check "$1: the forger's byte count is known" test "$FORGED" -gt 0
	# the kernel's error queue and wgmtud's hint queue (16 a loop turn)
	# may drop some: the ratio is per byte the forger sent
	lab_check "$1: hints reached wgmtud" test "$HINTS" -ge $(($2 / 10))
	lab_check "$1: probe bytes per forged byte <= 1" test "$PB" -le "$FORGED"
}
N=${FORGED_PTB_FLOOD:-20000}
SECS=$((N / 4000))
forge flood "$N" 4000
# one hint-started round (1480 + 1200 bytes) a second, retries of a lost
# probe on top: at most two rounds a second
lab_check "flood: at most one hint-started probe round a second" test "$PB" -le $(((SECS + 2) * 2 * 2680))
lab_check "flood: the limited hints are counted" test "$LIMITED" -ge $((HINTS - SECS - 2))
forge trickle 300 30
lab_check "path MTU still 1480 after the flood" test "$(pmd_get "$LIF" wgmtu_path_mtu)" = 1480
lab_check "effective MTU still 1420 after the flood" test "$(pmd_get "$LIF" wgmtu_effective_mtu)" = 1420
lab_done
