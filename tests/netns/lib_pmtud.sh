# shellcheck shell=bash
# tests/netns/lib_pmtud.sh — helpers for wgmtud's path-MTU tests,
# on top of lib.sh and lib_wg.sh.
#
#   pmd_story IMPL_LAPTOP IMPL_VPS [OUTER 4|6] [LINK MTUs...]
#        the story's path: laptop - home - isp - vps, 1500 1454 1500 unless
#        given, ICMP too-big dropped on home and isp (not with PMD_KEEP_PTB=1); WireGuard on laptop
#        (10.99.0.1, fd99::1) and vps (10.99.0.2, fd99::2), both MTU 1420.
#        Sets LIF, VIF (interface names). A web root with login.html
#        (27 KB) and big (10 MB) is served on both ends, port 8080.
#   pmd_uapi IF LINES...   a raw UAPI request (lines joined by newlines)
#   pmd_get IF KEY [N]     value of KEY in IF's get reply (N-th occurrence,
#                          default 1: the first peer's value for peer keys)
#   pmd_set_peer IF PEER_IF KEY=VAL...   per-peer wgmtu_* keys
#   pmd_wait_key SECONDS IF KEY VALUE    poll until KEY=VALUE
#   pmd_page NODE URL SECONDS            curl, fails on timeout

pmd_story() {
	local l=$1 v=$2 fam=${3:-4}; shift 3 2>/dev/null || shift $#
	local mtus=("$@")
	[ ${#mtus[@]} -gt 0 ] || mtus=(1500 1454 1500)
	lab_chain laptop home isp vps -- "${mtus[@]}"
	if [ -z "${PMD_KEEP_PTB:-}" ]; then
		lab_drop_ptb home
		lab_drop_ptb isp
	fi
	LIF=$(lab_wg_ifname l) VIF=$(lab_wg_ifname v)
	mkdir -p "$LAB_TMP/www"
	head -c 27000 /dev/zero | tr '\0' x >"$LAB_TMP/www/login.html"
	head -c 10485760 /dev/urandom >"$LAB_TMP/www/big"
	WG_LOG_LEVEL=verbose lab_wg_up laptop "$l" "$LIF" 10.99.0.1 fd99::1 1420
	WG_LOG_LEVEL=verbose lab_wg_up vps "$v" "$VIF" 10.99.0.2 fd99::2 1420
	local ep="$(lab_ip4 vps):51820"
	[ "$fam" = 6 ] && ep="[$(lab_ip6 vps)]:51820"
	lab_wg_peer laptop "$LIF" "$VIF" "$ep" 10.99.0.2/32 fd99::2/128
	lab_wg_peer vps "$VIF" "$LIF" "" 10.99.0.1/32 fd99::1/128
	lab_bg vps http-vps python3 -m http.server --bind :: --directory "$LAB_TMP/www" 8080
	lab_bg laptop http-laptop python3 -m http.server --bind :: --directory "$LAB_TMP/www" 8080
}

pmd_uapi() {
	local ifn=$1; shift
	python3 - "/var/run/wireguard/$ifn.sock" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(("\n".join(sys.argv[2:]) + "\n\n").encode())
buf = b""
while not buf.endswith(b"\n\n"):
    d = s.recv(65536)
    if not d:
        break
    buf += d
sys.stdout.write(buf.decode())
PY
}

pmd_get() {
	local n=${3:-1}
	pmd_uapi "$1" get=1 | awk -F= -v k="$2" -v n="$n" '$1 == k { c++; if (c == n) { sub(/^[^=]*=/, ""); print; exit } }'
}

pmd_hexkey() { base64 -d <"$LAB_TMP/$1.pub" | od -An -tx1 | tr -d ' \n'; }

pmd_set_peer() {
	local ifn=$1 peer=$2; shift 2
	pmd_uapi "$ifn" set=1 "public_key=$(pmd_hexkey "$peer")" "$@" | grep -q '^errno=0$'
}

pmd_wait_key() {
	local t=$1 ifn=$2 key=$3 val=$4 i
	for ((i = 0; i < t * 10; i++)); do
		[ "$(pmd_get "$ifn" "$key")" = "$val" ] && return 0
		sleep 0.1
	done
	echo "$key=$(pmd_get "$ifn" "$key") after ${t}s (wanted $val)"
	return 1
}

pmd_page() { lab_run "$1" curl -sf -o "$LAB_TMP/page.out" --max-time "$3" "$2"; }

# pmd_fetch NODE URL SECONDS FILE: the download equals the served file.
pmd_fetch() {
	lab_run "$1" curl -sf -o "$LAB_TMP/fetch.out" --max-time "$3" "$2" &&
		cmp -s "$LAB_TMP/fetch.out" "$LAB_TMP/www/$4"
}

# pmd_in RANGE_LO RANGE_HI VALUE
pmd_in() { [ -n "$3" ] && [ "$3" -ge "$1" ] && [ "$3" -le "$2" ] || { echo "value '$3' not in [$1, $2]"; return 1; }; }

# pmd_udp_nodf SRC_NODE DST_NODE DST_ADDR SIZE: one UDP datagram of SIZE
# IP bytes sent without DF (IP_PMTUDISC_DONT); succeeds when DST_NODE
# receives it whole (reassembled).
pmd_udp_nodf() {
	local src=$1 dst=$2 addr=$3 size=$4
	lab_bg "$dst" udprecv python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 9999)); s.settimeout(4)
d = s.recv(65535); print(len(d))' "$addr"
	local rpid=$LAB_LASTPID
	lab_wait_for 5 bash -c "ip netns exec $(lab_ns "$dst") ss -uln | grep -q ':9999 '" ||
		lab_log "udp receiver in $dst did not bind"
	lab_run "$src" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER = IP_PMTUDISC_DONT
s.sendto(b"u" * (int(sys.argv[2]) - 28), (sys.argv[1], 9999))' "$addr" "$size"
	wait "$rpid"
	[ "$(cat "$LAB_TMP/udprecv.log")" = $((size - 28)) ]
}

# pmd_wait_reason SECONDS IF PATTERN: poll until wgmtu_reason matches the
# shell glob *PATTERN*.
pmd_wait_reason() {
	local t=$1 ifn=$2 pat=$3 i r
	for ((i = 0; i < t * 10; i++)); do
		r=$(pmd_get "$ifn" wgmtu_reason)
		[[ "$r" == *$pat* ]] && return 0
		sleep 0.1
	done
	echo "wgmtu_reason=$r after ${t}s"
	return 1
}
