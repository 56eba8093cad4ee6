#!/bin/bash
# wgmtu probe / responder command lines that must be refused before anything
# is sent (exit 2, the reason on standard error); probes of ::1 and 127.0.0.1 (loopback).
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT

usage_err() { # WANT-STDERR ARGS...: exit 2, WANT on stderr, nothing on stdout
	local want=$1; shift
	timeout 5 "$W" "$@" >"$LAB_TMP/o" 2>"$LAB_TMP/e"; local rc=$?
	[ $rc -eq 2 ] || { echo "exit $rc, want 2"; cat "$LAB_TMP/e"; return 1; }
	grep -q -- "$want" "$LAB_TMP/e" || { echo "stderr lacks '$want':"; cat "$LAB_TMP/e"; return 1; }
	[ ! -s "$LAB_TMP/o" ] || { echo "stdout not empty"; return 1; }
}
lab_check "probe -4 -6 -> exit 2" usage_err "exclude each other" probe -4 -6 127.0.0.1
lab_check "probe -6 -4 -> exit 2" usage_err "exclude each other" probe -6 -4 ::1
lab_check "responder -4 -6 -> exit 2" usage_err "exclude each other" responder -4 -6
lab_check "probe without HOST -> exit 2" usage_err "which HOST" probe
lab_check "probe with two HOSTs -> exit 2" usage_err "one HOST only" probe a b
lab_check "probe --method tcp -> exit 2" usage_err "not offered" probe --method tcp a
lab_check "probe a link-local IPv6 address without a zone -> exit 2, says so" \
	usage_err "link-local address: name the interface" probe fe80::1
lab_check "probe 192.0.2.7:51820 (an endpoint, pasted from wg show) -> exit 2, names the host" \
	usage_err "give the host alone: wgmtu probe 192.0.2.7 " probe 192.0.2.7:51820
lab_check "probe [2001:db8::1]:51820 -> exit 2, names the host" \
	usage_err "give the host alone: wgmtu probe 2001:db8::1 " probe '[2001:db8::1]:51820'
lab_check "probe [::1] (brackets) probes ::1" \
	bash -c "timeout 20 '$W' probe --json --max 1300 '[::1]' | grep -q '\"address\":\"::1\"'"
lab_check "a path whose WireGuard MTU is below 1280 -> warns that IPv6 cannot run inside" \
	bash -c "timeout 20 '$W' probe -q --max 1300 127.0.0.1 | grep -q 'MTU 1240 is below 1280, the IPv6 minimum'"
lab_check "probe -4 ::1 -> exit 2, says the address is IPv6" usage_err "::1 is an IPv6 address, and -4 asks for IPv4" probe -4 ::1
lab_check "probe -6 127.0.0.1 -> exit 2, says the address is IPv4" usage_err "is an IPv4 address, and -6 asks for IPv6" probe -6 127.0.0.1
lab_check "responder --bind fe80::1 (no zone) -> exit 2, says so" \
	usage_err "link-local address: name the interface" responder --port 52999 --bind fe80::1
lab_check "responder --bind fe80::1%nosuchif -> exit 2, names the interface" \
	usage_err "no interface 'nosuchif'" responder --port 52999 --bind 'fe80::1%nosuchif'
lab_done
