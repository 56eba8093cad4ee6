#!/bin/bash
# Behaviour against wireguard-go: roaming both ways (wgmtud learns a moved
# client's endpoint; a moved wgmtud client keeps talking, dropping its stale
# sticky source), persistent keepalive seen on the wire, a wrong key gives
# no traffic, and inner packets with a source outside the peer's allowed
# IPs are dropped (named, counted).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
command -v tcpdump >/dev/null || lab_die "tcpdump not installed"

# a = wireguard-go client, b = wgmtud server.
dmn_pair wggo wgmtud 4
lab_check "client -> wgmtud: ping" dmn_ping a 192.168.77.2
lab_check "wgmtud knows the client at 10.$LAB_NET.0.1" bash -c "ip netns exec $(lab_ns b) wg show $IB endpoints | grep -q '10.$LAB_NET.0.1:51820'"
# The client's endpoint changes (it rebinds to a new port, as after a NAT
# rebinding): wgmtud follows the latest authenticated source.
lab_run a wg set "$IA" listen-port 51830
lab_check "client moved: ping still answered" dmn_ping a 192.168.77.2
lab_check "wgmtud learned the new endpoint 10.$LAB_NET.0.1:51830" bash -c "ip netns exec $(lab_ns b) wg show $IB endpoints | grep -q '10.$LAB_NET.0.1:51830'"
lab_check "traffic from wgmtud reaches the moved client" dmn_ping b 192.168.77.1 3

# wgmtud as the moving client: its address changes (the old one is
# removed, so its sticky source becomes invalid); the server
# (wireguard-go) learns the new one.
lab_run b sysctl -qw net.ipv4.conf.all.promote_secondaries=1 net.ipv4.conf.v-a.promote_secondaries=1
ip -n "$(lab_ns b)" addr add "10.$LAB_NET.0.4/24" dev v-a
lab_run b ping -c1 -W1 192.168.77.1 >/dev/null 2>&1 # sticky source = 10.x.0.2 now
ip -n "$(lab_ns b)" addr del "10.$LAB_NET.0.2/24" dev v-a
lab_check "wgmtud client lost its source address: still pings" dmn_ping b 192.168.77.1
lab_check "wireguard-go learned wgmtud's new endpoint" bash -c "ip netns exec $(lab_ns a) wg show $IA endpoints | grep -q '10.$LAB_NET.0.4:51821'"

# wgmtud rebinds to another port while running: traffic it sends comes
# from the new port and the peer follows.
lab_run b wg set "$IB" listen-port 51831
lab_check "after wgmtud's port change: ping from wgmtud" dmn_ping b 192.168.77.1 3
lab_check "wireguard-go learned port 51831" bash -c "ip netns exec $(lab_ns a) wg show $IA endpoints | grep -q ':51831'"
lab_check "and traffic towards wgmtud flows again" dmn_ping a 192.168.77.2 3
lab_run b wg set "$IB" listen-port 51821
dmn_ping b 192.168.77.1 3 >/dev/null

# Persistent keepalive from wgmtud, seen on the wire: 32-byte WireGuard
# payload (UDP length 40) every second.
lab_run b wg set "$IB" peer "$PA" persistent-keepalive 1
lab_run a timeout 5 tcpdump -l -n -i v-b -c 2 "udp and src port 51821 and udp[4:2] = 40" >"$LAB_TMP/ka.txt" 2>/dev/null
lab_check "persistent keepalive seen on the wire (2 in 5 s)" test "$(grep -c 'UDP' "$LAB_TMP/ka.txt")" -ge 2
lab_run b wg set "$IB" peer "$PA" persistent-keepalive 0

# fwmark: wgmtud's UDP packets carry it (counted by an nftables rule).
lab_nft_base b
lab_nft b "add rule inet lab lab_out meta mark 0x2a udp sport 51821 counter"
lab_run b wg set "$IB" fwmark 42
dmn_ping b 192.168.77.1 3 >/dev/null
lab_check "fwmark 42 is set on wgmtud's datagrams (SO_MARK)" bash -c "
	ip netns exec $(lab_ns b) nft list chain inet lab lab_out | grep 'meta mark 0x0000002a' | grep -q 'packets [1-9]'"
lab_run b wg set "$IB" fwmark 0

# Allowed-IPs source check: the client sends from 192.168.77.9, which is
# not in its allowed IPs on wgmtud.
ip -n "$(lab_ns a)" addr add 192.168.77.9/32 dev "$IA"
lab_check "no inner-source-not-allowed drop so far (UAPI counter)" test "$(dmn_drops "$IB" inner-source-not-allowed)" = 0
lab_check_fails "ping from a source outside the allowed IPs gets no answer" \
	lab_run a ping -n -c2 -W1 -I 192.168.77.9 192.168.77.2
lab_check "both echo requests counted as inner-source-not-allowed (UAPI counter = 2)" \
	test "$(dmn_drops "$IB" inner-source-not-allowed)" = 2
lab_check "wgmtud logged the drop naming the peer, its endpoint and the source" \
	grep -q "peer($(dmn_pub a | cut -c1-4)…$(dmn_pub a | cut -c40-43)) - drop inner-source-not-allowed endpoint [0-9.:]* src 192.168.77.9" "$LAB_TMP/$IB.log"
lab_check "the allowed source still works" dmn_ping a 192.168.77.2 3

# Wrong key: wgmtud is told a wrong public key for the client.
dmn_keypair wrong
lab_run b wg set "$IB" peer "$PA" remove
dmn_peer b "$IB" "$(dmn_pub wrong)" "10.$LAB_NET.0.1:51830" "192.168.77.1/32"
lab_run a wg set "$IA" peer "$PB" remove
dmn_peer a "$IA" "$PB" "10.$LAB_NET.0.4:51821" "192.168.77.2/32"
lab_check_fails "wrong key: no ping either way" bash -c "
	ip netns exec $(lab_ns b) ping -n -c2 -W1 192.168.77.1 || ip netns exec $(lab_ns a) ping -n -c2 -W1 192.168.77.2"
lab_check_fails "wrong key: no handshake recorded" dmn_has_handshake b "$IB" "$(dmn_pub wrong)"
lab_check "wrong key: wgmtud logged the rejected initiation" grep -q 'drop handshake-invalid' "$LAB_TMP/$IB.log"
lab_done
