#!/bin/bash
# wgmtu set against interfaces that are not wgmtud's: what it says and its
# exit code (wgmtu-set(1)). No daemon: WGMTU_UAPI_DIR is an empty directory.
# (The fake-daemon cases are in t_show_set.sh.)
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT
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
lab_done
