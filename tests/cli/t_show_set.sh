#!/bin/bash
# wgmtu show / wgmtu set against a fake UAPI server (tests/tools/
# uapi_fake_server.py): canned get replies in, exact set requests out.
# No root, no namespaces: sockets live in a private WGMTU_UAPI_DIR.
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
FAKE="$LAB_ROOT/tests/tools/uapi_fake_server.py"
LAB_TMP=$(mktemp -d)
FAKE_PIDS=()
cleanup() {
	local p
	for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${FAKE_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$LAB_TMP"
}
trap cleanup EXIT
export WGMTU_UAPI_DIR="$LAB_TMP/run"
export WGMTU_UAPI_TIMEOUT_MS=2000
mkdir -p "$WGMTU_UAPI_DIR"

NOW=$(date +%s)
K1HEX=$(python3 -c 'print(bytes(range(1,33)).hex())')
K1=$(python3 -c 'import base64;print(base64.b64encode(bytes(range(1,33))).decode())')
K2HEX=$(python3 -c 'print(bytes(range(101,133)).hex())')
K2=$(python3 -c 'import base64;print(base64.b64encode(bytes(range(101,133))).decode())')
K3=$(python3 -c 'import base64;print(base64.b64encode(bytes(range(201,233))).decode())')
ZERO=$(printf '0%.0s' {1..64})

# serve NAME REPLYFILE [server options...]: start a fake daemon for NAME.
serve() {
	local name=$1 reply=$2; shift 2
	rm -f "$WGMTU_UAPI_DIR/$name.sock"
	python3 "$FAKE" --sock "$WGMTU_UAPI_DIR/$name.sock" --get "$reply" "$@" &
	FAKE_PIDS+=($!)
	lab_wait_for 5 test -S "$WGMTU_UAPI_DIR/$name.sock" || { echo "not ok - fake server $name did not start"; exit 1; }
}
unserve() { # NAME PID-index: stop the last server started
	local pid=${FAKE_PIDS[-1]}
	kill "$pid"; wait "$pid" 2>/dev/null
	unset 'FAKE_PIDS[-1]'
	rm -f "$WGMTU_UAPI_DIR/$1.sock"
}

dev_std() { printf 'private_key=%s\nlisten_port=51820\n' "$(printf 'ab%.0s' {1..32})"; }
dev_ext() { printf 'wgmtu_version=1\nwgmtu_probe=%s\nwgmtu_clamp_mss=%s\nwgmtu_max_mtu=%s\n' "$@"; }
peer_std() { # HEX ENDPOINT ALLOWED...
	local hex=$1 ep=$2 a; shift 2
	printf 'public_key=%s\npreshared_key=%s\nprotocol_version=1\n' "$hex" "$ZERO"
	[ -n "$ep" ] && printf 'endpoint=%s\n' "$ep"
	printf 'last_handshake_time_sec=%s\nlast_handshake_time_nsec=0\ntx_bytes=1000\nrx_bytes=2000\npersistent_keepalive_interval=0\n' $((NOW - 30))
	for a in "$@"; do printf 'allowed_ip=%s\n' "$a"; done
}
peer_ext() { # STATE METHOD PATH EFF PINNED ADDR AGO SENT BYTES PTB REASON
	printf 'wgmtu_state=%s\nwgmtu_method=%s\nwgmtu_path_mtu=%s\nwgmtu_effective_mtu=%s\nwgmtu_pinned_mtu=%s\nwgmtu_probe_address=%s\nwgmtu_last_change_sec=%s\nwgmtu_probes_sent=%s\nwgmtu_probe_bytes=%s\nwgmtu_ptb_hints=%s\nwgmtu_reason=%s\n' \
		"$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}" "${11}"
}
end_ok() { printf 'errno=0\n\n'; }

# 1. search complete with in-band probes; 2. icmp-tunnel; 3. none + reason
{ dev_std; dev_ext on on 1500
  peer_std "$K1HEX" 192.0.2.1:51820 10.99.0.2/32 fd00:99::2/128
  peer_ext search_complete inband 1454 1394 0 "" $((NOW - 125)) 9 12345 2 "in-band probes answered up to 1454"
  echo "wgmtu_future_key=kept"
  peer_std "$K2HEX" "[2001:db8::2]:51820" 10.99.0.3/32
  peer_ext search_complete icmp-tunnel 1454 1374 0 10.99.0.3 $((NOW - 7200)) 20 30000 0 "no reply to in-band probes; probing 10.99.0.3 inside the tunnel"
  end_ok; } >"$LAB_TMP/g_ext"
{ dev_std; dev_ext off off 9000
  peer_std "$K1HEX" 192.0.2.1:51820 0.0.0.0/0
  peer_ext base none 0 1420 0 "" 0 1 148 0 "peer answers no pings: keeping MTU 1420, MSS clamped"
  end_ok; } >"$LAB_TMP/g_none"
{ dev_std; peer_std "$K1HEX" 192.0.2.1:51820 10.99.0.2/32; end_ok; } >"$LAB_TMP/g_std"

serve wgx "$LAB_TMP/g_ext" --record "$LAB_TMP/rec"
serve wgn "$LAB_TMP/g_none"
serve wgs "$LAB_TMP/g_std"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
eq() { [ "$1" = "$2" ] || { echo "got/want diff:"; diff <(echo "$1") <(echo "$2"); return 1; }; }
has() { grep -qF -- "$2" <<<"$1" || { echo "missing: $2"; echo "$1"; return 1; }; }

out=$("$W" show wgx); rc=$?
lab_check "show wgx exits 0" eq "$rc" 0
lab_check "in-band: the important line first" has "$out" \
	"peer ${K1:0:8}… (192.0.2.1:51820): path MTU 1454 -> MTU 1394 (search complete, in-band probes, 2 min ago)"
lab_check "the headline directly follows the device block" \
	eq "$(sed -n 5p <<<"$out" | cut -c1-5)" "peer "
lab_check "device settings shown" has "$out" "path-MTU discovery: on; MSS clamping: on; max path MTU: 1500"
lab_check "full public key as wg prints it" has "$out" "public key:       $K1"
lab_check "reason line" has "$out" "why:              in-band probes answered up to 1454"
lab_check "probes and PTB hints" has "$out" "probes:           9 sent, 12345 bytes (12.1 KiB); PTB hints: 2"
lab_check "unknown wgmtu_ key kept" has "$out" "wgmtu_future_key: kept"
lab_check "icmp-tunnel headline (IPv6 endpoint)" has "$out" \
	"peer ${K2:0:8}… ([2001:db8::2]:51820): path MTU 1454 -> MTU 1374 (search complete, ping inside the tunnel, 2 h 0 min ago)"
lab_check "icmp-tunnel probe address" has "$out" "probe address:    10.99.0.3"
lab_check "private key never printed" bash -c "! grep -q abab <<<'$out'"

out=$("$W" show wgn)
lab_check "none: why the MTU stays" has "$out" \
	"no path-MTU discovery, keeping MTU 1420 (peer answers no pings: keeping MTU 1420, MSS clamped)"
lab_check "none: path MTU unknown, never changed" bash -c \
	"grep -q 'path MTU:         0 (unknown)' <<<'$out' && grep -q 'last change:      never' <<<'$out'"
lab_check "device settings off / jumbo" has "$out" "path-MTU discovery: off; MSS clamping: off; max path MTU: 9000"

out=$("$W" show wgs); rc=$?
lab_check "non-wgmtud: exit 0" eq "$rc" 0
lab_check "non-wgmtud: said so" has "$out" "interface: wgs: not a wgmtud (no path-MTU state); this is wireguard-go/kernel"
lab_check "non-wgmtud: standard peer info" bash -c \
	"grep -qF 'public key:       $K1' <<<'$out' && grep -qF 'endpoint:         192.0.2.1:51820' <<<'$out' && grep -qF 'allowed ips:      10.99.0.2/32' <<<'$out'"

J=$("$W" show wgx --json)
lab_check "JSON: numbers as numbers" eq "$(json <<<"$J" 'repr([d["interfaces"][0]["peers"][0][k] for k in ("path_mtu","effective_mtu","pinned_mtu","probes_sent","probe_bytes","ptb_hints","last_change_sec")])')" \
	"[1454, 1394, 0, 9, 12345, 2, $((NOW - 125))]"
lab_check "JSON: every contract key per peer" eq "$(json <<<"$J" 'sorted(k for k in d["interfaces"][0]["peers"][1] if k in ("state","method","path_mtu","effective_mtu","pinned_mtu","probe_address","last_change_sec","probes_sent","probe_bytes","ptb_hints","reason"))==sorted(("state","method","path_mtu","effective_mtu","pinned_mtu","probe_address","last_change_sec","probes_sent","probe_bytes","ptb_hints","reason"))')" True
lab_check "JSON: device keys" eq "$(json <<<"$J" 'repr([d["interfaces"][0][k] for k in ("name","wgmtud","version","probe","clamp_mss","max_mtu","listen_port")])')" \
	"['wgx', True, 1, True, True, 1500, 51820]"
lab_check "JSON: peer text keys" eq "$(json <<<"$J" 'd["interfaces"][0]["peers"][1]["method"], d["interfaces"][0]["peers"][1]["probe_address"], d["interfaces"][0]["peers"][1]["public_key"]')" \
	"icmp-tunnel 10.99.0.3 $K2"
lab_check "JSON: unknown key passed through" eq "$(json <<<"$J" 'd["interfaces"][0]["peers"][0]["future_key"]')" kept
lab_check "JSON: non-wgmtud: the same keys, the path-MTU ones null" eq "$("$W" show --json wgs | json 'd["interfaces"][0]["wgmtud"], d["interfaces"][0]["peers"][0]["state"], d["interfaces"][0]["peers"][0]["effective_mtu"], d["interfaces"][0]["max_mtu"], d["interfaces"][0]["peers"][0]["allowed_ips"]')" \
	"False None None None ['10.99.0.2/32']"

out=$("$W" show); rc=$?
lab_check "show without IFNAME: every interface, sorted" eq "$(grep '^interface:' <<<"$out" | cut -d' ' -f2)" "wgn
wgs:
wgx"
lab_check "show without IFNAME --json: three interfaces" eq "$("$W" show --json | json 'len(d["interfaces"])')" 3

# a reply arriving in small pieces (every line end at a read boundary)
serve wgc "$LAB_TMP/g_ext" --chunk 4
lab_check "reply in 4-byte pieces: the same JSON" eq "$("$W" show --json wgc | sed 's/"wgc"/"wgx"/')" "$("$W" show --json wgx)"
unserve wgc
serve wgc "$LAB_TMP/g_ext" --chunk 1
lab_check "reply byte by byte: the same JSON" eq \
	"$(WGMTU_UAPI_TIMEOUT_MS=20000 "$W" show --json wgc | sed 's/"wgc"/"wgx"/')" "$("$W" show --json wgx)"
unserve wgc

# the other headlines: searching, pinned by hand, error, discovery off
K4HEX=$(python3 -c 'print(bytes(range(50,82)).hex())')
{ dev_std; dev_ext on on 1500
  peer_std "$K1HEX" 192.0.2.1:51820 10.99.0.2/32
  peer_ext searching inband 1400 1340 0 "" $((NOW - 3)) 5 7000 1 "raising: 1400 confirmed, probing 1452"
  peer_std "$K2HEX" 192.0.2.2:51820 10.99.0.3/32
  peer_ext disabled pinned 0 1300 1300 "" $((NOW - 60)) 0 0 0 "MTU pinned by wgmtu set"
  peer_std "$K4HEX" 192.0.2.4:51820 10.99.0.4/32
  peer_ext error icmp-tunnel 0 1420 0 10.99.0.4 0 30 40000 3 "path MTU below 1280 with IPv6 inside: relying on MSS clamping"
  end_ok; } >"$LAB_TMP/g_more"
serve wgm "$LAB_TMP/g_more"
out=$("$W" show wgm)
lab_check "searching headline" has "$out" "(192.0.2.1:51820): searching, MTU 1340 meanwhile (in-band probes, path MTU so far 1400)"
lab_check "pinned headline and detail" bash -c \
	"grep -qF '(192.0.2.2:51820): MTU 1300 pinned by hand' <<<'$out' && grep -qF 'effective MTU:    1300, pinned at 1300' <<<'$out'"
lab_check "error headline carries the reason" has "$out" \
	"(192.0.2.4:51820): ERROR, MTU 1420 (path MTU below 1280 with IPv6 inside: relying on MSS clamping)"
lab_check "JSON: three peers, pinned number" eq "$("$W" show --json wgm | json '[p["pinned_mtu"] for p in d["interfaces"][0]["peers"]]')" "[0, 1300, 0]"
unserve wgm

run_err() { # WANT_RC WANT_TEXT CMD...: exit code, exactly one stderr line naming WANT_TEXT, no stdout
	local want_rc=$1 want=$2; shift 2
	"$@" >"$LAB_TMP/o" 2>"$LAB_TMP/e"; local rc=$?
	[ "$rc" -eq "$want_rc" ] || { echo "exit $rc, want $want_rc"; cat "$LAB_TMP/e"; return 1; }
	[ "$(wc -l <"$LAB_TMP/e")" -eq 1 ] || { echo "stderr not one line:"; cat "$LAB_TMP/e"; return 1; }
	grep -qF -- "$want" "$LAB_TMP/e" || { echo "stderr lacks '$want':"; cat "$LAB_TMP/e"; return 1; }
	[ ! -s "$LAB_TMP/o" ] || { echo "stdout not empty:"; cat "$LAB_TMP/o"; return 1; }
}
lab_check "show: no such interface -> 3" run_err 3 "wgzz: no such WireGuard interface" "$W" show wgzz
lab_check "show --json: no such interface -> 3, no document" run_err 3 "no such" "$W" show wgzz --json
lab_check "show: unknown option -> 2" run_err 2 "unknown option" "$W" show --frob
lab_check "show: two names -> 2" run_err 2 "unexpected argument 'wgs'" "$W" show wgx wgs
lab_check "show: bad name -> 2" run_err 2 "not a valid interface name" "$W" show ../etc
lab_check "show --help: options and examples" bash -c "'$W' show --help | grep -q -- --json && '$W' show --help | grep -q Examples"

# hostile / broken daemons
printf 'listen_port=1\npublic_key=%s\nwgmtu_state=searching\n' "$K1HEX" >"$LAB_TMP/g_trunc"
serve wgt "$LAB_TMP/g_trunc"
lab_check "truncated reply -> 3" run_err 3 "unreadable reply from the daemon: reply truncated" "$W" show wgt
unserve wgt
printf 'listen_port=1\n\n' >"$LAB_TMP/g_noerrno"
serve wgt "$LAB_TMP/g_noerrno"
lab_check "reply without errno -> 3" run_err 3 "without an errno line" "$W" show wgt
unserve wgt
printf 'errno=-13\n\n' >"$LAB_TMP/g_errno"
serve wgt "$LAB_TMP/g_errno"
lab_check "get refused by the daemon -> 3" run_err 3 "refused the get: errno -13" "$W" show wgt
unserve wgt
{ dev_std; dev_ext on on 1500; peer_std "$K1HEX" 192.0.2.1:51820 10.99.0.2/32
  peer_ext error inband 0 1420 0 "" 0 1 100 0 "$(printf 'evil \033[2J\033]0;pwned\007 reason')"; end_ok; } >"$LAB_TMP/g_esc"
serve wgt "$LAB_TMP/g_esc"
lab_check "text: control bytes from the daemon never reach the terminal" bash -c \
	"o=\$('$W' show wgt); ! grep -q \$'\\033' <<<\"\$o\" && grep -qF 'ERROR, MTU 1420 (evil ?[2J?]0;pwned? reason)' <<<\"\$o\""
lab_check "JSON: control bytes escaped, not dropped" bash -c \
	"'$W' show --json wgt | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"interfaces\"][0][\"peers\"][0][\"reason\"].startswith(\"evil \\x1b[2J\") else 1)'"
unserve wgt
python3 -c "import sys; sys.stdout.write('wgmtu_reason=' + 'x'*10000 + '\nerrno=0\n\n')" >"$LAB_TMP/g_long"
serve wgt "$LAB_TMP/g_long"
lab_check "10 KB line -> 3" run_err 3 "line 1 is too long" "$W" show wgt
unserve wgt
serve wgt "$LAB_TMP/g_ext" --mode silent
lab_check "daemon not answering -> 3 within the timeout" bash -c \
	"s=\$(date +%s%N); WGMTU_UAPI_TIMEOUT_MS=300 '$W' show wgt 2>'$LAB_TMP/e'; rc=\$?; e=\$(( (\$(date +%s%N) - s) / 1000000 )); cat '$LAB_TMP/e'; [ \$rc -eq 3 ] && [ \$e -lt 2000 ] && grep -q 'did not answer in time' '$LAB_TMP/e'"
# A bad timeout used to be ignored (the default taken, silently).
lab_check "WGMTU_UAPI_TIMEOUT_MS=abc -> 2, naming the variable and 1..600000" run_err 2 \
	"WGMTU_UAPI_TIMEOUT_MS=abc: expected 1..600000" env WGMTU_UAPI_TIMEOUT_MS=abc "$W" show wgt
lab_check "WGMTU_UAPI_TIMEOUT_MS=0 -> 2 for set too" run_err 2 \
	"WGMTU_UAPI_TIMEOUT_MS=0: expected 1..600000" env WGMTU_UAPI_TIMEOUT_MS=0 "$W" set wgt probe on
lab_check "a bad timeout does not concern wgmtu calc" env WGMTU_UAPI_TIMEOUT_MS=abc "$W" calc --path-mtu 1500
unserve wgt
serve wgt "$LAB_TMP/g_ext" --mode close
lab_check "daemon closing without a reply -> 3" run_err 3 "closed the connection" "$W" show wgt
unserve wgt
python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind('$WGMTU_UAPI_DIR/wgd.sock')"
lab_check "stale socket (daemon dead) -> 3" run_err 3 "nothing is listening" "$W" show wgd
rm -f "$WGMTU_UAPI_DIR/wgd.sock"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$LAB_TMP" "$WGMTU_UAPI_DIR"; chmod 600 "$WGMTU_UAPI_DIR/wgx.sock"
	lab_check "no permission on the socket -> 3" run_err 3 "permission denied" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups env WGMTU_UAPI_DIR="$WGMTU_UAPI_DIR" "$W" show wgx
	chmod 777 "$WGMTU_UAPI_DIR/wgx.sock"
else
	lab_skip "no permission on the socket -> 3" "needs root and setpriv"
fi

# ---- set: the exact request for several command lines
REC="$LAB_TMP/rec"
set_req() { # CMDLINE...: run wgmtu set wgx ...; print the recorded request
	: >"$REC"
	"$W" set wgx "$@" || return $?
	cat "$REC"
}
lab_check "set device settings" eq "$(set_req probe off clamp-mss on max-mtu 9000)" \
"set=1
wgmtu_probe=off
wgmtu_clamp_mss=on
wgmtu_max_mtu=9000"
lab_check "set peer: method, IPv6 probe address normalised, mtu auto" eq \
	"$(set_req peer "$K1" probe icmp-tunnel probe-address FD00:99:0::2 mtu auto)" \
"set=1
public_key=$K1HEX
update_only=true
wgmtu_probe=icmp-tunnel
wgmtu_probe_address=fd00:99::2
wgmtu_pinned_mtu=0"
lab_check "set two peer blocks after a device setting" eq \
	"$(set_req clamp-mss off peer "$K1" mtu 1380 peer "$K2" probe-address auto probe off)" \
"set=1
wgmtu_clamp_mss=off
public_key=$K1HEX
update_only=true
wgmtu_pinned_mtu=1380
public_key=$K2HEX
update_only=true
wgmtu_probe_address=
wgmtu_probe=off"
lab_check "set peer IPv4 probe address" eq "$(set_req peer "$K2" probe-address 10.99.0.3 probe auto)" \
"set=1
public_key=$K2HEX
update_only=true
wgmtu_probe_address=10.99.0.3
wgmtu_probe=auto"
lab_check "set request ends with the blank line" bash -c \
	": >'$REC'; '$W' set wgx probe on && [ \"\$(tail -c 2 '$REC' | od -An -c | tr -d ' ')\" = '\n\n' ]"

usage_set() { : >"$REC"; run_err 2 "$@" && [ ! -s "$REC" ] || { echo "a request was sent"; return 1; }; }
lab_check "set: no IFNAME -> 2" usage_set "missing IFNAME" "$W" set
lab_check "set: nothing to set -> 2" usage_set "nothing to set" "$W" set wgx
lab_check "set: bad key -> 2" usage_set "is not a public key" "$W" set wgx peer "${K1:1}" mtu 1400
lab_check "set: key with bad padding bits -> 2" usage_set "is not a public key" "$W" set wgx peer "${K1:0:42}B=" mtu 1400
lab_check "set: device probe method -> 2" usage_set "device 'probe' takes on or off" "$W" set wgx probe inband
lab_check "set: peer probe bogus -> 2" usage_set "peer 'probe' takes auto" "$W" set wgx peer "$K1" probe sometimes
lab_check "set: clamp-mss maybe -> 2" usage_set "'clamp-mss' takes on or off" "$W" set wgx clamp-mss maybe
lab_check "set: max-mtu below 1280 -> 2" usage_set "out of range 1280..9000" "$W" set wgx max-mtu 1200
lab_check "set: max-mtu above 9000 -> 2" usage_set "out of range 1280..9000" "$W" set wgx max-mtu 9001
lab_check "set: max-mtu not a number -> 2" usage_set "not a number" "$W" set wgx max-mtu 15x0
lab_check "set: mtu below 576 -> 2" usage_set "out of range 576..65535" "$W" set wgx peer "$K1" mtu 575
lab_check "set: mtu above 65535 -> 2" usage_set "out of range 576..65535" "$W" set wgx peer "$K1" mtu 65536
lab_check "set: mtu -1 -> 2" usage_set "is not a number or auto" "$W" set wgx peer "$K1" mtu -1
lab_check "set: bad probe address -> 2" usage_set "is not an IPv4 or IPv6 address" "$W" set wgx peer "$K1" probe-address 10.0.0.256
lab_check "set: probe address with prefix -> 2" usage_set "is not an IPv4 or IPv6 address" "$W" set wgx peer "$K1" probe-address 10.0.0.1/32
lab_check "set: device setting inside a peer -> 2" usage_set "is a device setting" "$W" set wgx peer "$K1" mtu 1400 clamp-mss on
lab_check "set: peer setting at device level -> 2" usage_set "is a peer setting" "$W" set wgx mtu 1400
lab_check "set: empty peer block -> 2" usage_set "nothing to set" "$W" set wgx peer "$K1" peer "$K2" mtu 1400
lab_check "set: missing value -> 2" usage_set "'max-mtu' needs a value" "$W" set wgx max-mtu
lab_check "set: unknown setting -> 2" usage_set "unknown setting 'mss'" "$W" set wgx mss 1300
lab_check "set: bad IFNAME -> 2" usage_set "not a valid interface name" "$W" set 'a b' probe on
lab_check "set --help: every setting and examples" bash -c \
	"h=\$('$W' set --help); for w in probe clamp-mss max-mtu peer probe-address mtu Examples; do grep -q -- \"\$w\" <<<\"\$h\" || exit 1; done"

lab_check "set: unknown peer -> 3, nothing sent" bash -c \
	": >'$REC'; '$W' set wgx peer '$K3' mtu 1400 2>'$LAB_TMP/e'; rc=\$?; cat '$LAB_TMP/e'; [ \$rc -eq 3 ] && grep -q 'no peer' '$LAB_TMP/e' && [ ! -s '$REC' ]"
lab_check "set on a non-wgmtud -> 3" run_err 3 "not a wgmtud (no path-MTU settings)" "$W" set wgs probe off
lab_check "set: no such interface -> 3" run_err 3 "no such WireGuard interface" "$W" set wgzz probe off
serve wge "$LAB_TMP/g_ext" --set-errno -22 --record "$LAB_TMP/rec_e"
lab_check "set: daemon EINVAL -> 3 with a clear message" run_err 3 \
	"rejected a key or value (EINVAL): an older wgmtud without these settings?; nothing changed" "$W" set wge max-mtu 9000
unserve wge
serve wge "$LAB_TMP/g_ext" --set-errno -98
lab_check "set: daemon EADDRINUSE -> 3" run_err 3 "could not apply the settings (EADDRINUSE)" "$W" set wge probe on
unserve wge
serve wge "$LAB_TMP/g_ext" --set-errno -5
lab_check "set: daemon EIO -> 3" run_err 3 "(EIO)" "$W" set wge probe on
unserve wge

lab_check "wgmtu lists show and set" bash -c "'$W' --help | grep -q '^  show ' && '$W' --help | grep -q '^  set '"
# --- show all / interfaces / dump / --pretty / --watch / --prometheus -------
# the daemons here serve wgx, wgn, wgs; a wgmtud that reports drop counters
{ dev_std; dev_ext on on 1500
  printf 'wgmtu_drop_no-allowed-ips-route=7\nwgmtu_drop_too-big=3\n'
  peer_std "$K1HEX" 192.0.2.1:51820 10.99.0.2/32
  peer_ext search_complete inband 1454 1394 0 "" $((NOW - 125)) 9 12345 2 "in-band probes answered up to 1454"
  printf 'wgmtu_drop_decrypt-failed=2\n'
  end_ok; } >"$LAB_TMP/g_drop"
serve wgd "$LAB_TMP/g_drop"
lab_check "show interfaces: the names on one line, sorted" eq "$("$W" show interfaces)" "wgd wgn wgs wgx"
# relative times ("39 s ago") may tick between the two calls on a slow run
ago() { sed -E 's/[0-9]+ (s|min|h [0-9]+ min|days) ago/N ago/g'; }
lab_check "show all = show" eq "$("$W" show all | ago)" "$("$W" show | ago)"
lab_check "show -j = show --json" eq "$("$W" show -j wgx)" "$("$W" show --json wgx)"
lab_check "--json is one line, --pretty the same indented" bash -c "
	[ \$('$W' show --json | wc -l) -eq 1 ] && [ \$('$W' show --pretty | wc -l) -gt 40 ] &&
	[ \"\$('$W' show --pretty | python3 -c 'import json,sys; print(json.load(sys.stdin))')\" = \"\$('$W' show --json | python3 -c 'import json,sys; print(json.load(sys.stdin))')\" ]"
lab_check "JSON: every key in wgmtu-show(1), the same keys for every interface and peer" bash -c "
	'$W' show --json | python3 '$LAB_ROOT/tests/tools/json_schema.py' '$LAB_ROOT/man/wgmtu-show.1' --free drops --ignore future_key state &&
	'$W' show --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
ik = set(frozenset(i) for i in d[\"interfaces\"]); pk = set(frozenset(p) - {\"future_key\"} for i in d[\"interfaces\"] for p in i[\"peers\"])
assert len(ik) == 1 and len(pk) == 1, (ik, pk)'"
lab_check "JSON: drops by reason, device and peer" eq "$("$W" show --json wgd | json 'd["interfaces"][0]["drops"], d["interfaces"][0]["peers"][0]["drops"], d["interfaces"][0]["peers"][0]["path_mtu"]')" \
	"{'no-allowed-ips-route': 7, 'too-big': 3} {'decrypt-failed': 2} 1454"
lab_check "dump: one interface line, one tab-separated line per peer" eq "$("$W" show wgx dump)" \
"wgmtud	51820	on	on	1500
$K1	192.0.2.1:51820	10.99.0.2/32,fd00:99::2/128	$((NOW - 30))	2000	1000	off	search_complete	inband	1454	1394	0	$((NOW - 125))	9	12345	2	-
$K2	[2001:db8::2]:51820	10.99.0.3/32	$((NOW - 30))	2000	1000	off	search_complete	icmp-tunnel	1454	1374	0	$((NOW - 7200))	20	30000	0	-"
lab_check "all dump: every line starts with the interface; a non-wgmtud has '-' columns" eq \
	"$("$W" show all dump | awk -F'\t' '$1 == "wgs" {print NF, $2, $NF}')" "6 other -
18 $K1 -"
lab_check "--watch --count 2 -n 0.2: two frames, 0.2 s apart, not a tty: time stamps" bash -c "
	out=\$(timeout 5 '$W' show wgx --watch --count 2 -n 0.2); rc=\$?
	[ \$rc -eq 0 ] && [ \$(grep -c '^-- ' <<<\"\$out\") -eq 2 ] && [ \$(grep -c '^interface: wgx' <<<\"\$out\") -eq 2 ]"
watch_int() {
	# a background job of a script starts with SIGINT ignored until the
	# handler is in place: send it once the second frame is out
	"$W" show wgx --watch -n 0.2 >"$LAB_TMP/w.out" & local p=$! rc
	lab_wait_for 10 bash -c "[ \$(grep -c '^interface: wgx' '$LAB_TMP/w.out') -ge 2 ]"
	kill -INT $p
	lab_wait_for 5 bash -c "! kill -0 $p" || { kill $p; wait $p; echo "SIGINT did not stop it"; return 1; }
	wait $p; rc=$?
	[ $rc -eq 0 ] || { echo "exit $rc"; return 1; }
}
lab_check "--watch stops cleanly on SIGINT (exit 0)" watch_int
tty_watch() {
	script -qec "timeout 5 '$W' show wgx --watch --count 2 -n 0.1" /dev/null >"$LAB_TMP/tty.out" 2>&1
	python3 - "$LAB_TMP/tty.out" <<'PY'
import sys
t = open(sys.argv[1], "rb").read()
assert t.count(b"\x1b[H\x1b[2J") == 2, t[:300]
assert b"Every 0.1s: wgmtu show wgx --watch --count 2 -n 0.1" in t, t[:300]
assert t.count(b"interface: wgx") == 2
PY
}
lab_check "--watch on a terminal clears and redraws like watch(1)" tty_watch
"$W" show --prometheus >"$LAB_TMP/prom"
lab_check "--prometheus: node_exporter textfile format (HELP/TYPE, samples grouped)" python3 - "$LAB_TMP/prom" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
types, seen, last = {}, [], None
for l in lines:
    m = re.match(r"# TYPE (\w+) (gauge|counter)$", l)
    if m:
        assert m.group(1) not in types, "family twice: " + m.group(1)
        types[m.group(1)] = m.group(2); last = m.group(1); continue
    if l.startswith("# HELP "):
        continue
    m = re.match(r'(\w+)\{((?:\w+="(?:[^"\\]|\\.)*",?)*)\} (\d+)$', l)
    assert m, "bad sample line: " + l
    assert m.group(1) == last, "sample outside its family: " + l
    if types[last] == "counter":
        assert last.endswith("_total"), last
print(len(lines))
PY
P=$LAB_TMP/prom
lab_check "--prometheus: per peer path MTU, effective MTU, probes" bash -c "
	grep -qx 'wgmtu_peer_path_mtu_bytes{interface=\"wgx\",public_key=\"$K1\"} 1454' '$P' &&
	grep -qx 'wgmtu_peer_effective_mtu_bytes{interface=\"wgx\",public_key=\"$K2\"} 1374' '$P' &&
	grep -qx 'wgmtu_peer_probes_sent_total{interface=\"wgx\",public_key=\"$K1\"} 9' '$P' &&
	grep -qx 'wgmtu_peer_state{interface=\"wgx\",public_key=\"$K1\",state=\"search_complete\",method=\"inband\"} 1' '$P'"
lab_check "--prometheus: drops by reason (wgmtu_drop_* keys)" bash -c "
	grep -qx 'wgmtu_drops_total{interface=\"wgd\",reason=\"no-allowed-ips-route\"} 7' '$P' &&
	grep -qx 'wgmtu_peer_drops_total{interface=\"wgd\",public_key=\"$K1\",reason=\"decrypt-failed\"} 2' '$P'"
lab_check "--prometheus: a non-wgmtud is up, implementation other, no MTU series" bash -c "
	grep -qx 'wgmtu_up{interface=\"wgs\"} 1' '$P' && grep -qx 'wgmtu_interface_info{interface=\"wgs\",implementation=\"other\"} 1' '$P' &&
	! grep -q 'wgmtu_peer_path_mtu_bytes{interface=\"wgs\"' '$P'"
lab_check "--prometheus with an unreadable interface: up 0, exit 3, the rest still there" bash -c "
	ln -s /nonexistent '$WGMTU_UAPI_DIR/wgz.sock'; '$W' show --prometheus >'$LAB_TMP/p2' 2>/dev/null; rc=\$?; rm -f '$WGMTU_UAPI_DIR/wgz.sock'
	[ \$rc -eq 3 ] && grep -qx 'wgmtu_up{interface=\"wgz\"} 0' '$LAB_TMP/p2' && grep -q '^wgmtu_peer_path_mtu_bytes{interface=\"wgx\"' '$LAB_TMP/p2'"
lab_check "--json with --prometheus -> 2" run_err 2 "choose one of" "$W" show --json --prometheus
lab_check "--interval 0 -> 2" run_err 2 "--interval" "$W" show --watch -n 0
unserve wgd

lab_done
