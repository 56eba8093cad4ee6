#!/bin/bash
# wgmtu probe on the story's path with ICMP "too big" delivered (PMTUD
# works): exact MTU 1454 over IPv4 and IPv6, no black hole, exit 0, the
# JSON keys, the WireGuard numbers, plain (non-tty) text output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_probe.sh"
lab_init
probe_lab

probe_json v4 client "$S4"
lab_check "IPv4: path_mtu 1454" eq "$(pj v4 'd["path_mtu"]')" 1454
lab_check "IPv4: no black hole, PTB seen" eq "$(pj v4 'd["black_hole"], d["ptb_seen"]')" "False True"
lab_check "IPv4: hop is null (no --locate, no black hole)" eq "$(pj v4 'd["hop"]')" None
lab_check "IPv4: reverse_path_mtu null without a responder" eq "$(pj v4 'd["reverse_path_mtu"]')" None
lab_check "IPv4: WireGuard MTU 1394 (v4 outer) / 1374 (v6 outer)" \
	eq "$(pj v4 'd["wireguard_mtu_ipv4_outer"], d["wireguard_mtu_ipv6_outer"]')" "1394 1374"
lab_check "IPv4: family/method/target" eq "$(pj v4 'd["family"], d["method"], d["target"]')" "ipv4 icmp $S4"
lab_check "IPv4: exit status 0 (healthy)" eq "$(probe_rc v4)" 0
lab_check "IPv4: JSON has every key" probe_keys v4
lab_check "IPv4: answer in under 1 s ($(pj v4 'd["search_ms"]') ms)" test "$(pj v4 'd["search_ms"]')" -lt 1000

probe_json v6 client -6 "$S6"
lab_check "IPv6: path_mtu 1454" eq "$(pj v6 'd["path_mtu"]')" 1454
lab_check "IPv6: no black hole, PTB seen, exit 0" \
	eq "$(pj v6 'd["black_hole"], d["ptb_seen"], d["family"]')/$(probe_rc v6)" "False True ipv6/0"
lab_check "IPv6: JSON has every key" probe_keys v6

# --locate on a healthy path still names the hop where 1455 stops
probe_json loc client --locate "$S4"
lab_check "--locate with PMTUD working: last_ok_ttl 1 at home, first_silent_ttl 2" \
	eq "$(pj loc 'd["hop"]["last_ok_ttl"], d["hop"]["last_ok_addr"], d["hop"]["first_silent_ttl"]')" "1 $HOME4 2"

lab_run client "$W" probe "$S4" >"$LAB_TMP/text.out" 2>&1
lab_check "text: summary with MTU, WireGuard line and MSS" \
	bash -c "grep -q 'Path MTU *1454' $LAB_TMP/text.out && grep -q 'MTU = 1394' $LAB_TMP/text.out && grep -q 'TCP MSS' $LAB_TMP/text.out"
lab_check_fails "text: no live progress when stdout is not a terminal" grep -q 'round 1' "$LAB_TMP/text.out"
if command -v script >/dev/null; then
	lab_run client script -qc "$W probe $S4" /dev/null >"$LAB_TMP/tty.out" 2>&1
	lab_check "terminal: live progress per round (sizes, ok/too-big/lost)" \
		bash -c "grep -q 'forward round 1: 1500 too-big(1454)\\|forward round 1: 1500 lost' $LAB_TMP/tty.out && grep -q '1454 ok' $LAB_TMP/tty.out"
fi

# ping sockets not allowed: root falls back to a raw socket, same answer
lab_run client sysctl -qw net.ipv4.ping_group_range="1 0"
probe_json raw4 client "$S4"
probe_json raw6 client -6 "$S6"
lab_check "raw-socket fallback: IPv4 1454 and IPv6 1454" \
	eq "$(pj raw4 'd["socket"], d["path_mtu"]') $(pj raw6 'd["socket"], d["path_mtu"]')" "raw 1454 raw 1454"
# the client's own link is the bottleneck: the kernel refuses larger
# probes (EMSGSIZE), which is authoritative, not a black hole
lab_run client sysctl -qw net.ipv4.ping_group_range="0 2147483647"
lab_link_mtu client home 1400
probe_json local client "$S4"
lab_check "local interface 1400: path_mtu 1400, no black hole, exit 0" \
	eq "$(pj local 'd["path_mtu"], d["black_hole"]') $(probe_rc local)" "1400 False 0"
lab_done
