# shellcheck shell=bash
# tests/netns/lib_probe.sh — helpers for the wgmtu probe/responder scenarios.
# Source after lib.sh. The story's path is built by probe_lab.

W="$LAB_BUILD/wgmtu"

# probe_lab: client - home - isp - server, 1454-byte link between the routers.
probe_lab() {
	lab_chain client home isp server -- 1500 1454 1500
	S4=$(lab_ip4 server); S6=$(lab_ip6 server)
	HOME4=$(lab_ip4 home)
	HOME6=$(python3 -c "import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]))" "$(lab_ip6 home)")
}

# probe_json NAME NODE ARGS...: runs wgmtu probe --json in NODE, saves the
# document in $LAB_TMP/NAME.json and the exit status in $LAB_TMP/NAME.rc.
probe_json() {
	local name=$1 node=$2; shift 2
	lab_run "$node" timeout 60 "$W" probe --json "$@" >"$LAB_TMP/$name.json" 2>"$LAB_TMP/$name.err"
	echo $? >"$LAB_TMP/$name.rc"
	[ "${LAB_VERBOSE:-0}" = 1 ] && cat "$LAB_TMP/$name.json" "$LAB_TMP/$name.err" >&2
	return 0
}

# pj NAME EXPR: a Python expression over the saved document d.
pj() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$LAB_TMP/$1.json"
}

# eq GOT WANT
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }

# probe_rc NAME: the exit status of the saved run.
probe_rc() { cat "$LAB_TMP/$1.rc"; }

# probe_keys NAME: every key the issue asks for is present.
probe_keys() {
	python3 - "$LAB_TMP/$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
need = ["target", "family", "method", "path_mtu", "black_hole", "ptb_seen", "hop",
        "reverse_path_mtu", "probes_sent", "elapsed_ms",
        "wireguard_mtu_ipv4_outer", "wireguard_mtu_ipv6_outer"]
miss = [k for k in need if k not in d]
if miss:
    print("missing keys:", miss); sys.exit(1)
if d["hop"] is not None:
    for k in ["last_ok_ttl", "last_ok_addr", "first_silent_ttl"]:
        if k not in d["hop"]:
            print("hop lacks", k); sys.exit(1)
PY
	# every key documented in wgmtu-probe(1), enums without spaces, one line
	python3 "$LAB_ROOT/tests/tools/json_schema.py" "$LAB_ROOT/man/wgmtu-probe.1" \
		family method socket state locate error <"$LAB_TMP/$1.json" >/dev/null
}

# probe_explain NAME: print the saved run (for a failing check's log).
probe_explain() { cat "$LAB_TMP/$1.json" "$LAB_TMP/$1.err" 2>/dev/null; }
