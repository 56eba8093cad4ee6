#!/bin/bash
# The story: both routers drop ICMP "too big". wgmtu probe must still give
# the exact 1454, say "black hole", locate the drop after hop 1 (home) and
# before hop 2 (isp), over IPv4 and IPv6, within 3 s; exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_probe.sh"
lab_init
probe_lab
lab_drop_ptb home
lab_drop_ptb isp

probe_json v4 client "$S4"
lab_check "IPv4 black hole: path_mtu 1454" eq "$(pj v4 'd["path_mtu"]')" 1454
lab_check "IPv4 black hole: black_hole true, ptb_seen false" \
	eq "$(pj v4 'd["black_hole"], d["ptb_seen"]')" "True False"
lab_check "IPv4 black hole: located after hop 1 (home $HOME4), hop 2 silent" \
	eq "$(pj v4 'd["hop"]["last_ok_ttl"], d["hop"]["last_ok_addr"], d["hop"]["first_silent_ttl"]')" "1 $HOME4 2"
lab_check "IPv4 black hole: exit status 1" eq "$(probe_rc v4)" 1
lab_check "IPv4 black hole: JSON has every key" probe_keys v4
lab_check "IPv4 black hole: MTU found in under 3 s ($(pj v4 'd["search_ms"]') ms)" \
	test "$(pj v4 'd["search_ms"]')" -lt 3000
lab_check "IPv4 black hole: WireGuard MTU 1394" eq "$(pj v4 'd["wireguard_mtu_ipv4_outer"]')" 1394
lab_check "the routers really dropped ICMP (nft counter)" \
	bash -c "ip netns exec $(lab_ns home) nft list chain inet lab lab_out | grep -q 'packets [1-9]'"

probe_json v6 client -6 "$S6"
lab_check "IPv6 black hole: path_mtu 1454, black_hole, no PTB" \
	eq "$(pj v6 'd["path_mtu"], d["black_hole"], d["ptb_seen"]')" "1454 True False"
lab_check "IPv6 black hole: located after hop 1 (home $HOME6), hop 2 silent" \
	eq "$(pj v6 'd["hop"]["last_ok_ttl"], d["hop"]["last_ok_addr"], d["hop"]["first_silent_ttl"]')" "1 $HOME6 2"
lab_check "IPv6 black hole: WireGuard MTU 1374 over IPv6" eq "$(pj v6 'd["wireguard_mtu_ipv6_outer"]')" 1374
lab_check "IPv6 black hole: exit status 1" eq "$(probe_rc v6)" 1
lab_check "IPv6 black hole: JSON has every key" probe_keys v6

# --timeout cuts a slow search short: no MTU invented, the lower bound given
probe_json to client --timeout 1 --wait 600 --no-locate "$S4"
lab_check "--timeout: path_mtu null, error timeout, at_least 1454, exit 3" \
	eq "$(pj to 'd["path_mtu"], d["error"], d["at_least"], d["timed_out"]') $(probe_rc to)" "None timeout 1454 True 3"

# routers that also filter Time Exceeded: the MTU is still exact, the
# location is honestly unknown
for n in home isp; do
	lab_nft "$n" 'add rule inet lab lab_out icmp type time-exceeded drop
add rule inet lab lab_out icmpv6 type time-exceeded drop'
done
probe_json note client "$S4"
lab_check "Time Exceeded filtered too: 1454, black hole, hop null, locate says why" \
	eq "$(pj note 'd["path_mtu"], d["black_hole"], d["hop"], d["locate"]')" \
	"1454 True None no_answer"

lab_run client "$W" probe --no-locate "$S4" >"$LAB_TMP/text.out" 2>&1
lab_check "text: says black hole, no location with --no-locate" \
	bash -c "grep -q 'Black hole' $LAB_TMP/text.out && ! grep -q 'Drop located' $LAB_TMP/text.out"
lab_done
