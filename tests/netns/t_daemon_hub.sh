#!/bin/bash
# Cryptokey routing in a hub: wgmtud in the middle (a) with two peers,
# wireguard-go (b) and wgmtud (c). Traffic b <-> c crosses the hub (the
# hub's kernel forwards between its tunnel peers); a destination in no
# peer's allowed IPs is dropped and counted; packets waiting for a
# handshake that never comes are bounded (oldest dropped, counted).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
lab_chain b a c
IA=$(dmn_ifname a); IB=$(dmn_ifname b); IC=$(dmn_ifname c)
for k in a b c d; do dmn_keypair "$k"; done
dmn_start wgmtud a "$IA"
dmn_start wggo b "$IB"
dmn_start wgmtud c "$IC"
dmn_setup a "$IA" a 51820; dmn_setup b "$IB" b 51821; dmn_setup c "$IC" c 51822
dmn_peer a "$IA" "$(dmn_pub b)" "10.$LAB_NET.0.1:51821" 192.168.77.2/32
dmn_peer a "$IA" "$(dmn_pub c)" "10.$LAB_NET.1.2:51822" "192.168.77.3/32,fd00:77::3/128"
dmn_peer b "$IB" "$(dmn_pub a)" "10.$LAB_NET.0.2:51820" 192.168.77.0/24
dmn_peer c "$IC" "$(dmn_pub a)" "10.$LAB_NET.1.1:51820" "192.168.77.0/24,fd00:77::/64"
dmn_tunnel_addr a "$IA" 192.168.77.1/24 fd00:77::1/64
dmn_tunnel_addr b "$IB" 192.168.77.2/24 fd00:77::2/64
dmn_tunnel_addr c "$IC" 192.168.77.3/24 fd00:77::3/64

lab_check "hub reaches peer b (wireguard-go)" dmn_ping a 192.168.77.2
lab_check "hub reaches peer c (wgmtud)" dmn_ping a 192.168.77.3
lab_check "b -> c through the hub (wireguard-go -> wgmtud -> wgmtud)" dmn_ping b 192.168.77.3
lab_check "c -> b through the hub" dmn_ping c 192.168.77.2
lab_check "each peer got its own traffic (hub counters)" bash -c "
	ip netns exec $(lab_ns a) wg show $IA transfer | awk '\$2 > 0 && \$3 > 0' | wc -l | grep -qx 2"
# (drop lines are rate-limited to one per second per reason: 3 pings 1.1 s
# apart make sure one of them is logged)
lab_check_fails "no peer for 192.168.77.99: no answer" lab_run a ping -n -c3 -i 1.1 -W1 192.168.77.99
lab_check "... dropped as no-allowed-ips-route, naming the destination" grep -q 'drop no-allowed-ips-route dst 192.168.77.99' "$LAB_TMP/$IA.log"
lab_check_fails "IPv6 to b (b has no IPv6 allowed IP on the hub): no answer" lab_run a ping -n -c1 -W1 fd00:77::2
lab_check "IPv6 to c works" dmn_ping a fd00:77::3

# A peer whose endpoint never answers: 300 packets wait for a handshake;
# the queue keeps 128 and names the drops.
dmn_peer a "$IA" "$(dmn_pub d)" "10.$LAB_NET.1.2:9" 192.168.77.4/32
lab_check "no staged-queue-full drop before (UAPI counter)" test "$(dmn_drops "$IA" staged-queue-full)" = 0
lab_run a ping -n -q -i 0.002 -c 300 -W 1 192.168.77.4 >/dev/null 2>&1
lab_check "staged queue bounded: 300 - 128 = 172 staged-queue-full drops (UAPI counter)" \
	test "$(dmn_drops "$IA" staged-queue-full)" = 172
lab_check "... and named in the log" grep -q 'drop staged-queue-full' "$LAB_TMP/$IA.log"
lab_check "the hub still serves its peers" dmn_ping b 192.168.77.3 3

# An IPv4-mapped IPv6 endpoint is used as the IPv4 address it is.
lab_run a wg set "$IA" peer "$(dmn_pub c)" endpoint "[::ffff:10.$LAB_NET.1.2]:51822"
lab_check "endpoint [::ffff:a.b.c.d]:port works (sent as IPv4)" dmn_ping a 192.168.77.3 3
lab_check "... and is shown as IPv4" bash -c "ip netns exec $(lab_ns a) wg show $IA endpoints | grep -q '10.$LAB_NET.1.2:51822'"
lab_done
