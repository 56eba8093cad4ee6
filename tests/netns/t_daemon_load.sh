#!/bin/bash
# Under load (a burst of initiations with a valid MAC1, as a DoS attacker
# can send), wgmtud answers cookie replies instead of doing Diffie-Hellman,
# names the drops, keeps serving its peer, and goes back to normal: a few
# initiations get no cookie reply, and a fresh handshake with wireguard-go
# works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
FLOOD="$LAB_BUILD/tests/tools/wgd_flood"
[ -x "$FLOOD" ] || lab_die "$FLOOD not built (make unit-bins)"
dmn_pair wggo wgmtud 4
lab_check "ping before the flood" dmn_ping a 192.168.77.2
lab_check_fails "3 spaced initiations: no cookie reply (not under load)" \
	lab_run a "$FLOOD" --peer "$(lab_ip4 b)" --port 51821 --pub "$PB" --count 3 --wait 1
lab_check "a burst of 3000 initiations gets cookie replies" \
	lab_run a "$FLOOD" --peer "$(lab_ip4 b)" --port 51821 --pub "$PB" --count 3000 --wait 1
lab_check "the daemon named the drops (under-load-cookie-sent)" grep -q 'drop under-load-cookie-sent' "$LAB_TMP/$IB.log"
# 3000 from one source in well under a second: past its budget (burst 200,
# 1000/s) the rest is dropped before any crypto
lab_check "the flooding source's excess dropped before crypto (under-load-source-limit)" \
	grep -q 'drop under-load-source-limit' "$LAB_TMP/$IB.log"
lab_check "the established session kept working" dmn_ping a 192.168.77.2 3
sleep 1.2 # the under-load state holds for 1 s
dmn_reset_sessions
lab_check "after the flood: a fresh handshake from wireguard-go" dmn_ping a 192.168.77.2
dmn_reset_sessions
lab_check "wgmtud initiates after the flood" dmn_ping b 192.168.77.1
lab_done
