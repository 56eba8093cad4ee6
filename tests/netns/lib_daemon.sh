# shellcheck shell=bash
# tests/netns/lib_daemon.sh — helpers for wgmtud's end-to-end tests, on top
# of lib.sh (source lib.sh first, then this, then call dmn_init instead of
# lab_init).
#
#   dmn_init                          lab_init + our cleanup (daemons, sockets)
#   dmn_ifname TAG                    a per-run unique interface name
#   dmn_keypair NAME                  $LAB_TMP/NAME.key / NAME.pub
#   dmn_start wgmtud|wggo NODE IF     start a daemon in NODE, wait for its socket
#   dmn_peer NODE IF PUB [ENDPOINT] [ALLOWED] [KEEPALIVE]   wg set ... peer
#   dmn_tunnel_addr NODE IF V4/24 V6/64   addresses + link up
#   dmn_uapi IF KEY                   a device-level key of the UAPI get reply
#   dmn_drops IF REASON               wgmtud's drop counter (wgmtu_drop_*)
#
# Interface names must be unique across concurrent runs: the UAPI socket
# /var/run/wireguard/IF.sock is global, not per namespace.

DMN_PIDS=()
DMN_SOCKS=()
DMN_WGMTUD="$LAB_BUILD/wgmtud"
DMN_WGGO=${DMN_WGGO:-wireguard-go}

dmn_cleanup() {
	local rc=$? pid i
	for pid in "${DMN_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for ((i = 0; i < 20; i++)); do
		local alive=0
		for pid in "${DMN_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	rm -f "${DMN_SOCKS[@]}"
	(exit "$rc")
	lab_cleanup
}

dmn_init() {
	lab_init
	trap dmn_cleanup EXIT
	[ -x "$DMN_WGMTUD" ] || lab_die "$DMN_WGMTUD not built"
	command -v wg >/dev/null || lab_die "wg (wireguard-tools) not installed"
}

# dmn_uapi IF KEY: the value of the device-level KEY (lines before the first
# public_key) in IF's UAPI get reply; fails if absent.
dmn_uapi() {
	python3 - "/var/run/wireguard/$1.sock" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"get=1\n\n")
buf = b""
while not buf.endswith(b"\n\n"):
    d = s.recv(65536)
    if not d:
        break
    buf += d
for line in buf.decode().split("\n"):
    k, _, v = line.partition("=")
    if k == "public_key":
        break
    if k == sys.argv[2]:
        print(v)
        sys.exit(0)
sys.exit(1)
PY
}

# dmn_drops IF REASON: how many packets wgmtud dropped for REASON (a name of
# src/daemon/drop.h, e.g. staged-queue-full), from the UAPI.
dmn_drops() { dmn_uapi "$1" "wgmtu_drop_${2//-/_}"; }

# dmn_ifname TAG: "wd<PID><TAG>", at most 15 characters.
dmn_ifname() { echo "wd$$$1" | cut -c1-15; }

dmn_keypair() {
	local old; old=$(umask); umask 077
	wg genkey >"$LAB_TMP/$1.key"
	wg pubkey <"$LAB_TMP/$1.key" >"$LAB_TMP/$1.pub"
	umask "$old"
}
dmn_pub() { cat "$LAB_TMP/$1.pub"; }

# dmn_start KIND NODE IF [ENV=VAL...]: foreground daemon in the background,
# log in $LAB_TMP/IF.log; waits (5 s) for the UAPI socket. Sets DMN_LASTPID.
dmn_start() {
	local kind=$1 node=$2 ifn=$3; shift 3
	local bin
	case "$kind" in
	wgmtud) bin=$DMN_WGMTUD ;;
	wggo) bin=$DMN_WGGO ;;
	*) lab_die "dmn_start: unknown kind $kind" ;;
	esac
	DMN_SOCKS+=("/var/run/wireguard/$ifn.sock")
	lab_bg "$node" "$ifn" env LOG_LEVEL=verbose "$@" "$bin" -f "$ifn"
	DMN_LASTPID=$LAB_LASTPID
	DMN_PIDS+=("$LAB_LASTPID")
	lab_wait_for 5 test -S "/var/run/wireguard/$ifn.sock" ||
		lab_die "$kind $ifn did not create its socket: $(tail -n 5 "$LAB_TMP/$ifn.log")"
}

# dmn_setup NODE IF KEYNAME PORT: private key and listen port.
dmn_setup() {
	lab_run "$1" wg set "$2" private-key "$LAB_TMP/$3.key" listen-port "$4" ||
		lab_die "wg set $2 private-key"
}

# dmn_peer NODE IF PUB ENDPOINT ALLOWED [KEEPALIVE]
dmn_peer() {
	local node=$1 ifn=$2 pub=$3 ep=$4 allowed=$5 ka=${6:-}
	local args=(peer "$pub" allowed-ips "$allowed")
	[ -n "$ep" ] && args+=(endpoint "$ep")
	[ -n "$ka" ] && args+=(persistent-keepalive "$ka")
	lab_run "$node" wg set "$ifn" "${args[@]}" || lab_die "wg set $ifn peer"
}

dmn_tunnel_addr() {
	local node=$1 ifn=$2 a4=$3 a6=$4 ns
	ns=$(lab_ns "$node")
	ip -n "$ns" addr add "$a4" dev "$ifn" || lab_die "addr $a4 on $ifn"
	ip -n "$ns" addr add "$a6" dev "$ifn" nodad || lab_die "addr $a6 on $ifn"
	ip -n "$ns" link set "$ifn" up || lab_die "link up $ifn"
}

# dmn_ping NODE DEST [SECONDS]: succeeds once one ping is answered.
dmn_ping() {
	local node=$1 dst=$2 t=${3:-6} i
	for ((i = 0; i < t; i++)); do
		lab_run "$node" ping -n -c1 -W1 "$dst" >/dev/null 2>&1 && return 0
	done
	return 1
}

# dmn_ping_both ADDR_OF_B ADDR_OF_A: a pings b, then b pings a.
dmn_ping_both() { dmn_ping a "$1" && dmn_ping b "$2"; }

# dmn_handshake_age NODE IF PUB: seconds since the latest handshake (fails
# when there was none).
dmn_has_handshake() {
	local ts
	ts=$(lab_run "$1" wg show "$2" latest-handshakes | awk -v k="$3" '$1 == k { print $2 }')
	[ -n "$ts" ] && [ "$ts" != 0 ]
}

# dmn_two_hosts: hosts a and b on one link (outer 10.$LAB_NET.0.1/.2 and
# fd77:$LAB_NET:0::1/::2).
dmn_two_hosts() { lab_chain a b; }

# dmn_pair KIND_A KIND_B OUTER(4|6): hosts a and b, a daemon of KIND_A in a
# and KIND_B in b, peered over the outer family, tunnel 192.168.77.0/24 and
# fd00:77::/64 (a = .1, b = .2). Sets IA, IB, PA, PB, EPA, EPB.
dmn_pair() {
	local ka=$1 kb=$2 fam=$3
	dmn_two_hosts
	IA=$(dmn_ifname a); IB=$(dmn_ifname b)
	dmn_keypair a; dmn_keypair b
	PA=$(dmn_pub a); PB=$(dmn_pub b)
	if [ "$fam" = 6 ]; then
		EPA="[$(lab_ip6 a)]:51820"; EPB="[$(lab_ip6 b)]:51821"
	else
		EPA="$(lab_ip4 a):51820"; EPB="$(lab_ip4 b):51821"
	fi
	dmn_start "$ka" a "$IA"
	dmn_start "$kb" b "$IB"
	dmn_setup a "$IA" a 51820
	dmn_setup b "$IB" b 51821
	dmn_peer a "$IA" "$PB" "$EPB" "192.168.77.2/32,fd00:77::2/128"
	dmn_peer b "$IB" "$PA" "$EPA" "192.168.77.1/32,fd00:77::1/128"
	dmn_tunnel_addr a "$IA" 192.168.77.1/24 fd00:77::1/64
	dmn_tunnel_addr b "$IB" 192.168.77.2/24 fd00:77::2/64
}

# dmn_reset_sessions: remove and re-add both peers (drops every session),
# so the next packet needs a fresh handshake.
dmn_reset_sessions() {
	lab_run a wg set "$IA" peer "$PB" remove
	lab_run b wg set "$IB" peer "$PA" remove
	dmn_peer a "$IA" "$PB" "$EPB" "192.168.77.2/32,fd00:77::2/128"
	dmn_peer b "$IB" "$PA" "$EPA" "192.168.77.1/32,fd00:77::1/128"
}

# dmn_http NODE_SRV SRV_ADDR NODE_CLI: 1 MB over HTTP, checksum compared.
dmn_http() {
	local srv=$1 addr=$2 cli=$3 url
	mkdir -p "$LAB_TMP/www"
	[ -f "$LAB_TMP/www/blob" ] || head -c 1048576 /dev/urandom >"$LAB_TMP/www/blob"
	lab_bg "$srv" http python3 -m http.server -b "$addr" -d "$LAB_TMP/www" 8080
	local hpid=$LAB_LASTPID
	case "$addr" in *:*) url="http://[$addr]:8080/blob" ;; *) url="http://$addr:8080/blob" ;; esac
	lab_wait_for 5 lab_run "$cli" curl -s -o /dev/null --max-time 1 "$url"
	lab_run "$cli" curl -s --max-time 20 -o "$LAB_TMP/got" "$url"
	local rc=$?
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
	[ $rc = 0 ] && cmp -s "$LAB_TMP/www/blob" "$LAB_TMP/got"
}

# dmn_iperf NODE_SRV SRV_ADDR NODE_CLI SECONDS: TCP through the tunnel;
# prints the receiver's bits per second.
dmn_iperf() {
	local srv=$1 addr=$2 cli=$3 t=$4
	lab_bg "$srv" iperf3s iperf3 -s -1 -B "$addr"
	local spid=$LAB_LASTPID
	lab_wait_for 5 bash -c "ip netns exec $(lab_ns "$srv") ss -ltn | grep -q ':5201 '"
	lab_run "$cli" timeout $((t + 10)) iperf3 -c "$addr" -t "$t" -J >"$LAB_TMP/iperf.json" 2>&1
	local rc=$?
	wait "$spid" 2>/dev/null
	[ $rc = 0 ] || return 1
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(int(d["end"]["sum_received"]["bits_per_second"]))' "$LAB_TMP/iperf.json"
}

# dmn_interop KIND_A KIND_B OUTER: the interop suite between two daemons.
dmn_interop() {
	local ka=$1 kb=$2 fam=$3 bps
	dmn_pair "$ka" "$kb" "$fam"
	lab_check "$ka initiates: ping $kb over IPv$fam (inner IPv4)" dmn_ping a 192.168.77.2
	lab_check "$kb reports the handshake" dmn_has_handshake b "$IB" "$PA"
	lab_check "$ka reports the handshake" dmn_has_handshake a "$IA" "$PB"
	lab_check "ping back from $kb (inner IPv4)" dmn_ping b 192.168.77.1 3
	lab_check "inner IPv6 ping both ways" dmn_ping_both fd00:77::2 fd00:77::1
	lab_check "1 MB HTTP download from $kb to $ka" dmn_http b 192.168.77.2 a
	lab_check "1 MB HTTP download from $ka to $kb (inner IPv6)" dmn_http a fd00:77::1 b
	if bps=$(dmn_iperf b 192.168.77.2 a 5); then
		lab_check "iperf3 5 s $ka -> $kb: $((bps / 1000000)) Mbit/s" test "$bps" -gt 1000000
	else
		lab_check "iperf3 5 s $ka -> $kb" false
	fi
	dmn_reset_sessions
	lab_check "$kb initiates after a reset: ping $ka over IPv$fam" dmn_ping b 192.168.77.1
	lab_check "ping back from $ka" dmn_ping a 192.168.77.2 3
}

# dmn_drop_count PID LOG NAME: asks the daemon PID (logging to LOG) for its
# totals (SIGUSR1) and prints the count of the line "... NAME" among them
# ("dropped N: udp-send-failed", "ICMP errors N: too_big"), 0 if absent.
dmn_drop_count() {
	local pid=$1 log=$2 name=$3 before i
	before=$(wc -l <"$log")
	kill -USR1 "$pid" 2>/dev/null || return 1
	for ((i = 0; i < 20; i++)); do
		sleep 0.1
		[ "$(wc -l <"$log")" -gt "$before" ] && break
	done
	sleep 0.2
	tail -n +"$((before + 1))" "$log" |
		awk -v n="$name" '{ if ($NF == n) { v = $(NF - 1); sub(":", "", v); c = v } }
			END { print c + 0 }'
}
