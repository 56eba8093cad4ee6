#!/bin/bash
# 10 % random loss on the bottleneck link, both directions, on top of the
# black hole: the answer must still be exact (1454, black hole) on every
# run, within 3 s. Losses are ambiguous; only repeated losses of a size
# whose neighbours below get through make it "too big".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_probe.sh"
lab_init
probe_lab
lab_drop_ptb home
lab_drop_ptb isp
lab_loss home 10 'oifname "v-isp"'
lab_loss isp 10 'oifname "v-home"'

for i in 1 2 3 4 5; do
	probe_json "r$i" client --no-locate "$S4"
	lab_check "10 % loss, IPv4 run $i: path_mtu 1454, black hole ($(pj r$i 'd["probes_sent"]') probes, $(pj r$i 'd["search_ms"]') ms)" \
		eq "$(pj r$i 'd["path_mtu"], d["black_hole"]')" "1454 True"
	lab_check "10 % loss, IPv4 run $i: under 3 s" test "$(pj r$i 'd["search_ms"]')" -lt 3000
done
for i in 1 2; do
	probe_json "s$i" client -6 --no-locate "$S6"
	lab_check "10 % loss, IPv6 run $i: path_mtu 1454, black hole ($(pj s$i 'd["search_ms"]') ms)" \
		eq "$(pj s$i 'd["path_mtu"], d["black_hole"]')" "1454 True"
done
lab_check "the loss rules really dropped packets" \
	bash -c "ip netns exec $(lab_ns isp) nft list chain inet lab lab_fwd | grep 'numgen' | grep -q 'packets [1-9]'"
lab_done
