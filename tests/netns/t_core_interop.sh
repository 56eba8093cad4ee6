#!/bin/bash
# Wire compatibility of the protocol library with wireguard-go: the driver
# tests/tools/wgcore_peer (library + one UDP socket, no TUN) against
# Debian's wireguard-go on a TUN in another namespace, configured with wg.
#   (a) we initiate, send an ICMP echo request through the tunnel and
#       decrypt wireguard-go's echo reply;
#   (b) wireguard-go initiates (ping inside its namespace), we respond,
#       decrypt the echo requests and answer them so the ping succeeds;
#   (c) under load we answer with a cookie reply; wireguard-go's next
#       initiation carries a valid mac2 and the handshake completes;
#   (d) a wrong preshared key fails cleanly in both directions.
# (a) and (b) run over IPv4 and IPv6 outer addresses.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_core.sh"
lab_init
trap 'core_cleanup_wggo; lab_cleanup' EXIT
PEER="$LAB_BUILD/tests/tools/wgcore_peer"
[ -x "$PEER" ] || lab_die "missing $PEER (make unit-bins)"

lab_chain drv wgo -- 1500
D4=$(lab_ip4 drv); W4=$(lab_ip4 wgo); D6=$(lab_ip6 drv); W6=$(lab_ip6 wgo)
IF="wgc$$"
T=$LAB_TMP
wg genkey >"$T/drv.key"; wg pubkey <"$T/drv.key" >"$T/drv.pub"
wg genkey >"$T/wgo.key"; wg pubkey <"$T/wgo.key" >"$T/wgo.pub"
wg genpsk >"$T/psk"; wg genpsk >"$T/psk.wrong"
DPUB=$(cat "$T/drv.pub"); WPUB=$(cat "$T/wgo.pub")
core_wggo_up wgo "$IF" "$T/wgo.key" 192.168.77.2/24
INNER=(--inner-src 192.168.77.1 --inner-dst 192.168.77.2)

# drv_run NAME ARGS...: run the driver in drv, output to $T/NAME.out
drv_run() {
	local name=$1; shift
	lab_run drv timeout 30 "$PEER" "$@" --key-file "$T/drv.key" --peer-pub "$WPUB" \
		"${INNER[@]}" >"$T/$name.out" 2>&1
}
has() { grep -q -- "$2" "$T/$1.out" || { cat "$T/$1.out"; return 1; }; }
# bg_ready NAME: wait until the background driver has bound its socket
bg_ready() { lab_wait_for 5 grep -q '^listening' "$T/$1.log" || lab_log "driver $1 not ready"; }

# ---- (a) we initiate ----
for fam in 4 6; do
	if [ $fam = 4 ]; then B=$D4; P=$W4; else B=$D6; P=$W6; fi
	core_wggo_peer wgo "$IF" "$DPUB" 192.168.77.1/32 "$T/psk"
	drv_run "a$fam" initiate --psk-file "$T/psk" --bind "$B" --port 0 --peer "$P" \
		--peer-port 51820 --timeout 8
	rc=$?
	lab_check "(a) IPv$fam: our initiation is answered by wireguard-go" has "a$fam" "response accepted"
	lab_check "(a) IPv$fam: echo reply from 192.168.77.2 decrypted (exit $rc)" \
		has "a$fam" "echo reply received from 192.168.77.2"
	lab_check "(a) IPv$fam: wireguard-go records the handshake" \
		test "$(core_latest_handshake wgo "$IF" "$DPUB")" != 0
done

# ---- (b) wireguard-go initiates ----
for fam in 4 6; do
	if [ $fam = 4 ]; then B=$D4; EP="$D4:40000"; else B=$D6; EP="[$D6]:40000"; fi
	core_wggo_peer wgo "$IF" "$DPUB" 192.168.77.1/32 "$T/psk" "$EP"
	lab_bg drv "b$fam" "$PEER" respond --psk-file "$T/psk" --bind "$B" --port 40000 \
		--count 3 --timeout 15 --key-file "$T/drv.key" --peer-pub "$WPUB" "${INNER[@]}"
	pid=$LAB_LASTPID
	bg_ready "b$fam"
	lab_check "(b) IPv$fam: ping inside wireguard-go's namespace is answered by us" \
		lab_run wgo ping -n -c 3 -i 0.2 -W 5 192.168.77.1
	wait "$pid"; rc=$?
	cp "$T/b$fam.log" "$T/b$fam.out"
	lab_check "(b) IPv$fam: we completed the responder handshake" has "b$fam" "response sent"
	lab_check "(b) IPv$fam: first data confirmed the session (next -> current)" \
		has "b$fam" "session confirmed"
	lab_check "(b) IPv$fam: echo requests decrypted and answered (exit $rc)" test "$rc" = 0
done

# ---- (c) cookie reply under load ----
core_wggo_peer wgo "$IF" "$DPUB" 192.168.77.1/32 "$T/psk" "$D4:40001"
lab_bg drv c "$PEER" respond --under-load --psk-file "$T/psk" --bind "$D4" --port 40001 \
	--count 1 --timeout 20 --key-file "$T/drv.key" --peer-pub "$WPUB" "${INNER[@]}"
pid=$LAB_LASTPID
bg_ready c
# wireguard-go retransmits its initiation after REKEY_TIMEOUT (5 s)
lab_check "(c) ping succeeds after the cookie round trip" \
	lab_run wgo ping -n -c 1 -W 15 192.168.77.1
wait "$pid"; rc=$?
cp "$T/c.log" "$T/c.out"
lab_check "(c) first initiation answered with a cookie reply" has c "cookie reply sent"
lab_check "(c) wireguard-go's next initiation carries a valid mac2" has c "valid mac2"
lab_check "(c) handshake completed after the cookie (exit $rc)" has c "response sent"

# ---- (d) wrong preshared key ----
core_wggo_peer wgo "$IF" "$DPUB" 192.168.77.1/32 "$T/psk"
drv_run d1 initiate --psk-file "$T/psk.wrong" --bind "$D4" --port 0 --peer "$W4" \
	--peer-port 51820 --timeout 8
rc=$?
lab_check "(d) wrong psk, we initiate: the response is rejected and we fail (exit $rc)" \
	bash -c "test $rc = 1 && grep -q 'response rejected: Bad message' '$T/d1.out'"
lab_check "(d) ... and no data was sent or accepted" \
	bash -c "! grep -q 'echo' '$T/d1.out'"

core_wggo_peer wgo "$IF" "$DPUB" 192.168.77.1/32 "$T/psk" "$D4:40002"
lab_bg drv d2 "$PEER" respond --psk-file "$T/psk.wrong" --bind "$D4" --port 40002 \
	--count 1 --timeout 4 --key-file "$T/drv.key" --peer-pub "$WPUB" "${INNER[@]}"
pid=$LAB_LASTPID
bg_ready d2
lab_check_fails "(d) wrong psk, wireguard-go initiates: its ping fails" \
	lab_run wgo ping -n -c 1 -W 3 192.168.77.1
wait "$pid"; rc=$?
cp "$T/d2.log" "$T/d2.out"
lab_check "(d) we answered but got no data: clean failure (exit $rc)" \
	bash -c "test $rc = 1 && grep -q 'response sent' '$T/d2.out' && ! grep -q 'session confirmed' '$T/d2.out'"
lab_check "(d) wireguard-go completed no handshake" \
	test "$(core_latest_handshake wgo "$IF" "$DPUB")" = 0
[ -n "${CORE_DEBUG:-}" ] && for f in "$T"/*.out; do echo "## $f"; sed "s/^/#  /" "$f"; done
lab_done
