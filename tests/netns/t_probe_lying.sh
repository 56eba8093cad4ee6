#!/bin/bash
# A router that lies: for every echo request above 1280 bytes the home
# router sends "fragmentation needed, MTU 1280" -- and forwards the packet
# anyway. The PTB is only a hint; probes show 1454 passes; wgmtu probe
# must answer 1454 and report the lie (exit 1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_probe.sh"
lab_init
probe_lab
lab_bg home liar python3 "$(dirname "$0")/probe/ptb_liar.py" v-client 1280
lab_wait_for 5 grep -q ready "$LAB_TMP/liar.log" || lab_die "liar did not start: $(cat "$LAB_TMP/liar.log")"

probe_json lie client "$S4"
lab_check "lying PTB: path_mtu still 1454" eq "$(pj lie 'd["path_mtu"]')" 1454
lab_check "lying PTB: lie reported (claim 1280)" \
	eq "$(pj lie 'd["ptb_lies"] > 0, d["ptb_lowest_claim"], d["ptb_seen"]')" "True 1280 True"
lab_check "lying PTB: exit 1 (problem found)" eq "$(probe_rc lie)" 1
lab_check "lying PTB: every key" probe_keys lie
lab_run client "$W" probe "$S4" >"$LAB_TMP/text.out" 2>&1
lab_check "text: the lie is explained" grep -q 'Lying ICMP' "$LAB_TMP/text.out"
[ "$LAB_VERBOSE" = 1 ] && cat "$LAB_TMP/text.out" >&2

# the same liar in a black hole (real PTBs dropped): still 1454
lab_drop_ptb isp
lab_nft_base home
lab_nft home 'add rule inet lab lab_out icmp type destination-unreachable icmp code frag-needed icmp mtu != 1280 counter drop
add rule inet lab lab_fwd icmp type destination-unreachable icmp code frag-needed counter drop'
probe_json lie2 client --no-locate "$S4"
lab_check "lying PTB + filtered real PTBs: path_mtu 1454" eq "$(pj lie2 'd["path_mtu"]')" 1454
lab_done
