#!/bin/bash
# The story in DESIGN.md, played in network namespaces on this machine:
# laptop - home router - ISP router - VPS, the home uplink at 1454 bytes,
# both routers dropping ICMP "fragmentation needed", WireGuard at 1420.
# Nothing leaves the machine; everything is removed on exit.
. "$(dirname "$0")/../../tests/netns/lib.sh"
. "$(dirname "$0")/../../tests/netns/lib_wg.sh"
W="$LAB_BUILD/wgmtu"
B=$'\033[1m' N=$'\033[0m'
[ -t 1 ] || B='' N=''
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
t0=$SECONDS

lab_init
say "Building the path: laptop - home - isp - vps, 1454-byte link home-isp, ICMP too-big dropped"
lab_chain laptop home isp vps -- 1500 1454 1500
lab_drop_ptb home
lab_drop_ptb isp
LIF=$(lab_wg_ifname l) VIF=$(lab_wg_ifname v)

# A 27 KB login page and a small one, served by the VPS inside the tunnel.
mkdir -p "$LAB_TMP/www"
head -c 27000 /dev/urandom | base64 -w 100 | head -c 27000 >"$LAB_TMP/www/login.html"
echo "<html>ok</html>" >"$LAB_TMP/www/small.html"

fetch() { # fetch NODE URL -> prints "OK n bytes in t s" or "HANG (gave up after 5 s)"
	local out
	if out=$(lab_run "$1" curl -s -o /dev/null --max-time 5 -w '%{size_download} %{time_total}' "$2"); then
		echo "OK: ${out% *} bytes in ${out#* } s"
	else
		echo "HANG: nothing after 5 s (curl gave up; a browser would spin forever)"
	fi
}

say "Act 1: wireguard-go on both ends, default MTU 1420"
lab_wg_up laptop wireguard-go "$LIF" 10.99.0.1 fd99::1 1420
lab_wg_up vps wireguard-go "$VIF" 10.99.0.2 fd99::2 1420
lab_wg_peer laptop "$LIF" "$VIF" "$(lab_ip4 vps):51820" 10.99.0.2/32 fd99::2/128
lab_wg_peer vps "$VIF" "$LIF" "" 10.99.0.1/32 fd99::1/128
lab_bg vps http python3 -m http.server --bind :: --directory "$LAB_TMP/www" 8080
lab_wait_for 10 lab_run vps python3 -c "import socket; socket.create_connection(('10.99.0.2', 8080), 1)"
lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
echo "ping through the tunnel:  $(lab_run laptop ping -c1 -W1 10.99.0.2 | grep -o 'time=.*' || echo lost)"
echo "GET /small.html (16 B):   $(fetch laptop http://10.99.0.2:8080/small.html)"
echo "GET /login.html (27 KB):  $(fetch laptop http://10.99.0.2:8080/login.html)"
echo "Why: 1420 + 60 bytes of WireGuard/UDP/IPv4 = 1480-byte packets; the path carries 1454,"
echo "and the routers drop the ICMP that would say so. A path-MTU black hole."

say "Act 2: wgmtu probe from the laptop to the VPS's public address explains it"
lab_run laptop "$W" probe --quiet "$(lab_ip4 vps)"
echo "(exit status $?: 1 = problem found)"

say "The arithmetic (wgmtu calc --path-mtu 1454 --outer ipv4)"
"$W" calc --path-mtu 1454 --outer ipv4 | sed -n '/^  WireGuard MTU/,/^  TCP MSS/p'

say "Act 3: wgmtud on the laptop; the VPS keeps wireguard-go, both still at MTU 1420"
kill "$(cat "$LAB_TMP/$LIF.pid" 2>/dev/null)" 2>/dev/null
LIF2=$(lab_wg_ifname m)
lab_run laptop ip link del "$LIF" 2>/dev/null
WG_LOG_LEVEL=verbose lab_wg_up laptop wgmtud "$LIF2" 10.99.0.1 fd99::1 1420
lab_wg_peer laptop "$LIF2" "$VIF" "$(lab_ip4 vps):51820" 10.99.0.2/32 fd99::2/128
lab_wg_peer vps "$VIF" "$LIF2" "" 10.99.0.1/32 fd99::1/128
lab_run laptop ping -c1 -W1 10.99.0.2 >/dev/null   # first packet starts the session
wait_state() { # NODE IF: until every peer's search is complete (10 s at most)
	local i
	for ((i = 0; i < 100; i++)); do
		lab_run "$1" "$W" show "$2" --json 2>/dev/null | grep -q '"state": *"search_complete"' && return 0
		sleep 0.1
	done
	return 1
}
wait_state laptop "$LIF2" || echo "(discovery still running after 10 s)"
echo "wgmtud's log (LOG_LEVEL=verbose):"
sed -n 's/.* peer([^)]*) - //p' "$LAB_TMP/$LIF2.log" | grep -v "^drop" | sed 's/^/  /'
echo "wgmtu show $LIF2:"
lab_run laptop "$W" show "$LIF2" | sed -n '/^peer/,/probes:/p'
read -r PM EM < <(lab_run laptop "$W" show "$LIF2" --json | python3 -c '
import json, sys
p = json.load(sys.stdin)["interfaces"][0]["peers"][0]
print(p["path_mtu"], p["effective_mtu"])')
echo "GET /login.html (27 KB):  $(fetch laptop http://10.99.0.2:8080/login.html)"
echo "GET over IPv6 inside:     $(fetch laptop 'http://[fd99::2]:8080/login.html')"
echo "wgmtud pinged the VPS's tunnel address with DF probes (authenticated: they"
echo "travel inside the tunnel), found path MTU $PM, and enforces MTU $EM for this peer:"
echo "it clamps the MSS of every TCP SYN to $((EM - 40)), so even wireguard-go's side sends"
echo "segments that fit, and answers larger DF packets with ICMP \"too big\" itself."

say "Act 4: wgmtud on both ends: in-band authenticated probes, both directions"
kill "$(cat "$LAB_TMP/$VIF.pid" 2>/dev/null)" 2>/dev/null
VIF2=$(lab_wg_ifname n)
lab_run vps ip link del "$VIF" 2>/dev/null
lab_wg_up vps wgmtud "$VIF2" 10.99.0.2 fd99::2 1420
lab_wg_peer vps "$VIF2" "$LIF2" "" 10.99.0.1/32 fd99::1/128
lab_run laptop wg set "$LIF2" peer "$(cat "$LAB_TMP/$VIF.pub")" remove
lab_wg_peer laptop "$LIF2" "$VIF2" "$(lab_ip4 vps):51820" 10.99.0.2/32 fd99::2/128
lab_bg vps http2 python3 -m http.server --bind 10.99.0.2 --directory "$LAB_TMP/www" 8081
lab_bg laptop http3 python3 -m http.server --bind 10.99.0.1 --directory "$LAB_TMP/www" 8082
lab_run laptop ping -c1 -W1 10.99.0.2 >/dev/null
wait_state laptop "$LIF2"; wait_state vps "$VIF2"
lab_wait_for 5 lab_run vps curl -sf -o /dev/null http://10.99.0.2:8081/small.html
lab_wait_for 5 lab_run laptop curl -sf -o /dev/null http://10.99.0.1:8082/small.html
echo "laptop: $(lab_run laptop "$W" show "$LIF2" | grep '^peer')"
echo "vps:    $(lab_run vps "$W" show "$VIF2" | grep '^peer')"
echo "laptop <- vps  27 KB:    $(fetch laptop http://10.99.0.2:8081/login.html)"
echo "vps <- laptop  27 KB:    $(fetch vps http://10.99.0.1:8082/login.html)"

say "Done in $((SECONDS - t0)) s"
