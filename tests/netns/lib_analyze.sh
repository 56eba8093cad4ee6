# shellcheck shell=bash
# tests/netns/lib_analyze.sh — captures of real WireGuard traffic for the
# wgmtu analyze tests. Source after lib.sh and lab_init.
#
#   ana_scenario NAME FAMILY BOTTLENECK DROP_PTB LOSS_PCT BYTES SNAPLEN
#
# builds client - home - isp - server (bottleneck MTU on home-isp), runs
# wireguard-go on client and server (interface MTU 1420, outer FAMILY 4|6),
# tcpdump on both outer interfaces, fetches BYTES over HTTP through the
# tunnel with curl (bounded by a timeout), and leaves the two captures in
# $LAB_TMP/NAME-client.pcap and $LAB_TMP/NAME-server.pcap. DROP_PTB=1 makes
# both routers drop ICMP too-big (a black hole); LOSS_PCT>0 drops that
# share of forwarded packets at random on isp.

ana_wg_up() { # NODE IFNAME TUNADDR4 TUNADDR6 PRIV
	local node=$1 ifn=$2 a4=$3 a6=$4 priv=$5
	lab_bg "$node" "wg-$ifn" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifn"
	lab_wait_for 5 test -S "/var/run/wireguard/$ifn.sock" || lab_die "wireguard-go $ifn did not start"
	lab_run "$node" wg set "$ifn" private-key "$priv" listen-port 51820 || lab_die "wg set $ifn"
	lab_run "$node" ip addr add "$a4/24" dev "$ifn"
	lab_run "$node" ip addr add "$a6/64" dev "$ifn" nodad
	lab_run "$node" ip link set "$ifn" mtu 1420 up
}

ana_scenario() {
	local name=$1 fam=$2 neck=$3 drop=$4 loss=$5 bytes=$6 snap=$7
	local ck sk cpub spub cif="wa$$c" sif="wa$$s" sep pc ps t

	# one scenario per lab: tear down the previous one's nodes
	ana_teardown
	lab_chain client home isp server -- 1500 "$neck" 1500
	[ "$drop" = 1 ] && { lab_drop_ptb home; lab_drop_ptb isp; }
	[ "$loss" -gt 0 ] && lab_loss isp "$loss"
	ck="$LAB_TMP/c.key"; sk="$LAB_TMP/s.key"
	wg genkey >"$ck"; wg genkey >"$sk"
	cpub=$(wg pubkey <"$ck"); spub=$(wg pubkey <"$sk")
	ana_wg_up client "$cif" 10.99.0.1 fd99::1 "$ck"
	ana_wg_up server "$sif" 10.99.0.2 fd99::2 "$sk"
	if [ "$fam" = 6 ]; then sep="[$(lab_ip6 server)]:51820"; else sep="$(lab_ip4 server):51820"; fi
	lab_run server wg set "$sif" peer "$cpub" allowed-ips 10.99.0.1/32,fd99::1/128
	lab_run client wg set "$cif" peer "$spub" endpoint "$sep" allowed-ips 10.99.0.2/32,fd99::2/128
	head -c "$bytes" /dev/urandom >"$LAB_TMP/page.bin"
	lab_bg server "http-$name" python3 -m http.server 8080 --bind 10.99.0.2 --directory "$LAB_TMP"
	lab_bg client "tcpdump-c-$name" tcpdump -n -U --immediate-mode -s "$snap" -i v-home -w "$LAB_TMP/$name-client.pcap" udp or icmp or icmp6
	pc=$LAB_LASTPID
	lab_bg server "tcpdump-s-$name" tcpdump -n -U --immediate-mode -s "$snap" -i v-isp -w "$LAB_TMP/$name-server.pcap" udp or icmp or icmp6
	ps=$LAB_LASTPID
	lab_wait_for 5 grep -q listening "$LAB_TMP/tcpdump-c-$name.log" || lab_die "tcpdump (client) did not start"
	lab_wait_for 5 grep -q listening "$LAB_TMP/tcpdump-s-$name.log" || lab_die "tcpdump (server) did not start"
	# the handshake and a small exchange first (as in the story: small works)
	lab_wait_for 5 lab_run client ping -c1 -W1 10.99.0.2 || lab_log "$name: tunnel ping failed"
	lab_wait_for 5 lab_run client curl -s -o /dev/null --max-time 1 http://10.99.0.2:8080/ ||
		lab_log "$name: HTTP server not reachable"
	t=6
	[ "$drop" = 1 ] || t=15
	lab_run client curl -s -o "$LAB_TMP/$name.got" --max-time "$t" \
		"http://10.99.0.2:8080/page.bin" >/dev/null 2>&1
	echo $? >"$LAB_TMP/$name.curl"
	sleep 1
	kill -INT "$pc" "$ps" 2>/dev/null
	wait "$pc" "$ps" 2>/dev/null
}

# ana_teardown: delete this lab's namespaces (and what runs in them).
ana_teardown() {
	local ns pid
	for pid in "${LAB_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for ns in "${LAB_NODES[@]}"; do
		for pid in $(ip netns pids "$LAB_PFX-$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$LAB_PFX-$ns" 2>/dev/null
	done
	wait 2>/dev/null
	LAB_NODES=() LAB_PIDS=()
	rm -f /var/run/wireguard/wa$$c.sock /var/run/wireguard/wa$$s.sock
}

# ana_json FILE... -- PYEXPR: evaluate PYEXPR on the JSON of wgmtu analyze.
ana_json() {
	local files=()
	while [ "$1" != "--" ]; do files+=("$1"); shift; done
	shift
	"$LAB_BUILD/wgmtu" analyze --json "${files[@]}" |
		python3 -c "import json,sys; d=json.load(sys.stdin); print(($1))"
}
