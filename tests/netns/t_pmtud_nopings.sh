#!/bin/bash
# A standard peer that answers no pings: wgmtud's one in-band probe goes
# unanswered, the DF echoes to its tunnel address too, and so do those to
# its endpoint outside the tunnel (the fallback). The MTU stays the
# configured one, MSS clamping stays on, and wgmtu_reason says why. The VPS
# runs its TUN at 1500 so that clamping to 1420 - 40 is visible in the
# SYN-ACK and SYN it sends (an nft counter on the laptop matches MSS 1380).
# A peer without any /32 or /128 tunnel address says so too.
# (t_pmtud_fulltunnel.sh: the endpoint fallback when the endpoint answers.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
PMD_KEEP_PTB=1 pmd_story wgmtud wireguard-go 4 1500 1500 1500
lab_run vps ip link set "$VIF" mtu 1500
lab_nft_base vps
lab_nft vps "add rule inet lab lab_in iifname $VIF icmp type echo-request counter drop
add rule inet lab lab_in iifname $VIF icmpv6 type echo-request counter drop
add rule inet lab lab_in iifname v-isp icmp type echo-request counter drop
add rule inet lab lab_in iifname v-isp icmpv6 type echo-request counter drop"
lab_nft_base laptop
lab_nft laptop "add rule inet lab lab_in iifname $LIF tcp flags & (syn | ack) == (syn | ack) tcp option maxseg size 1380 counter
add rule inet lab lab_in iifname $LIF tcp flags & (syn | ack) == syn tcp option maxseg size 1380 counter
add rule inet lab lab_in iifname $LIF tcp flags & syn == syn tcp option maxseg size > 1380 counter"
# a handshake without ICMP: the laptop fetches a small page
lab_check "a small page loads (handshake, session)" lab_wait_for 10 pmd_page laptop http://10.99.0.2:8080/login.html 2
lab_check "search gives up: state error" pmd_wait_key 30 "$LIF" wgmtu_state error
echo "# reason: $(pmd_get "$LIF" wgmtu_reason)"
lab_check "method icmp-endpoint (the fallback)" test "$(pmd_get "$LIF" wgmtu_method)" = icmp-endpoint
lab_check "MTU stays configured (1420)" test "$(pmd_get "$LIF" wgmtu_effective_mtu)" = 1420
lab_check "path MTU unknown (0)" test "$(pmd_get "$LIF" wgmtu_path_mtu)" = 0
lab_check "reason says neither answers pings" pmd_wait_reason 1 "$LIF" \
	"endpoint answers no pings*MSS clamped (tunnel address 10.99.0.2 answers no pings)"
lab_check "the pages load both ways" pmd_page laptop http://10.99.0.2:8080/login.html 5
lab_check "the VPS connects to the laptop" lab_run vps curl -sf -o /dev/null --max-time 5 http://10.99.0.1:8080/login.html
lab_nft_counters laptop >"$LAB_TMP/cnt.txt"
cnt() { sed -n "$1p" <(grep -o 'packets [0-9]*' "$LAB_TMP/cnt.txt" | awk '{print $2}'); }
echo "# laptop sees: SYN-ACK MSS 1380: $(cnt 1), SYN MSS 1380: $(cnt 2), SYN MSS > 1380: $(cnt 3)"
lab_check "SYN-ACKs from the VPS (TUN 1500) arrive clamped to MSS 1380" test "$(cnt 1)" -ge 2
lab_check "the VPS's SYN arrives clamped to MSS 1380" test "$(cnt 2)" -ge 1
lab_check "no SYN with a larger MSS gets through" test "$(cnt 3)" = 0
# no usable target at all: allowed IPs without a host route
lab_run laptop wg set "$LIF" peer "$(cat "$LAB_TMP/$VIF.pub")" remove
lab_wg_peer laptop "$LIF" "$VIF" "$(lab_ip4 vps):51820" 10.99.0.0/24 fd99::/64
lab_check "peer without a /32: a page loads (new session)" lab_wait_for 10 pmd_page laptop http://10.99.0.2:8080/login.html 2
lab_check "no target: the reason names the allowed IPs instead" \
	pmd_wait_reason 5 "$LIF" "(no tunnel address: AllowedIPs 10.99.0.0/24, fd99::/64)"
lab_check "no target, silent endpoint: state error" pmd_wait_key 30 "$LIF" wgmtu_state error
echo "# reason: $(pmd_get "$LIF" wgmtu_reason)"
lab_check "no target: method icmp-endpoint, MTU 1420" \
	test "$(pmd_get "$LIF" wgmtu_method)/$(pmd_get "$LIF" wgmtu_effective_mtu)" = icmp-endpoint/1420
lab_done
