#!/bin/bash
# The story's failure is real in the lab: wireguard-go on both ends at MTU
# 1420 over a 1454-byte path whose routers drop ICMP too-big. Small
# responses load, a 27 KB page hangs; the hand fix (MTU 1394, from
# wgmtu calc) makes it load. Every later fix is measured against this.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
lab_init
lab_chain laptop home isp vps -- 1500 1454 1500
lab_drop_ptb home
lab_drop_ptb isp
LIF=$(lab_wg_ifname l) VIF=$(lab_wg_ifname v)
head -c 27000 /dev/zero | tr '\0' x >"$LAB_TMP/login.html"
lab_wg_up laptop wireguard-go "$LIF" 10.99.0.1 fd99::1 1420
lab_wg_up vps wireguard-go "$VIF" 10.99.0.2 fd99::2 1420
lab_wg_peer laptop "$LIF" "$VIF" "$(lab_ip4 vps):51820" 10.99.0.2/32 fd99::2/128
lab_wg_peer vps "$VIF" "$LIF" "" 10.99.0.1/32 fd99::1/128
lab_bg vps http python3 -m http.server --bind :: --directory "$LAB_TMP" 8080
get() { lab_run laptop curl -sf -o /dev/null --max-time "$2" "$1"; }

lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "HTTP server up" lab_wait_for 5 lab_run vps curl -sf -o /dev/null http://127.0.0.1:8080/
lab_check "a small response loads through the tunnel" get "http://10.99.0.2:8080/" 5
lab_check_fails "MTU 1420: the 27 KB page hangs (black hole)" get "http://10.99.0.2:8080/login.html" 4
lab_check_fails "MTU 1420 (IPv6 inside): the 27 KB page hangs" get "http://[fd99::2]:8080/login.html" 4
lab_run laptop ip link set "$LIF" mtu 1394
lab_run vps ip link set "$VIF" mtu 1394
lab_check "MTU 1394 (wgmtu calc's answer): the page loads" get "http://10.99.0.2:8080/login.html" 5
lab_check "MTU 1394 (IPv6 inside): the page loads" get "http://[fd99::2]:8080/login.html" 5
lab_run laptop ip link set "$LIF" mtu 1395
lab_run vps ip link set "$VIF" mtu 1395
lab_check_fails "MTU 1395, one byte more: hangs again" get "http://10.99.0.2:8080/login.html" 3
lab_done
