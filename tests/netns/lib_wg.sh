# shellcheck shell=bash
# tests/netns/lib_wg.sh — WireGuard peers in lab nodes (source after lib.sh).
#
#   lab_wg_keys NAME                 -> $LAB_TMP/NAME.key, NAME.pub
#   lab_wg_up NODE IMPL IF ADDR4 ADDR6 [MTU]
#        start a WireGuard interface IF in NODE with IMPL = wireguard-go or
#        wgmtud, private key $LAB_TMP/IF.key, listen port 51820, the given
#        tunnel addresses (/24 and /64), MTU (default 1420)
#   lab_wg_peer NODE IF PEER_IF ENDPOINT ALLOWED...  add PEER_IF's key as a peer
#
# Interface names must be unique per run (the UAPI socket path
# /var/run/wireguard/IF.sock is global): use lab_wg_ifname SUFFIX.

lab_wg_ifname() { echo "wg$$$1" | cut -c1-15; }

lab_wg_keys() {
	[ -f "$LAB_TMP/$1.key" ] && return 0
	(umask 077; wg genkey >"$LAB_TMP/$1.key")
	wg pubkey <"$LAB_TMP/$1.key" >"$LAB_TMP/$1.pub"
}

lab_wg_up() {
	local node=$1 impl=$2 ifn=$3 a4=$4 a6=$5 mtu=${6:-1420} bin i
	lab_wg_keys "$ifn"
	case "$impl" in
	wireguard-go) bin=$(command -v wireguard-go) ;;
	wgmtud) bin="$LAB_BUILD/wgmtud" ;;
	*) lab_die "unknown WireGuard implementation $impl" ;;
	esac
	WG_PROCESS_FOREGROUND=1 LOG_LEVEL=${WG_LOG_LEVEL:-error} \
		lab_bg "$node" "$ifn" "$bin" -f "$ifn"
	echo "$LAB_LASTPID" >"$LAB_TMP/$ifn.pid"
	for ((i = 0; i < 50; i++)); do
		[ -S "/var/run/wireguard/$ifn.sock" ] && lab_run "$node" ip link show "$ifn" >/dev/null 2>&1 && break
		sleep 0.1
	done
	[ -S "/var/run/wireguard/$ifn.sock" ] || lab_die "$impl did not create $ifn in $node: $(cat "$LAB_TMP/$ifn.log")"
	LAB_WG_SOCKS+=("/var/run/wireguard/$ifn.sock")
	lab_run "$node" wg set "$ifn" private-key "$LAB_TMP/$ifn.key" listen-port 51820 || lab_die "wg set $ifn"
	lab_run "$node" ip link set "$ifn" mtu "$mtu" up
	lab_run "$node" ip addr add "$a4/24" dev "$ifn"
	[ -n "$a6" ] && lab_run "$node" ip addr add "$a6/64" dev "$ifn" nodad
	return 0
}

lab_wg_peer() {
	local node=$1 ifn=$2 peer=$3 ep=$4; shift 4
	local allowed; allowed=$(IFS=,; echo "$*")
	lab_run "$node" wg set "$ifn" peer "$(cat "$LAB_TMP/$peer.pub")" \
		${ep:+endpoint "$ep"} allowed-ips "$allowed"
}

LAB_WG_SOCKS=()
LAB_CLEANUP_HOOKS+=(lab_wg_cleanup_socks)
# Remove sockets a killed daemon may leave behind (called from the EXIT trap
# chain: lab.sh's cleanup kills processes first).
lab_wg_cleanup_socks() { local s; for s in "${LAB_WG_SOCKS[@]}"; do rm -f "$s"; done; }
