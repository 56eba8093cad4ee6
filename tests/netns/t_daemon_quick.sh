#!/bin/bash
# WG_QUICK_USERSPACE_IMPLEMENTATION=wgmtud wg-quick up/down with a real
# wg-quick config (Address, MTU, ListenPort, PostUp/PostDown), talking to
# wireguard-go; the config lives in the test's temp dir.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
command -v wg-quick >/dev/null || lab_die "wg-quick not installed"
dmn_two_hosts
IA=$(dmn_ifname q); IB=$(dmn_ifname b)
dmn_keypair a; dmn_keypair b
dmn_start wggo b "$IB"
dmn_setup b "$IB" b 51821
dmn_peer b "$IB" "$(dmn_pub a)" "" "192.168.77.1/32,fd00:77::1/128"
dmn_tunnel_addr b "$IB" 192.168.77.2/24 fd00:77::2/64
DMN_SOCKS+=("/var/run/wireguard/$IA.sock")

mkdir -p "$LAB_TMP/quick"
CONF="$LAB_TMP/quick/$IA.conf"
cat >"$CONF" <<CONF
[Interface]
PrivateKey = $(cat "$LAB_TMP/a.key")
Address = 192.168.77.1/24, fd00:77::1/64
ListenPort = 51820
MTU = 1380
PostUp = touch $LAB_TMP/quick/postup-ran
PostDown = touch $LAB_TMP/quick/postdown-ran

[Peer]
PublicKey = $(dmn_pub b)
Endpoint = $(lab_ip4 b):51821
AllowedIPs = 192.168.77.2/32, fd00:77::2/128
CONF
chmod 600 "$CONF"
QENV=(env "PATH=$LAB_BUILD:$PATH" WG_QUICK_USERSPACE_IMPLEMENTATION=wgmtud)

lab_check "wg-quick up with wgmtud" lab_run a "${QENV[@]}" wg-quick up "$CONF"
lab_check "the interface runs wgmtud" bash -c "ip netns pids $(lab_ns a) | xargs -r ps -o comm= -p | grep -qx wgmtud"
for pid in $(ip netns pids "$(lab_ns a)"); do DMN_PIDS+=("$pid"); done
lab_check "MTU = 1380 applied" bash -c "ip -n $(lab_ns a) link show $IA | grep -q 'mtu 1380'"
lab_check "Address applied (IPv4 and IPv6)" bash -c "ip -n $(lab_ns a) addr show $IA | grep -q 192.168.77.1/24 && ip -n $(lab_ns a) addr show $IA | grep -q fd00:77::1/64"
lab_check "PostUp ran" test -e "$LAB_TMP/quick/postup-ran"
lab_check "ping through the tunnel (IPv4)" dmn_ping a 192.168.77.2
lab_check "ping through the tunnel (IPv6)" dmn_ping a fd00:77::2
lab_check "wg show lists the handshake" dmn_has_handshake a "$IA" "$(dmn_pub b)"
lab_check "wg-quick strip/showconf round trip" bash -c "ip netns exec $(lab_ns a) wg showconf $IA | grep -q 'ListenPort = 51820'"
lab_check "wg-quick down" lab_run a "${QENV[@]}" wg-quick down "$CONF"
lab_check "PostDown ran" test -e "$LAB_TMP/quick/postdown-ran"
lab_check "after down: interface gone, daemon gone, socket removed" lab_wait_for 5 bash -c "
	! ip -n $(lab_ns a) link show $IA 2>/dev/null &&
	! ip netns pids $(lab_ns a) | xargs -r ps -o comm= -p | grep -qx wgmtud &&
	! test -e /var/run/wireguard/$IA.sock"
lab_done
