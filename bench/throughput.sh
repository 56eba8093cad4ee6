#!/bin/bash
# bench/throughput.sh — iperf3 TCP, one stream, 10 s, between two network
# namespaces: raw veth, wireguard-go <-> wireguard-go and wgmtud <-> wgmtud,
# measured in the same run; prints the three rates, the ratio wgmtud /
# wireguard-go and wgmtud's resident memory idle and under load.
#
#   sudo bench/throughput.sh [SECONDS]        (BUILD=build-san for ASan)
#
# Not a test: it prints numbers, it asserts nothing.
set -u
T=${1:-10}
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/../tests/netns/lib_daemon.sh"
dmn_init

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# iperf3 on the current pair: prints bits per second
run_iperf() { dmn_iperf b "$1" a "$T" || echo 0; }

mbit() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }

dmn_two_hosts
RAW=$(run_iperf "$(lab_ip4 b)")

bench_pair() {
	local kind=$1 tag=$2
	local ia ib
	ia=$(dmn_ifname "a$tag"); ib=$(dmn_ifname "b$tag")
	dmn_keypair "a$tag"; dmn_keypair "b$tag"
	dmn_start "$kind" a "$ia" LOG_LEVEL=error
	PIDA=$DMN_LASTPID
	dmn_start "$kind" b "$ib" LOG_LEVEL=error
	dmn_setup a "$ia" "a$tag" 51820; dmn_setup b "$ib" "b$tag" 51821
	dmn_peer a "$ia" "$(dmn_pub "b$tag")" "$(lab_ip4 b):51821" 192.168.77.2/32
	dmn_peer b "$ib" "$(dmn_pub "a$tag")" "$(lab_ip4 a):51820" 192.168.77.1/32
	dmn_tunnel_addr a "$ia" 192.168.77.1/24 fd00:77::1/64
	dmn_tunnel_addr b "$ib" 192.168.77.2/24 fd00:77::2/64
	dmn_ping a 192.168.77.2 >/dev/null || echo "# $kind: no ping through the tunnel" >&2
	IDLE_RSS=$(rss_kb "$PIDA")
	( sleep $((T / 2)); rss_kb "$PIDA" >"$LAB_TMP/rss.$tag" ) &
	local rpid=$!
	RATE=$(run_iperf 192.168.77.2)
	wait "$rpid"
	LOAD_RSS=$(cat "$LAB_TMP/rss.$tag")
	kill "${DMN_PIDS[@]}" 2>/dev/null
	lab_wait_for 5 bash -c "! ip -n $(lab_ns a) link show $ia && ! ip -n $(lab_ns b) link show $ib"
}

bench_pair wggo g
GO=$RATE
bench_pair wgmtud m
WM=$RATE

echo "raw veth:                $(mbit "$RAW") Mbit/s"
echo "wireguard-go <-> wireguard-go: $(mbit "$GO") Mbit/s"
echo "wgmtud <-> wgmtud:       $(mbit "$WM") Mbit/s"
awk -v a="$WM" -v b="$GO" 'BEGIN { if (b > 0) printf "ratio wgmtud / wireguard-go: %.2f\n", a / b; else print "ratio: n/a" }'
echo "wgmtud resident memory: idle ${IDLE_RSS:-?} kB, under load ${LOAD_RSS:-?} kB"
