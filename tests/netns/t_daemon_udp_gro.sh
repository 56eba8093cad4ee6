#!/bin/bash
# wgmtud <-> wgmtud with UDP GRO on the receiving socket: the outer veth
# keeps its offloads on, so a peer's UDP GSO train reaches the other
# wgmtud as one super-datagram, which it must split into single data
# messages (equal segments, the last one shorter). HTTP transfers both ways
# compared byte for byte, iperf3 3 s, and the receiver's log must show that
# it did get super-datagrams (else the test tested nothing).
# a runs WGMTUD_THREADS=2, which always spreads its batches over the worker
# threads (its seals of the iperf3 stream, its opens of the downloads); b
# the default count, shared only while a CPU is idle (workers.h).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
dmn_two_hosts
# lab_link turns offloads off; GSO on the sender's veth lets the UDP GSO
# skb cross intact, GRO on the receiver's merges plain trains too
lab_run a ethtool -K v-b tso on gso on gro on >/dev/null 2>&1
lab_run b ethtool -K v-a tso on gso on gro on >/dev/null 2>&1
IA=$(dmn_ifname a); IB=$(dmn_ifname b)
dmn_keypair a; dmn_keypair b
PA=$(dmn_pub a); PB=$(dmn_pub b)
dmn_start wgmtud a "$IA" WGMTUD_THREADS=2
dmn_start wgmtud b "$IB"
dmn_setup a "$IA" a 51820
dmn_setup b "$IB" b 51821
dmn_peer a "$IA" "$PB" "$(lab_ip4 b):51821" "192.168.77.2/32,fd00:77::2/128"
dmn_peer b "$IB" "$PA" "$(lab_ip4 a):51820" "192.168.77.1/32,fd00:77::1/128"
dmn_tunnel_addr a "$IA" 192.168.77.1/24 fd00:77::1/64
dmn_tunnel_addr b "$IB" 192.168.77.2/24 fd00:77::2/64

lab_check "ping through the tunnel" dmn_ping a 192.168.77.2
lab_check "a: 2 threads, always shared (wgmtu_threads, wgmtu_threads_sharing)" \
	test "$(dmn_uapi "$IA" wgmtu_threads) $(dmn_uapi "$IA" wgmtu_threads_sharing)" = "2 on"
NB=$(nproc); [ "$NB" -gt 16 ] && NB=16
lab_check "b: the online CPUs by default ($NB)" test "$(dmn_uapi "$IB" wgmtu_threads)" = "$NB"
lab_check "1 MB HTTP download b -> a, byte for byte" dmn_http b 192.168.77.2 a
lab_check "1 MB HTTP download a -> b (inner IPv6), byte for byte" dmn_http a fd00:77::1 b
if bps=$(dmn_iperf b 192.168.77.2 a 3); then
	lab_check "iperf3 3 s a -> b: $((bps / 1000000)) Mbit/s" test "$bps" -gt 1000000
else
	lab_check "iperf3 3 s a -> b" false
fi
lab_check "b received UDP GRO super-datagrams" grep -q "UDP GRO: received" "$LAB_TMP/$IB.log"
lab_check "a received UDP GRO super-datagrams" grep -q "UDP GRO: received" "$LAB_TMP/$IA.log"
lab_check "no authentication failures or replays at b" \
	bash -c "! grep -qE 'decrypt-failed|replayed-counter' '$LAB_TMP/$IB.log'"
lab_done
