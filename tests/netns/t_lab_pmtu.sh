#!/bin/bash
# The lab itself: the story's path (client - home - isp - server, a
# 1454-byte link between the routers). A DF packet of 1500 bytes (ping -s
# 1472) must fail and one of 1454 (ping -s 1426) must pass, with ICMP
# "fragmentation needed" delivered and with it filtered (a black hole),
# over IPv4 and IPv6. Also proves lab_loss drops at roughly the rate asked.
. "$(dirname "$0")/lib.sh"
lab_init
lab_chain client home isp server -- 1500 1454 1500
S4=$(lab_ip4 server); S6=$(lab_ip6 server)

lab_check "small ping crosses the chain (IPv4)" lab_run client ping -n -c1 -W2 "$S4"
lab_check "small ping crosses the chain (IPv6)" lab_run client ping -6 -n -c1 -W2 "$S6"

# Black hole first, so no PMTU is cached yet on the client.
lab_drop_ptb home
lab_drop_ptb isp
lab_check "black hole: DF ping -s 1426 (1454 bytes) passes" \
	lab_run client ping -n -c1 -W1 -M do -s 1426 "$S4"
lab_run client ping -n -c2 -W1 -M do -s 1472 "$S4" >"$LAB_TMP/bh4.out" 2>&1
lab_check_fails "black hole: DF ping -s 1472 (1500 bytes) is lost" \
	grep -q ' 0% packet loss' "$LAB_TMP/bh4.out"
lab_check_fails "black hole: no ICMP frag-needed reaches the client" \
	grep -qi 'frag needed\|mtu = ' "$LAB_TMP/bh4.out"
lab_check "black hole: the router counted the dropped ICMP" \
	bash -c "ip netns exec $(lab_ns home) nft list chain inet lab lab_out | grep -q 'packets [1-9]'"
lab_check "black hole (IPv6): 1454-byte DF ping passes" lab_ping_df client "$S6" 1454
lab_check_fails "black hole (IPv6): 1500-byte ping is lost" lab_ping_df client "$S6" 1500

# ICMP allowed: the router's frag-needed arrives and names the MTU.
lab_run home nft flush table inet lab
lab_run isp nft flush table inet lab
lab_run client ping -n -c1 -W1 -M do -s 1472 "$S4" >"$LAB_TMP/ok4.out" 2>&1
lab_check "ICMP allowed: DF ping -s 1472 fails with frag-needed mtu=1454" \
	grep -q 'mtu = 1454' "$LAB_TMP/ok4.out"
lab_check "ICMP allowed: DF ping -s 1426 passes" \
	lab_run client ping -n -c1 -W1 -M do -s 1426 "$S4"
lab_run client ping -6 -n -c1 -W1 -M do -s 1452 "$S6" >"$LAB_TMP/ok6.out" 2>&1
lab_check "ICMP allowed (IPv6): packet too big names mtu=1454" \
	grep -qi 'mtu.*1454\|too big' "$LAB_TMP/ok6.out"

# Random loss: 50 % on the bottleneck, 40 pings: between 5 and 35 arrive.
lab_loss isp 50 'iifname "v-home"'
n=$(lab_run client ping -n -c 40 -i 0.01 -W 1 "$S4" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
lab_check "lab_loss 50%: $n of 40 pings arrived (5..35 expected)" \
	test "${n:-0}" -ge 5 -a "${n:-0}" -le 35
lab_done
