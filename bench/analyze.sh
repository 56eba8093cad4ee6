#!/bin/bash
# bench/analyze.sh — wgmtu analyze throughput against tshark, same capture,
# same run. Generates a synthetic Ethernet/IPv4 WireGuard capture of
# ANA_BENCH_MB (default 200) MB in /tmp (never committed), times
# `wgmtu analyze` and `tshark -Y wg -T fields` over it, and reports max RSS
# for two capture sizes (memory must follow the number of flows, not the
# size of the capture).
#   bench/analyze.sh            ANA_BENCH_MB=200 ANA_BENCH_FLOWS=64
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
W="$ROOT/$BUILD/wgmtu"
MB=${ANA_BENCH_MB:-200}
FLOWS=${ANA_BENCH_FLOWS:-64}
[ -x "$W" ] || make -C "$ROOT" -j2 all >/dev/null
if ! command -v tshark >/dev/null; then
	echo "# installing tshark (not part of scripts/deps.sh)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tshark >/dev/null 2>&1 ||
		{ echo "bench/analyze.sh: could not install tshark" >&2; exit 3; }
fi
D=$(mktemp -d /tmp/wgmtu-bench-analyze.XXXXXX)
trap 'rm -rf "$D"' EXIT
python3 "$ROOT/tests/tools/analyze_gen.py" bench "$D/big.pcap" --mb "$MB" --flows "$FLOWS" >&2
python3 "$ROOT/tests/tools/analyze_gen.py" bench "$D/small.pcap" --mb $((MB / 4)) --flows "$FLOWS" >&2
bytes=$(stat -c %s "$D/big.pcap")
cat "$D/big.pcap" >/dev/null # page cache warm for both tools

# run CMD...: prints "seconds maxrss_kb" (wall clock in ns resolution);
# stdout of CMD goes to $D/out
run() {
	local a b
	a=$(date +%s%N)
	/usr/bin/time -f "%M" -o "$D/time" "$@" >"$D/out" 2>"$D/err" || true
	b=$(date +%s%N)
	echo "$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.3f", (b - a) / 1e9}') $(tail -n 1 "$D/time")"
}
best() { # best of 5 wall times (the machine is shared)
	local b="" t
	for _ in 1 2 3 4 5; do
		t=$(run "$@")
		if [ -z "$b" ] || awk -v x="${t% *}" -v y="${b% *}" 'BEGIN{exit !(x<y)}'; then b=$t; fi
	done
	echo "$b"
}
w=$(best "$W" analyze --json "$D/big.pcap")
wv=$(python3 -c "import json; d=json.load(open('$D/out')); print(d['verdict'], sum(x['data'] for x in d['directions']))")
ws=$(best "$W" analyze --json "$D/small.pcap")
tshark_run() { run tshark -r "$D/big.pcap" -d udp.port==51820,wg -Y wg -T fields -e wg.type -e wg.receiver -e wg.counter -e udp.length; }
t=$(tshark_run)
t2=$(tshark_run) # best of 2: tshark is slow, the machine is shared
if awk -v x="${t2% *}" -v y="${t% *}" 'BEGIN{exit !(x<y)}'; then t=$t2; fi
tn=$(grep -c "^4" "$D/out" || true)

mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN{ if (s < 0.01) s = 0.01; printf "%.0f", b / 1e6 / s }'; }
wsec=${w% *}; tsec=${t% *}
echo "capture: $(awk -v b="$bytes" 'BEGIN{printf "%.0f", b/1e6}') MB, $FLOWS flows (generated)"
echo "wgmtu analyze: ${wsec} s, $(mbs "$wsec") MB/s, max RSS ${w#* } KB (verdict/data packets: $wv)"
echo "tshark -Y wg -T fields: ${tsec} s, $(mbs "$tsec") MB/s, max RSS ${t#* } KB ($tn transport packets)"
echo "ratio: $(awk -v a="$tsec" -v b="$wsec" 'BEGIN{ if (b < 0.01) b = 0.01; printf "%.0f", a / b }')x tshark (target >= 50x)"
echo "memory: max RSS ${ws#* } KB at $((MB / 4)) MB, ${w#* } KB at $MB MB (bounded by flows, not capture size)"
