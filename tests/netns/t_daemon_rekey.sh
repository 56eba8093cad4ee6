#!/bin/bash
# Rekeying with shortened timers (WGMTUD_TEST_TIMER_SCALE=40: REKEY_AFTER
# 3 s, REJECT_AFTER 4.5 s, REKEY_TIMEOUT 0.125 s): a steady ping over 10 s
# sees several fresh handshakes and (almost) no loss, wgmtud <-> wgmtud and
# (t_daemon_rekey_go.sh) wgmtud <-> wireguard-go.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
lab_two_rekey() {
	local kb=$1
	dmn_two_hosts
	IA=$(dmn_ifname a); IB=$(dmn_ifname b)
	dmn_keypair a; dmn_keypair b
	dmn_start wgmtud a "$IA" WGMTUD_TEST_TIMER_SCALE=40
	if [ "$kb" = wgmtud ]; then dmn_start wgmtud b "$IB" WGMTUD_TEST_TIMER_SCALE=40
	else dmn_start wggo b "$IB"; fi
	dmn_setup a "$IA" a 51820; dmn_setup b "$IB" b 51821
	dmn_peer a "$IA" "$(dmn_pub b)" "$(lab_ip4 b):51821" 192.168.77.2/32
	dmn_peer b "$IB" "$(dmn_pub a)" "$(lab_ip4 a):51820" 192.168.77.1/32
	dmn_tunnel_addr a "$IA" 192.168.77.1/24 fd00:77::1/64
	dmn_tunnel_addr b "$IB" 192.168.77.2/24 fd00:77::2/64
}
lab_two_rekey "${REKEY_PEER:-wgmtud}"
dmn_ping a 192.168.77.2 >/dev/null
H0=$(lab_run a wg show "$IA" latest-handshakes | awk '{print $2}')
lab_run a ping -n -i 0.2 -c 50 -W 1 192.168.77.2 >"$LAB_TMP/ping.txt" 2>&1
GOT=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$LAB_TMP/ping.txt")
lab_check "50 pings over 10 s: at most 1 lost (got $GOT)" test "${GOT:-0}" -ge 49
NH=$(grep -c 'received handshake response' "$LAB_TMP/$IA.log")
lab_check "wgmtud initiated at least 2 rekeys ($NH handshakes)" test "$NH" -ge 3
H1=$(lab_run a wg show "$IA" latest-handshakes | awk '{print $2}')
lab_check "latest handshake moved forward ($H0 -> $H1)" test "$H1" -gt "$H0"
lab_done
