#!/bin/bash
# wgmtu doctor in the story's lab: wireguard-go on both ends (standing in
# for the kernel module) at MTU 1420 over a 1454-byte path whose routers
# drop ICMP too-big. Doctor, run on the VPS, names the black hole and
# prescribes the MTU: 1392 (IPv6 outer: 1360) measured inside the tunnel
# (both ends pad to 16 bytes), 1394 (IPv4 outer) / 1374 (IPv6 outer) from the endpoint outside.
# With the fix in place it says ok. Usage: t_doctor.sh [4|6] (outer family).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
FAM=${1:-4}
W="$LAB_BUILD/wgmtu"
pmd_story wireguard-go wireguard-go "$FAM"
# the peer by key: wireguard-go lists peers in no fixed order
json() { K=$(cat "$LAB_TMP/$LIF.pub") python3 -c "import json,os,sys; d=json.load(sys.stdin); p=[p for p in d['interfaces'][0]['peers'] if p['public_key'] == os.environ['K']][0]; print($1)"; }
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
rc_is() { local want=$1; shift; "$@"; local rc=$?; [ "$rc" = "$want" ] || { echo "exit $rc, want $want"; return 1; }; }
OVH=60; [ "$FAM" = 6 ] && OVH=80
# inside the tunnel both ends pad to 16 bytes: the largest echo whose
# padded size fits 1454 - OVH
TUN=$(( (1454 - OVH) / 16 * 16 ))
lab_check "tunnel ping works (the VPS learns the endpoint)" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
# a second peer that never connected: idle, not probed, not counted
lab_wg_keys idle
lab_run vps wg set "$VIF" peer "$(cat "$LAB_TMP/idle.pub")" allowed-ips 10.99.0.9/32

lab_run vps "$W" doctor "$VIF" >"$LAB_TMP/d.txt"; RC=$?
sed 's/^/#   /' "$LAB_TMP/d.txt"
lab_check "exit 1: a problem" eq "$RC" 1
lab_check "names the black hole" grep -q "BLACK HOLE: packets of 1420 bytes" "$LAB_TMP/d.txt"
lab_check "prescribes MTU = $TUN (measured inside the tunnel, padding)" grep -q "MTU = $TUN in \[Interface\]" "$LAB_TMP/d.txt"
lab_check "says which implementation" grep -q "userspace" "$LAB_TMP/d.txt"
lab_check "no MSS clamp found" grep -q "TCP MSS clamp  none" "$LAB_TMP/d.txt"
lab_check "the idle peer is not probed" grep -q "not probed: idle, no handshake yet" "$LAB_TMP/d.txt"

lab_run vps "$W" doctor --json "$VIF" >"$LAB_TMP/d.json"
echo "# inside the tunnel: $(json '"%s probes, %s ms" % (p["probes_sent"], p["elapsed_ms"])' <"$LAB_TMP/d.json")"
lab_check "json: verdict black-hole, method tunnel, mtu $TUN" \
	eq "$(json 'p["verdict"], p["method"], p["mtu"], p["probe_address"], p["black_hole"]' <"$LAB_TMP/d.json")" "black-hole tunnel $TUN 10.99.0.1 True"
lab_check "json: implementation userspace, mtu 1420" \
	eq "$(python3 -c "import json,sys; d=json.load(sys.stdin); i=d['interfaces'][0]; print(i['implementation'], i['mtu'], d['verdict'])" <"$LAB_TMP/d.json")" "userspace 1420 problem"

lab_run vps "$W" doctor --json --method endpoint "$VIF" >"$LAB_TMP/e.json"
echo "# at the endpoint: $(json '"%s probes, %s ms" % (p["probes_sent"], p["elapsed_ms"])' <"$LAB_TMP/e.json")"
lab_check "endpoint method: path 1454, MTU = $((1454 - OVH))" \
	eq "$(json 'p["method"], p["measured"], p["mtu"], p["verdict"]' <"$LAB_TMP/e.json")" "endpoint 1454 $((1454 - OVH)) black-hole"

# the hand fix on both ends: healthy
lab_run laptop ip link set "$LIF" mtu $TUN
lab_run vps ip link set "$VIF" mtu $TUN
lab_run vps "$W" doctor "$VIF" >"$LAB_TMP/ok.txt"; RC=$?
sed 's/^/#   /' "$LAB_TMP/ok.txt"
lab_check "MTU $TUN on both ends: exit 0, verdict ok (the idle peer does not count)" eq "$RC/$(grep -c 'verdict      ok' "$LAB_TMP/ok.txt")" 0/1
lab_run vps "$W" doctor --json --all --timeout 2 "$VIF" >"$LAB_TMP/all.json"; RC=$?
lab_check "--all probes the idle peer too: no reply, exit 3" \
	eq "$RC/$(K=$(cat "$LAB_TMP/idle.pub") python3 -c "import json,os,sys; d=json.load(sys.stdin); print([p for p in d['interfaces'][0]['peers'] if p['public_key'] == os.environ['K']][0]['verdict'])" <"$LAB_TMP/all.json")" 3/unknown
lab_check "an unknown interface: exit 3" rc_is 3 lab_run vps "$W" doctor nosuchwg0
lab_done
