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
drops() { dmn_drops "$IB" "$1"; }
lab_check_fails "3 spaced initiations: no cookie reply (not under load)" \
	lab_run a "$FLOOD" --peer "$(lab_ip4 b)" --port 51821 --pub "$PB" --count 3 --wait 1
# (the flood's initiations carry a valid MAC1 but no key wgmtud knows)
lab_check "... each went through the handshake and failed there: handshake-invalid = 3, no cookie sent" \
	test "$(drops handshake-invalid) $(drops under-load-cookie-sent)" = "3 0"
lab_check "a burst of 3000 initiations gets cookie replies" \
	bash -c "ip netns exec $(lab_ns a) '$FLOOD' --peer $(lab_ip4 b) --port 51821 --pub '$PB' --count 3000 --wait 1 >'$LAB_TMP/flood.out'"
sed 's/^/# flood: /' "$LAB_TMP/flood.out"
GOT=$(awk '{ for (i = 1; i < NF; i++) if ($i == "cookie_replies") print $(i + 1) }' "$LAB_TMP/flood.out")
lab_check "the daemon counted at least the ${GOT:-?} cookie replies that arrived (UAPI under-load-cookie-sent)" \
	test "$(drops under-load-cookie-sent)" -ge "${GOT:-1}"
# 3000 from one source in well under a second: past its budget (burst 200,
# 1000/s) the rest is dropped before any crypto
lab_check "the flooding source's excess dropped before crypto (UAPI under-load-source-limit > 0)" \
	test "$(drops under-load-source-limit)" -gt 0
lab_check "every initiation of the burst is accounted for once, none twice (cookie + source limit + invalid <= 3003)" \
	test $(($(drops under-load-cookie-sent) + $(drops under-load-source-limit) + $(drops handshake-invalid))) -le 3003
lab_check "the established session kept working" dmn_ping a 192.168.77.2 3
sleep 1.2 # the under-load state holds for 1 s
dmn_reset_sessions
lab_check "after the flood: a fresh handshake from wireguard-go" dmn_ping a 192.168.77.2
dmn_reset_sessions
lab_check "wgmtud initiates after the flood" dmn_ping b 192.168.77.1
lab_done
