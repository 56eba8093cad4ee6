#!/bin/bash
# wgmtu tune's MSS clamp for forwarded traffic: a LAN host behind the VPS
# fetches from the stock laptop through the tunnel. The laptop answers
# with segments sized for its MTU 1420 that vanish in the 1454 black hole;
# the route lock alone cannot help (the laptop is the sender), the
# nftables table does: the LAN host's SYN leaves through the tunnel with
# its MSS clamped to the route's MTU (rt mtu), so the laptop sends what
# fits. With --no-mss-clamp the transfer still hangs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
W="$LAB_BUILD/wgmtu"
pmd_story wireguard-go wireguard-go 4
lab_host lan
lab_link vps lan 9
lab_run vps sysctl -qw net.ipv4.ip_forward=1
lab_run lan ip route add default via "10.$LAB_NET.9.1"
lab_run laptop wg set "$LIF" peer "$(cat "$LAB_TMP/$VIF.pub")" allowed-ips "10.99.0.2/32,fd99::2/128,10.$LAB_NET.9.0/24"
lab_run laptop ip route add "10.$LAB_NET.9.0/24" dev "$LIF"
get() { lab_run lan curl -sf -o /dev/null --max-time "$2" "$1"; }
has_lock() { lab_run vps ip route show 10.99.0.1/32 dev "$VIF" | grep -q "mtu lock 1392"; }
has_table() { lab_run vps nft list table inet "wgmtu_$VIF" >/dev/null 2>&1; }

lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "the LAN host reaches the laptop through the tunnel" lab_wait_for 5 lab_run lan ping -c1 -W1 10.99.0.1
lab_check "a small response from the laptop loads on the LAN host" lab_wait_for 10 get http://10.99.0.1:8080/ 2
lab_check_fails "untuned: the LAN host's 27 KB fetch from the laptop hangs" get http://10.99.0.1:8080/login.html 3

lab_bg vps tune-noclamp "$W" tune --watch --no-mss-clamp "$VIF"
T=$LAB_LASTPID
lab_check "--no-mss-clamp: routes locked" lab_wait_for 15 has_lock
lab_check_fails "... no table" has_table
lab_check_fails "... and the forwarded fetch still hangs" get http://10.99.0.1:8080/login.html 3
kill -TERM "$T"; wait "$T"

lab_bg vps tune "$W" tune --watch "$VIF"
T=$LAB_LASTPID
lab_check "with the clamp: the table is there" lab_wait_for 15 has_table
lab_check "the LAN host's 27 KB fetch loads" get http://10.99.0.1:8080/login.html 5
lab_check "and 10 MB" get http://10.99.0.1:8080/big 20
kill -TERM "$T"; wait "$T"
lab_check_fails "SIGTERM removes the table" has_table
lab_done
