#!/bin/bash
# The Debian package: scripts/deb.sh builds it with dpkg-buildpackage in a
# scratch copy and requires lintian to find no error and no warning; then
# the .deb's contents are checked (binaries that run, man pages, docs they
# cite, completion, units). The build takes about a minute on two cores,
# so it runs only with WGMTU_TEST_DEB=1 (scripts/test.sh --deb).
. "$(dirname "$0")/../netns/lib.sh"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT

if [ "${WGMTU_TEST_DEB:-0}" != 1 ]; then
	lab_skip "Debian package builds lintian-clean" "opt-in: WGMTU_TEST_DEB=1 (about a minute)"
	lab_done
fi
missing=""
for t in dpkg-buildpackage dh lintian fakeroot; do command -v $t >/dev/null || missing="$missing $t"; done
if [ -n "$missing" ]; then
	lab_skip "Debian package builds lintian-clean" "missing:$missing (scripts/deps.sh --deb)"
	lab_done
fi

lab_check "scripts/deb.sh: dpkg-buildpackage, lintian without errors or warnings" \
	bash -c "'$LAB_ROOT/scripts/deb.sh' '$LAB_TMP/out' >'$LAB_TMP/deb.log' 2>&1 || { cat '$LAB_TMP/deb.log'; exit 1; }"
DEB=$(ls "$LAB_TMP"/out/wgmtu_*.deb 2>/dev/null | head -1)
X=$LAB_TMP/x
[ -n "$DEB" ] && dpkg-deb -x "$DEB" "$X"
lab_check "the package holds binaries, man pages, completion, units and docs" bash -c "
	cd '$X' && for f in usr/bin/wgmtu usr/bin/wgmtud usr/share/man/man1/wgmtu.1.gz \
	  usr/share/man/man1/wgmtu-analyze.1.gz usr/share/man/man8/wgmtud.8.gz \
	  usr/share/bash-completion/completions/wgmtu usr/share/bash-completion/completions/wgmtud \
	  lib/systemd/system/wgmtu-responder.service usr/share/doc/wgmtu/copyright \
	  usr/share/doc/wgmtu/README.md usr/share/doc/wgmtu/probe-protocol.md; do
		[ -e \"\$f\" ] || { echo \"missing \$f\"; exit 1; }
	done"
lab_check "the packaged binaries run (--version)" bash -c "
	'$X/usr/bin/wgmtu' --version | grep -qx \"wgmtu \$(cat '$LAB_ROOT/VERSION')\" &&
	'$X/usr/bin/wgmtud' --version | grep -q \"\$(cat '$LAB_ROOT/VERSION')\""
man_cites() {
	local m ref
	for m in "$X"/usr/share/man/man*/*.gz; do
		for ref in $(zcat "$m" | grep -o '/usr/share/doc/wgmtu/[A-Za-z0-9_.\\-]*' | sed 's/\\-/-/g; s/[.]$//'); do
			[ -e "$X$ref" ] || { echo "$m cites $ref"; return 1; }
		done
	done
}
lab_check "the packaged man pages cite only docs the package holds" man_cites
unit_ok() {
	local u="$X/lib/systemd/system/wgmtu-responder.service"
	grep -qx 'ExecStart=/usr/bin/wgmtu responder $WGMTU_RESPONDER_ARGS' "$u" &&
	grep -qx 'DynamicUser=yes' "$u" || { cat "$u"; return 1; }
	dpkg-deb -e "$DEB" "$LAB_TMP/ctl"
	# installed, never enabled or started by the package itself: an enable
	# only where the administrator had enabled it before (an upgrade)
	! grep -qs 'deb-systemd-invoke' "$LAB_TMP/ctl/postinst" &&
	[ "$(grep -c 'deb-systemd-helper enable' "$LAB_TMP/ctl/postinst")" = \
	  "$(grep -A2 'was-enabled' "$LAB_TMP/ctl/postinst" | grep -c 'deb-systemd-helper enable')" ]
}
lab_check "the responder unit runs /usr/bin/wgmtu as a dynamic user, not enabled by the package" unit_ok
lab_check "Depends come from the shared libraries (libssl, libpcap, libmnl)" bash -c "
	d=\$(dpkg-deb -f '$DEB' Depends); for l in libssl libpcap libmnl; do grep -q \$l <<<\"\$d\" || { echo \"\$d\"; exit 1; }; done"
lab_done
