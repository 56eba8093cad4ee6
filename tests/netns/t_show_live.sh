#!/bin/bash
# wgmtu show's machine forms against live wgmtuds on the story's path (1454
# bottleneck, ICMP too-big dropped): --prometheus (node_exporter textfile),
# dump, --json with the daemon's drop counters, --watch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
W="$LAB_BUILD/wgmtu"
lab_init
pmd_story wgmtud wgmtud 4
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "laptop: discovery completes" pmd_wait_key 10 "$LIF" wgmtu_state search_complete
# a DF ping too big for the peer: one too_big drop, an ICMP back into the TUN
lab_run laptop ping -n -c1 -W1 -M do -s 1392 10.99.0.2 >/dev/null 2>&1
PUB=$(cat "$LAB_TMP/$VIF.pub")
"$W" show "$LIF" --prometheus >"$LAB_TMP/prom"; rc=$?
lab_check "--prometheus exits 0" test "$rc" = 0
lab_check "--prometheus: path MTU 1454, effective MTU 1394 for the peer" bash -c "
	grep -qx 'wgmtu_peer_path_mtu_bytes{interface=\"$LIF\",public_key=\"$PUB\"} 1454' '$LAB_TMP/prom' &&
	grep -qx 'wgmtu_peer_effective_mtu_bytes{interface=\"$LIF\",public_key=\"$PUB\"} 1394' '$LAB_TMP/prom'"
lab_check "--prometheus: probes counted, state search_complete, method inband" bash -c "
	grep -Eq '^wgmtu_peer_probes_sent_total\{interface=\"$LIF\",public_key=\"[^\"]+\"\} [1-9][0-9]*$' '$LAB_TMP/prom' &&
	grep -qx 'wgmtu_peer_state{interface=\"$LIF\",public_key=\"$PUB\",state=\"search_complete\",method=\"inband\"} 1' '$LAB_TMP/prom'"
lab_check "--prometheus: PTB hints and rate-limited hints as counters" bash -c "
	grep -q '^wgmtu_peer_ptb_hints_total{interface=\"$LIF\",public_key=\"$PUB\"} [0-9]' '$LAB_TMP/prom' &&
	grep -q '^wgmtu_peer_ptb_hints_limited_total{interface=\"$LIF\",public_key=\"$PUB\"} [0-9]' '$LAB_TMP/prom'"
lab_check "--prometheus: the daemon's drop counters by reason (too_big >= 1)" \
	grep -Eq "^wgmtu_drops_total\{interface=\"$LIF\",reason=\"too_big\"\} [1-9][0-9]*$" "$LAB_TMP/prom"
lab_check "dump: the peer line carries search_complete inband 1454 1394" bash -c "
	'$W' show '$LIF' dump | awk -F'\t' 'NR == 2 && \$8 == \"search_complete\" && \$9 == \"inband\" && \$10 == 1454 && \$11 == 1394 {ok = 1} END {exit !ok}'"
lab_check "--json: drops from the daemon, every key documented" bash -c "
	'$W' show '$LIF' --json | python3 '$LAB_ROOT/tests/tools/json_schema.py' '$LAB_ROOT/man/wgmtu-show.1' --free drops state >/dev/null &&
	'$W' show '$LIF' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"interfaces\"][0][\"drops\"][\"too_big\"] >= 1, d[\"interfaces\"][0][\"drops\"]'"
lab_check "--watch --count 2: two live frames" bash -c "
	[ \$(timeout 5 '$W' show '$LIF' --watch --count 2 -n 0.2 | grep -c '^interface: $LIF') -eq 2 ]"
lab_done
