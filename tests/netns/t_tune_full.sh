#!/bin/bash
# wgmtu tune with a single full-tunnel peer (AllowedIPs = 0.0.0.0/0, ::/0,
# as on a laptop): no host address to probe inside the tunnel, so the
# endpoint is measured outside (1454), and the interface MTU is lowered to
# 1392 (a multiple of 16: the stock VPS pads to 16 bytes) instead of
# locking routes. SIGTERM puts 1420 back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
W="$LAB_BUILD/wgmtu"
pmd_story wireguard-go wireguard-go 4
lab_run laptop wg set "$LIF" peer "$(cat "$LAB_TMP/$VIF.pub")" allowed-ips 0.0.0.0/0,::/0
if_mtu() { lab_run laptop cat "/sys/class/net/$LIF/mtu"; }
mtu_is() { [ "$(if_mtu)" = "$1" ]; }
get() { lab_run laptop curl -sf -o /dev/null --max-time "$2" "$1"; }
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "the VPS's web server answers a small request" lab_wait_for 10 get http://10.99.0.2:8080/ 2
lab_check_fails "untuned: the 27 KB page hangs" get http://10.99.0.2:8080/login.html 3
lab_run laptop "$W" tune --dry-run "$LIF" >"$LAB_TMP/dry.txt"
sed 's/^/#   /' "$LAB_TMP/dry.txt"
lab_check "--dry-run: the interface MTU, measured at the endpoint" \
	bash -c "grep -q '^ip link set dev $LIF mtu 1392\$' '$LAB_TMP/dry.txt' && grep -q 'path MTU 1454' '$LAB_TMP/dry.txt'"
lab_bg laptop tune "$W" tune --watch "$LIF"
T=$LAB_LASTPID
lab_check "tune --watch lowers the interface MTU to 1392" lab_wait_for 15 mtu_is 1392
lab_check "the page loads" get http://10.99.0.2:8080/login.html 5
lab_check "10 MB from the VPS" get http://10.99.0.2:8080/big 20
lab_check "the MSS-clamp table stays while watching" lab_run laptop nft list table inet "wgmtu_$LIF"
lab_check "... and so does the MTU" mtu_is 1392
kill -TERM "$T"
lab_check "tune exits 0 on SIGTERM" wait "$T"
sed 's/^/#   tune: /' "$LAB_TMP/tune.log"
lab_check "the interface MTU is 1420 again" mtu_is 1420
lab_done
