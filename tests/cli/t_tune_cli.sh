#!/bin/bash
# wgmtu tune's command line without a lab: help, usage errors, and refusals
# that change nothing ($WGMTU_WG points at a fake wg).
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT
rc_is() { local want=$1; shift; "$@" >"$LAB_TMP/out" 2>&1; local rc=$?; [ "$rc" = "$want" ] || { echo "exit $rc, want $want"; cat "$LAB_TMP/out"; return 1; }; }
fake() { printf '#!/bin/sh\n%s\n' "$1" >"$LAB_TMP/wg"; chmod +x "$LAB_TMP/wg"; }
K=fBup5PlA0Xj2XyXo8g7pR8y4nEfVj4a9Y8b2kVb8b1E=

lab_check "--help: exit 0, names --watch, --dry-run and the exit codes" \
	bash -c "'$W' tune --help | grep -q -- '--watch' && '$W' tune --help | grep -q -- '--dry-run' && '$W' tune --help | grep -q 'Exit status'"
lab_check "listed in wgmtu --help" bash -c "'$W' --help | grep -q '^  tune'"
lab_check "no IFACE: exit 2" rc_is 2 "$W" tune
lab_check "... asks which" grep -q "which IFACE" "$LAB_TMP/out"
lab_check "two IFACEs: exit 2" rc_is 2 "$W" tune wg0 wg1
lab_check "--watch with --dry-run: exit 2" rc_is 2 "$W" tune --watch --dry-run wg0
lab_check "--interval 0: exit 2" rc_is 2 "$W" tune --interval 0 wg0
lab_check "--raise 1: exit 2" rc_is 2 "$W" tune --raise 1 wg0
lab_check "--interval without --watch: exit 2 (it would do nothing)" rc_is 2 "$W" tune --interval 5 wg0
lab_check "... says it needs --watch" grep -q -- "--interval only applies with --watch" "$LAB_TMP/out"
lab_check "--raise without --watch: exit 2" rc_is 2 "$W" tune --raise 60 wg0
lab_check "--method none: exit 2 (tune must measure)" rc_is 2 "$W" tune --method none wg0
lab_check "unknown option: exit 2" rc_is 2 "$W" tune --frobnicate wg0
fake 'printf ""'
lab_check "not a WireGuard interface: exit 3" rc_is 3 env WGMTU_WG="$LAB_TMP/wg" "$W" tune wg0
# `wg show all dump` has the interface column, `wg show IF dump` not
fake "if [ \"\$2\" = all ]; then printf 'wgnothere0\t(none)\t$K\t51820\toff\n'; else printf '(none)\t$K\t51820\toff\n'; fi"
lab_check "an interface of another namespace: exit 3" rc_is 3 env WGMTU_WG="$LAB_TMP/wg" "$W" tune wgnothere0
lab_check "... says so" grep -q "not in this network namespace" "$LAB_TMP/out"
fake 'exit 1'
lab_check "wg fails: exit 3" rc_is 3 env WGMTU_WG="$LAB_TMP/wg" "$W" tune --dry-run wg0

# the systemd unit: installed by make install, accepted by systemd
ST=$LAB_TMP/stage
lab_check "make install puts wgmtu-tune@.service, running the installed binary" bash -c "
	make -C '$LAB_ROOT' -s BUILD='$LAB_BUILD' PREFIX=/usr DESTDIR='$ST' install &&
	u='$ST/usr/lib/systemd/system/wgmtu-tune@.service' &&
	grep -qx 'ExecStart=/usr/bin/wgmtu tune --watch \$WGMTU_TUNE_ARGS %i' \"\$u\" &&
	grep -qx 'After=wg-quick@%i.service network-online.target' \"\$u\" &&
	grep -qx 'BindsTo=wg-quick@%i.service' \"\$u\" &&
	[ -e '$ST/usr/share/man/man1/wgmtu-tune.1' ] && [ -e '$ST/usr/share/man/man1/wgmtu-doctor.1' ]"
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$LAB_TMP/units"
	sed "s|/usr/bin/wgmtu|$W|" "$LAB_ROOT/dist/systemd/wgmtu-tune@.service" >"$LAB_TMP/units/wgmtu-tune@.service"
	ln -s wgmtu-tune@.service "$LAB_TMP/units/wgmtu-tune@wg0.service"
	lab_check "systemd-analyze verify accepts wgmtu-tune@wg0.service" bash -c "
		out=\$(cd '$LAB_TMP/units' && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no '$LAB_TMP/units/wgmtu-tune@wg0.service' 2>&1)
		echo \"\$out\"; [ -z \"\$out\" ]"
fi
lab_done
