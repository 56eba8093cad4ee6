# shellcheck shell=bash
# tests/netns/lib_core.sh — helpers for the protocol-core interop tests:
# a wireguard-go interface in a lab node, configured with wg.
#
#   core_wggo_up NODE IFNAME PRIVFILE TUNADDR/PREFIX   start + configure
#   core_wggo_peer NODE IFNAME PUB ALLOWED [PSKFILE] [ENDPOINT]  (re)add peer
#
# wireguard-go needs /dev/net/tun and puts its UAPI socket in
# /var/run/wireguard/IFNAME.sock; IFNAME must be unique per run (use $$).

CORE_WGGO_IFS=()

core_cleanup_wggo() {
	local i
	for i in "${CORE_WGGO_IFS[@]}"; do
		rm -f "/var/run/wireguard/$i.sock" 2>/dev/null
	done
}

# core_wggo_up NODE IFNAME PRIVFILE ADDR/PREFIX
core_wggo_up() {
	local node=$1 ifn=$2 key=$3 addr=$4
	command -v wireguard-go >/dev/null || lab_die "wireguard-go not installed"
	[ -c /dev/net/tun ] || lab_die "/dev/net/tun missing"
	mkdir -p /var/run/wireguard
	CORE_WGGO_IFS+=("$ifn")
	WG_PROCESS_FOREGROUND=1 lab_bg "$node" "wggo-$ifn" env WG_PROCESS_FOREGROUND=1 \
		wireguard-go -f "$ifn"
	lab_wait_for 10 test -S "/var/run/wireguard/$ifn.sock" ||
		lab_die "wireguard-go $ifn did not start: $(cat "$LAB_TMP/wggo-$ifn.log")"
	lab_wait_for 5 lab_run "$node" ip link show "$ifn" || lab_die "no $ifn in $node"
	lab_run "$node" wg set "$ifn" private-key "$key" listen-port 51820 ||
		lab_die "wg set $ifn"
	lab_run "$node" ip addr add "$addr" dev "$ifn" || lab_die "ip addr on $ifn"
	lab_run "$node" ip link set "$ifn" up || lab_die "link up $ifn"
}

# core_wggo_peer NODE IFNAME PUB ALLOWED PSKFILE|- [ENDPOINT]: remove the
# peer (dropping all its sessions) and add it again.
core_wggo_peer() {
	local node=$1 ifn=$2 pub=$3 allowed=$4 psk=${5:--} ep=${6:-}
	local args=(peer "$pub" allowed-ips "$allowed")
	lab_run "$node" wg set "$ifn" peer "$pub" remove 2>/dev/null
	[ "$psk" != - ] && args+=(preshared-key "$psk")
	[ -n "$ep" ] && args+=(endpoint "$ep")
	lab_run "$node" wg set "$ifn" "${args[@]}" || lab_die "wg set peer"
}

# core_latest_handshake NODE IFNAME PUB: the peer's latest-handshake epoch (0 = none).
core_latest_handshake() {
	lab_run "$1" wg show "$2" latest-handshakes | awk -v p="$3" '$1 == p { print $2 }'
}
