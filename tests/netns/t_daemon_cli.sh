#!/bin/bash
# wgmtud's command line and lifecycle, as wireguard-go's: help/version,
# usage errors (exit 2), daemonizing (returns once ready), the UAPI socket's
# modes, name taken, socket in use, stale socket replaced, MTU 1420 at
# creation and `ip link set mtu` followed, no /dev/net/tun, no permission,
# clean shutdown on SIGTERM / SIGINT and when the link is deleted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
W=$DMN_WGMTUD
lab_host a
I=$(dmn_ifname c)
S=/var/run/wireguard/$I.sock
DMN_SOCKS+=("$S")

lab_check "--help prints usage with an example" bash -c "$W --help | grep -q 'Usage: wgmtud' && $W --help | grep -q 'Example'"
lab_check "--version prints the version" bash -c "$W --version | grep -q '^wgmtud [0-9]'"
lab_check "no interface name: exit 2" bash -c "$W >/dev/null 2>&1; test \$? = 2"
lab_check "unknown option: exit 2" bash -c "$W --bogus x >/dev/null 2>&1; test \$? = 2"
lab_check "... two lines naming the option and --help, not the whole usage" \
	bash -c "[ \"\$($W --bogus x 2>&1)\" = \"wgmtud: unknown option '--bogus'
Try 'wgmtud --help'.\" ]"
lab_check "name longer than 15: exit 2 with a reason" bash -c "$W -f abcdefghijklmnopq 2>&1 | grep -q 'not a valid interface name'"
# names the kernel refuses are said to be invalid, not "taken" (issue 11.6)
for bad in 'wg 0' 'wg:0' 'wg%d' '..'; do
	lab_check "name '$bad': exit 2, 'not a valid interface name'" bash -c "ip netns exec $(lab_ns a) timeout 5 $W -f '$bad' >$LAB_TMP/bad.out 2>&1; rc=\$?; cat $LAB_TMP/bad.out; test \$rc = 2 && grep -q 'not a valid interface name' $LAB_TMP/bad.out && ! grep -q 'TUN device' $LAB_TMP/bad.out"
done
lab_check "no interface was made of the bad names" bash -c "! ip -n $(lab_ns a) -o link | grep -q 'wg0\\|wg:0\\|wg 0'"
# WG_UAPI_FD a socket, but not the listening one: said plainly, exit 1
lab_check "WG_UAPI_FD a connected unix socket: says it is not listening" bash -c "ip netns exec $(lab_ns a) timeout 5 python3 -c '
import os, socket, sys
a, b = socket.socketpair()
os.set_inheritable(a.fileno(), True)
os.environ[\"WG_UAPI_FD\"] = str(a.fileno())
os.execv(sys.argv[1], [sys.argv[1], \"-f\", sys.argv[2]])' $W $I 2>$LAB_TMP/fdc.err; rc=\$?; cat $LAB_TMP/fdc.err; test \$rc = 1 && grep -q 'not listening' $LAB_TMP/fdc.err"
lab_check "... and no interface was left behind" bash -c "! ip -n $(lab_ns a) link show $I 2>/dev/null"

# A bad environment value is refused (exit 1, naming the variable and what
# it accepts) before anything is created; these were ignored before. Run in
# the lab namespace, under a timeout, so a daemon that starts anyway is
# contained and reported.
bad_env() { # WANT_TEXT VAR=VALUE...
	local want=$1; shift
	timeout -k 1 3 ip netns exec "$(lab_ns a)" env "$@" "$W" -f "$I" >"$LAB_TMP/env.out" 2>&1
	local rc=$?
	[ $rc = 1 ] || { echo "exit $rc, want 1"; cat "$LAB_TMP/env.out"; return 1; }
	grep -qF -- "$want" "$LAB_TMP/env.out" || { echo "no '$want' in:"; cat "$LAB_TMP/env.out"; return 1; }
	! ip -n "$(lab_ns a)" link show "$I" >/dev/null 2>&1 || { echo "interface created"; return 1; }
}
lab_check "LOG_LEVEL=loud: exit 1, names the accepted levels" bad_env \
	"LOG_LEVEL=loud: expected error, verbose, debug or silent" LOG_LEVEL=loud
lab_check "WGMTUD_TEST_PMTU_RAISE_MS=5: exit 1, names 100..600000" bad_env \
	"WGMTUD_TEST_PMTU_RAISE_MS=5: expected 100..600000" WGMTUD_TEST_PMTU_RAISE_MS=5
lab_check "WGMTUD_TEST_TIMER_SCALE=fast: exit 1, names 1..1000" bad_env \
	"WGMTUD_TEST_TIMER_SCALE=fast: expected 1..1000" WGMTUD_TEST_TIMER_SCALE=fast
lab_check "WG_PROCESS_FOREGROUND=yes: exit 1" bad_env \
	"WG_PROCESS_FOREGROUND=yes: expected 1" WG_PROCESS_FOREGROUND=yes
lab_check "WG_UAPI_FD=1 (not a socket): exit 1, says so" bad_env \
	"WG_UAPI_FD=1 is not a socket" WG_UAPI_FD=1

# Detaching: the command returns 0 once the interface and socket exist.
lab_check "daemonizes and returns 0" lab_run a env -u WG_PROCESS_FOREGROUND "$W" "$I"
lab_check "interface exists at once with MTU 1420" bash -c "ip -n $(lab_ns a) link show $I | grep -q 'mtu 1420'"
lab_check "socket is 0600, directory 0755" bash -c "test \"\$(stat -c %a $S)\" = 600 && test \"\$(stat -c %a /var/run/wireguard)\" = 755"
DPID=$(ip netns pids "$(lab_ns a)" | head -n1)
DMN_PIDS+=("$DPID")
lab_check "wg show answers, with a random listening port" bash -c "ip netns exec $(lab_ns a) wg show $I listen-port | grep -qv '^0$'"
lab_check "second daemon on the same name fails with exit 1" bash -c "ip netns exec $(lab_ns a) $W -f $I 2>$LAB_TMP/dup.err; test \$? = 1"
lab_check "... and says the interface is in use" grep -qi 'in use' "$LAB_TMP/dup.err"
kill -TERM "$DPID"
lab_check "SIGTERM: the daemon exits" lab_wait_for 5 bash -c "! kill -0 $DPID"
lab_check "SIGTERM: socket removed" bash -c "! test -e $S"
lab_check "SIGTERM: interface removed" bash -c "! ip -n $(lab_ns a) link show $I"

# Foreground, verbose: MTU change logged, SIGINT, link deletion.
dmn_start wgmtud a "$I"
P=$DMN_LASTPID
ip -n "$(lab_ns a)" link set "$I" mtu 1300
lab_check "verbose log names the MTU change" lab_wait_for 3 grep -q 'MTU changed 1420 -> 1300' "$LAB_TMP/$I.log"
lab_run a wg set "$I" listen-port 0 peer "$(wg genkey | wg pubkey)" allowed-ips 10.9.0.0/16 persistent-keepalive 1 endpoint 127.0.0.1:9
kill -INT "$P"
lab_check "SIGINT: exits and removes the socket" lab_wait_for 5 bash -c "! kill -0 $P && ! test -e $S"
lab_check_fails "no sanitizer report (leaks, UB) in the daemon's log after exit" grep -q 'Sanitizer\|runtime error' "$LAB_TMP/$I.log"
dmn_start wgmtud a "$I"
P=$DMN_LASTPID
ip -n "$(lab_ns a)" link del "$I"
lab_check "link deleted: the daemon exits, socket removed" lab_wait_for 5 bash -c "! kill -0 $P && ! test -e $S"

# A stale socket (nobody listening) is replaced.
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$S"
lab_check "stale socket file present" test -S "$S"
dmn_start wgmtud a "$I"
P=$DMN_LASTPID
lab_check "stale socket replaced: wg show works" lab_wait_for 3 lab_run a wg show "$I"
kill "$P"; lab_wait_for 5 bash -c "! kill -0 $P"

# Name taken by a device that is not a TUN.
ip -n "$(lab_ns a)" link add "$I" type veth peer name "${I:0:12}x"
lab_check "name taken by a veth: exit 1, clear reason" bash -c "ip netns exec $(lab_ns a) $W -f $I 2>&1 >/dev/null | grep -q 'not a TUN device'"
ip -n "$(lab_ns a)" link del "$I"

# No /dev/net/tun (hidden in a private mount namespace).
lab_check "no /dev/net/tun: exit 1, says to load the module" bash -c "ip netns exec $(lab_ns a) unshare -m sh -c 'mount -t tmpfs none /dev/net && $W -f $I' 2>&1 | grep -q 'modprobe tun'"
# No permission: an unprivileged user.
lab_check "unprivileged: exit 1, says root is needed" bash -c "ip netns exec $(lab_ns a) setpriv --reuid=65534 --regid=65534 --clear-groups $W -f $I 2>&1 | grep -q 'root or CAP_NET_ADMIN'"
lab_done
