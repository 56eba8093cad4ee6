# shellcheck shell=bash
# bench/lib_bench.sh — what the daemon benchmarks share (source after
# tests/netns/lib.sh and lib_daemon.sh, then call dmn_init):
#
#   bench_hosts                  hosts a and b on one veth link; veth
#                                offloads back at the kernel's defaults
#                                (OFFLOADS=off keeps lab.sh's "all off")
#   bench_pair KIND TAG [ENV=V]  two daemons of KIND (wgmtud|wggo) peered
#                                over it, tunnel 192.168.77.1 <-> .2;
#                                sets BP_PIDA BP_PIDB BP_IA BP_IB
#   bench_stop                   stops the pair, waits for the TUNs to go
#   bench_cpu PID                utime + stime of PID in clock ticks
#   bench_iperf SECONDS [ARGS]   iperf3 TCP a -> b through the tunnel;
#                                prints "BITS_PER_S BYTES RETRANSMITS"
#   bench_ratio A B              A / B with two decimals (n/a when B is 0)

BENCH_HZ=$(getconf CLK_TCK)

bench_hosts() {
	dmn_two_hosts
	[ "${OFFLOADS:-on}" = off ] && return 0
	lab_run a ethtool -K v-b tso on gso on gro on >/dev/null 2>&1
	lab_run b ethtool -K v-a tso on gso on gro on >/dev/null 2>&1
	return 0
}

bench_pair() {
	local kind=$1 tag=$2; shift 2
	BP_IA=$(dmn_ifname "a$tag"); BP_IB=$(dmn_ifname "b$tag")
	dmn_keypair "a$tag"; dmn_keypair "b$tag"
	dmn_start "$kind" a "$BP_IA" LOG_LEVEL=error "$@"
	BP_PIDA=$DMN_LASTPID
	dmn_start "$kind" b "$BP_IB" LOG_LEVEL=error "$@"
	BP_PIDB=$DMN_LASTPID
	dmn_setup a "$BP_IA" "a$tag" 51820; dmn_setup b "$BP_IB" "b$tag" 51821
	dmn_peer a "$BP_IA" "$(dmn_pub "b$tag")" "$(lab_ip4 b):51821" 192.168.77.2/32
	dmn_peer b "$BP_IB" "$(dmn_pub "a$tag")" "$(lab_ip4 a):51820" 192.168.77.1/32
	dmn_tunnel_addr a "$BP_IA" 192.168.77.1/24 fd00:77::1/64
	dmn_tunnel_addr b "$BP_IB" 192.168.77.2/24 fd00:77::2/64
	dmn_ping a 192.168.77.2 >/dev/null || echo "# $kind: no ping through the tunnel" >&2
}

bench_stop() {
	kill "$BP_PIDA" "$BP_PIDB" 2>/dev/null
	wait "$BP_PIDA" "$BP_PIDB" 2>/dev/null
	lab_wait_for 5 bash -c "! ip -n $(lab_ns a) link show $BP_IA && ! ip -n $(lab_ns b) link show $BP_IB"
}

bench_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# bench_iperf SECONDS [iperf3 client args...], optionally prefixed by
# BENCH_CLI_WRAP (e.g. "taskset -c 0") for the client side
bench_iperf() {
	local t=$1; shift
	lab_bg b iperf3s iperf3 -s -1 -B 192.168.77.2
	local spid=$LAB_LASTPID
	lab_wait_for 5 bash -c "ip netns exec $(lab_ns b) ss -ltn | grep -q ':5201 '"
	lab_run a timeout $((t + 10)) iperf3 -c 192.168.77.2 -t "$t" -J "$@" >"$LAB_TMP/iperf.json" 2>&1
	local rc=$?
	wait "$spid" 2>/dev/null
	if [ $rc != 0 ]; then
		echo "0 0 0"
		return 1
	fi
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["end"]
print(int(d["sum_received"]["bits_per_second"]), int(d["sum_received"]["bytes"]),
      int(d["sum_sent"].get("retransmits", 0)))' "$LAB_TMP/iperf.json"
}

bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
