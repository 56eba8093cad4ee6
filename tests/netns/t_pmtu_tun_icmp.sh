#!/bin/bash
# The pmtu packet modules judged by the Linux kernel itself: a TUN device
# whose far side (tests/tools/pmtu_tunhelper) answers like a narrower path
# using src/pmtu/{icmp,frag,mss}. The host's own ping and route cache must
# accept our ICMP "fragmentation needed" / ICMPv6 "packet too big" (the
# learned MTU appears in `ip route get`), our echo replies, and the choice
# of source address must survive the kernel's martian-source checks.
. "$(dirname "$0")/lib.sh"
lab_init
HELPER="$LAB_BUILD/tests/tools/pmtu_tunhelper"
[ -x "$HELPER" ] || lab_die "$HELPER not built (make unit-bins)"
[ -c /dev/net/tun ] || lab_die "no /dev/net/tun"

# start_tun NODE SRC4 SRC6: a host with TUN pmtu0 = 10.9.0.1/24, fd99::1/64
# whose far side has MTU 1000 (IPv4) / 1280 (IPv6) and address .2 / ::2.
start_tun() {
	local node=$1 ns
	lab_host "$node"
	ns=$(lab_ns "$node")
	lab_bg "$node" "$node" "$HELPER" pmtu0 1000 1280 "$2" "$3" 40
	lab_wait_for 5 ip -n "$ns" link show pmtu0 || lab_die "TUN did not appear"
	ip -n "$ns" link set pmtu0 mtu 1500 up
	ip -n "$ns" addr add 10.9.0.1/24 dev pmtu0
	ip -n "$ns" addr add fd99::1/64 dev pmtu0 nodad
	lab_wait_for 5 grep -q ready "$LAB_TMP/$node.log" || lab_die "helper not ready"
}

route_mtu() { # NODE DEST -> the cached PMTU or nothing
	lab_run "$1" ip route get "$2" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}

# --- source = the interface's own address -------------------------------
start_tun self 10.9.0.1 fd99::1
lab_check "echo reply built by icmp_echo_build is accepted (IPv4, 84 B)" \
	lab_run self ping -n -c1 -W2 10.9.0.2
lab_check "echo reply accepted at an exact size (IPv4, 1000 B, DF)" \
	lab_ping_df self 10.9.0.2 1000
lab_check "echo reply accepted (IPv6, 1280 B)" lab_ping_df self fd99::2 1280
# Why src/pmtu/icmp.c defaults to the packet's destination as the source:
# an IPv4 error from the interface's own address arrives on the TUN with a
# local source and the kernel drops it as a martian (accept_local=0, the
# default). Asserted, so this test proves the reason for the choice.
lab_run self sysctl -qw net.ipv4.conf.all.accept_local=0 net.ipv4.conf.pmtu0.accept_local=0
lab_run self ping -n -c1 -W2 -M do -s 1372 10.9.0.2 >"$LAB_TMP/self4.out" 2>&1
lab_check "helper answered the 1400-byte DF ping with a frag-needed" \
	grep -q 'ptb4 1400 mtu 1000' "$LAB_TMP/self.log"
lab_check_fails "own-address source (IPv4): dropped as martian, no PMTU learned" \
	bash -c "grep -q 'mtu = 1000' '$LAB_TMP/self4.out' || test -n \"\$(ip netns exec $(lab_ns self) ip route get 10.9.0.2 | grep -o 'mtu [0-9]*')\""
lab_run self ping -6 -n -c1 -W2 -M do -s 1352 fd99::2 >"$LAB_TMP/self6.out" 2>&1
lab_check "helper answered the 1400-byte IPv6 ping with a packet-too-big" \
	grep -q 'ptb6 1400 mtu 1280' "$LAB_TMP/self.log"
lab_check "own-address source (IPv6) is accepted: route cache holds mtu 1280" \
	test "$(lab_run self ip -6 route get fd99::2 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')" = 1280

# --- source = the original packet's destination -------------------------
start_tun dst dst dst
lab_run dst ping -n -c1 -W2 -M do -s 1372 10.9.0.2 >"$LAB_TMP/dst4.out" 2>&1
lab_check "destination-address source: ping reports frag-needed mtu = 1000" \
	grep -q 'mtu = 1000' "$LAB_TMP/dst4.out"
lab_check "destination-address source: route cache holds mtu 1000" \
	test "$(route_mtu dst 10.9.0.2)" = 1000
lab_check "next DF ping of 1000 bytes passes, 1001 is refused locally" \
	bash -c "ip netns exec $(lab_ns dst) ping -n -c1 -W2 -M do -s 972 10.9.0.2 &&
		! ip netns exec $(lab_ns dst) ping -n -c1 -W2 -M do -s 973 10.9.0.2"
lab_run dst ping -6 -n -c1 -W2 -M do -s 1352 fd99::2 >"$LAB_TMP/dst6.out" 2>&1
lab_check "destination-address source (IPv6): route cache holds mtu 1280" \
	test "$(lab_run dst ip -6 route get fd99::2 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')" = 1280
# a non-DF datagram too big for the far side is fragmented by frag4
lab_run dst ping -n -c1 -W1 -M dont -s 2972 10.9.0.3 >/dev/null 2>&1 # .3: no PMTU cached yet
lab_check "non-DF 3000-byte datagram: frag4 split it (the host fragments at 1500 first)" \
	grep -q 'frag4 1500 -> 2 fragments' "$LAB_TMP/dst.log"
# MSS clamping judged by the kernel: our clamped SYN is reflected back; a
# valid checksum makes the kernel answer the simultaneous open with a
# SYN-ACK (clamped in turn), a broken one would count TcpInCsumErrors.
for fam in 4 6; do
	dst=10.9.0.4; [ $fam = 6 ] && dst=fd99::4  # no PMTU cached: the SYN says 1460/1440
	lab_run dst timeout 2 bash -c "exec 3<>/dev/tcp/$dst/8$fam" >/dev/null 2>&1
	lab_check "IPv$fam SYN clamped and reflected; the kernel answered with a SYN-ACK" \
		bash -c "grep -q 'tcp$fam clamped syn\$' '$LAB_TMP/dst.log' &&
			grep -q 'tcp$fam reflected' '$LAB_TMP/dst.log' &&
			grep -q 'tcp$fam clamped synack' '$LAB_TMP/dst.log'"
done
lab_check "no TCP checksum errors counted by the kernel" \
	bash -c "ip netns exec $(lab_ns dst) nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { exit \$2 != 0 }'"
lab_done
