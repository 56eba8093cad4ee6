#!/bin/bash
# wgmtu probe when it cannot measure: no route, a host that answers no
# echo at all, no responder on the UDP port, an unknown name, no
# permission for ICMP sockets; and usage errors. Never an invented MTU.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_probe.sh"
lab_init
probe_lab

probe_json noroute client 10.99.0.1
lab_check "no route: exit 3, path_mtu null, error unreachable" \
	eq "$(probe_rc noroute) $(pj noroute 'd["path_mtu"], d["error"]')" "3 None unreachable"

lab_nft_base server
lab_nft server 'add rule inet lab lab_in icmp type echo-request drop
add rule inet lab lab_in icmpv6 type echo-request drop'
probe_json silent client --timeout 10 "$S4"
lab_check "no reply at any size: exit 3, path_mtu null, said so" \
	eq "$(probe_rc silent) $(pj silent 'd["path_mtu"], d["error"], d["black_hole"]')" "3 None no_reply False"
lab_check "no reply: gave up within 5 s ($(pj silent 'd["elapsed_ms"]') ms)" test "$(pj silent 'd["elapsed_ms"]')" -lt 5000
lab_run client "$W" probe "$S4" >"$LAB_TMP/silent.txt" 2>&1
lab_check "no reply: the text says so and suggests --method udp" \
	bash -c "grep -q 'No reply at any size' $LAB_TMP/silent.txt && grep -q 'method udp' $LAB_TMP/silent.txt"

probe_json noresp client --method udp --port 51998 "$S4"
lab_check "UDP without a responder: exit 3, port unreachable" \
	eq "$(probe_rc noresp) $(pj noresp 'd["error"]')" "3 unreachable"
lab_run client "$W" probe --method udp --port 51998 "$S4" >"$LAB_TMP/noresp.txt" 2>&1
lab_check "UDP without a responder: text names the missing responder" grep -q 'no wgmtu responder on port 51998' "$LAB_TMP/noresp.txt"

lab_run client "$W" probe no-such-host.invalid >"$LAB_TMP/nohost.txt" 2>&1
lab_check "unknown name: exit 3, one-line error" \
	bash -c "[ $? = 3 ] && grep -q 'cannot resolve' $LAB_TMP/nohost.txt"

# an unprivileged user, ping sockets not allowed, no CAP_NET_RAW
lab_run client sysctl -qw net.ipv4.ping_group_range="1 0"
if command -v setpriv >/dev/null; then
	lab_run client setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$W" probe "$S4" >"$LAB_TMP/perm.txt" 2>&1
	rc=$?
	lab_check "no permission: exit 3 ($rc), explains ping_group_range and CAP_NET_RAW" \
		bash -c "[ $rc = 3 ] && grep -q ping_group_range $LAB_TMP/perm.txt && grep -q CAP_NET_RAW $LAB_TMP/perm.txt"
fi
lab_run client sysctl -qw net.ipv4.ping_group_range="0 2147483647"

for args in "--bogus $S4" "" "$S4 extra" "--method tcp $S4" "--method foo $S4" \
	"--max 1000 $S4" "--timeout 0 $S4" "-6 --min 1200 $S6"; do
	# shellcheck disable=SC2086
	lab_run client "$W" probe $args >"$LAB_TMP/usage.txt" 2>&1
	rc=$?
	lab_check "usage error exits 2: probe $args" bash -c "[ $rc = 2 ] && [ \$(wc -l <$LAB_TMP/usage.txt) -le 4 ]"
done
lab_check "--method tcp explains why it is not offered" bash -c "ip netns exec $(lab_ns client) $W probe --method tcp $S4 2>&1 | grep -q SYN"
lab_check "--help lists every option and an example" \
	bash -c "$W probe --help | grep -q -- --locate && $W probe --help | grep -q Example"
lab_check "responder --help" bash -c "$W responder --help | grep -q -- --port"
lab_check "responder: bad port is a usage error" bash -c "$W responder --port 0; [ \$? = 2 ]"
lab_done
