#!/bin/bash
# WG_TUN_FD and WG_UAPI_FD as wireguard-go honours them: a parent opens the
# TUN (plain IFF_TUN|IFF_NO_PI, no offloads) and the listening UAPI socket,
# then execs wgmtud with both descriptors; the daemon serves `wg` on the
# inherited socket and carries traffic on the inherited TUN (the path
# without the vnet header), talking to wireguard-go.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
dmn_two_hosts
IA=$(dmn_ifname a); IB=$(dmn_ifname b)
dmn_keypair a; dmn_keypair b
SA=/var/run/wireguard/$IA.sock
DMN_SOCKS+=("$SA")
mkdir -p /var/run/wireguard
cat >"$LAB_TMP/launch.py" <<'PY'
import fcntl, os, socket, struct, sys
name, prog, path = sys.argv[1], sys.argv[2], sys.argv[3]
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", name.encode(), 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
os.set_inheritable(fd, True)
os.set_inheritable(s.fileno(), True)
env = dict(os.environ, WG_TUN_FD=str(fd), WG_UAPI_FD=str(s.fileno()),
           WG_PROCESS_FOREGROUND="1", LOG_LEVEL="verbose")
os.execve(prog, [prog, name], env)
PY
lab_bg a "$IA" python3 "$LAB_TMP/launch.py" "$IA" "$DMN_WGMTUD" "$SA"
DMN_PIDS+=("$LAB_LASTPID")
P=$LAB_LASTPID
lab_check "wg talks to the inherited socket" lab_wait_for 5 lab_run a wg show "$IA"
lab_check "the daemon started on the inherited descriptors" grep -q 'device started' "$LAB_TMP/$IA.log"
dmn_start wggo b "$IB"
dmn_setup a "$IA" a 51820
dmn_setup b "$IB" b 51821
dmn_peer a "$IA" "$(dmn_pub b)" "$(lab_ip4 b):51821" "192.168.77.2/32,fd00:77::2/128"
dmn_peer b "$IB" "$(dmn_pub a)" "$(lab_ip4 a):51820" "192.168.77.1/32,fd00:77::1/128"
dmn_tunnel_addr a "$IA" 192.168.77.1/24 fd00:77::1/64
dmn_tunnel_addr b "$IB" 192.168.77.2/24 fd00:77::2/64
lab_check "MTU 1420 set on the inherited TUN" bash -c "ip -n $(lab_ns a) link show $IA | grep -q 'mtu 1420'"
lab_check "ping over the inherited TUN (no vnet header)" dmn_ping a 192.168.77.2
http_both() { dmn_http b 192.168.77.2 a && dmn_http a 192.168.77.1 b; }
lab_check "1 MB HTTP both ways over the inherited TUN" http_both
kill "$P"
lab_check "SIGTERM: exits" lab_wait_for 5 bash -c "! kill -0 $P"
lab_check "an inherited socket path is not ours to remove" test -S "$SA"
lab_done
