#!/bin/bash
# bench/forged_icmp.sh — does a forger cost tunnel throughput? (issue 11.1)
# wgmtud <-> wgmtud, iperf3 TCP through the tunnel, IPv4 then IPv6 outer.
# For each kind of forged ICMP error (frag-needed / packet too big, port
# unreachable, host unreachable) the data sender's UDP socket receives
# RATE forged messages per second during a SECONDS-long run; baselines
# without forgery run before and after each, and the ratio printed is the
# forged run over the mean of its two neighbouring baselines (the machine
# is shared: interleaving keeps drift out of the ratio). Also prints the
# udp-send-failed drops each run caused. The goal: ratios >= 0.90.
#
#   sudo bench/forged_icmp.sh [SECONDS] [RATE]      (defaults 10, 1000)
#
# Not a test: it prints numbers, it asserts nothing.
set -u
T=${1:-10}
RATE=${2:-1000}
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/../tests/netns/lib_daemon.sh"
FLOOD="$(dirname "$0")/../tests/netns/icmp_flood.py"
dmn_init
dmn_pair wgmtud wgmtud 4
PIDA=${DMN_PIDS[0]}
LOGA=$LAB_TMP/$IA.log
dmn_ping a 192.168.77.2 >/dev/null || lab_die "no ping through the tunnel"

mbit() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }
run() { dmn_iperf b 192.168.77.2 a "$T" || echo 0; }

# forged FAM KIND: one run under forgery; prints "bps drops"
forged() {
	local fam=$1 kind=$2 srca dstb d0 d1 bps
	if [ "$fam" = 6 ]; then srca=$(lab_ip6 a) dstb=$(lab_ip6 b); else srca=$(lab_ip4 a) dstb=$(lab_ip4 b); fi
	d0=$(dmn_drop_count "$PIDA" "$LOGA" udp-send-failed)
	lab_bg b flood python3 "$FLOOD" "$srca" 51820 "$dstb" 51821 "$RATE" $((T + 3)) "$kind"
	local fpid=$LAB_LASTPID
	sleep 0.5
	bps=$(run)
	wait "$fpid"
	d1=$(dmn_drop_count "$PIDA" "$LOGA" udp-send-failed)
	echo "$bps $((d1 - d0))"
}

family() {
	local fam=$1 b0 b1 r k
	b0=$(run)
	echo "IPv$fam outer: baseline $(mbit "$b0") Mbit/s"
	for k in frag port host; do
		read -r r d < <(forged "$fam" "$k")
		b1=$(run)
		awk -v f="$r" -v x="$b0" -v y="$b1" -v k="$k" -v d="$d" -v fam="$fam" -v rate="$RATE" 'BEGIN {
			m = (x + y) / 2
			printf "IPv%s outer: %s at %d/s: %.0f Mbit/s, baselines %.0f / %.0f, ratio %.2f, udp-send-failed drops %d\n",
				fam, k, rate, f / 1e6, x / 1e6, y / 1e6, m ? f / m : 0, d }'
		b0=$b1
	done
}

family 4
lab_run a wg set "$IA" peer "$PB" endpoint "[$(lab_ip6 b)]:51821"
lab_run b wg set "$IB" peer "$PA" endpoint "[$(lab_ip6 a)]:51820"
dmn_ping a 192.168.77.2 >/dev/null || lab_die "no ping over IPv6 outer"
family 6
# the daemon's totals (the last of each line it logged on SIGUSR1)
grep -h "ICMP errors\|made again" "$LOGA" | tac |
	awk '{ k = /made again/ ? "again" : $NF } !seen[k]++' | tac | sed 's/^.*: \(ICMP\|UDP\)/\1/'
