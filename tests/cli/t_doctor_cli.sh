#!/bin/bash
# wgmtu doctor's command line without a lab: help, usage errors, and what
# it says when `wg` fails, prints garbage or lists interfaces that are not
# here ($WGMTU_WG points at a fake wg).
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT
rc_is() { local want=$1; shift; "$@" >"$LAB_TMP/out" 2>&1; local rc=$?; [ "$rc" = "$want" ] || { echo "exit $rc, want $want"; cat "$LAB_TMP/out"; return 1; }; }
fake() { printf '#!/bin/sh\n%s\n' "$1" >"$LAB_TMP/wg"; chmod +x "$LAB_TMP/wg"; }
K=fBup5PlA0Xj2XyXo8g7pR8y4nEfVj4a9Y8b2kVb8b1E=

lab_check "--help: exit 0, documents --json and the exit codes" \
	bash -c "'$W' doctor --help | grep -q -- '--json' && '$W' doctor --help | grep -q 'Exit status'"
lab_check "wgmtu help doctor" bash -c "'$W' help doctor | grep -q 'wgmtu doctor'"
lab_check "listed in wgmtu --help" bash -c "'$W' --help | grep -q '^  doctor'"
lab_check "unknown option: exit 2" rc_is 2 "$W" doctor --frobnicate
lab_check "bad --method: exit 2" rc_is 2 "$W" doctor --method carrier-pigeon
lab_check "bad --timeout: exit 2" rc_is 2 "$W" doctor --timeout 0
lab_check "two interfaces: exit 2" rc_is 2 "$W" doctor wg0 wg1
lab_check "a name with a slash: exit 2" rc_is 2 "$W" doctor ../x
fake 'exit 1'
lab_check "wg fails: exit 3" rc_is 3 env WGMTU_WG="$LAB_TMP/wg" "$W" doctor
lab_check "... and says so" grep -q "show all dump' failed" "$LAB_TMP/out"
lab_check "wg missing: exit 3, names wireguard-tools" \
	bash -c "WGMTU_WG=/nonexistent/wg '$W' doctor 2>&1 | grep -q wireguard-tools"
# wg waits for ever on a userspace daemon that accepts and never answers
# (a stopped or wedged wireguard-go/wgmtud): doctor used to wait with it
fake 'exec sleep 29.7'
lab_check "wg hanging: exit 3 within 10 x WGMTU_UAPI_TIMEOUT_MS, says so" bash -c "
	s=\$(date +%s%N); WGMTU_WG='$LAB_TMP/wg' WGMTU_UAPI_TIMEOUT_MS=100 '$W' doctor >'$LAB_TMP/out' 2>&1; rc=\$?
	e=\$(( (\$(date +%s%N) - s) / 1000000 )); echo \"exit \$rc after \$e ms\"; cat '$LAB_TMP/out'
	[ \$rc = 3 ] && [ \$e -ge 900 ] && [ \$e -lt 5000 ] && grep -q 'did not finish within 1000 ms' '$LAB_TMP/out'"
lab_check "... and the hanging wg is killed" bash -c "! pgrep -fx 'sleep 29.7'"
fake 'printf "wg0\tjunk\n"'
lab_check "garbage from wg: exit 3, names the line" rc_is 3 env WGMTU_WG="$LAB_TMP/wg" "$W" doctor
lab_check "... line 1" grep -q "line 1" "$LAB_TMP/out"
fake 'printf ""'
lab_check "no WireGuard interface at all: exit 3" rc_is 3 env WGMTU_WG="$LAB_TMP/wg" "$W" doctor
lab_check "... says so" grep -q "No WireGuard interface" "$LAB_TMP/out"
lab_check "IFACE not a WireGuard interface: exit 3" rc_is 3 env WGMTU_WG="$LAB_TMP/wg" "$W" doctor wg0
# `wg show all dump` has the interface column, `wg show IF dump` not
fake "if [ \"\$2\" = all ]; then printf 'wgnothere0\t(none)\t$K\t51820\toff\n'; else printf '(none)\t$K\t51820\toff\n'; fi"
lab_check "an interface of another namespace: skipped, exit 3" rc_is 3 env WGMTU_WG="$LAB_TMP/wg" "$W" doctor
lab_check "... says where it is not" grep -q "not in this network namespace" "$LAB_TMP/out"
lab_check "--json: present false" \
	bash -c "WGMTU_WG='$LAB_TMP/wg' '$W' doctor --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"interfaces\"][0][\"present\"] is False and d[\"verdict\"] == \"unknown\"'"
lab_check "--json is one line, like every other command's" \
	bash -c "[ \"\$(WGMTU_WG='$LAB_TMP/wg' '$W' doctor --json | wc -l)\" = 1 ]"
lab_check "--pretty indents the same object (implies --json)" \
	bash -c "WGMTU_WG='$LAB_TMP/wg' '$W' doctor --pretty | python3 -c 'import json,sys; t=sys.stdin.read(); assert t.count(chr(10)) > 3; assert json.loads(t)[\"verdict\"] == \"unknown\"'"
# a wgmtud interface (fake wg + fake UAPI server on "lo") whose peer has no
# path MTU yet: doctor must not print "path MTU 0". While wgmtud searches
# (method inband) it guards the peer; with method none it does not, and
# doctor measures the peer itself (idle here: no handshake, so exit 3)
mkdir -p "$LAB_TMP/uapi"
fake "printf '(none)\t$K\t51820\toff\n$K\t(none)\t192.0.2.7:51820\t10.99.0.1/32\t0\t0\t0\toff\n'"
fake_get() { # STATE METHOD
	printf 'listen_port=51820\nwgmtu_version=1\nwgmtu_probe=on\npublic_key=%s\nendpoint=192.0.2.7:51820\nallowed_ip=10.99.0.1/32\nwgmtu_state=%s\nwgmtu_method=%s\nwgmtu_path_mtu=0\nwgmtu_effective_mtu=1420\nerrno=0\n\n' \
		"$(printf %s "$K" | base64 -d | od -An -tx1 -v | tr -d ' \n')" "$1" "$2" >"$LAB_TMP/get"
	python3 "$LAB_ROOT/tests/tools/uapi_fake_server.py" --sock "$LAB_TMP/uapi/lo.sock" --get "$LAB_TMP/get" &
	FAKE=$!
	lab_wait_for 5 test -S "$LAB_TMP/uapi/lo.sock"
}
trap 'kill $FAKE 2>/dev/null; rm -rf "$LAB_TMP"' EXIT
fake_get searching inband
lab_check "wgmtud searching for its peer's path MTU: doctor says it is not measured yet, not 'path MTU 0', exit 0" bash -c "
	WGMTU_WG='$LAB_TMP/wg' WGMTU_UAPI_DIR='$LAB_TMP/uapi' '$W' doctor lo >'$LAB_TMP/out' 2>&1; rc=\$?
	[ \$rc = 0 ] && grep -q 'serves this peer: path MTU not measured (searching), effective MTU 1420' '$LAB_TMP/out' &&
	! grep -q 'path MTU 0' '$LAB_TMP/out' || { echo rc=\$rc; cat '$LAB_TMP/out'; exit 1; }"
kill $FAKE 2>/dev/null; wait $FAKE 2>/dev/null; rm -f "$LAB_TMP/uapi/lo.sock"
fake_get disabled none
lab_check "wgmtud not guarding its peer (method none): doctor does not call it ok (idle: exit 3)" bash -c "
	WGMTU_WG='$LAB_TMP/wg' WGMTU_UAPI_DIR='$LAB_TMP/uapi' '$W' doctor lo >'$LAB_TMP/out' 2>&1; rc=\$?
	[ \$rc = 3 ] && grep -q 'does not guard this peer (method none, state disabled, effective MTU 1420)' '$LAB_TMP/out' &&
	! grep -q 'verdict      ok' '$LAB_TMP/out' || { echo rc=\$rc; cat '$LAB_TMP/out'; exit 1; }"
kill $FAKE 2>/dev/null

# not root: wg answers "Permission denied" for every interface; say so
chmod 755 "$LAB_TMP"
fake 'echo "Unable to access interface wg0: Permission denied" >&2; exit 1'
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env WGMTU_WG="$LAB_TMP/wg" "$@"; }
lab_check "not root, wg fails: exit 3, says to run as root" rc_is 3 nobody "$W" doctor
lab_check "... run as root" grep -q "run as root" "$LAB_TMP/out"
lab_check "not root, IFACE not listed: exit 3, says to run as root" rc_is 3 nobody "$W" doctor wg0
lab_check "... run as root" grep -q "run as root" "$LAB_TMP/out"
lab_check "tune, not root, IFACE not listed: exit 3, says to run as root" rc_is 3 nobody "$W" tune wg0
lab_check "... run as root" grep -q "run as root" "$LAB_TMP/out"
lab_check "as root the same failure does not blame root" \
	bash -c "! WGMTU_WG='$LAB_TMP/wg' '$W' doctor wg0 2>&1 | grep -q 'run as root'"
lab_done
