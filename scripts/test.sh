#!/bin/bash
# scripts/test.sh — install what is missing, build, run every test.
#   scripts/test.sh            normal build (warnings are errors) + unit,
#                              CLI, network-namespace and fuzz-smoke tests
#   scripts/test.sh --san      the same suite built with ASan+UBSan
#   scripts/test.sh [--san] PATTERN   only tests whose name contains PATTERN
#   scripts/test.sh [--san] --soak MINUTES   build, then only the soak test
#                              (tests/soak/soak.sh; not part of the suite)
#   scripts/test.sh --deb      also build the Debian package and check it
#                              (tests/cli/t_deb.sh, about a minute; installs
#                              dpkg-buildpackage, debhelper, lintian)
# Ends with "N passed, N failed, N skipped"; exit status 0 only when nothing
# failed.
set -u
cd "$(dirname "$0")/.."
SAN=0
DEB=
if [ "${1:-}" = "--deb" ]; then DEB=--deb; export WGMTU_TEST_DEB=1; shift; fi
"./scripts/deps.sh" $DEB || exit 1
if [ "${1:-}" = "--san" ]; then SAN=1; shift; fi
SOAK=""
if [ "${1:-}" = "--soak" ]; then
	SOAK=${2:-}
	case "$SOAK" in ''|*[!0-9]*) echo "usage: scripts/test.sh [--san] --soak MINUTES"; exit 2 ;; esac
	shift 2
fi
JOBS=$(nproc 2>/dev/null || echo 2)
if [ $SAN = 1 ]; then
	BUILD=build-san
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
	BUILD=build
fi
export BUILD
if ! make -s -j"$JOBS" SAN=$SAN WERROR=1 all unit-bins >/tmp/wgmtu-build.$$.log 2>&1; then
	cat /tmp/wgmtu-build.$$.log
	rm -f /tmp/wgmtu-build.$$.log
	echo "build failed"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
rm -f /tmp/wgmtu-build.$$.log
# the pure layer must not need the daemon or the tool (docs/daemon.md)
if ! make -s SAN=$SAN check-layers; then
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
if [ -n "$SOAK" ]; then
	bash tests/soak/soak.sh "$SOAK"
	exit $?
fi
if [ $SAN = 0 ] && ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
	if ! make -s -j"$JOBS" fuzz >/tmp/wgmtu-fuzz.$$.log 2>&1; then
		cat /tmp/wgmtu-fuzz.$$.log
		echo "fuzz build failed"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	rm -f /tmp/wgmtu-fuzz.$$.log
fi
if [ $SAN = 1 ]; then
	tests/run.sh --unit "$@" && tests/run.sh --scripts "$@"
else
	tests/run.sh "$@"
fi
