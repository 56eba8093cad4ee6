#!/bin/bash
# bench/scale.sh — large configurations: for each peer count (default 10k,
# 50k, 100k) and for wireguard-go and wgmtud in the same run, a fresh
# daemon gets `wg setconf` of that many peers (random keys, one /32 and an
# endpoint each); prints the setconf time, the `wg show dump` time, the
# daemon's resident memory and memory per peer, the growth factor from the
# smallest to the largest count (linear: the count ratio), and the ratio
# wgmtud / wireguard-go. Then one peer with 100k allowed IPs, and the
# tunnel's ping round trip while a hub with a live tunnel takes `wg addconf`
# of the largest count, then while it lists them all (`wg show dump`): does
# traffic keep flowing during a large set or get?
#
#   sudo bench/scale.sh [COUNT...]             (BUILD=build-san for ASan)
#
# Not a test: it prints numbers, it asserts nothing.
set -u
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(10000 50000 100000)
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/../tests/netns/lib_daemon.sh"
. "$(dirname "$0")/lib_bench.sh"
dmn_init

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# gen_conf N FILE [AIPS_ON_ONE]: N peers with random keys, peer i has
# 10.x.y.z/32 (i in the low 24 bits) and an endpoint in 10.200.0.0/16 (no
# traffic is sent: no keepalive, nothing routed). With AIPS_ON_ONE=1: one
# peer holding N allowed IPs instead.
gen_conf() {
	python3 - "$1" "$2" "${3:-0}" <<'EOF'
import base64, os, sys
n, path, one = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
k = lambda: base64.b64encode(os.urandom(32)).decode()
with open(path, "w") as f:
    f.write("[Interface]\nPrivateKey = %s\n" % k())
    if one:
        f.write("\n[Peer]\nPublicKey = %s\nAllowedIPs = " % k())
        f.write(",".join("10.%d.%d.%d/32" % (i >> 16 & 255, i >> 8 & 255, i & 255)
                         for i in range(n)))
        f.write("\n")
    else:
        for i in range(n):
            f.write("\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\n"
                    "Endpoint = 10.200.%d.%d:51820\n" %
                    (k(), i >> 16 & 255, i >> 8 & 255, i & 255, i >> 8 & 255, i & 255))
EOF
}

# one_run KIND TAG CONF: fresh daemon in a, setconf CONF, dump; sets
# R_SET R_DUMP R_RSS0 R_RSS R_PEERS
one_run() {
	local kind=$1 tag=$2 conf=$3 ifn t0 t1 t2 pid
	ifn=$(dmn_ifname "s$tag")
	dmn_start "$kind" a "$ifn" LOG_LEVEL=error
	pid=$DMN_LASTPID
	R_RSS0=$(rss_kb "$pid")
	t0=$(now)
	lab_run a wg setconf "$ifn" "$conf" || echo "# $kind: wg setconf $conf failed" >&2
	t1=$(now)
	R_PEERS=$(lab_run a wg show "$ifn" dump | tail -n +2 | wc -l)
	t2=$(now)
	R_SET=$(secs "$t0" "$t1")
	R_DUMP=$(secs "$t1" "$t2")
	R_RSS=$(rss_kb "$pid")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	lab_wait_for 5 bash -c "! ip -n $(lab_ns a) link show $ifn" 2>/dev/null
}

bench_hosts
declare -A SET DUMP RSS PERPEER
printf '%-12s %8s %10s %10s %10s %12s\n' daemon peers "setconf s" "dump s" "RSS MB" "RSS/peer B"
for n in "${COUNTS[@]}"; do
	gen_conf "$n" "$LAB_TMP/conf.$n"
	for kind in wggo wgmtud; do
		one_run "$kind" "$n${kind:0:1}" "$LAB_TMP/conf.$n"
		[ "$R_PEERS" = "$n" ] || echo "# $kind: dump shows $R_PEERS peers, expected $n" >&2
		SET[$kind.$n]=$R_SET; DUMP[$kind.$n]=$R_DUMP; RSS[$kind.$n]=$R_RSS
		PERPEER[$kind.$n]=$(awk -v a="$R_RSS" -v b="$R_RSS0" -v n="$n" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }')
		printf '%-12s %8s %10s %10s %10.1f %12s\n' "$kind" "$n" "$R_SET" "$R_DUMP" \
			"$(awk -v k="$R_RSS" 'BEGIN { print k / 1024 }')" "${PERPEER[$kind.$n]}"
	done
done
lo=${COUNTS[0]}; hi=${COUNTS[${#COUNTS[@]}-1]}
echo
echo "growth ${lo} -> ${hi} peers (linear would be $(bench_ratio "$hi" "$lo")):"
for kind in wggo wgmtud; do
	echo "  $kind: setconf x$(bench_ratio "${SET[$kind.$hi]}" "${SET[$kind.$lo]}"), dump x$(bench_ratio "${DUMP[$kind.$hi]}" "${DUMP[$kind.$lo]}")"
done
echo "ratio wgmtud / wireguard-go at $hi peers: setconf $(bench_ratio "${SET[wgmtud.$hi]}" "${SET[wggo.$hi]}"), dump $(bench_ratio "${DUMP[wgmtud.$hi]}" "${DUMP[wggo.$hi]}"), RSS $(bench_ratio "${RSS[wgmtud.$hi]}" "${RSS[wggo.$hi]}")"

# One peer, many allowed IPs.
gen_conf "$hi" "$LAB_TMP/one.$hi" 1
echo
for kind in wggo wgmtud; do
	one_run "$kind" "o${kind:0:1}" "$LAB_TMP/one.$hi"
	SET[$kind.one]=$R_SET
	echo "$kind: one peer with $hi allowed IPs: setconf ${R_SET} s, dump ${R_DUMP} s"
done
echo "ratio wgmtud / wireguard-go (one peer, $hi allowed IPs): $(bench_ratio "${SET[wgmtud.one]}" "${SET[wggo.one]}")"

# Traffic during a large set and a large get: a live tunnel a <-> b, pings
# every 20 ms while a takes `wg addconf` of $hi more peers, then while a
# lists them all (`wg show dump`).
echo
grep -v '^PrivateKey' "$LAB_TMP/conf.$hi" >"$LAB_TMP/add.$hi" # keep a's identity
ping_report() { # LOG KIND WHAT SECONDS
	python3 - "$@" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
rtts = [float(m) for m in re.findall(r"time=([0-9.]+) ms", t)]
tx = re.search(r"(\d+) packets transmitted, (\d+) received", t)
lost = int(tx.group(1)) - int(tx.group(2)) if tx else -1
print("%s: tunnel ping during %s (%s s): max RTT %.1f ms, median %.2f ms, %d of %s lost"
      % (sys.argv[2], sys.argv[3], sys.argv[4], max(rtts) if rtts else -1,
         sorted(rtts)[len(rtts) // 2] if rtts else -1, lost, tx.group(1) if tx else "?"))
EOF
}
for kind in wggo wgmtud; do
	bench_pair "$kind" "p${kind:0:1}"
	lab_bg a "ping$kind" ping -n -i 0.02 -W 5 192.168.77.2
	ppid=$LAB_LASTPID
	sleep 1
	t0=$(now)
	lab_run a wg addconf "$BP_IA" "$LAB_TMP/add.$hi" || echo "# $kind: addconf failed" >&2
	t1=$(now)
	sleep 1
	kill -INT "$ppid" 2>/dev/null
	wait "$ppid" 2>/dev/null
	ping_report "$LAB_TMP/ping$kind.log" "$kind" "addconf of $hi peers" "$(secs "$t0" "$t1")"
	lab_bg a "pingd$kind" ping -n -i 0.02 -W 5 192.168.77.2
	ppid=$LAB_LASTPID
	sleep 1
	t0=$(now)
	lab_run a wg show "$BP_IA" dump >/dev/null || echo "# $kind: dump failed" >&2
	t1=$(now)
	sleep 1
	kill -INT "$ppid" 2>/dev/null
	wait "$ppid" 2>/dev/null
	ping_report "$LAB_TMP/pingd$kind.log" "$kind" "dump of $((hi + 1)) peers" "$(secs "$t0" "$t1")"
	bench_stop
done
