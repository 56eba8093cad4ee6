#!/bin/bash
# `wg` against wgmtud, with wireguard-go as the reference: the same
# setconf / set / addconf / syncconf commands on both daemons must give the
# same `wg showconf` and `wg show ... dump`; an invalid or unappliable set
# changes nothing and answers the right errno.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
lab_host a
lab_host b # wireguard-go in its own namespace: both bind the same ports
M=$(dmn_ifname m); G=$(dmn_ifname g)
dmn_start wgmtud a "$M"
dmn_start wggo b "$G"
for k in dev p1 p2 p3 p4; do dmn_keypair "$k"; done
(umask 077; wg genpsk >"$LAB_TMP/psk")

cat >"$LAB_TMP/conf1" <<CONF
[Interface]
PrivateKey = $(cat "$LAB_TMP/dev.key")
ListenPort = 41999
FwMark = 0x1234

[Peer]
PublicKey = $(dmn_pub p1)
PresharedKey = $(cat "$LAB_TMP/psk")
AllowedIPs = 10.1.0.0/16, fd00:1::/64, 10.9.9.9/32
Endpoint = 192.0.2.1:51820
PersistentKeepalive = 25

[Peer]
PublicKey = $(dmn_pub p2)
AllowedIPs = 10.2.0.0/24, 10.1.2.3/32
Endpoint = [2001:db8::2]:4444

[Peer]
PublicKey = $(dmn_pub p3)
AllowedIPs = 0.0.0.0/0, ::/0
CONF

# Compare what the two daemons report (peer order normalised).
same() {
	lab_run a wg showconf "$M" | sed "s/$M/IF/" >"$LAB_TMP/m.conf"
	lab_run b wg showconf "$G" | sed "s/$G/IF/" >"$LAB_TMP/g.conf"
	norm() { python3 -c '
import sys
blocks = open(sys.argv[1]).read().strip().split("\n\n")
print(blocks[0])
for p in sorted(blocks[1:]):
    print("\n" + p)' "$1"; }
	norm "$LAB_TMP/m.conf" >"$LAB_TMP/m.norm"
	norm "$LAB_TMP/g.conf" >"$LAB_TMP/g.norm"
	diff -u "$LAB_TMP/g.norm" "$LAB_TMP/m.norm"
}
both() { lab_run a wg "$1" "$M" "${@:2}" && lab_run b wg "$1" "$G" "${@:2}"; }
both_set() { lab_run a wg set "$M" "$@" && lab_run b wg set "$G" "$@"; }

lab_check "wg setconf accepted by both" both setconf "$LAB_TMP/conf1"
lab_check "showconf after setconf matches wireguard-go" same
lab_check "listen port and fwmark as set" bash -c "ip netns exec $(lab_ns a) wg show $M listen-port | grep -qx 41999 && ip netns exec $(lab_ns a) wg show $M fwmark | grep -qx 0x1234"
lab_check "wg show dump: peer fields (keepalive, endpoint, psk) match" bash -c "
	ip netns exec $(lab_ns a) wg show $M dump | tail -n +2 | cut -f1-4,8 | sort >$LAB_TMP/md
	ip netns exec $(lab_ns b) wg show $G dump | tail -n +2 | cut -f1-4,8 | sort >$LAB_TMP/gd
	diff -u $LAB_TMP/gd $LAB_TMP/md"
lab_check "wg show (pretty) lists all three peers" bash -c "test \$(ip netns exec $(lab_ns a) wg show $M peers | wc -l) = 3"

lab_check "wg set: remove a peer, move an allowed IP, new keepalive" \
	both_set peer "$(dmn_pub p2)" remove peer "$(dmn_pub p1)" persistent-keepalive off allowed-ips 10.7.0.0/24 peer "$(dmn_pub p3)" allowed-ips 10.1.2.3/32,fd00:3::/48 endpoint 198.51.100.7:1
lab_check "showconf after wg set matches" same
lab_check "wg set listen-port 0 / fwmark off" both_set listen-port 42001 fwmark 0
lab_check "showconf after port/fwmark change matches" same
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.4.0.0/24\n' "$(dmn_pub p4)" >"$LAB_TMP/conf2"
lab_check "wg addconf adds a peer" both addconf "$LAB_TMP/conf2"
lab_check "showconf after addconf matches" same
lab_check "wg syncconf back to the first config" both syncconf "$LAB_TMP/conf1"
lab_check "showconf after syncconf matches" same

# Raw UAPI: all or nothing.
uapi() { python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3)
s.connect("/var/run/wireguard/%s.sock" % sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
out = b""
while not out.endswith(b"\n\n"):
    d = s.recv(65536)
    if not d: break
    out += d
sys.stdout.write(out.decode())
PY
}
lab_run a wg showconf "$M" >"$LAB_TMP/before"
uapi "$M" 'set=1\nlisten_port=43000\npublic_key=zzzz\n\n' >"$LAB_TMP/r1"
lab_check "invalid set line: errno=-22 (wireguard-go's sign)" grep -qx 'errno=-22' "$LAB_TMP/r1"
uapi "$M" 'set=1\nlisten_port=43000\nbogus\n\n' >"$LAB_TMP/r2"
lab_check "line without '=': errno=-71 (EPROTO)" grep -qx 'errno=-71' "$LAB_TMP/r2"
lab_run a wg showconf "$M" >"$LAB_TMP/after"
lab_check "... and nothing changed (listen port kept)" cmp "$LAB_TMP/before" "$LAB_TMP/after"
lab_run a python3 -c "import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 43001)); time.sleep(3)" &
HOLDER=$!
lab_wait_for 5 bash -c "ip netns exec $(lab_ns a) ss -uln | grep -q ':43001 '" || lab_die "port holder did not bind"
uapi "$M" 'set=1\nlisten_port=43001\nreplace_peers=true\n\n' >"$LAB_TMP/r3"
lab_check "port in use: errno=-98 (EADDRINUSE)" grep -qx 'errno=-98' "$LAB_TMP/r3"
lab_run a wg showconf "$M" >"$LAB_TMP/after2"
lab_check "... and the peers were not replaced" cmp "$LAB_TMP/before" "$LAB_TMP/after2"
# An op that fails while applying (an endpoint zone that names no
# interface) after ops that would add a peer, move an allowed IP and change
# an endpoint: the whole set fails and nothing of it stays.
hex() { python3 -c 'import base64, sys; print(base64.b64decode(sys.argv[1]).hex())' "$1"; }
uapi "$M" "set=1\npublic_key=$(hex "$(dmn_pub p4)")\nallowed_ip=10.4.0.0/16\nallowed_ip=10.9.9.9/32\npublic_key=$(hex "$(dmn_pub p2)")\nendpoint=192.0.2.99:1\npublic_key=$(hex "$(dmn_pub p3)")\nendpoint=[fe80::1%nosuchif9]:51820\n\n" >"$LAB_TMP/r4"
lab_check "endpoint zone of no interface: errno=-22" grep -qx 'errno=-22' "$LAB_TMP/r4"
lab_run a wg showconf "$M" >"$LAB_TMP/after3"
lab_check "... and none of the set's earlier ops stayed" cmp "$LAB_TMP/before" "$LAB_TMP/after3"
uapi "$M" 'get=1\n\n' >"$LAB_TMP/get"
lab_check "get reply has protocol_version=1 and ends with errno=0" bash -c "grep -qx protocol_version=1 $LAB_TMP/get && tail -n2 $LAB_TMP/get | head -n1 | grep -qx errno=0"
# wgmtud's own keys (wgmtu_version, wgmtu_drop_<reason>, ...) are in that
# reply; wg must ignore them: show, dump and showconf still work.
lab_check "get reply carries the drop counters (wgmtu_drop_*)" \
	bash -c "grep -qx 'wgmtu_drop_no_allowed_ips_route=[0-9]*' $LAB_TMP/get && test \$(grep -c '^wgmtu_drop_' $LAB_TMP/get) -ge 20"
lab_check "... and wg show / show dump / showconf still read the device" bash -c "
	ip netns exec $(lab_ns a) wg show $M >/dev/null &&
	ip netns exec $(lab_ns a) wg show $M dump | tail -n +2 | wc -l | grep -qx \$(ip netns exec $(lab_ns a) wg show $M peers | wc -l) &&
	ip netns exec $(lab_ns a) wg showconf $M | grep -q '^\[Peer\]'"
wait "$HOLDER"
lab_done
