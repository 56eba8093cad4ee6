#!/bin/bash
# wgmtu responder under a flood from one source (issue 11.4): one address
# sending well-formed requests as fast as it can is stopped by its own
# per-source limit and does not spend the global budget, so a legitimate
# `wgmtu probe --method udp` from another address still gets its answers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_probe.sh"
lab_init
lab_chain client server -- 1500
S4=$(lab_ip4 server)
FLOOD4="10.$LAB_NET.0.66"
ip -n "$(lab_ns client)" addr add "$FLOOD4/24" dev v-server
lab_bg server responder "$W" responder --port 51999
RPID=$LAB_LASTPID
lab_wait_for 5 lab_run server bash -c "ss -uln | grep -q ':51999 '" || lab_die "responder did not start"

lab_bg client flood python3 "$(dirname "$0")/probe/resp_flood.py" "$FLOOD4" "$S4" 51999 25
FPID=$LAB_LASTPID
sleep 1
probe_json v4 client --method udp --port 51999 --no-locate "$S4"
lab_check "probe under a one-source flood: path MTU 1500 both ways" \
	eq "$(pj v4 'd["path_mtu"], d["reverse_path_mtu"]')" "1500 1500"
lab_check "probe under flood: exit 0" eq "$(probe_rc v4)" 0
kill "$FPID" 2>/dev/null
wait "$FPID" 2>/dev/null
kill -TERM "$RPID"
wait "$RPID" 2>/dev/null
echo "# responder: $(grep -o '[0-9]* received.*' "$LAB_TMP/responder.log" | head -1)"
lab_check "the flood was rate-limited (> 10000 refused)" \
	bash -c "n=\$(grep -o '[0-9]* rate-limited' '$LAB_TMP/responder.log' | cut -d' ' -f1); [ \"\${n:-0}\" -gt 10000 ]"
lab_done
