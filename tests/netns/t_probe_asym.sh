#!/bin/bash
# Both directions with wgmtu responder: forward 1454 (the routers' link),
# reverse 1400 (the ISP router drops larger packets towards the client
# without a word: the story's reverse-direction black hole). IPv4 and
# IPv6. Also the responder's safety rules (no amplification without the
# return-routability cookie, per-source rate limit, malformed input).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_probe.sh"
lab_init
probe_lab
lab_drop_ptb home
lab_drop_ptb isp
lab_nft isp 'add rule inet lab lab_fwd iifname "v-server" ip length > 1400 counter drop
add rule inet lab lab_fwd iifname "v-server" ip6 length > 1360 counter drop'
lab_bg server responder "$W" responder --port 51999
lab_wait_for 5 lab_run server bash -c "ss -uln | grep -q ':51999 '" || lab_die "responder did not start"

probe_json v4 client --method udp --port 51999 "$S4"
lab_check "UDP IPv4: forward path_mtu 1454" eq "$(pj v4 'd["path_mtu"]')" 1454
lab_check "UDP IPv4: reverse_path_mtu 1400, asymmetric" eq "$(pj v4 'd["reverse_path_mtu"], d["asymmetric"]')" "1400 True"
lab_check "UDP IPv4: black hole forward, located after hop 1" \
	eq "$(pj v4 'd["black_hole"], d["hop"]["last_ok_ttl"], d["hop"]["last_ok_addr"], d["hop"]["first_silent_ttl"]')" "True 1 $HOME4 2"
lab_check "UDP IPv4: WireGuard MTU from the smaller direction (1400-60)" \
	eq "$(pj v4 'd["wireguard_mtu_ipv4_outer"]')" 1340
lab_check "UDP IPv4: exit 1, method udp, every key" \
	eq "$(probe_rc v4) $(pj v4 'd["method"]') $(probe_keys v4 && echo keys)" "1 udp keys"

probe_json v6 client -6 --method udp --port 51999 "$S6"
lab_check "UDP IPv6: forward 1454, reverse 1400" eq "$(pj v6 'd["path_mtu"], d["reverse_path_mtu"]')" "1454 1400"
lab_check "UDP IPv6: WireGuard MTU over IPv6 1320" eq "$(pj v6 'd["wireguard_mtu_ipv6_outer"]')" 1320

probe_json fo client --method udp --no-reverse --no-locate "$S4"
lab_check "--no-reverse: reverse_path_mtu null" eq "$(pj fo 'd["path_mtu"], d["reverse_path_mtu"]')" "1454 None"

lab_run client python3 "$(dirname "$0")/probe/resp_client.py" "$S4" 51999 >"$LAB_TMP/rc.out" 2>&1
while read -r st name; do
	lab_check "responder: $name" test "$st" = ok
done <"$LAB_TMP/rc.out"
lab_check "responder safety checks ran (6)" test "$(grep -c '' "$LAB_TMP/rc.out")" -eq 6
lab_done
