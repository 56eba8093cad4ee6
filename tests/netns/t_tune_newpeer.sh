#!/bin/bash
# wgmtu tune --watch follows a peer added while it runs. The story's lab
# (wireguard-go on both ends, MTU 1420 over a 1454-byte path whose routers
# drop ICMP too-big), but the VPS starts without the laptop as a peer:
# tune --watch starts with nothing to do. Then `wg set` adds the laptop,
# which connects and carries traffic: tune must measure it and lock its
# routes to 1392 (the 27 KB page loads), re-plan when its allowed IPs
# grow, and on SIGTERM put everything back (it used to follow only the
# peers present when it started: the page hung until the next start).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
W="$LAB_BUILD/wgmtu"
L1=$(( (1454 - 60) / 16 * 16 ))
pmd_story wireguard-go wireguard-go 4
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
state() { lab_run vps ip route show table all; lab_run vps ip -6 route show table all | grep -v '^cache\|^local fe80\|^fe80::/64\|^multicast'; lab_run vps nft list ruleset; lab_run vps ip link show "$VIF" | grep -o 'mtu [0-9]*'; }
route_mtu() { lab_run vps ip "$1" route show "$2" dev "$VIF" | grep -o 'mtu lock [0-9]*' | grep -o '[0-9]*$'; }
locked() { [ "$(route_mtu "$1" "$2")" = "$L1" ]; }
get() { lab_run "$1" curl -sf -o /dev/null --max-time "$3" "$2"; }

PL=$(cat "$LAB_TMP/$LIF.pub")
lab_run vps wg set "$VIF" peer "$PL" remove
lab_check "the VPS has no peer" eq "$(lab_run vps wg show "$VIF" peers | wc -l)" 0
state >"$LAB_TMP/before"

lab_bg vps tune "$W" tune --watch --interval 1 "$VIF"
TUNE=$LAB_LASTPID
lab_check "tune --watch starts with no peer" lab_wait_for 10 grep -q "^watching $VIF" "$LAB_TMP/tune.log"
lab_check "... and changes nothing" bash -c "diff '$LAB_TMP/before' <($(declare -f state lab_run lab_ns); LAB_PFX=$LAB_PFX VIF=$VIF state)"

# the laptop becomes a peer (wg set, as an admin or a provisioning script
# would) and connects
lab_wg_peer vps "$VIF" "$LIF" "" 10.99.0.1/32
lab_check "the laptop connects" lab_wait_for 10 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "tune notices the new peer" lab_wait_for 5 grep -q "peer ${PL:0:8}...: new" "$LAB_TMP/tune.log"
# traffic, so that tune measures it (idle peers get no probes)
lab_bg laptop pings ping -n -i 0.2 -s 1000 10.99.0.2
PINGS=$LAB_LASTPID
lab_check "tune locks the new peer's route to $L1" lab_wait_for 20 locked -4 10.99.0.1/32
lab_check "the 27 KB page loads through the new peer" get laptop http://10.99.0.2:8080/login.html 5

# its allowed IPs grow (IPv6 too): the new prefix gets the lock as well
lab_run vps wg set "$VIF" peer "$PL" allowed-ips 10.99.0.1/32,fd99::1/128
lab_check "an allowed IP added to the locked peer gets the lock too" lab_wait_for 10 locked -6 fd99::1/128
lab_check "the 27 KB page loads over IPv6 inside" get laptop "http://[fd99::2]:8080/login.html" 5
kill "$PINGS" 2>/dev/null

kill -TERM "$TUNE"
lab_check "tune exits 0 on SIGTERM" wait "$TUNE"
sed 's/^/#   tune: /' "$LAB_TMP/tune.log"
lab_run vps wg set "$VIF" peer "$PL" remove
state >"$LAB_TMP/after"
lab_check "routes, MTU and nftables are as they were" diff "$LAB_TMP/before" "$LAB_TMP/after"
lab_done
