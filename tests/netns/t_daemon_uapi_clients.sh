#!/bin/bash
# The UAPI socket under many and misbehaving clients (issue 11.3): 200
# parallel `wg show` loops all succeed; five clients that send requests and
# never read the replies do not slow the tunnel (ping RTT measured with and
# without them) and do not stop `wg show`; many clients each sending an
# endless 10 MiB set (24 of them) hold at most the shared budget: those that would go
# over are refused (errno=-12), the daemon's peak RSS stays bounded and
# drops back when they leave (read from /proc).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
CLIENTS="$(dirname "$0")/uapi_clients.py"
dmn_init
# a small ASan quarantine, so freed requests do not count as held memory
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=8"
dmn_pair wgmtud wgmtud 4
PIDA=${DMN_PIDS[0]}
SOCK=/var/run/wireguard/$IA.sock
lab_check "tunnel up" dmn_ping a 192.168.77.2

# 1. 200 concurrent clients
cat >"$LAB_TMP/loops.sh" <<LOOPS
for i in \$(seq 200); do
	( for j in 1 2 3; do wg show $IA >/dev/null 2>>$LAB_TMP/loops.err || echo fail; done ) &
done
wait
LOOPS
FAILS=$(lab_run a bash "$LAB_TMP/loops.sh" | grep -c fail)
echo "# 200 parallel wg show loops x 3: $FAILS failed; $(sort "$LAB_TMP/loops.err" 2>/dev/null | uniq -c | head -3)"
lab_check "200 parallel wg show loops: all 600 succeed" test "$FAILS" = 0

# 2. five clients that never read
rtt() { # prints "avg max" of 20 pings through the tunnel, in ms
	lab_run a ping -n -q -c 20 -i 0.1 -W 2 192.168.77.2 |
		awk -F'[/ =]+' '/^rtt|^round-trip/ { print $7, $8 }'
}
read -r AVG0 MAX0 < <(rtt)
lab_bg a nonread python3 "$CLIENTS" nonread "$SOCK" 5 8
NRPID=$LAB_LASTPID
lab_wait_for 5 grep -q "do not read" "$LAB_TMP/nonread.log"
read -r AVG1 MAX1 < <(rtt)
echo "# ping RTT through the tunnel: avg ${AVG0:-?} ms / max ${MAX0:-?} ms alone," \
	"avg ${AVG1:-?} ms / max ${MAX1:-?} ms with 5 non-reading UAPI clients"
lab_check "5 non-reading clients: tunnel ping max RTT below 100 ms (was ${MAX1:-?})" \
	awk -v m="${MAX1:-99999}" 'BEGIN { exit !(m < 100) }'
lab_check "... and wg show still answers at once" timeout 2 wg show "$IA" listen-port
kill "$NRPID" 2>/dev/null; wait "$NRPID" 2>/dev/null

# 3. endless sets from 24 clients: what they hold together is bounded
# by the budget (128 MiB); those that would go over are refused; nothing
# of them is applied (the test clients end a set still pending with an
# invalid line: a set ended by EOF would be applied, as in wireguard-go)
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$PIDA/status"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$PIDA/status"; }
H0=$(hwm) R0=$(rss)
OUT=$(timeout 120 python3 "$CLIENTS" bigset "$SOCK" 24 10 8)
H1=$(hwm)
sleep 1
R1=$(rss)
echo "# 24 endless 10 MiB sets: $OUT; daemon peak RSS $((H0 / 1024)) MiB before, $((H1 / 1024)) MiB after;" \
	"RSS $((R0 / 1024)) MiB before, $((R1 / 1024)) MiB once they left"
lab_check "endless sets: those over the budget are refused with ENOMEM ($OUT)" \
	bash -c "set -- $OUT; test \"\$2\" -ge 14"
lab_check "peak RSS grew by less than 200 MiB ($(((H1 - H0) / 1024)) MiB; before the fix: 351 MiB)" \
	test $((H1 - H0)) -lt $((200 * 1024))
lab_check "memory given back once they left ($((R0 / 1024)) -> $((R1 / 1024)) MiB)" \
	test $((R1 - R0)) -lt $((32 * 1024))
lab_check "nothing of them was applied (one peer)" \
	test "$(wg show "$IA" peers | wc -l)" = 1
lab_check "the daemon still answers" timeout 2 wg show "$IA" listen-port
lab_check "and the tunnel still works" dmn_ping a 192.168.77.2 3
lab_check "refusals are logged, rate-limited" bash -c "n=\$(grep -c 'request refused' '$LAB_TMP/$IA.log'); echo \"# \$n refusal lines\"; test \"\$n\" -ge 1 -a \"\$n\" -le 10"
lab_check_fails "no sanitizer report in the daemon's log" grep -q 'Sanitizer\|runtime error' "$LAB_TMP/$IA.log"
lab_done
