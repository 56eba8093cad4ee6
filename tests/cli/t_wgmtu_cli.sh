#!/bin/bash
# The wgmtu dispatcher: help, version, unknown commands, exit codes as
# wgmtu(1) documents them. No root, no network.
. "$(dirname "$0")/../netns/lib.sh"
W="$LAB_BUILD/wgmtu"
LAB_TMP=$(mktemp -d); trap 'rm -rf "$LAB_TMP"' EXIT
rc_is() { local want=$1; shift; "$@" >"$LAB_TMP/o" 2>"$LAB_TMP/e"; local rc=$?; [ "$rc" = "$want" ] || { echo "exit $rc, want $want"; cat "$LAB_TMP/e"; return 1; }; }

lab_check "no command: exit 2, usage on stderr" rc_is 2 "$W"
lab_check "... names the commands" grep -q '^  calc' "$LAB_TMP/e"
lab_check "--help: exit 0, usage on stdout" rc_is 0 "$W" --help
lab_check "... names the commands" grep -q '^  calc' "$LAB_TMP/o"
lab_check "--version: exit 0" rc_is 0 "$W" --version
lab_check "... 'wgmtu VERSION'" grep -qx "wgmtu $(cat "$LAB_ROOT/VERSION")" "$LAB_TMP/o"
lab_check "unknown command: exit 2" rc_is 2 "$W" frobnicate
lab_check "... named" grep -q "unknown command 'frobnicate'" "$LAB_TMP/e"
lab_check "help COMMAND = COMMAND --help, for every listed command" bash -c "
	for c in \$('$W' --help | sed -n '/^Commands:/,/^\$/s/^  \([a-z]*\) .*/\1/p' | grep -vx help); do
		cmp -s <('$W' help \$c) <('$W' \$c --help) || { echo \"help \$c differs\"; exit 1; }
	done"
# 'help' is in the list of commands: asking for its help is not an error
lab_check "help help: exit 0, the usage" rc_is 0 "$W" help help
lab_check "... on stdout" grep -q '^  calc' "$LAB_TMP/o"
lab_check "help --help: exit 0" rc_is 0 "$W" help --help
lab_check "help UNKNOWN: exit 2" rc_is 2 "$W" help frobnicate
lab_done
