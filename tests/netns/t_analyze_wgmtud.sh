#!/bin/bash
# wgmtu analyze on captures taken on wgmtud hosts: the story's path (1454
# bottleneck, ICMP too-big dropped), wgmtud at both ends, a 10 MB download.
# The captures hold UDP GSO/GRO super-packets of up to 64 KB and wgmtud's
# in-band probes above the path MTU; neither is loss. Set ANA_SAVE=DIR to
# keep the captures (tests/fixtures/analyze/wgmtud4-*.pcap are their first
# 108 packets: tcpdump -r IN -c 108 -w OUT). Usage: t_analyze_wgmtud.sh
# [4|6] (outer family; t_analyze_wgmtud6.sh runs IPv6).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
W="$LAB_BUILD/wgmtu"
FAM=${1:-4}
HDR=28; [ "$FAM" = 6 ] && HDR=48   # IP + UDP header bytes
lab_init
pmd_story wgmtud wgmtud "$FAM"
CL="$LAB_TMP/laptop.pcap" CV="$LAB_TMP/vps.pcap"
lab_bg laptop tcpdump-l tcpdump -n -U --immediate-mode -i v-home -w "$CL" udp or icmp or icmp6
TL=$LAB_LASTPID
lab_bg vps tcpdump-v tcpdump -n -U --immediate-mode -i v-isp -w "$CV" udp or icmp or icmp6
TV=$LAB_LASTPID
# the receiving end again with a short snaplen (the WireGuard header and
# no more): super-packets cut before their second message cannot be split
SNAP=$((14 + HDR + 16))
CS="$LAB_TMP/laptop-short.pcap"
lab_bg laptop tcpdump-s tcpdump -n -U --immediate-mode -s "$SNAP" -i v-home -w "$CS" udp
TS=$LAB_LASTPID
lab_wait_for 5 grep -q listening "$LAB_TMP/tcpdump-l.log" || lab_die "tcpdump (laptop) did not start"
lab_wait_for 5 grep -q listening "$LAB_TMP/tcpdump-v.log" || lab_die "tcpdump (vps) did not start"
lab_wait_for 5 grep -q listening "$LAB_TMP/tcpdump-s.log" || lab_die "tcpdump (short snaplen) did not start"
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "laptop: discovery completes" pmd_wait_key 10 "$LIF" wgmtu_state search_complete
lab_check "10 MB laptop <- vps" pmd_fetch laptop http://10.99.0.2:8080/big 20 big
sleep 0.5
kill -INT "$TL" "$TV" "$TS" 2>/dev/null
wait "$TL" "$TV" "$TS" 2>/dev/null
[ -n "${ANA_SAVE:-}" ] && cp "$CL" "$CV" "$ANA_SAVE/"

big=$(tcpdump -n -r "$CV" 2>/dev/null | awk -v m=$((1500 - HDR)) '$NF > m' | wc -l)
lab_check "IPv$FAM: the vps capture holds UDP GSO super-packets ($big above the link MTU)" test "$big" -gt 0
"$W" analyze --json "$CL" "$CV" >"$LAB_TMP/a.json"; rc=$?
jq_() { python3 -c "import json,sys; d=json.load(open('$LAB_TMP/a.json')); print(($1))"; }
lab_check "both captures: healthy, exit 0 (was: black hole, exit 1)" \
	test "$rc $(jq_ 'd["verdict"]')" = "0 healthy"
lab_check "both captures: nothing lost, sent = received in both directions" \
	test "$(jq_ '[(x["lost"], x["sent"] == x["received"]) for x in d["directions"]]')" = "[(0, True), (0, True)]"
lab_check "the 10 MB arrive as ~7000+ datagrams no larger than the link (probes included)" \
	test "$(jq_ 'max(x["received"] for x in d["directions"]) > 7000 and all(s["ip"] <= 1500 for x in d["directions"] for s in x["sizes"])')" = True
lab_check "both captures: the path MTU proven is 1454 in the bulk direction" \
	test "$(jq_ 'max(x["path_mtu_min"] or 0 for x in d["directions"])')" = 1454
lab_check "super-packets were split" test "$(jq_ 'all(c["gso_super_packets"] > 0 for c in d["captures"])')" = True
lab_check "wgmtud's probes above 1454 reported apart" \
	test "$(jq_ 'all(x["probes_unanswered"] > 0 and x["probe_min_unanswered"] > 1454 for x in d["directions"])')" = True
lab_check "the sending end's capture alone: healthy (exit 0)" "$W" analyze "$CV"
lab_check "the receiving end's capture alone: healthy (exit 0)" "$W" analyze "$CL"
cut_ok() {
	"$W" analyze --json "$CS" >"$LAB_TMP/s.json"; local rc=$?
	python3 - "$LAB_TMP/s.json" "$rc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["captures"][0]
big = max(d["directions"], key=lambda x: x["counter_gaps"])
print(sys.argv[2], d["verdict"], c["gso_unsplit"], big["counter_gaps"], big["counter_gaps_in_cut_super_packets"])
assert sys.argv[2] == "0" and d["verdict"] == "healthy", "verdict"
assert c["gso_unsplit"] > 0 and big["counter_gaps_in_cut_super_packets"] > 1000
PY
}
lab_check "snaplen $SNAP at the receiving end: super-packets left whole, their counters not loss" cut_ok
lab_done
