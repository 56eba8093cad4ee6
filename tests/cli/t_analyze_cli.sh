#!/bin/bash
# wgmtu analyze as a user runs it, on the committed captures of real
# wireguard-go traffic (tests/fixtures/analyze, made by
# tests/netns/t_analyze_netns.sh with ANA_SAVE=): verdicts, JSON, the text,
# the SVG, every link type, and bad input. No root needed.
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
F="$LAB_ROOT/tests/fixtures/analyze"
G="$LAB_ROOT/tests/tools/analyze_gen.py"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT
T=$LAB_TMP

eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
js() { # FILES... -- PYEXPR
	local a=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	"$W" analyze --json "${a[@]}" | python3 -c "import json,sys; d=json.load(sys.stdin); print(($1))"
}
rc_of() { "$W" analyze "$@" >/dev/null 2>&1; echo $?; }
BH='[x for x in d["directions"] if x["verdict"] == "black_hole"]'

# --- the story: both captures --------------------------------------------
lab_check "black hole (IPv4), both captures: verdict, lost sizes, bracket" \
	eq "$(js "$F/bh4-client.pcap" "$F/bh4-server.pcap" -- \
	"d['verdict'], [(x['lost_sizes'], x['min_lost'], x['max_delivered'] < 1480, x['wireguard_mtu_min'] == x['max_delivered'] - 60, x['wireguard_mtu_max'] == 1419, x['path_mtu_max'] == 1479, x['received'] + x['lost'] == x['sent']) for x in $BH]")" \
	"('black_hole', [([1452], 1480, True, True, True, True, True)])"
lab_check "black hole: captures in either order give the same numbers" \
	eq "$(js "$F/bh4-server.pcap" "$F/bh4-client.pcap" -- "[(x['from'], x['sent'], x['lost']) for x in d['directions']]")" \
	"$(js "$F/bh4-client.pcap" "$F/bh4-server.pcap" -- "[(x['from'], x['sent'], x['lost']) for x in d['directions']]")"
lab_check "black hole: the sender is found by TTL, not by file order" \
	eq "$(js "$F/bh4-client.pcap" "$F/bh4-server.pcap" -- "[x['sender_capture'].endswith('server.pcap') for x in $BH]")" "[True]"
lab_check "black hole: exit 1" eq "$(rc_of "$F/bh4-client.pcap" "$F/bh4-server.pcap")" 1
"$W" analyze "$F/bh4-client.pcap" "$F/bh4-server.pcap" >"$T/bh4.txt"
lab_check "text: 'N of N datagrams of 1452 bytes from A to B were lost'" \
	grep -Eq '^  ([0-9]+) of \1 datagrams of 1452 bytes from 10.77.2.2:51820 to 10.77.0.1:51820 were lost' "$T/bh4.txt"
lab_check "text: 'all N datagrams of <= X bytes arrived'" grep -Eq '^  all [0-9]+ datagrams of <= [0-9]+ bytes arrived' "$T/bh4.txt"
lab_check "text: black hole bracket and the MTU to set" \
	bash -c "grep -q 'no ICMP too-big seen -> black hole between [0-9]* and 1480 bytes' '$T/bh4.txt' && grep -q 'WireGuard MTU that works is [0-9]*-1419' '$T/bh4.txt' \&\& grep -q 'path 1454 (DS-Lite/IPoE uplink) -> MTU = 1394' '$T/bh4.txt'"
lab_check "text: the session pairing from the handshake" grep -q 'session: initiator index 0x[0-9a-f]* <-> responder index 0x' "$T/bh4.txt"

lab_check "black hole (IPv6 outer): 1500-byte packets lost" \
	eq "$(js "$F/bh6-server.pcap" "$F/bh6-client.pcap" -- "d['verdict'], [(x['family'], x['min_lost']) for x in $BH]")" \
	"('black_hole', [('ipv6', 1500)])"

# --- one capture ------------------------------------------------------------
lab_check "one capture at the sender: black hole, 1452 repeated" \
	eq "$(js "$F/bh4-server.pcap" -- "d['verdict'], [(x['unanswered_size'], x['unanswered_repeats'] >= 3, x['path_mtu_max'], x['wireguard_mtu_max'], x['path_mtu_min'], x['wireguard_mtu_min']) for x in $BH]")" \
	"('black_hole', [(1452, True, 1479, 1419, None, None)])"
lab_check "one capture: what it cannot know is null, not a number with another meaning" \
	eq "$(js "$F/bh4-server.pcap" -- "[(x['sent'], x['received'], x['lost'], x['lost_sizes'], x['max_delivered'], x['min_lost']) for x in $BH]")" \
	"[(None, None, None, None, None, None)]"
lab_check "one capture (IPv6 outer) at the sender: black hole" eq "$(js "$F/bh6-server.pcap" -- "d['verdict']")" black_hole
lab_check "one capture: handshakes, keepalives and data counted per direction" \
	eq "$(js "$F/bh4-server.pcap" -- "sorted((x['handshake_initiations'], x['handshake_responses'], x['data'] > 0) for x in d['directions'])")" \
	"[(0, 1, True), (1, 0, True)]"
lab_check "one capture: the full-MTU packet names the sender's MTU" \
	grep -q "sender's WireGuard MTU is 1420" <("$W" analyze "$F/bh4-server.pcap")

# --- healthy, ICMP too-big, loss --------------------------------------------
lab_check "healthy: verdict healthy, exit 0" \
	eq "$(js "$F/ok4-client.pcap" "$F/ok4-server.pcap" -- "d['verdict']"):$(rc_of "$F/ok4-client.pcap" "$F/ok4-server.pcap")" "healthy:0"
lab_check "ICMP allowed: too-big MTU 1454 reported, fragments recognised, not a black hole" \
	eq "$(js "$F/ptb4-server.pcap" "$F/ptb4-client.pcap" -- "d['verdict'], [p['mtu'] for c in d['captures'] for p in c['icmp_too_big']], d['captures'][0]['fragments'] > 0")" \
	"('healthy', [1454], True)"
lab_check "ICMP allowed: the text explains the losses by the too-big and says MTU = 1394" \
	grep -q 'set MTU = 1394 on both peers to stop the fragmenting' <("$W" analyze "$F/ptb4-server.pcap" "$F/ptb4-client.pcap")
lab_check "random loss: verdict loss, exit 1" \
	eq "$(js "$F/loss4-client.pcap" "$F/loss4-server.pcap" -- "d['verdict']"):$(rc_of "$F/loss4-client.pcap" "$F/loss4-server.pcap")" "loss:1"
lab_check "random loss: small and large sizes lost alike" \
	eq "$(js "$F/loss4-client.pcap" "$F/loss4-server.pcap" -- "any(x['lost'] and x['min_lost'] <= x['max_delivered'] for x in d['directions'])")" True
lab_check "random loss at the receiver: counter gaps -> loss" \
	eq "$(js "$F/loss4-server.pcap" -- "d['verdict'], sum(x['counter_gaps'] for x in d['directions']) > 0")" "('loss', True)"
lab_check "snaplen-cut packets are counted, sizes still from the headers" \
	eq "$(js "$F/loss4-server.pcap" -- "d['captures'][0]['truncated'] > 0, max(x['largest_udp'] for x in d['directions'])")" "(True, 1452)"

# --- the JSON schema --------------------------------------------------------
# every key of man/wgmtu-analyze.1, in every mode, and no other
schema() { # FILES...
	"$W" analyze --json "$@" | python3 -c '
import json, re, sys
raw = sys.stdin.read()
assert raw.count("\n") == 1, "--json is one line"
d = json.loads(raw)
man = open(sys.argv[1]).read()
doc = set(w for l in re.findall(r"^\.B[IR]? (.*)$", man, re.M) for w in re.findall(r"[a-z][a-z_0-9]*", l))
def keys(o, acc):
	if isinstance(o, dict):
		for k, v in o.items():
			acc.add(k); keys(v, acc)
	elif isinstance(o, list):
		for v in o: keys(v, acc)
	return acc
got = keys(d, set())
assert got <= doc, "undocumented: %s" % sorted(got - doc)
enums = [d["verdict"]] + [c["link"] for c in d["captures"]] + [x["verdict"] for x in d["directions"]]
assert all(re.fullmatch(r"[a-z0-9_]+", e) for e in enums), enums
kset = [frozenset(x) for x in d["directions"]]
assert len(set(kset)) <= 1, "directions differ in keys"
print(sorted(kset[0]) if kset else [])
' "$LAB_ROOT/man/wgmtu-analyze.1" "$@"
}
lab_check "JSON: every key documented, enums without spaces, one line" schema "$F/bh4-server.pcap" "$F/bh4-client.pcap"
lab_check "JSON: one capture has the same direction keys as two" \
	eq "$(schema "$F/bh4-server.pcap")" "$(schema "$F/bh4-server.pcap" "$F/bh4-client.pcap")"
lab_check "--pretty indents the same JSON" \
	bash -c "[ \"\$('$W' analyze --pretty '$F/bh4-server.pcap' | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))')\" = \"\$('$W' analyze --json '$F/bh4-server.pcap' | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))')\" ] && [ \$('$W' analyze --pretty '$F/bh4-server.pcap' | wc -l) -gt 50 ]"

# --- every link type and pcapng -------------------------------------------
for l in raw sll sll2 null loop pcapng; do
	python3 "$G" convert "$F/bh4-server.pcap" "$T/bh4-$l.cap" --link "$l"
	python3 "$G" convert "$F/bh4-client.pcap" "$T/bh4c-$l.cap" --link "$l"
	lab_check "link type $l: same verdicts as Ethernet" \
		eq "$(js "$T/bh4-$l.cap" -- "d['verdict']") $(js "$T/bh4c-$l.cap" "$T/bh4-$l.cap" -- "d['verdict']")" "black_hole black_hole"
done
python3 "$G" convert "$F/bh6-server.pcap" "$T/bh6-null.cap" --link null
lab_check "IPv6 over BSD loopback" eq "$(js "$T/bh6-null.cap" -- "d['verdict']")" black_hole

# --- no WireGuard at all: one DNS-like datagram --------------------------
python3 -c "
import struct
ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + 8 + 12, 0, 0, 64, 17, 0, bytes([192,0,2,1]), bytes([192,0,2,2]))
udp = struct.pack('>HHHH', 5353, 53, 20, 0) + bytes(12)
f = open('$T/dns.pcap', 'wb'); f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
f.write(struct.pack('<IIII', 1, 0, len(ip + udp), len(ip + udp)) + ip + udp)"
lab_check "no WireGuard traffic: inconclusive, exit 1, said in words" \
	bash -c "'$W' analyze '$T/dns.pcap' >'$T/dns.txt'; [ \$? -eq 1 ] && grep -q 'INCONCLUSIVE: no WireGuard transport traffic' '$T/dns.txt' && grep -q '1 other UDP flow' '$T/dns.txt'"

# --- SVG --------------------------------------------------------------------
"$W" analyze --svg "$T/t.svg" "$F/bh4-client.pcap" "$F/bh4-server.pcap" >/dev/null
lab_check "SVG is well-formed XML with lost marks and the MTU lines" \
	python3 -c "
import xml.etree.ElementTree as E, sys
t = open('$T/t.svg').read(); E.fromstring(t)
assert 'smallest lost: 1480' in t and 'largest arrived' in t and 'path MTU is in this band' in t
assert t.count('<path d=') >= 3, 'lost markers'
"
"$W" analyze --svg "$T/one.svg" "$F/bh4-server.pcap" >/dev/null
lab_check "SVG of one capture marks the unanswered size" \
	python3 -c "import xml.etree.ElementTree as E; t=open('$T/one.svg').read(); E.fromstring(t); assert 'never answered: 1480' in t"

# --- captures taken on wgmtud hosts (GSO super-packets, in-band probes) ------
WL="$F/wgmtud4-laptop.pcap" WV="$F/wgmtud4-vps.pcap"
lab_check "wgmtud hosts: healthy, exit 0 (not LOSS, not BLACK HOLE)" \
	eq "$(js "$WL" "$WV" -- "d['verdict']"; rc_of "$WL" "$WV")" "healthy
0"
lab_check "wgmtud hosts: super-packets split into wire datagrams (largest: the 1480 probe)" \
	eq "$(js "$WL" "$WV" -- "[c['gso_super_packets'] > 0 and c['gso_datagrams'] > c['gso_super_packets'] for c in d['captures']], max(x['largest_ip'] for x in d['directions'])")" \
	"([True, True], 1480)"
lab_check "wgmtud hosts: probes above the path MTU apart, lost 0, sent = received" \
	eq "$(js "$WL" "$WV" -- "[(x['probes_unanswered'], x['probe_min_unanswered'], x['lost'], x['lost_sizes'], x['sent'] == x['received']) for x in d['directions']]")" \
	"[(13, 1455, 0, [], True), (13, 1455, 0, [], True)]"
lab_check "wgmtud hosts: each capture alone is healthy too" \
	eq "$(rc_of "$WL") $(rc_of "$WV")" "0 0"
lab_check "wgmtud hosts: the text says what the probes are" \
	bash -c "'$W' analyze '$WL' '$WV' | grep -q 'wgmtud in-band probes: 13 above the path MTU went unanswered'"

# --- standard input and output -----------------------------------------------
lab_check "analyze - reads the capture from standard input" \
	eq "$("$W" analyze --json - <"$F/bh4-server.pcap" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')" black_hole
lab_check "analyze A - : one file, one from standard input" \
	eq "$(cat "$F/bh4-server.pcap" | "$W" analyze --json "$F/bh4-client.pcap" - | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], [x["lost"] for x in d["directions"] if x["lost"]])')" "black_hole [16]"
lab_check "--svg - writes the SVG to standard output, the report to standard error" \
	bash -c "'$W' analyze --svg - '$F/bh4-server.pcap' >'$T/so.svg' 2>'$T/se.txt';
		python3 -c \"import xml.etree.ElementTree as E; E.parse('$T/so.svg')\" &&
		grep -q '^Verdict: BLACK HOLE' '$T/se.txt'"

# --- the SVG as drawn ---------------------------------------------------------
svg_check() { # SVG: no whole-arrival dot above its panel's "largest arrived whole"
	# line, at most 9 y labels per panel, every panel the same time scale
	python3 - "$1" <<'PY'
import re, sys, xml.etree.ElementTree as E
t = open(sys.argv[1]).read()
E.fromstring(t)
green, ok_y, bad, ylabels, spans = None, [], [], [], []
for line in t.splitlines():
    m = re.search(r"stroke='#2a7d2a' stroke-width='1.5' stroke-dasharray='6 3'/>", line)
    if m:
        green = float(re.search(r"y1='([\d.]+)'", line).group(1))
    if line.startswith("<g fill='#2f6db5'"):
        ok_y.append([green, []])
    m = re.match(r"<circle cx='[\d.]+' cy='([\d.]+)' r='2.5'/>", line)
    if m and ok_y:
        ok_y[-1][1].append(float(m.group(1)))
    if line.startswith("<rect x='70'") and "fill='#fbfbfb'" in line:
        ylabels.append(0); green = None
    if "text-anchor='end' fill='#555'>" in line and "<line" in line:
        ylabels[-1] += 1
for g, ys in ok_y:
    if g is not None and ys and min(ys) < g - 0.5:
        bad.append((g, min(ys)))
assert not bad, "dots above the largest-arrived line: %s" % bad
assert all(n <= 10 for n in ylabels), ylabels
ticks = re.findall(r"font-size='11' text-anchor='middle' fill='#555'>([\d.]+) s<", t)
print(len(ylabels), "panels", ylabels, "y labels")
PY
}
"$W" analyze --svg "$T/ptb.svg" "$F/ptb4-client.pcap" "$F/ptb4-server.pcap" >/dev/null
lab_check "SVG (ICMP too-big): no 'arrived' dot above 'largest arrived' (fragmented ones drawn apart)" svg_check "$T/ptb.svg"
lab_check "SVG (ICMP too-big): the ICMP that explains the verdict is drawn, with its MTU" \
	bash -c "grep -q 'ICMP too-big: MTU 1454' '$T/ptb.svg' && grep -q 'arrived in IP fragments' '$T/ptb.svg'"
lab_check "SVG: both panels share one time scale (same tick labels)" bash -c "
	[ \$(grep -o \"fill='#555'>[0-9.]* s<\" '$T/ptb.svg' | sort | uniq -c | awk '{print \$1}' | sort -u) = 2 ]"
"$W" analyze --svg "$T/wm.svg" "$WL" "$WV" >/dev/null
wm_svg() { grep -q 'wgmtud probe above the path MTU' "$T/wm.svg" && svg_check "$T/wm.svg"; }
lab_check "SVG (wgmtud hosts): probes drawn as probes, y labels bounded" wm_svg
lab_check "SVG of the black hole renders (rsvg-convert, if installed)" bash -c "
	command -v rsvg-convert >/dev/null || exit 0
	'$W' analyze --svg - '$F/bh4-client.pcap' '$F/bh4-server.pcap' 2>/dev/null | rsvg-convert -o '$T/bh.png' && [ -s '$T/bh.png' ]"

# --- bad input --------------------------------------------------------------
bad() { # WANT-RC WANT-STDERR ARGS...
	local want=$1 msg=$2; shift 2
	"$W" analyze "$@" >"$T/o" 2>"$T/e"; local rc=$?
	[ "$rc" -eq "$want" ] || { echo "exit $rc, want $want"; cat "$T/e"; return 1; }
	[ "$(wc -l <"$T/e")" -eq 1 ] || { echo "stderr not one line:"; cat "$T/e"; return 1; }
	grep -q -- "$msg" "$T/e" || { echo "stderr lacks '$msg':"; cat "$T/e"; return 1; }
}
echo "this is not a capture" >"$T/garbage"
head -c 24 "$F/bh4-server.pcap" >"$T/empty.pcap"
python3 "$G" cut "$F/bh4-server.pcap" "$T/cut.pcap" 20000
python3 "$G" linktype "$F/bh4-server.pcap" "$T/lt.pcap" 147
head -c 10 "$F/bh4-server.pcap" >"$T/short-header.pcap"
lab_check "no file -> exit 2" bad 2 "need a capture file"
lab_check "three files -> exit 2" bad 2 "at most two" a b c
lab_check "missing file -> exit 2" bad 2 "No such file" "$T/nope.pcap"
lab_check "not a capture -> exit 2" bad 2 "not a pcap or pcapng capture" "$T/garbage"
lab_check "header cut short -> exit 2" bad 2 "not a pcap" "$T/short-header.pcap"
gzip -c "$F/bh4-server.pcap" >"$T/c.pcap.gz"
lab_check "a gzip-compressed capture -> exit 2, says how to read it" \
	bad 2 "it is compressed: zcat $T/c.pcap.gz | wgmtu analyze -" "$T/c.pcap.gz"
lab_check "empty capture -> exit 2" bad 2 "holds no packets" "$T/empty.pcap"
lab_check "unknown link type -> exit 2, named" bad 2 "unsupported link type 147" "$T/lt.pcap"
head -c 24 "$F/bh4-server.pcap" >"$T/dmg0.pcap"; printf 'garbage-record-header' >>"$T/dmg0.pcap"
lab_check "damaged before its first packet -> exit 2" bad 2 "damaged before its first packet" "$T/dmg0.pcap"
lab_check "both captures from standard input -> exit 2" bad 2 "only one capture" - -
lab_check "file cut mid-record -> one warning, partial report, healthy part exits 2" \
	bad 2 "damaged after [0-9]* packets" "$T/cut.pcap"
lab_check "file cut mid-record: the partial report is printed" grep -q "Verdict:" "$T/o"
python3 "$G" cut "$F/bh4-server.pcap" "$T/cut2.pcap" 27000
lab_check "file cut late: the black hole before the cut still found (exit 1)" \
	bad 1 "damaged after" "$T/cut2.pcap"
lab_check "unwritable --svg -> exit 3" bad 3 "cannot write" --svg /nonexistent-dir/x.svg "$F/bh4-server.pcap"
lab_check "unknown option -> exit 2" bad 2 "unknown option" --frobnicate "$F/bh4-server.pcap"
lab_check "--svg without a value -> exit 2" bad 2 "needs a value" "$F/bh4-server.pcap" --svg
lab_check "--help lists every option and examples" \
	bash -c "'$W' analyze --help | grep -q -- '--svg FILE' && '$W' analyze --help | grep -q -- '--json' && '$W' analyze --help | grep -q Examples"
lab_check "wgmtu help lists analyze" bash -c "'$W' --help | grep -q '^  analyze'"
lab_done
