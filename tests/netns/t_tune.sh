#!/bin/bash
# wgmtu tune in the story's lab: wireguard-go on both ends (standing in
# for the kernel module) at MTU 1420 over a 1454-byte path whose routers
# drop ICMP too-big. `wgmtu tune --watch` on the VPS only (the laptop stays
# stock) locks the laptop's routes to what fits (1392 inside the tunnel
# over IPv4, 1360 over IPv6: both ends pad to 16 bytes): the 27 KB page
# and 10 MB both ways load. When the path drops to 1380 in the middle of a
# transfer the lock follows within 10 s; on SIGTERM routes and nftables
# are as they were. Usage: t_tune.sh [4|6] (outer family).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
FAM=${1:-4}
W="$LAB_BUILD/wgmtu"
OVH=60; [ "$FAM" = 6 ] && OVH=80
lock_for() { echo $(( ($1 - OVH) / 16 * 16 )); }
L1=$(lock_for 1454) L2=$(lock_for 1380)
pmd_story wireguard-go wireguard-go "$FAM"
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
state() { lab_run vps ip route show table all; lab_run vps ip -6 route show table all | grep -v '^cache\|^local fe80\|^fe80::/64\|^multicast'; lab_run vps nft list ruleset; lab_run vps ip link show "$VIF" | grep -o 'mtu [0-9]*'; }
route_mtu() { lab_run vps ip "$1" route show "$2" dev "$VIF" | grep -o 'mtu lock [0-9]*' | grep -o '[0-9]*$'; }
has_lock() { [ "$(route_mtu -4 10.99.0.1/32)" = "$1" ] && [ "$(route_mtu -6 fd99::1/128)" = "$1" ]; }
get() { lab_run "$1" curl -sf -o /dev/null --max-time "$3" "$2"; }

lab_check "tunnel ping works (the VPS learns the endpoint)" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "both web servers answer a small request" \
	lab_wait_for 10 bash -c "$(declare -f get lab_run lab_ns); LAB_PFX=$LAB_PFX; get laptop http://10.99.0.2:8080/ 2 && get vps http://10.99.0.1:8080/ 2"
# over IPv6 the VPS also has wg-quick's routes for the laptop's allowed IPs
# (proto boot): tune replaces them, keeping their attributes, and puts
# them back; over IPv4 it adds host routes beside the connected /24
if [ "$FAM" = 6 ]; then
	lab_run vps ip route add 10.99.0.1/32 dev "$VIF"
	lab_run vps ip -6 route add fd99::1/128 dev "$VIF"
	V4="ip route replace 10.99.0.1/32 dev $VIF table main proto boot scope link mtu lock $L1"
	V6="ip -6 route replace fd99::1/128 dev $VIF table main metric 1024 proto boot scope global mtu lock $L1"
else
	V4="ip route add 10.99.0.1/32 dev $VIF table main proto static scope link src 10.99.0.2 mtu lock $L1"
	V6="ip -6 route add fd99::1/128 dev $VIF table main proto static scope link mtu lock $L1"
fi
state >"$LAB_TMP/before"
lab_check_fails "untuned: the 27 KB page hangs" get laptop http://10.99.0.2:8080/login.html 3

lab_run vps "$W" tune --dry-run "$VIF" >"$LAB_TMP/dry.txt"; RC=$?
sed 's/^/#   /' "$LAB_TMP/dry.txt"
lab_check "--dry-run: exit 0" eq "$RC" 0
lab_check "--dry-run prints the route for the laptop's /32" grep -qx "$V4" "$LAB_TMP/dry.txt"
lab_check "--dry-run prints the IPv6 route" grep -qx "$V6" "$LAB_TMP/dry.txt"
lab_check "--dry-run shows the nft table" grep -q "tcp option maxseg size set rt mtu" "$LAB_TMP/dry.txt"
lab_check "... and the nft JSON command that loads it" grep -qx "nft -j -f - <<'EOF'" "$LAB_TMP/dry.txt"
state >"$LAB_TMP/after-dry"
lab_check "--dry-run changed nothing" diff "$LAB_TMP/before" "$LAB_TMP/after-dry"
# the commands it printed are the real thing: run them, compare, undo
sed -n '/^ip /p' "$LAB_TMP/dry.txt" | while read -r cmd; do lab_run vps $cmd || echo "FAILED: $cmd"; done >"$LAB_TMP/dry-run.out" 2>&1
lab_check "the printed ip commands run as they are" bash -c "! grep -q FAILED '$LAB_TMP/dry-run.out'"
lab_check "... and give the lock" has_lock "$L1"
sed -n "/^nft -j -f - <<'EOF'\$/,/^EOF\$/p" "$LAB_TMP/dry.txt" | sed '1d;$d' >"$LAB_TMP/dry.json"
lab_check "the printed nft JSON loads as it is" lab_run vps nft -j -f "$LAB_TMP/dry.json"
nft_has() { # NODE TABLE REGEX: a line of the listed table matches
	local t; t=$(lab_run "$1" nft list table inet "$2")
	grep -qE -- "$3" <<<"$t" || { echo "$t"; return 1; }
}
# (nft lists the SYN test as 'tcp flags syn / syn,rst')
lab_check "... and clamps like the text it shows" nft_has vps "wgmtu_$VIF" \
	"iifname \"$VIF\" ip saddr 10\.99\.0\.1 tcp flags .* tcp option maxseg size > $((L1 - 40)) tcp option maxseg size set $((L1 - 40))\$"
lab_run vps nft delete table inet "wgmtu_$VIF"
if [ "$FAM" = 6 ]; then # back to wg-quick's routes
	lab_run vps ip route replace 10.99.0.1/32 dev "$VIF" proto boot scope link
	lab_run vps ip -6 route replace fd99::1/128 dev "$VIF" proto boot metric 1024
else
	lab_run vps ip route del 10.99.0.1/32 dev "$VIF"; lab_run vps ip -6 route del fd99::1/128 dev "$VIF"
fi
lab_check "... and undone by hand: as before" bash -c "diff '$LAB_TMP/before' <($(declare -f state lab_run lab_ns); LAB_PFX=$LAB_PFX VIF=$VIF state)"

lab_bg vps tune "$W" tune --watch "$VIF"
TUNE=$LAB_LASTPID
lab_check "tune --watch locks the laptop's routes to $L1" lab_wait_for 15 has_lock "$L1"
lab_check "nft table inet wgmtu_$VIF clamps the MSS" \
	bash -c "ip netns exec $(lab_ns vps) nft list table inet wgmtu_$VIF | grep -q 'maxseg size set rt mtu'"
lab_check "the 27 KB page loads (IPv4 inside)" get laptop http://10.99.0.2:8080/login.html 5
lab_check "the 27 KB page loads (IPv6 inside)" get laptop "http://[fd99::2]:8080/login.html" 5
lab_check "10 MB from the VPS to the stock laptop" get laptop http://10.99.0.2:8080/big 20
lab_check "10 MB from the stock laptop to the VPS" get vps http://10.99.0.1:8080/big 20
lab_check "wgmtu doctor now says ok" lab_run vps "$W" doctor "$VIF"

# mid-flow: a 10 MB download at 1 MB/s, the path drops to 1380 after 2 s
lab_bg laptop slow curl -sf -o /dev/null --max-time 40 --limit-rate 1M http://10.99.0.2:8080/big
SLOW=$LAB_LASTPID
sleep 2
lab_link_mtu home isp 1380
T0=$(date +%s.%N)
lab_check "the path drops to 1380 mid-flow: the lock follows to $L2 within 10 s" lab_wait_for 10 has_lock "$L2"
echo "# followed in $(echo "$(date +%s.%N) - $T0" | bc) s"
lab_check "the running download completes" wait "$SLOW"
lab_check "a new page load works on the smaller path" get laptop http://10.99.0.2:8080/login.html 5

if [ "$FAM" = 4 ]; then
	# no probes for an idle peer: once the traffic stops (2 intervals
	# later), there are 6-second windows in which the peer's counters stay
	# still (a keepalive at most); confirming every 3 s would never allow one
	xfer() { lab_run vps wg show "$VIF" transfer | awk '{print $2 + $3}'; }
	still() {
		local i x0 x1
		for ((i = 0; i < 4; i++)); do
			x0=$(xfer); sleep 6; x1=$(xfer)
			echo "# 6 s window: $((x1 - x0)) bytes"
			[ $((x1 - x0)) -le 100 ] && return 0
		done
		return 1
	}
	sleep 6
	lab_check "an idle peer is not probed (a 6 s window with <= 100 bytes)" still
	# the laptop roams (rebinds its port): measured again at the new endpoint
	lab_run laptop wg set "$LIF" listen-port 51830
	lab_run laptop ping -c1 -W1 10.99.0.2 >/dev/null
	lab_check "the laptop roams: tune measures again" \
		lab_wait_for 5 grep -q "endpoint changed, measuring again" "$LAB_TMP/tune.log"
	lab_check "... and keeps the lock at $L2" lab_wait_for 5 has_lock "$L2"
fi
kill -TERM "$TUNE"
lab_check "tune exits 0 on SIGTERM" wait "$TUNE"
sed 's/^/#   tune: /' "$LAB_TMP/tune.log"
state >"$LAB_TMP/after"
lab_check "routes, MTU and nftables are as they were" diff "$LAB_TMP/before" "$LAB_TMP/after"
# without --watch: applied once, left in place
lab_check "tune without --watch: exit 0" lab_run vps "$W" tune -q "$VIF"
lab_check "... the lock for the 1380 path stays" has_lock "$L2"
lab_check "... and the page loads" get laptop http://10.99.0.2:8080/login.html 5
lab_done
