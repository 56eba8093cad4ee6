#!/bin/bash
# Issue 12.3, "Run at boot": the installed wgmtud@.service, its commands run
# as systemd would run them (no systemd here): its Environment= lines, its
# TemporaryFileSystem=/sys/module in a private mount namespace, /etc/wireguard
# holding the config, ExecStart/ExecReload/ExecStop with %i. The host is made
# to look like one with the wireguard module loaded (/sys/module/wireguard
# exists), where wg-quick alone refuses the userspace implementation. The
# unit ends with wgmtud serving the interface with the config's addresses and
# routes, against wireguard-go.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
lab_init
command -v wg-quick >/dev/null || lab_die "wg-quick not installed"
command -v unshare >/dev/null || lab_die "unshare not installed"
lab_chain laptop vps -- 1500
LIF=$(lab_wg_ifname l) VIF=$(lab_wg_ifname v)
lab_wg_up vps wireguard-go "$VIF" 10.99.0.2 fd99::2 1420
lab_wg_keys "$LIF"
lab_wg_peer vps "$VIF" "$LIF" "" 10.99.0.1/32 fd99::1/128
LAB_WG_SOCKS+=("/var/run/wireguard/$LIF.sock")

# installed with its paths pointing into the stage, so that the unit's
# commands are run exactly as written
ST=$LAB_TMP/stage
make -C "$LAB_ROOT" -s BUILD="$LAB_BUILD" PREFIX="$ST/usr" install >/dev/null ||
	lab_die "make install"
UNIT=$ST/usr/lib/systemd/system/wgmtud@.service
[ -f "$UNIT" ] || lab_die "wgmtud@.service not installed"
lab_check "the ip wrapper is installed where the unit's PATH says" \
	bash -c "grep -q '^Environment=PATH=$ST/usr/lib/wgmtu/wg-quick:' '$UNIT' && test -x '$ST/usr/lib/wgmtu/wg-quick/ip'"

mkdir -p "$LAB_TMP/etc-wireguard"
cat >"$LAB_TMP/etc-wireguard/$LIF.conf" <<CONF
[Interface]
PrivateKey = $(cat "$LAB_TMP/$LIF.key")
Address = 10.99.0.1/24, fd99::1/64
MTU = 1420

[Peer]
PublicKey = $(cat "$LAB_TMP/$VIF.pub")
Endpoint = $(lab_ip4 vps):51820
AllowedIPs = 10.99.0.2/32, fd99::2/128, 10.98.0.0/24
CONF
chmod 600 "$LAB_TMP/etc-wireguard/$LIF.conf"

# unit_value KEY: the unit's KEY= values, one per line, %i expanded
unit_value() { sed -n "s/^$1=//p" "$UNIT" | sed "s/%i/$LIF/g; s/%I/$LIF/g"; }
# unit_run [--no-unit-fs] CMD: run CMD as the unit's service would, in the
# laptop, in a private mount namespace where the wireguard module looks
# loaded and /etc/wireguard is the test's directory
unit_run() {
	local tmpfs="" envs=() line
	if [ "$1" = --no-unit-fs ]; then shift; else tmpfs=$(unit_value TemporaryFileSystem); fi
	while IFS= read -r line; do envs+=("$line"); done < <(unit_value Environment)
	ip netns exec "$(lab_ns laptop)" unshare -m --propagation private env -i "${envs[@]}" \
		/bin/bash -c '
		set -e
		mount -t tmpfs none /sys/module && mkdir /sys/module/wireguard  # "loaded"
		mount --bind "$1" /etc/wireguard
		for d in $2; do mount -t tmpfs none "$d"; done  # TemporaryFileSystem=
		shift 2
		eval "$*"' _ "$LAB_TMP/etc-wireguard" "$tmpfs" "$@"
}

lab_check "the unit hides /sys/module (TemporaryFileSystem=/sys/module)" \
	test "$(unit_value TemporaryFileSystem)" = /sys/module
lab_check "its ip wrapper declines only a kernel WireGuard link" bash -c "
	out=\$(ip netns exec $(lab_ns laptop) env PATH=$ST/usr/lib/wgmtu/wg-quick:\$PATH ip link add wgx$$ type wireguard 2>&1)
	[ \$? = 1 ] && [[ \$out == *'not creating a kernel WireGuard interface'* ]] &&
	ip netns exec $(lab_ns laptop) env PATH=$ST/usr/lib/wgmtu/wg-quick:\$PATH ip link add dmx$$ type veth peer name dmy$$ &&
	ip -n $(lab_ns laptop) link del dmx$$"
# what the README warns about: wg-quick alone, on a host with the module
without_unit() {
	unit_run --no-unit-fs "WG_QUICK_USERSPACE_IMPLEMENTATION=$ST/usr/bin/wgmtud PATH=/usr/sbin:/usr/bin:/sbin:/bin wg-quick up $LIF" >"$LAB_TMP/plain.log" 2>&1
	local rc=$?
	cat "$LAB_TMP/plain.log"
	[ $rc != 0 ] && grep -q "ip link add $LIF type wireguard" "$LAB_TMP/plain.log" &&
		! grep -q "Falling back" "$LAB_TMP/plain.log" && ! lab_run laptop ip link show "$LIF"
}
lab_check "without the unit: wg-quick will not start wgmtud when the module is loaded" without_unit

START=$(unit_value ExecStart)
lab_check "ExecStart ($START)" unit_run "$START >$LAB_TMP/start.log 2>&1"
for pid in $(ip netns pids "$(lab_ns laptop)"); do LAB_PIDS+=("$pid"); done
lab_check "wgmtud runs the interface" bash -c "
	ip netns pids $(lab_ns laptop) | xargs -r ps -o comm= -p | grep -qx wgmtud"
lab_check "wgmtud serves its UAPI socket (path-MTU state)" bash -c "
	ip netns exec $(lab_ns laptop) $LAB_BUILD/wgmtu show $LIF | grep -q 'wgmtud, path-MTU extension'"
lab_check "the config's addresses" bash -c "
	ip -n $(lab_ns laptop) addr show $LIF | grep -q 'inet 10.99.0.1/24' &&
	ip -n $(lab_ns laptop) addr show $LIF | grep -q 'inet6 fd99::1/64'"
lab_check "the config's MTU" bash -c "ip -n $(lab_ns laptop) link show $LIF | grep -q 'mtu 1420'"
lab_check "the route of the allowed subnet 10.98.0.0/24" bash -c "
	ip -n $(lab_ns laptop) route show dev $LIF | grep -q '^10.98.0.0/24'"
lab_check "the tunnel works (IPv4 and IPv6)" bash -c "
	ip netns exec $(lab_ns laptop) ping -c1 -W2 10.99.0.2 >/dev/null &&
	ip netns exec $(lab_ns laptop) ping -c1 -W2 fd99::2 >/dev/null"
lab_check "ExecReload (wg syncconf of the config)" unit_run "$(unit_value ExecReload)"
lab_check "still up after the reload" lab_run laptop ping -c1 -W2 10.99.0.2
lab_check "ExecStop ($(unit_value ExecStop))" unit_run "$(unit_value ExecStop) >$LAB_TMP/stop.log 2>&1"
lab_check "after ExecStop: interface and daemon gone" lab_wait_for 5 bash -c "
	! ip -n $(lab_ns laptop) link show $LIF 2>/dev/null &&
	! ip netns pids $(lab_ns laptop) | xargs -r ps -o comm= -p | grep -qx wgmtud"
lab_done
