#!/bin/bash
# wgmtu set (and show) against interfaces that are not wgmtud's: what it says and its
# exit code (wgmtu-set(1)), and what set checks against the daemon's state
# (a fake wgmtud: tests/tools/uapi_fake_server.py). Most fake-daemon cases
# are in t_show_set.sh.
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
LAB_TMP=$(mktemp -d)
FAKE_PID=
trap '[ -n "$FAKE_PID" ] && kill $FAKE_PID 2>/dev/null; rm -rf "$LAB_TMP"' EXIT
mkdir -p "$LAB_TMP/uapi"
rc_is() { local want=$1; shift; WGMTU_UAPI_DIR="$LAB_TMP/uapi" "$@" >"$LAB_TMP/o" 2>"$LAB_TMP/e"; local rc=$?; [ "$rc" = "$want" ] || { echo "exit $rc, want $want"; cat "$LAB_TMP/e"; return 1; }; }

lab_check "no such interface: exit 3" rc_is 3 "$W" set wgqanone0 probe on
lab_check "... 'no such WireGuard interface'" grep -q "no such WireGuard interface" "$LAB_TMP/e"
# an interface that exists without a UAPI socket, as kernel WireGuard does
# ('lo' stands for it): say why set cannot work there, not "no such"
lab_check "an existing interface without a socket: exit 3" rc_is 3 "$W" set lo probe on
lab_check "... says it exists and no userspace daemon serves it" \
	grep -q "the interface exists but no userspace daemon serves it" "$LAB_TMP/e"
lab_check "... not 'no such WireGuard interface'" bash -c "! grep -q 'no such' '$LAB_TMP/e'"
lab_check "show on an existing interface without a socket: exit 3" rc_is 3 "$W" show lo
lab_check "... says it exists, names wg show and doctor" \
	grep -q "the interface exists but no userspace daemon serves it.*wg show lo.*wgmtu doctor lo" "$LAB_TMP/e"
lab_check "show on no such interface: still 'no such WireGuard interface'" \
	bash -c "! WGMTU_UAPI_DIR='$LAB_TMP/uapi' '$W' show wgqanone0 2>&1 | grep -q 'exists'"

# probe-address must lie in the peer's allowed IPs: the echo replies come
# from it, and wgmtud drops what a peer sends from outside them
K=fBup5PlA0Xj2XyXo8g7pR8y4nEfVj4a9Y8b2kVb8b1E=
HEX=$(printf %s "$K" | base64 -d | od -An -tx1 -v | tr -d ' \n')
printf 'listen_port=51820\nwgmtu_version=1\npublic_key=%s\nallowed_ip=10.9.0.0/24\nallowed_ip=fd09::/64\nerrno=0\n\n' "$HEX" >"$LAB_TMP/get"
python3 "$LAB_ROOT/tests/tools/uapi_fake_server.py" --sock "$LAB_TMP/uapi/wgf0.sock" \
	--get "$LAB_TMP/get" --record "$LAB_TMP/rec" &
FAKE_PID=$!
lab_wait_for 5 test -S "$LAB_TMP/uapi/wgf0.sock"
lab_check "probe-address outside the peer's allowed IPs: exit 3" \
	rc_is 3 "$W" set wgf0 peer "$K" probe-address 10.9.1.1
lab_check "... names the address and the allowed IPs" \
	grep -q "probe-address 10.9.1.1 is not in the allowed IPs of peer $K (10.9.0.0/24, fd09::/64)" "$LAB_TMP/e"
lab_check "... and sends nothing" test ! -s "$LAB_TMP/rec"
lab_check "IPv6 outside: exit 3" rc_is 3 "$W" set wgf0 peer "$K" probe-address fd0a::1
lab_check "inside a subnet: applied (IPv4)" rc_is 0 "$W" set wgf0 peer "$K" probe-address 10.9.0.77
lab_check "inside a subnet: applied (IPv6)" rc_is 0 "$W" set wgf0 peer "$K" probe-address fd09::5
lab_check "... sent to the daemon" grep -q "wgmtu_probe_address=fd09::5" "$LAB_TMP/rec"
lab_check "auto is not checked" rc_is 0 "$W" set wgf0 peer "$K" probe-address auto
lab_done
