#!/bin/bash
# bench/probe.sh — time and probes to the path-MTU answer on the story's
# path (client - home - isp - server, 1454-byte link between the routers)
# for wgmtu probe, tracepath and a DF-ping bisection, in the same run:
# ICMP "too big" allowed, blocked (black hole), blocked + 10 % loss.
#
#   sudo bench/probe.sh [RUNS]      (RUNS per tool and scenario, default 3)
#
# Probes = packets the client sent to the server, counted by an nftables
# counter in the client (so every tool is counted the same way). tracepath
# runs with -m 6 (3 hops here) and a 40 s cap; with its default 30 hops it
# needs ~90 s to print its (wrong) answer in a black hole. Exact = the answer is 1454. wall_s = the whole command (for
# wgmtu: process start, 150 ms linger for late ICMP, JSON); answer_s = when
# the answer was known (wgmtu's search_ms; the wall time for the others).
#
# Scaling with RTT (no netem here, so not measured): wgmtu's time is its
# number of rounds times one round's wait, max(--wait (50 ms), 2 SRTT +
# 4 RTTVAR): ICMP allowed ~2-4 RTT; black hole ~4 rounds (the failing size
# needs 3 silent rounds), i.e. ~1 s at 100 ms RTT; 10 % loss adds 1-3
# rounds. DF-ping bisection pays ~9 sequential probes, each a full
# 1 s timeout when lost; tracepath's answer in a black hole is wrong.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/netns/lib.sh"
. "$ROOT/tests/netns/lib_probe.sh"
RUNS=${1:-3}
lab_init
probe_lab
lab_nft client "table inet bench {
	chain out {
		type filter hook output priority 0; policy accept;
		ip daddr $S4 counter
	}
}"

sent() { lab_run client nft list chain inet bench out | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

run_wgmtu() {
	# prints the answer; the engine's own time-to-answer goes to $LAB_TMP/ans_ms
	lab_run client "$W" probe --json --no-locate --timeout 30 "$S4" 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["path_mtu"]); open(sys.argv[1],"w").write(str(d["search_ms"]))' "$LAB_TMP/ans_ms"
}
run_tracepath() {
	lab_run client timeout 40 tracepath -n -m 6 "$S4" 2>/dev/null |
		sed -n 's/.*Resume: pmtu \([0-9]*\).*/\1/p' | tail -1
}
run_bisect() {
	# the classic by hand: ping -M do, halve the interval, 1 s timeout
	local lo=1200 hi=1500 mid
	if lab_run client ping -n -c1 -W1 -M do -s $((hi - 28)) "$S4" >/dev/null 2>&1; then
		echo $hi; return
	fi
	while ((hi - lo > 1)); do
		mid=$(((lo + hi) / 2))
		if lab_run client ping -n -c1 -W1 -M do -s $((mid - 28)) "$S4" >/dev/null 2>&1; then
			lo=$mid
		else
			hi=$mid
		fi
	done
	echo $lo
}

printf '%-22s %-10s %7s %6s %7s %8s %9s\n' scenario tool answer exact probes wall_s answer_s
bench() {
	local scen=$1 tool i t0 t1 ans n n0 as
	for tool in wgmtu tracepath df-ping; do
		for ((i = 1; i <= RUNS; i++)); do
			n0=$(sent)
			rm -f "$LAB_TMP/ans_ms"
			# forget cached PMTUs so every run starts cold
			lab_run client ip route flush cache >/dev/null 2>&1
			lab_run client ip -6 route flush cache >/dev/null 2>&1
			t0=$(ms)
			case $tool in
			wgmtu) ans=$(run_wgmtu) ;;
			tracepath) ans=$(run_tracepath) ;;
			df-ping) ans=$(run_bisect) ;;
			esac
			t1=$(ms)
			n=$(($(sent) - n0))
			as=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1000 }')
			[ -f "$LAB_TMP/ans_ms" ] && as=$(awk -v a="$(cat "$LAB_TMP/ans_ms")" 'BEGIN { print a / 1000 }')
			printf '%-22s %-10s %7s %6s %7s %8.2f %9.3f\n' "$scen" "$tool" "${ans:-none}" \
				"$([ "$ans" = 1454 ] && echo yes || echo NO)" "$n" \
				"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1000 }')" "$as"
			sleep 1.1 # let the routers' ICMP rate limiters refill
		done
	done
}
bench "icmp-allowed" 
lab_drop_ptb home
lab_drop_ptb isp
bench "black-hole"
lab_loss home 10 'oifname "v-isp"'
lab_loss isp 10 'oifname "v-home"'
bench "black-hole+10%-loss"
