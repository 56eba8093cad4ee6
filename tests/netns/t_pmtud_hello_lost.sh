#!/bin/bash
# wgmtud on both ends, and the router eats both in-band hellos (the one
# in-band probe each side sends per session to ask "are you a wgmtud?").
# Each side first takes the other for a standard peer and pings inside the
# tunnel; those pings carry wgmtud's probe pattern, so each learns the
# other is a wgmtud after all, switches to in-band probes and finds the
# exact 1454 (a standard peer's padded echo replies would give 1452).
# Found by t_pmtud_loss under 10 % loss, where both hellos were lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_wg.sh"
. "$(dirname "$0")/lib_pmtud.sh"
lab_init
pmd_story wgmtud wgmtud 4
# a hello or its ack is the only datagram of UDP length 64 (16 + 24 + 16:
# data is padded to 16, so its lengths are 8 + 32 + 16k): drop the first two
lab_nft_base home
lab_nft home "add rule inet lab lab_fwd udp length 64 quota until 168 bytes counter drop"
lab_check "tunnel ping works" lab_wait_for 5 lab_run laptop ping -c1 -W1 10.99.0.2
lab_check "the router dropped both hellos" \
	bash -c "ip netns exec $(lab_ns home) nft list chain inet lab lab_fwd | grep -q 'packets 2 bytes 168'"
for side in "$LIF" "$VIF"; do
	lab_check "$side: discovery completes with in-band probes" pmd_wait_key 10 "$side" wgmtu_method inband
	lab_check "$side: path MTU exactly 1454" pmd_wait_key 10 "$side" wgmtu_path_mtu 1454
done
lab_check "the log names the evidence" \
	grep -q "probe pattern\|sent an in-band probe" "$LAB_TMP/$LIF.log" "$LAB_TMP/$VIF.log"
lab_done
