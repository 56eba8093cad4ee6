#!/bin/bash
# wgmtu analyze on fresh captures of real traffic: wireguard-go on both
# ends, tcpdump on both outer interfaces, an HTTP download through the
# tunnel. Scenarios: the story's black hole (1454-byte link, routers drop
# ICMP too-big, WireGuard MTU 1420) over IPv4 and IPv6 outer; the same link
# with ICMP allowed (too-big seen, the sender fragments); a healthy path;
# random loss (verdict "loss", never "black_hole").
#
# ANA_SAVE=DIR keeps the captures (that is how tests/fixtures/analyze/ was made).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_analyze.sh"
lab_init
W="$LAB_BUILD/wgmtu"
T=$LAB_TMP
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
save() { [ -n "${ANA_SAVE:-}" ] && cp "$T/$1-client.pcap" "$T/$1-server.pcap" "$ANA_SAVE/"; return 0; }
rc_of() { "$W" analyze "$@" >/dev/null 2>&1; echo $?; }

# --- the story over IPv4 -------------------------------------------------
ana_scenario bh4 4 1454 1 0 30000 0
save bh4
lab_check "bh4: curl through the black hole timed out" eq "$(cat "$T/bh4.curl")" 28
lab_check "bh4: two captures -> black_hole" \
	eq "$(ana_json "$T/bh4-client.pcap" "$T/bh4-server.pcap" -- 'd["verdict"]')" black_hole
lab_check "bh4: order does not matter" \
	eq "$(ana_json "$T/bh4-server.pcap" "$T/bh4-client.pcap" -- 'd["verdict"]')" black_hole
lab_check "bh4: every 1452-byte datagram from the server was lost, nothing smaller" \
	eq "$(ana_json "$T/bh4-client.pcap" "$T/bh4-server.pcap" -- \
	'[(x["lost_sizes"], x["min_lost"], x["lost"] > 2, x["max_delivered"] < 1480, x["sent"] == x["received"] + x["lost"]) for x in d["directions"] if x["verdict"] == "black_hole"][0]')" \
	"([1452], 1480, True, True, True)"
lab_check "bh4: the client's direction is healthy" \
	eq "$(ana_json "$T/bh4-client.pcap" "$T/bh4-server.pcap" -- \
	'[x["verdict"] for x in d["directions"] if x["from"].startswith("10.77.0.1")]')" "['healthy']"
lab_check "bh4: the server's capture alone shows the black hole" \
	eq "$(ana_json "$T/bh4-server.pcap" -- 'd["verdict"], [[x["unanswered_size"]] for x in d["directions"] if x["verdict"] == "black_hole"]')" \
	"('black_hole', [[1452]])"
lab_check "bh4: exit code 1 (problem found)" eq "$(rc_of "$T/bh4-client.pcap" "$T/bh4-server.pcap")" 1
lab_check "bh4: the text says it in plain words" \
	bash -c "'$W' analyze '$T/bh4-client.pcap' '$T/bh4-server.pcap' | grep -E 'of [0-9]+ datagrams of 1452 bytes from 10.77.2.2:51820 to 10.77.0.1:51820 were lost' &&
		 '$W' analyze '$T/bh4-client.pcap' '$T/bh4-server.pcap' | grep 'no ICMP too-big seen -> black hole between [0-9]* and 1480 bytes'"
lab_check "bh4: --svg writes a timeline with lost packets and the MTU lines" \
	bash -c "'$W' analyze --svg '$T/bh4.svg' '$T/bh4-client.pcap' '$T/bh4-server.pcap' >/dev/null;
		 grep -q 'smallest lost: 1480' '$T/bh4.svg' && grep -q 'largest arrived' '$T/bh4.svg' && grep -q '<path d=' '$T/bh4.svg'"

# --- the story over IPv6 outer: 1420 + 80 = 1500-byte packets -------------
ana_scenario bh6 6 1454 1 0 30000 0
save bh6
lab_check "bh6: two captures -> black_hole at 1500 bytes (IPv6)" \
	eq "$(ana_json "$T/bh6-server.pcap" "$T/bh6-client.pcap" -- \
	'd["verdict"], [(x["family"], x["min_lost"], x["lost_sizes"]) for x in d["directions"] if x["verdict"] == "black_hole"]')" \
	"('black_hole', [('ipv6', 1500, [1452])])"
lab_check "bh6: the server's capture alone shows the black hole" \
	eq "$(ana_json "$T/bh6-server.pcap" -- 'd["verdict"]')" black_hole

# --- same link, ICMP allowed: too-big seen, the sender fragments ---------
ana_scenario ptb4 4 1454 0 0 30000 0
save ptb4
lab_check "ptb4: curl completed" eq "$(cat "$T/ptb4.curl")" 0
lab_check "ptb4: ICMP too-big with MTU 1454 seen in the server's capture" \
	eq "$(ana_json "$T/ptb4-server.pcap" -- 'sorted(set(p["mtu"] for p in d["captures"][0]["icmp_too_big"]))')" "[1454]"
lab_check "ptb4: fragments recognised, verdict is not black_hole" \
	eq "$(ana_json "$T/ptb4-server.pcap" "$T/ptb4-client.pcap" -- 'd["verdict"] != "black_hole", d["captures"][0]["fragments"] > 0')" "(True, True)"

# --- healthy --------------------------------------------------------------
ana_scenario ok4 4 1500 0 0 20000 0
save ok4
lab_check "healthy: curl completed" eq "$(cat "$T/ok4.curl")" 0
lab_check "healthy: two captures -> healthy, exit 0" \
	eq "$(ana_json "$T/ok4-client.pcap" "$T/ok4-server.pcap" -- 'd["verdict"], sum(x["lost"] for x in d["directions"])'):$(rc_of "$T/ok4-client.pcap" "$T/ok4-server.pcap")" \
	"('healthy', 0):0"
lab_check "healthy: the server's capture alone -> healthy" \
	eq "$(ana_json "$T/ok4-server.pcap" -- 'd["verdict"]')" healthy

# --- random loss, headers only (snaplen 128) -----------------------------
ana_scenario loss4 4 1500 0 10 150000 128
save loss4
lab_check "loss: two captures -> loss, not black_hole" \
	eq "$(ana_json "$T/loss4-client.pcap" "$T/loss4-server.pcap" -- 'd["verdict"]')" loss
lab_check "loss: lost sizes include small and large datagrams" \
	eq "$(ana_json "$T/loss4-client.pcap" "$T/loss4-server.pcap" -- \
	'any(x["lost"] and x["min_lost"] <= x["max_delivered"] for x in d["directions"])')" True
v=$(ana_json "$T/loss4-server.pcap" -- 'd["verdict"]')
lab_check "loss: the server's capture alone is not called a black hole ($v)" \
	bash -c "[ '$v' != black_hole ] && [ -n '$v' ]"
lab_check "loss: snaplen-cut packets are reported" \
	bash -c "'$W' analyze '$T/loss4-server.pcap' | grep -q 'cut short by the capture'"
ana_teardown
lab_check "no wireguard-go left behind" bash -c "! pgrep -f 'wireguard-go -f [w]a$$' >/dev/null"
lab_done
