#!/bin/bash
# tests/soak/soak.sh [MINUTES] — wgmtud under everything at once, for a
# while (issue 11.8). Not in CI: scripts/test.sh --soak MINUTES runs it.
#
# Two wgmtuds (a, b) with protocol timers divided by 10 (a rekey every
# 12 s), and for MINUTES (default 5):
#   traffic   iperf3 TCP a -> b over inner IPv4 and UDP b -> a (100 Mbit/s)
#             over inner IPv6, in 20 s runs back to back;
#   roams     every 30 s both ends switch the other's endpoint between the
#             outer IPv4 and IPv6 address; every 60 s a changes its listen
#             port and b follows from authenticated packets alone;
#   wg set    every 40 s a peer is added to a (and the previous one removed),
#             the real peer's persistent-keepalive toggled;
#   forgery   200 forged ICMP/s of each of frag-needed, port and host
#             unreachable at a's socket, all the time.
# Every 10 s it samples both daemons' resident memory, open descriptors,
# every drop counter (UAPI get, wgmtu_drop_*) and the kernel's UDP buffer
# and TUN queue drops of each namespace into $SOAK_OUT/samples.tsv
# (default: a temporary directory, printed at the end).
# It fails when memory or descriptors grow (last sample against the one at
# a fifth of the run), when a drop reason that none of the above explains
# counted anything, when a TCP or UDP run fails,
# when a UDP datagram was lost that no counter (the daemons' or the
# kernel's) accounts for, when no rekey happened, or on a sanitizer report.
set -u
MIN=${1:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../netns/lib.sh"
. "$HERE/../netns/lib_daemon.sh"
FLOOD="$HERE/../netns/icmp_flood.py"
GET="$HERE/uapi_get.py"
TICK=10
dmn_init
OUT=${SOAK_OUT:-$LAB_TMP/out}
mkdir -p "$OUT"

dmn_two_hosts
IA=$(dmn_ifname a); IB=$(dmn_ifname b)
dmn_keypair a; dmn_keypair b; dmn_keypair x
PA=$(dmn_pub a); PB=$(dmn_pub b)
dmn_start wgmtud a "$IA" WGMTUD_TEST_TIMER_SCALE=10
PIDA=$DMN_LASTPID
dmn_start wgmtud b "$IB" WGMTUD_TEST_TIMER_SCALE=10
PIDB=$DMN_LASTPID
PORTA=51820
dmn_setup a "$IA" a $PORTA; dmn_setup b "$IB" b 51821
dmn_peer a "$IA" "$PB" "$(lab_ip4 b):51821" "192.168.77.2/32,fd00:77::2/128"
dmn_peer b "$IB" "$PA" "$(lab_ip4 a):$PORTA" "192.168.77.1/32,fd00:77::1/128"
dmn_tunnel_addr a "$IA" 192.168.77.1/24 fd00:77::1/64
dmn_tunnel_addr b "$IB" 192.168.77.2/24 fd00:77::2/64
dmn_ping a 192.168.77.2 >/dev/null || lab_die "no ping through the tunnel"
dmn_ping b fd00:77::1 >/dev/null || lab_die "no inner IPv6 ping"

START=$(date +%s)
END=$((START + MIN * 60))

# traffic, in 20 s runs until END; one line per run
lab_bg b srv4 iperf3 -s -B 192.168.77.2 -p 5201
lab_bg a srv6 iperf3 -s -B fd00:77::1 -p 5202
sleep 1
cat >"$LAB_TMP/tcp.sh" <<SH
while [ \$(date +%s) -lt $((END - 21)) ]; do
	iperf3 -c 192.168.77.2 -p 5201 -t 20 -J 2>&1 | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin); print(int(d["end"]["sum_received"]["bits_per_second"]))
except Exception:
    print(0)' >>"$OUT/tcp.txt"
done
SH
cat >"$LAB_TMP/udp.sh" <<SH
while [ \$(date +%s) -lt $((END - 21)) ]; do
	iperf3 -c fd00:77::1 -p 5202 -u -b 100M -w 4M -t 20 -J 2>&1 | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)["end"]["sum"]
    print(int(d["bits_per_second"]), "%.3f" % d["lost_percent"], d["lost_packets"], d["packets"])
except Exception:
    print(0, 100, 0, 0)' >>"$OUT/udp.txt"
done
SH
lab_bg a tcpcli bash "$LAB_TMP/tcp.sh"
lab_bg b udpcli bash "$LAB_TMP/udp.sh"

# the kernel's UDP buffer drops, datagrams to a closed port (a's old port,
# in flight while b learns the new one) and the TUN's transmit drops in a
# namespace
kdrops() {
	local ns=$1 ifn=$2
	lab_run "$ns" nstat -az UdpRcvbufErrors Udp6RcvbufErrors UdpSndbufErrors Udp6SndbufErrors \
		UdpNoPorts Udp6NoPorts 2>/dev/null |
		awk 'NR > 1 && $2 != 0 { printf "%s=%s,", $1, $2 }'
	lab_run "$ns" ip -s link show "$ifn" | awk '/TX:/ { getline; if ($4 != 0) printf "tun_tx_dropped=%s,", $4 }'
}

sample() { # t: one line per daemon
	local t=$1 who pid ifn
	for who in a b; do
		if [ $who = a ]; then pid=$PIDA ifn=$IA; else pid=$PIDB ifn=$IB; fi
		kill -0 "$pid" 2>/dev/null || { echo "$t $who dead" >>"$OUT/samples.tsv"; continue; }
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$who" \
			"$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")" \
			"$(ls "/proc/$pid/fd" | wc -l)" \
			"$(python3 "$GET" "/var/run/wireguard/$ifn.sock" wgmtu_drop_ | awk '$2 != 0 { printf "%s=%s,", substr($1, 12), $2 }')" \
			"$(kdrops "$who" "$ifn")" \
			>>"$OUT/samples.tsv"
	done
}

FAM=4 XPUB="" KA=0 tick=0
printf 't\tdaemon\trss_kB\tfds\tdrops\tkernel_drops\n' >"$OUT/samples.tsv"
while [ "$(date +%s)" -lt "$END" ]; do
	t=$(($(date +%s) - START))
	# forged ICMP for this tick, at a's current socket
	if [ $FAM = 6 ]; then SA=$(lab_ip6 a) SB=$(lab_ip6 b); else SA=$(lab_ip4 a) SB=$(lab_ip4 b); fi
	lab_bg b "flood$tick" python3 "$FLOOD" "$SA" "$PORTA" "$SB" 51821 200 "$TICK" frag,port,host
	if [ $((tick % 3)) = 2 ]; then # roam: the other outer family
		FAM=$((10 - FAM))
		if [ $FAM = 6 ]; then EPB="[$(lab_ip6 b)]:51821" EPA="[$(lab_ip6 a)]:$PORTA"
		else EPB="$(lab_ip4 b):51821" EPA="$(lab_ip4 a):$PORTA"; fi
		lab_run a wg set "$IA" peer "$PB" endpoint "$EPB"
		lab_run b wg set "$IB" peer "$PA" endpoint "$EPA"
		echo "$t roam: outer IPv$FAM" >>"$OUT/events.txt"
	fi
	if [ $((tick % 6)) = 5 ]; then # a's port changes; b follows
		PORTA=$((PORTA == 51820 ? 51830 : 51820))
		lab_run a wg set "$IA" listen-port "$PORTA"
		echo "$t a listens on $PORTA" >>"$OUT/events.txt"
	fi
	if [ $((tick % 4)) = 3 ]; then # peers come and go, a setting changes
		[ -n "$XPUB" ] && lab_run a wg set "$IA" peer "$XPUB" remove
		XPUB=$(wg genkey | wg pubkey)
		KA=$((KA ? 0 : 5))
		lab_run a wg set "$IA" peer "$XPUB" allowed-ips "10.200.$((tick % 250)).0/24" \
			endpoint "$(lab_ip4 b):9" peer "$PB" persistent-keepalive "$KA"
		echo "$t wg set: peer added, keepalive $KA" >>"$OUT/events.txt"
	fi
	sample "$t"
	sleep $TICK
	tick=$((tick + 1))
done
sleep 2
sample "$(($(date +%s) - START))"

# ---- verdicts
echo "# soak: $MIN min, samples in $OUT"
echo "# events: $(wc -l <"$OUT/events.txt") ($(grep -c roam "$OUT/events.txt") roams," \
	"$(grep -c listens "$OUT/events.txt") port changes, $(grep -c 'wg set' "$OUT/events.txt") wg set)"
for who in a b; do
	w=$(awk -v w=$((MIN * 12)) -v d=$who -F'\t' '$2 == d && $1 >= w && NF >= 5 { print $3, $4; exit }' "$OUT/samples.tsv")
	l=$(awk -v d=$who -F'\t' '$2 == d && NF >= 5 { x = $3 " " $4 } END { print x }' "$OUT/samples.tsv")
	mx=$(awk -v d=$who -F'\t' '$2 == d && NF >= 5 && $3 > m { m = $3 } END { print m }' "$OUT/samples.tsv")
	read -r rw fw <<<"$w"; read -r rl fl <<<"$l"
	echo "# $who: RSS ${rw:-?} kB at $((MIN * 12)) s -> ${rl:-?} kB at the end (max $mx kB); fds $fw -> $fl"
	lab_check "$who: alive to the end" bash -c "! grep -q '$who dead' '$OUT/samples.tsv'"
	lab_check "$who: resident memory does not grow (${rw:-?} -> ${rl:-?} kB)" \
		test "${rl:-999999999}" -le $(( ${rw:-0} + (${rw:-0} / 5 > 8192 ? ${rw:-0} / 5 : 8192) ))
	lab_check "$who: descriptors do not grow ($fw -> $fl)" test "${fl:-9999}" -le $(( ${fw:-0} + 1 ))
done
# drops: the last sample of each daemon
EXPLAINED="staged_queue_full staged_expired unknown_receiver_index keypair_expired peer_no_endpoint no_allowed_ips_route handshake_ratelimited under_load_cookie_sent under_load_source_limit too_big too_big_ipv6_below_1280 replayed_counter"
for who in a b; do
	drops=$(awk -v d=$who -F'\t' '$2 == d && NF >= 5 { x = $5 } END { print x }' "$OUT/samples.tsv")
	echo "# $who drops at the end: ${drops:-none}; kernel: $(awk -v d=$who -F'\t' '$2 == d && NF >= 5 { x = $6 } END { print x }' "$OUT/samples.tsv")"
	bad=""
	for kv in ${drops//,/ }; do
		k=${kv%%=*}
		case " $EXPLAINED " in *" $k "*) ;; *) bad+="$kv " ;; esac
	done
	lab_check "$who: no unexplained drop (${bad:-none})" test -z "$bad"
done
NT=$(wc -l <"$OUT/tcp.txt" 2>/dev/null || echo 0)
echo "# TCP runs (bits/s): $(tr '\n' ' ' <"$OUT/tcp.txt")"
echo "# UDP runs (bits/s lost% lost sent): $(tr '\n' ',' <"$OUT/udp.txt")"
lab_check "TCP: $NT runs of 20 s, none failed" bash -c "test $NT -ge 1 && ! grep -qx 0 '$OUT/tcp.txt'"
lab_check "UDP: every run ran" awk '$1 == 0 { bad = 1 } END { exit bad || NR == 0 }' "$OUT/udp.txt"
# Every UDP datagram lost must be a counted drop: in b's TUN queue (the
# kernel drops there when the daemon reading it falls behind the sender:
# two cores carry both daemons, TCP at Gbit/s and the forgers), in a
# socket buffer, at a's old port after it changed, or one of the daemons'
# named drops. A little slack (0.05 %
# of what was sent) for the in-flight packets of a roam.
sum_kv() { # sums the counters of the last sample of daemon $1 (column $2)
	awk -v d="$1" -v c="$2" -F'\t' '$2 == d && NF >= 5 { x = $c } END { print x }' "$OUT/samples.tsv" |
		tr ',' '\n' | awk -F= 'NF == 2 { s += $2 } END { print s + 0 }'
}
LOST=$(awk '{ s += $3 } END { print s + 0 }' "$OUT/udp.txt")
SENT=$(awk '{ s += $4 } END { print s + 0 }' "$OUT/udp.txt")
COUNTED=$(( $(sum_kv a 5) + $(sum_kv b 5) + $(sum_kv a 6) + $(sum_kv b 6) ))
echo "# UDP: $LOST of $SENT datagrams lost; drops counted (daemons + kernel): $COUNTED"
lab_check "UDP: every lost datagram is a counted drop ($LOST lost, $COUNTED counted)" \
	test "$LOST" -le $((COUNTED + SENT / 2000))
NH=$(grep -c 'received handshake response\|Receiving handshake response' "$LAB_TMP/$IA.log" "$LAB_TMP/$IB.log" | awk -F: '{ s += $2 } END { print s }')
lab_check "rekeys happened ($NH handshake responses received)" test "$NH" -ge $((MIN * 60 / 12 / 2))
lab_check_fails "no sanitizer report in the logs" grep -q 'Sanitizer\|runtime error' "$LAB_TMP/$IA.log" "$LAB_TMP/$IB.log"
if [ -z "${SOAK_OUT:-}" ]; then
	cp -r "$OUT" "/tmp/wgmtu-soak.$$"
	echo "# samples kept in /tmp/wgmtu-soak.$$"
fi
lab_done
