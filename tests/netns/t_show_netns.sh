#!/bin/bash
# wgmtu show / set against real daemons.
#  1. wireguard-go on both ends (IPv6 outer): show degrades gracefully —
#     "not a wgmtud", exit 0, the standard peer information matches `wg`;
#     set refuses with exit 3 and changes nothing.
#  2. wgmtud facing a wireguard-go peer (hosts of part 1): show reports the
#     in-tunnel ping method and its probe address; set's probe-address is
#     taken by the real daemon.
#  3. The story's path (1454 bottleneck, PTB dropped on both routers) with
#     wgmtud on both ends: show reports the discovered path MTU.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
W="$LAB_BUILD/wgmtu"
dmn_init
# Only our own sockets: /var/run/wireguard is shared with other runs.
export WGMTU_UAPI_DIR="$LAB_TMP/uapi"
mkdir -p "$WGMTU_UAPI_DIR"
link_sock() { ln -sf "/var/run/wireguard/$1.sock" "$WGMTU_UAPI_DIR/$1.sock"; }

has() { grep -qF -- "$2" <<<"$1" || { echo "missing: $2"; echo "$1"; return 1; }; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

dmn_pair wggo wggo 6
link_sock "$IA"; link_sock "$IB"
lab_check "handshake over the IPv6 path" dmn_ping a 192.168.77.2

out=$(lab_run a "$W" show "$IA"); rc=$?
lab_check "wireguard-go: show exits 0" test "$rc" = 0
lab_check "wireguard-go: says it is not a wgmtud" has "$out" \
	"interface: $IA: not a wgmtud (no path-MTU state); this is wireguard-go/kernel"
lab_check "wireguard-go: peer key as wg prints it" has "$out" "public key:       $PB"
lab_check "wireguard-go: endpoint as wg reports it" has "$out" \
	"endpoint:         $(lab_run a wg show "$IA" endpoints | awk '{print $2}')"
lab_check "wireguard-go: allowed ips" has "$out" "allowed ips:      192.168.77.2/32, fd00:77::2/128"
lab_check "wireguard-go: a recent handshake" bash -c "grep -E 'latest handshake: ([0-9]+ s ago|just now)' <<<'$out'"
lab_check "wireguard-go: listening port" has "$out" "listening port:   51820"
J=$(lab_run a "$W" show --json "$IA")
lab_check "wireguard-go JSON: wgmtud false, rx/tx numbers" \
	test "$(json <<<"$J" '*(lambda i, p: (i["wgmtud"], isinstance(p["rx_bytes"], int) and p["rx_bytes"] > 0, p["public_key"]))(d["interfaces"][0], d["interfaces"][0]["peers"][0])')" = "False True $PB"
out=$(lab_run a "$W" show); rc=$?
lab_check "show without IFNAME lists both interfaces" \
	bash -c "[ $rc = 0 ] && grep -c '^interface:' <<<'$out' | grep -qx 2"
before=$(lab_run a wg showconf "$IA")
lab_run a "$W" set "$IA" probe off 2>"$LAB_TMP/e"; rc=$?
lab_check "wireguard-go: set refuses, exit 3, one line" \
	bash -c "[ $rc = 3 ] && [ \$(wc -l <'$LAB_TMP/e') = 1 ] && grep -q 'not a wgmtud' '$LAB_TMP/e'"
lab_check "wireguard-go: nothing changed" test "$before" = "$(lab_run a wg showconf "$IA")"
lab_check "stopped daemon: show exits 3 with one line" bash -c \
	"kill ${DMN_PIDS[1]}; for i in \$(seq 50); do kill -0 ${DMN_PIDS[1]} 2>/dev/null || break; sleep 0.1; done; \
	 '$W' show '$IB' 2>'$LAB_TMP/e2'; rc=\$?; cat '$LAB_TMP/e2'; [ \$rc = 3 ] && [ \$(wc -l <'$LAB_TMP/e2') = 1 ]"

# ---- 2. wgmtud (a) facing wireguard-go (b), a clean 1500 path
MA=$(dmn_ifname ma); GB=$(dmn_ifname gb)
dmn_start wgmtud a "$MA"
link_sock "$MA"
# (this used to skip parts 2 and 3 silently when the daemon served no
# wgmtu_ keys, from before the daemon had them; now that is a failure)
is_wgmtud() { lab_run a "$W" show --json "$1" | json 'd["interfaces"][0]["wgmtud"]' | grep -qx True; }
lab_check "wgmtud serves the wgmtu_ keys: show --json says wgmtud" is_wgmtud "$MA"
dmn_start wggo b "$GB"
dmn_setup a "$MA" a 51830
dmn_setup b "$GB" b 51831
dmn_peer a "$MA" "$PB" "[$(lab_ip6 b)]:51831" "192.168.78.2/32"
dmn_peer b "$GB" "$PA" "" "192.168.78.1/32"
dmn_tunnel_addr a "$MA" 192.168.78.1/24 fd00:78::1/64
dmn_tunnel_addr b "$GB" 192.168.78.2/24 fd00:78::2/64
lab_check "wgmtud -> wireguard-go: tunnel up" lab_wait_for 5 lab_run a ping -c1 -W1 192.168.78.2
jpeer() { lab_run a "$W" show --json "$MA" | json "d['interfaces'][0]['peers'][0]$1"; }
complete_a() { jpeer '["state"]' | grep -qx search_complete; }
lab_check "wgmtud -> wireguard-go: search completes within 15 s" lab_wait_for 15 complete_a
lab_check "method icmp-tunnel, probe address from the allowed IPs" \
	test "$(jpeer '["method"], d["interfaces"][0]["peers"][0]["probe_address"]')" = "icmp-tunnel 192.168.78.2"
lab_check "clean path, IPv6 outer: path MTU 1500, MTU capped at the TUN's 1420" \
	test "$(jpeer '["path_mtu"], d["interfaces"][0]["peers"][0]["effective_mtu"]')" = "1500 1420"
out=$(lab_run a "$W" show "$MA")
sed 's/^/# /' <<<"$out"
lab_check "the headline names the in-tunnel ping" has "$out" \
	"): path MTU 1500 -> MTU 1420 (search complete, ping inside the tunnel, no change needed)"
lab_check "set probe-address on the real daemon" bash -c \
	"'$W' set '$MA' peer '$PB' probe-address 192.168.78.2 probe icmp-tunnel && \
	 [ \"\$('$W' show --json '$MA' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"interfaces\"][0][\"peers\"][0][\"probe_address\"])')\" = 192.168.78.2 ]"
lab_check "set max-mtu / clamp-mss on the real daemon, show reports them" bash -c \
	"'$W' set '$MA' max-mtu 9000 clamp-mss off && '$W' show '$MA' | grep -q 'MSS clamping: off; max path MTU: 9000'"
lab_check "the real daemon refuses nothing we validate: max-mtu back to 1500" \
	lab_run a "$W" set "$MA" max-mtu 1500 clamp-mss on
lab_check "peer probe off: the headline says the MTU is kept, and why" bash -c \
	"'$W' set '$MA' peer '$PB' probe off && '$W' show '$MA' | tee /dev/stderr | grep -q '): no path-MTU discovery, keeping MTU 1420 ('"
lab_check "device probe off: JSON probe false" bash -c \
	"'$W' set '$MA' probe off && '$W' show --json '$MA' | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"interfaces\"][0][\"probe\"] is False else 1)'"
lab_check "back to defaults" lab_run a "$W" set "$MA" probe on peer "$PB" probe auto probe-address auto

# ---- 3. wgmtud on the story's path
LIF=$(dmn_ifname l); VIF=$(dmn_ifname v)
lab_chain laptop home isp vps -- 1500 1454 1500
lab_drop_ptb home
lab_drop_ptb isp
dmn_keypair l; dmn_keypair v
dmn_start wgmtud laptop "$LIF"
link_sock "$LIF"
dmn_start wgmtud vps "$VIF"
dmn_setup laptop "$LIF" l 51820
dmn_setup vps "$VIF" v 51820
dmn_peer laptop "$LIF" "$(dmn_pub v)" "$(lab_ip4 vps):51820" "10.99.0.2/32,fd99::2/128"
dmn_peer vps "$VIF" "$(dmn_pub l)" "" "10.99.0.1/32,fd99::1/128"
dmn_tunnel_addr laptop "$LIF" 10.99.0.1/24 fd99::1/64
dmn_tunnel_addr vps "$VIF" 10.99.0.2/24 fd99::2/64
lab_check "story path: tunnel up" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
complete() { lab_run laptop "$W" show --json "$LIF" | json 'd["interfaces"][0]["peers"][0]["state"]' | grep -qx search_complete; }
lab_check "story path: search completes within 30 s" lab_wait_for 30 complete
J=$(lab_run laptop "$W" show --json "$LIF")
pm=$(json <<<"$J" 'd["interfaces"][0]["peers"][0]["path_mtu"]')
em=$(json <<<"$J" 'd["interfaces"][0]["peers"][0]["effective_mtu"]')
lab_check "story path: path MTU $pm within 16 bytes of 1454" bash -c "[ '$pm' -le 1454 ] && [ '$pm' -gt 1438 ]"
lab_check "story path: effective MTU $em = path MTU - 60" test "$em" = "$((pm - 60))"
out=$(lab_run laptop "$W" show "$LIF")
sed 's/^/# /' <<<"$out"
lab_check "story path: the headline says so" has "$out" "path MTU $pm -> MTU $em (search complete, in-band probes"
lab_check "story path: set pins the MTU, show reports it" bash -c \
	"'$W' set '$LIF' peer '$(dmn_pub v)' mtu 1300 && '$W' show --json '$LIF' | python3 -c 'import json,sys; p=json.load(sys.stdin)[\"interfaces\"][0][\"peers\"][0]; sys.exit(0 if p[\"pinned_mtu\"]==1300 and p[\"effective_mtu\"]==1300 else 1)'"
lab_check "story path: mtu auto unpins" bash -c \
	"'$W' set '$LIF' peer '$(dmn_pub v)' mtu auto && '$W' show --json '$LIF' | python3 -c 'import json,sys; p=json.load(sys.stdin)[\"interfaces\"][0][\"peers\"][0]; sys.exit(0 if p[\"pinned_mtu\"]==0 else 1)'"
lab_done
