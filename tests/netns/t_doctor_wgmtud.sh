#!/bin/bash
# doctor and tune on an interface served by wgmtud: doctor reports
# wgmtud's own per-peer path MTU (its wgmtu_* UAPI keys) without probing,
# and tune leaves it alone (wgmtud applies its MTUs itself). With probing
# off wgmtud no longer guards the peer: doctor measures it like any peer
# and finds the black hole (it used to say "ok").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
W="$LAB_BUILD/wgmtu"
pmd_story wireguard-go wgmtud 4
json() { python3 -c "import json,sys; d=json.load(sys.stdin); i=d['interfaces'][0]; p=i['peers'][0]; print($1)"; }
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "wgmtud's search completes" pmd_wait_key 15 "$VIF" wgmtu_state search_complete
PM=$(pmd_get "$VIF" wgmtu_path_mtu) EM=$(pmd_get "$VIF" wgmtu_effective_mtu)
lab_run vps "$W" doctor --json "$VIF" >"$LAB_TMP/d.json"; RC=$?
lab_check "doctor: exit 0" eq "$RC" 0
lab_check "doctor: implementation wgmtud, its path and effective MTU, ok" \
	eq "$(json 'i["implementation"], i["wgmtud"], p["method"], p["wgmtud_path_mtu"], p["wgmtud_effective_mtu"], p["verdict"], p["probes_sent"], p["wgmtud_guarded"]' <"$LAB_TMP/d.json")" \
	"wgmtud True wgmtud $PM $EM ok 0 True"
lab_check "doctor text names wgmtud" bash -c "ip netns exec $(lab_ns vps) '$W' doctor '$VIF' | grep -q 'wgmtud       serves this peer: path MTU $PM'"
R0=$(lab_run vps ip route show table all)
lab_run vps "$W" tune "$VIF" >"$LAB_TMP/t.txt"; RC=$?
lab_check "tune: exit 0, nothing to tune" bash -c "[ $RC = 0 ] && grep -q 'nothing to tune' '$LAB_TMP/t.txt'"
lab_check "tune changed no route" eq "$(lab_run vps ip route show table all)" "$R0"
lab_check_fails "tune loaded no nftables table" lab_run vps nft list table inet "wgmtu_$VIF"

lab_check "probing off on the vps" bash -c "$(declare -f pmd_uapi); pmd_uapi '$VIF' set=1 wgmtu_probe=off | grep -qx errno=0"
lab_check "... the peer is unguarded: method none" pmd_wait_key 5 "$VIF" wgmtu_method none
lab_run laptop ping -c1 -W1 10.99.0.2 >/dev/null # a fresh handshake: not idle
lab_run vps "$W" doctor --json "$VIF" >"$LAB_TMP/d2.json"; RC=$?
lab_check "doctor measures the unguarded peer: exit 1" eq "$RC" 1
lab_check "... black hole, measured through the tunnel, MTU 1392, wgmtud_guarded false" \
	eq "$(json 'p["verdict"], p["method"], p["mtu"], p["wgmtud_guarded"], p["wgmtud_method"], p["probes_sent"] > 0' <"$LAB_TMP/d2.json")" \
	"black-hole tunnel 1392 False none True"
lab_run vps "$W" doctor "$VIF" >"$LAB_TMP/d2.txt"
sed 's/^/# /' "$LAB_TMP/d2.txt"
lab_check "doctor text says wgmtud does not guard it" grep -q 'does not guard this peer (method none' "$LAB_TMP/d2.txt"
FIX=$(sed -n 's/^ *fix *let wgmtud find it: //p' "$LAB_TMP/d2.txt")
lab_check "... and prescribes turning wgmtud's probing back on ($FIX)" \
	eq "$FIX" "wgmtu set $VIF probe on peer $(cat "$LAB_TMP/$LIF.pub") probe auto"
# shellcheck disable=SC2086
lab_check "the prescription applies" lab_run vps "$W" ${FIX#wgmtu }
lab_check "... wgmtud guards the peer again" pmd_wait_key 15 "$VIF" wgmtu_state search_complete
lab_run vps "$W" doctor --json "$VIF" >"$LAB_TMP/d3.json"; RC=$?
lab_check "doctor: exit 0 again, guarded" \
	eq "$RC $(json 'p["verdict"], p["wgmtud_guarded"]' <"$LAB_TMP/d3.json")" "0 ok True"
lab_done
