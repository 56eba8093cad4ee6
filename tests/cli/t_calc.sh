#!/bin/bash
# wgmtu calc as a user runs it: the issue's examples, JSON, bad input.
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
calc_json() { "$W" calc "$@" --json; }

lab_check "--path-mtu 1454 --outer ipv4 -> 1394" \
	eq "$(calc_json --path-mtu 1454 --outer ipv4 | json 'd["wireguard_mtu"]')" 1394
lab_check "--path-mtu 1454 --outer ipv6 -> 1374" \
	eq "$(calc_json --path-mtu 1454 --outer ipv6 | json 'd["wireguard_mtu"]')" 1374
lab_check "--link-mtu 1500 --encap pppoe,dslite --outer ipv4 -> 1392" \
	eq "$(calc_json --link-mtu 1500 --encap pppoe,dslite --outer ipv4 | json 'd["wireguard_mtu"]')" 1392
lab_check "--path-mtu 1500 --outer ipv6 -> 1420" \
	eq "$(calc_json --path-mtu 1500 --outer ipv6 | json 'd["wireguard_mtu"]')" 1420
lab_check "both: minimum plus per-family values" \
	eq "$(calc_json --path-mtu 1454 | json 'd["wireguard_mtu"], d["families"]["ipv4"]["wireguard_mtu"], d["families"]["ipv6"]["wireguard_mtu"]')" "1374 1394 1374"
lab_check "JSON MSS for 1394" \
	eq "$(calc_json --path-mtu 1454 --outer ipv4 | json 'd["mss_ipv4"], d["mss_ipv6"], d["path_mtu"]')" "1354 1334 1454"
lab_check "JSON overhead items sum to 60" \
	eq "$(calc_json --path-mtu 1454 --outer ipv4 | json 'sum(x["bytes"] for x in d["overhead"])')" 60
lab_check "DS-Lite does not reduce native IPv6" \
	eq "$(calc_json --link-mtu 1500 --encap pppoe,dslite | json 'd["families"]["ipv6"]["path_mtu"], d["families"]["ipv4"]["path_mtu"]')" "1492 1452"
lab_check "text output shows the field layout and the MTU line" \
	bash -c "'$W' calc --path-mtu 1454 --outer ipv4 | grep -q 'receiver index' && '$W' calc --path-mtu 1454 --outer ipv4 | grep -q 'MTU = 1394'"
lab_check "1500/IPv6 text explains the default" \
	bash -c "'$W' calc --path-mtu 1500 --outer ipv6 | grep -q \"WireGuard's default\""

usage_err() { # expect exit 2 and exactly one line on stderr naming $1
	local want=$1; shift
	"$W" "$@" >"$LAB_TMP/o" 2>"$LAB_TMP/e"; local rc=$?
	[ $rc -eq 2 ] || { echo "exit $rc, want 2"; return 1; }
	[ "$(wc -l <"$LAB_TMP/e")" -eq 1 ] || { echo "stderr not one line:"; cat "$LAB_TMP/e"; return 1; }
	grep -q -- "$want" "$LAB_TMP/e" || { echo "stderr lacks '$want':"; cat "$LAB_TMP/e"; return 1; }
	[ ! -s "$LAB_TMP/o" ] || { echo "stdout not empty"; return 1; }
}
lab_check "non-number -> exit 2" usage_err "not a number" calc --path-mtu 14x4
lab_check "below 576 -> exit 2" usage_err "out of range" calc --path-mtu 500 --outer ipv4
lab_check "IPv6 below 1280 -> exit 2" usage_err "IPv6 minimum 1280" calc --path-mtu 1200 --outer ipv6
lab_check "unknown encapsulation -> exit 2" usage_err "unknown encapsulation 'ppoe'" calc --link-mtu 1500 --encap ppoe
lab_check "conflicting options -> exit 2" usage_err "conflict" calc --path-mtu 1454 --link-mtu 1500
lab_check "bad --outer -> exit 2" usage_err "ipv5" calc --path-mtu 1454 --outer ipv5
lab_check "missing value -> exit 2" usage_err "needs a value" calc --path-mtu
lab_check "no input -> exit 2" usage_err "need --path-mtu" calc
lab_check "unknown command -> exit 2" bash -c "'$W' frobnicate >/dev/null 2>&1; [ \$? -eq 2 ]"
lab_check "--help documents every option with examples" \
	bash -c "'$W' calc --help | grep -q -- '--link-mtu' && '$W' calc --help | grep -q 'Examples'"
lab_check "--version" bash -c "'$W' --version | grep -q '^wgmtu [0-9]'"
lab_check "help calc works" bash -c "'$W' help calc | grep -q -- '--path-mtu'"
lab_check "--list-encaps lists ipsec-esp with its assumption" \
	bash -c "'$W' calc --list-encaps | grep -A1 '^ipsec-esp ' | grep -q 'assumes'"
# --- JSON: compact, pretty, every key documented -------------------------
S="$LAB_ROOT/tests/tools/json_schema.py" M="$LAB_ROOT/man/wgmtu-calc.1"
lab_check "--json: one line, every key in wgmtu-calc(1)" \
	bash -c "'$W' calc --path-mtu 1454 --json | python3 '$S' '$M' outer carries field"
lab_check "--json with encapsulations: every key documented" \
	bash -c "'$W' calc --link-mtu 1500 --encap pppoe,dslite --json | python3 '$S' '$M' outer carries field"
lab_check "--list-encaps --json honours --json (was: the text table)" \
	eq "$("$W" calc --list-encaps --json | json '[(e["name"], e["bytes"], e["carries"]) for e in d["encapsulations"] if e["name"] in ("pppoe", "dslite", "6in4")]')" \
	"[('pppoe', 8, 'both'), ('dslite', 40, 'ipv4'), ('6in4', 20, 'ipv6')]"
lab_check "--json --list-encaps (either order): every key documented" \
	bash -c "'$W' calc --json --list-encaps | python3 '$S' '$M' carries"
lab_check "--pretty: the same document, indented" \
	bash -c "[ \"\$('$W' calc --path-mtu 1454 --pretty | python3 -c 'import json,sys; print(json.load(sys.stdin))')\" = \"\$('$W' calc --path-mtu 1454 --json | python3 -c 'import json,sys; print(json.load(sys.stdin))')\" ] && [ \$('$W' calc --path-mtu 1454 --pretty | wc -l) -gt 20 ]"
lab_check "--list-encaps with an MTU -> exit 2" usage_err "takes no MTU" calc --list-encaps --path-mtu 1500
lab_check "--encap 'pppoe, dslite' (a blank after the comma) -> 1392" \
	bash -c "'$W' calc --link-mtu 1500 --encap 'pppoe, dslite' --outer ipv4 --json | grep -q '\"wireguard_mtu\":1392'"
lab_done
