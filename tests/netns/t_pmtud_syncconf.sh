#!/bin/bash
# `wg syncconf` with an unchanged configuration (what `systemctl reload
# wg-quick@wg0` runs) changes nothing: the endpoint it sets is the one the
# peer already has, so discovery is not restarted and no "endpoint changed
# (roaming)" is logged (issue 12.2). A real change still restarts it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
pmd_story wgmtud wireguard-go 4
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "discovery completes" pmd_wait_key 10 "$LIF" wgmtu_state search_complete
PM=$(pmd_get "$LIF" wgmtu_path_mtu) SENT=$(pmd_get "$LIF" wgmtu_probes_sent)
STARTS=$(grep -c "path MTU discovery starts" "$LAB_TMP/$LIF.log")
# traffic after the search: the endpoint now carries a sticky source address
lab_run laptop ping -c2 -i0.2 -W1 10.99.0.2 >/dev/null
lab_run laptop wg showconf "$LIF" >"$LAB_TMP/conf"
lab_check "wg syncconf of the unchanged config succeeds" lab_run laptop wg syncconf "$LIF" "$LAB_TMP/conf"
lab_check "... and so does a second one" lab_run laptop wg syncconf "$LIF" "$LAB_TMP/conf"
sleep 1.5
lab_check "no roaming logged" bash -c "! grep -q 'roaming' '$LAB_TMP/$LIF.log'"
lab_check "no discovery restart logged" \
	test "$(grep -c "path MTU discovery starts" "$LAB_TMP/$LIF.log")" = "$STARTS"
lab_check "state still search_complete" test "$(pmd_get "$LIF" wgmtu_state)" = search_complete
lab_check "path MTU unchanged ($PM)" test "$(pmd_get "$LIF" wgmtu_path_mtu)" = "$PM"
lab_check "no probes sent since" test "$(pmd_get "$LIF" wgmtu_probes_sent)" = "$SENT"
lab_check "tunnel still works" lab_run laptop ping -c1 -W1 10.99.0.2
# a changed endpoint (the VPS's IPv6 address) is a new path: search again
sed -i "s/^Endpoint = .*/Endpoint = [$(lab_ip6 vps)]:51820/" "$LAB_TMP/conf"
lab_check "wg syncconf with a new endpoint" lab_run laptop wg syncconf "$LIF" "$LAB_TMP/conf"
lab_run laptop ping -c1 -W1 10.99.0.2 >/dev/null
lab_check "a changed endpoint restarts discovery" \
	lab_wait_for 3 grep -q "endpoint changed" "$LAB_TMP/$LIF.log"
lab_check "... and it completes again" pmd_wait_key 10 "$LIF" wgmtu_state search_complete
lab_done
