#!/bin/bash
# Issue 12.1: the deployments users run. wgmtud on the laptop brought up by
# wg-quick (WG_QUICK_USERSPACE_IMPLEMENTATION=wgmtud) against an unmodified
# wireguard-go VPS, over the story's 1454-byte path whose routers drop ICMP
# too-big, with a peer whose tunnel address we cannot know:
#   full    AllowedIPs = 0.0.0.0/0, ::/0 (wg-quick's fwmark policy routing:
#           "not fwmark 51820 table 51820", the default route in the tunnel)
#   subnet  AllowedIPs = 10.99.0.0/24, fd99::/64 (reachable only through a
#           subnet route)
# wgmtud pings the VPS's endpoint outside the tunnel (icmp-endpoint, the
# echo marked with the fwmark), finds 1454 within 3 s of the first packet,
# and the page and 10 MB both ways load.
#   strict  full, with strict reverse-path filtering (rp_filter=1) and the
#           README's PostUp lines that let the echo replies in
# Usage: t_pmtud_fulltunnel.sh [4|6] [full|subnet|strict]
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
command -v wg-quick >/dev/null || lab_die "wg-quick not installed"
FAM=${1:-4} KIND=${2:-full}
OVH=60; [ "$FAM" = 6 ] && OVH=80
lab_chain laptop home isp vps -- 1500 1454 1500
lab_drop_ptb home
lab_drop_ptb isp
# as at home: the laptop reaches the internet (the VPS) by its default
# route only, which a full tunnel overrides
for n in 1 2; do
	ip -n "$(lab_ns laptop)" route del "10.$LAB_NET.$n.0/24"
	ip -n "$(lab_ns laptop)" -6 route del "fd77:$LAB_NET:$n::/64"
done
ip -n "$(lab_ns laptop)" route add default via "10.$LAB_NET.0.2"
ip -n "$(lab_ns laptop)" -6 route add default via "fd77:$LAB_NET:0::2"
# the echo requests that leave outside the tunnel, counted on the way
lab_nft home "add rule inet lab lab_fwd icmp type echo-request counter
add rule inet lab lab_fwd icmpv6 type echo-request counter"
LIF=$(lab_wg_ifname l) VIF=$(lab_wg_ifname v)
mkdir -p "$LAB_TMP/www"
head -c 27000 /dev/zero | tr '\0' x >"$LAB_TMP/www/login.html"
head -c 10485760 /dev/urandom >"$LAB_TMP/www/big"
lab_wg_up vps wireguard-go "$VIF" 10.99.0.2 fd99::2 1420
lab_wg_keys "$LIF"
lab_wg_peer vps "$VIF" "$LIF" "" 10.99.0.1/32 fd99::1/128
lab_bg vps http-vps python3 -m http.server --bind :: --directory "$LAB_TMP/www" 8080
lab_bg laptop http-laptop python3 -m http.server --bind :: --directory "$LAB_TMP/www" 8080

EP="$(lab_ip4 vps):51820"; [ "$FAM" = 6 ] && EP="[$(lab_ip6 vps)]:51820"
AIPS="0.0.0.0/0, ::/0"; [ "$KIND" = subnet ] && AIPS="10.99.0.0/24, fd99::/64"
POSTUP=""
if [ "$KIND" = strict ]; then
	lab_run laptop sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.v-home.rp_filter=1
	# the README's lines ("Full tunnel and strict reverse-path filtering")
	POSTUP=$(sed -n '/^PostUp = nft .*icmp/p' "$LAB_ROOT/README.md")
	[ -n "$POSTUP" ] || lab_die "README has no PostUp line for strict rp_filter"
	# and a wgmtu set made persistent the README's way
	POSTUP="$POSTUP
PostUp = wgmtu set %i max-mtu 1480"
fi
mkdir -p "$LAB_TMP/quick"
CONF="$LAB_TMP/quick/$LIF.conf"
cat >"$CONF" <<CONF
[Interface]
PrivateKey = $(cat "$LAB_TMP/$LIF.key")
Address = 10.99.0.1/24, fd99::1/64
MTU = 1420
$POSTUP

[Peer]
PublicKey = $(cat "$LAB_TMP/$VIF.pub")
Endpoint = $EP
AllowedIPs = $AIPS
CONF
chmod 600 "$CONF"
LAB_WG_SOCKS+=("/var/run/wireguard/$LIF.sock")
lab_run laptop env "PATH=$LAB_BUILD:$PATH" WG_QUICK_USERSPACE_IMPLEMENTATION=wgmtud \
	LOG_LEVEL=verbose wg-quick up "$CONF" >"$LAB_TMP/$LIF.log" 2>&1 ||
	lab_die "wg-quick up: $(cat "$LAB_TMP/$LIF.log")"
if [ "$KIND" != subnet ]; then
	lab_check "wg-quick set up fwmark policy routing" \
		bash -c "ip -n $(lab_ns laptop) rule | grep -q 'not from all fwmark 0xca6c lookup 51820'"
fi

T0=$(date +%s.%N)
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "discovery completes" pmd_wait_key 10 "$LIF" wgmtu_state search_complete
T1=$(date +%s.%N)
DT=$(echo "$T1 - $T0" | bc)
echo "# discovery took $DT s from the first packet (handshake included), by the test's clock"
# The assertion uses the daemon's own clock, not the polling above (whose
# lag grows with the machine's load): the handshake time (ns) against the
# second in which the effective MTU was set (wgmtu_last_change_sec, whole
# seconds, so "<= 3" admits up to 3.99 s at worst).
HS=$(pmd_get "$LIF" last_handshake_time_sec).$(printf %09d "$(pmd_get "$LIF" last_handshake_time_nsec)")
LC=$(pmd_get "$LIF" wgmtu_last_change_sec)
echo "# by the daemon's clock: handshake $HS, effective MTU set in second $LC"
lab_check "path MTU found within 3 s of the handshake (daemon clock)" \
	test "$(echo "$LC - $HS <= 3 && $LC > 0" | bc)" = 1
PM=$(pmd_get "$LIF" wgmtu_path_mtu) EM=$(pmd_get "$LIF" wgmtu_effective_mtu)
R=$(pmd_get "$LIF" wgmtu_reason)
echo "# path MTU $PM, effective MTU $EM; reason: $R"
lab_check "method icmp-endpoint" test "$(pmd_get "$LIF" wgmtu_method)" = icmp-endpoint
lab_check "path MTU exactly 1454 (the reply has the request's size)" test "$PM" = 1454
lab_check "effective MTU (1454 - $OVH) rounded down to 16 for the peer's padding" \
	test "$EM" = $(((1454 - OVH) / 16 * 16))
lab_check "the reason says why: no tunnel address: AllowedIPs $AIPS" \
	bash -c "[[ '$R' == *'(no tunnel address: AllowedIPs $AIPS)'* ]]"
lab_check "wgmtu show names the method and why" bash -c "
	ip netns exec $(lab_ns laptop) $LAB_BUILD/wgmtu show $LIF | grep 'icmp-endpoint' | grep -q 'no tunnel address'"
lab_check "the probe address is the endpoint" test "$(pmd_get "$LIF" wgmtu_probe_address)" = "${EP%:*}" -o \
	"[$(pmd_get "$LIF" wgmtu_probe_address)]" = "${EP%:*}"
lab_check "the echoes left outside the tunnel (seen by the home router)" bash -c "
	ip netns exec $(lab_ns home) nft list chain inet lab lab_fwd | grep 'echo-request' | grep -q 'packets [1-9]'"
lab_check "the 27 KB page loads" pmd_page laptop http://10.99.0.2:8080/login.html 5
lab_check "the 27 KB page loads (IPv6 inside)" pmd_page laptop "http://[fd99::2]:8080/login.html" 5
lab_check "10 MB from the VPS" pmd_fetch laptop http://10.99.0.2:8080/big 20 big
lab_check "10 MB to the VPS (the VPS downloads from the laptop)" bash -c "
	ip netns exec $(lab_ns vps) curl -sf -o $LAB_TMP/up.out --max-time 20 http://10.99.0.1:8080/big &&
	cmp -s $LAB_TMP/up.out $LAB_TMP/www/big"
lab_check "log names the method" grep -q "path MTU 1454 (icmp-endpoint)" "$LAB_TMP/$LIF.log"
lab_check "wg-quick down" lab_run laptop env "PATH=$LAB_BUILD:$PATH" wg-quick down "$CONF"
if [ "$KIND" = strict ]; then
	lab_run laptop env "PATH=$LAB_BUILD:$PATH" WG_QUICK_USERSPACE_IMPLEMENTATION=wgmtud \
		wg-quick up "$CONF" >"$LAB_TMP/up2.log" 2>&1
	lab_check "after down/up the PostUp wgmtu set is in force again (max-mtu 1480)" \
		test "$(pmd_get "$LIF" wgmtu_max_mtu)" = 1480
	lab_check "and the tunnel works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
	lab_run laptop env "PATH=$LAB_BUILD:$PATH" wg-quick down "$CONF" >/dev/null 2>&1
fi
lab_done
