#!/bin/bash
# make install / make uninstall into a staging directory, the bash completion
# for wgmtu and wgmtud, and the responder's systemd unit.
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT
ST=$LAB_TMP/stage
mk() { make -C "$LAB_ROOT" -s BUILD="$LAB_BUILD" PREFIX=/usr DESTDIR="$ST" "$@"; }

lab_check "make install PREFIX=/usr DESTDIR=..." mk install
lab_check "binaries, man pages, docs, completion and unit installed" bash -c "
	cd '$ST' && for f in usr/bin/wgmtu usr/bin/wgmtud usr/share/man/man1/wgmtu.1 \
	  usr/share/man/man8/wgmtud.8 usr/share/doc/wgmtu/probe-protocol.md \
	  usr/share/doc/wgmtu/LICENSE usr/share/bash-completion/completions/wgmtu \
	  usr/share/bash-completion/completions/wgmtud \
	  usr/lib/systemd/system/wgmtu-responder.service \
	  usr/lib/systemd/system/wgmtud@.service usr/lib/wgmtu/wg-quick/ip; do
		[ -e \"\$f\" ] || { echo \"missing \$f\"; exit 1; }
	done"
# every file a man page names under /usr/share/doc is installed, and none
# names the source tree's docs/
man_refs() {
	local bad=0 f ref
	for f in "$ST"/usr/share/man/man*/*; do
		if grep -n 'docs/' "$f"; then echo "$f cites the source tree"; bad=1; fi
		for ref in $(grep -o '/usr/share/doc/[A-Za-z0-9_./\\-]*' "$f" | sed 's/\\-/-/g; s/[.]$//'); do
			[ -e "$ST$ref" ] || { echo "$f cites $ref, not installed"; bad=1; }
		done
	done
	return $bad
}
lab_check "installed man pages cite only installed docs" man_refs
lab_check "installed man pages render without warnings" bash -c "
	for f in '$ST'/usr/share/man/man*/*; do
		out=\$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \"\$f\" 2>&1 >/dev/null)
		[ -z \"\$out\" ] || { echo \"\$f: \$out\"; exit 1; }
	done"
lab_check "unit runs the installed binary as a dynamic user, sandboxed" bash -c "
	u='$ST/usr/lib/systemd/system/wgmtu-responder.service'
	grep -qx 'ExecStart=/usr/bin/wgmtu responder \$WGMTU_RESPONDER_ARGS' \"\$u\" &&
	grep -qx 'DynamicUser=yes' \"\$u\" && grep -qx 'CapabilityBoundingSet=' \"\$u\" &&
	grep -qx 'NoNewPrivileges=yes' \"\$u\" && grep -qx 'ProtectSystem=strict' \"\$u\""
if command -v systemd-analyze >/dev/null; then
	# verify needs the binary at its installed path: check a copy pointing at ours
	sed "s|/usr/bin/wgmtu|$W|" "$LAB_ROOT/dist/systemd/wgmtu-responder.service" \
		>"$LAB_TMP/wgmtu-responder.service"
	lab_check "systemd-analyze verify accepts the unit" bash -c "
		out=\$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no '$LAB_TMP/wgmtu-responder.service' 2>&1)
		echo \"\$out\"; [ -z \"\$out\" ]"
	sed "s|/usr/bin/wgmtud|$LAB_BUILD/wgmtud|" "$ST/usr/lib/systemd/system/wgmtud@.service" \
		>"$LAB_TMP/wgmtud@wg0.service"
	lab_check "systemd-analyze verify accepts wgmtud@.service" bash -c "
		out=\$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no '$LAB_TMP/wgmtud@wg0.service' 2>&1)
		echo \"\$out\"; [ -z \"\$out\" ]"
fi
lab_check "PREFIX=/usr/local: wgmtud@.service points at /usr/local, wg-quick stays the system's" bash -c "
	make -C '$LAB_ROOT' -s BUILD='$LAB_BUILD' PREFIX=/usr/local DESTDIR='$LAB_TMP/st3' install &&
	u='$LAB_TMP/st3/usr/local/lib/systemd/system/wgmtud@.service' &&
	grep -qx 'Environment=WG_QUICK_USERSPACE_IMPLEMENTATION=/usr/local/bin/wgmtud' \$u &&
	grep -q '^Environment=PATH=/usr/local/lib/wgmtu/wg-quick:' \$u &&
	grep -qx 'ExecStart=wg-quick up %i' \$u &&
	test -x '$LAB_TMP/st3/usr/local/lib/wgmtu/wg-quick/ip'"
# the sandbox, as systemd scores it (a public listener: keep it tight)
exposure() {
	local out score
	out=$(systemd-analyze security --offline=true --no-pager "$LAB_TMP/wgmtu-responder.service" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for wgmtu-responder.service: \([0-9.]*\).*/\1/p' <<<"$out")
	echo "exposure $score"
	[ -n "$score" ] && awk -v s="$score" 'BEGIN {exit !(s <= 1.2)}'
}
if [ -f "$LAB_TMP/wgmtu-responder.service" ] && systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	lab_check "systemd-analyze security: the responder unit's exposure is at most 1.2" exposure
fi
lab_check "PREFIX=/usr/local: unit points at /usr/local/bin" bash -c "
	make -C '$LAB_ROOT' -s BUILD='$LAB_BUILD' PREFIX=/usr/local DESTDIR='$LAB_TMP/st2' install &&
	grep -q '^ExecStart=/usr/local/bin/wgmtu ' '$LAB_TMP/st2/usr/local/lib/systemd/system/wgmtu-responder.service' &&
	grep -q '/usr/local/share/doc/wgmtu/probe-protocol.md' '$LAB_TMP/st2/usr/local/share/man/man1/wgmtu-probe.1'"

# completion: source the installed file and ask it as bash would
complete_words() { # LINE -> the candidates, one line
	PATH="$ST/usr/bin:$PATH" WGMTU_UAPI_DIR="$LAB_TMP/uapi" bash -c '
		. "$1"; shift
		read -r -a COMP_WORDS <<<"$1"
		[[ $1 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		complete -p "${COMP_WORDS[0]}" >/dev/null || exit 1
		f=$(complete -p "${COMP_WORDS[0]}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$f"; echo "${COMPREPLY[*]}"' _ "$ST/usr/share/bash-completion/completions/wgmtu" "$1"
}
has() { local got; got=" $(complete_words "$1") "; for w in "${@:2}"; do
	[[ $got == *" $w "* ]] || { echo "'$1' -> '$got' lacks '$w'"; return 1; }; done; }
mkdir -p "$LAB_TMP/uapi" && : >"$LAB_TMP/uapi/wgt0.sock"
lab_check "complete 'wgmtu ' lists the commands" has "wgmtu " calc probe analyze show set responder help
lab_check "complete 'wgmtu calc --p' -> --path-mtu" has "wgmtu calc --p" --path-mtu
lab_check "complete 'wgmtu calc --encap pppoe,ds' -> pppoe,dslite" has "wgmtu calc --encap pppoe,ds" pppoe,dslite
lab_check "complete 'wgmtu probe --method ' -> icmp udp" has "wgmtu probe --method " icmp udp
lab_check "complete 'wgmtu show ' -> the UAPI sockets' interfaces" has "wgmtu show " wgt0
lab_check "complete 'wgmtu set wgt0 peer X probe ' -> the methods" has "wgmtu set wgt0 peer X probe " inband icmp-tunnel off
lab_check "complete 'wgmtu tune -n ' (--dry-run, no value) -> the interfaces" has "wgmtu tune -n " wgt0
lab_check "complete 'wgmtu doctor --all ' -> the interfaces" has "wgmtu doctor --all " wgt0
lab_check "complete 'wgmtud --f' -> --foreground" has "wgmtud --f" --foreground
lab_check "wgmtud completion is the same file" \
	test "$(readlink "$ST/usr/share/bash-completion/completions/wgmtud")" = wgmtu

lab_check "make uninstall removes everything install put" bash -c "
	make -C '$LAB_ROOT' -s BUILD='$LAB_BUILD' PREFIX=/usr DESTDIR='$ST' uninstall &&
	left=\$(find '$ST' -type f -o -type l) && [ -z \"\$left\" ] || { echo \"left: \$left\"; exit 1; }"
lab_check "LICENSE is the MIT license the sources' SPDX tags name" \
	bash -c "head -1 '$LAB_ROOT/LICENSE' | grep -qx 'MIT License' &&
		! grep -rL 'SPDX-License-Identifier: MIT' '$LAB_ROOT'/src --include=*.c | grep ."
lab_done
