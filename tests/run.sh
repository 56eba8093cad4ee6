#!/bin/bash
# tests/run.sh — run every test and print one closing tally.
#
#   tests/run.sh [--unit|--netns|--fuzz] [PATTERN]
#
# Unit tests: every $BUILD/tests/test_* (cmocka; each test case counts),
# and scripts/check-layers.sh (one test).
# Script tests: every tests/cli/t_*.sh and tests/netns/t_*.sh (each
# "ok"/"not ok" line counts; "ok ... # SKIP ..." counts as skipped),
# run as root with a per-script timeout. Fuzz smoke: every build-fuzz/fuzz_*
# for FUZZ_SECONDS (default 3) each, when the fuzz build exists.
# The last line is "N passed, N failed, N skipped"; exit status 0 only if
# none failed (and something passed).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
export BUILD
WHAT=all
case "${1:-}" in --unit) WHAT=unit; shift ;; --netns|--scripts) WHAT=netns; shift ;; --fuzz) WHAT=fuzz; shift ;; esac
PATTERN=${1:-}
NETNS_TIMEOUT=${NETNS_TIMEOUT:-300}
FUZZ_SECONDS=${FUZZ_SECONDS:-3}
PASS=0 FAIL=0 SKIP=0
FAILED=()
LOG=$(mktemp -d /tmp/wgmtu-tests.XXXXXX)
trap 'rm -rf "$LOG"' EXIT

matches() { [ -z "$PATTERN" ] || [[ "$1" == *"$PATTERN"* ]]; }

run_unit() {
	local t name out p f s
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		matches "$name" || continue
		out="$LOG/$name.out"
		CMOCKA_MESSAGE_OUTPUT=stdout "$t" >"$out" 2>&1
		local rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
		s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
		p=${p:-0} f=${f:-0} s=${s:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # crashed or sanitizer abort
		PASS=$((PASS + p)) FAIL=$((FAIL + f)) SKIP=$((SKIP + s))
		if [ "$f" -ne 0 ]; then
			echo "FAIL unit $name ($p passed, $f failed)"
			sed 's/^/    /' "$out" | tail -n 40
			FAILED+=("$name")
		else
			echo "ok   unit $name ($p passed$([ "$s" -gt 0 ] && echo ", $s skipped"))"
		fi
	done
}

# The layering rule (scripts/check-layers.sh) counts as one unit test, so
# /work/tools/land and every --unit run enforce it too.
run_layers() {
	matches check-layers || return 0
	[ -f "$BUILD/libwgmtu.a" ] || return 0
	if scripts/check-layers.sh >"$LOG/check-layers.out" 2>&1; then
		PASS=$((PASS + 1))
		echo "ok   unit check-layers"
	else
		FAIL=$((FAIL + 1))
		FAILED+=("check-layers")
		echo "FAIL unit check-layers"
		sed 's/^/    /' "$LOG/check-layers.out"
	fi
}

run_netns() {
	local t name out p f s rc
	for t in tests/cli/t_*.sh tests/netns/t_*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		matches "$name" || continue
		out="$LOG/$name.out"
		local start=$SECONDS
		timeout -k 10 "$NETNS_TIMEOUT" bash "$t" >"$out" 2>&1
		rc=$?
		# TAP: "ok ... # SKIP reason" is a skip, not a pass
		s=$(grep -c '^ok .*# SKIP' "$out")
		p=$(($(grep -c '^ok ' "$out") - s))
		f=$(grep -c '^not ok ' "$out")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			[ "$rc" -eq 124 ] && echo "not ok - $name timed out after ${NETNS_TIMEOUT}s" >>"$out"
		fi
		PASS=$((PASS + p)) FAIL=$((FAIL + f)) SKIP=$((SKIP + s))
		if [ "$f" -ne 0 ]; then
			echo "FAIL script $name ($p passed, $f failed, $s skipped, $((SECONDS - start))s)"
			sed 's/^/    /' "$out" | tail -n 60
			FAILED+=("$name")
		else
			echo "ok   script $name ($p passed$([ "$s" -gt 0 ] && echo ", $s skipped"), $((SECONDS - start))s)"
			[ "$s" -gt 0 ] && grep '^ok .*# SKIP' "$out" | sed 's/^/    /'
			[ -n "${VERBOSE:-}" ] && sed 's/^/    /' "$out"
		fi
	done
}

run_fuzz() {
	local t name out
	for t in build-fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		matches "$name" || continue
		out="$LOG/$name.out"
		local corpus="tests/fuzz/corpus/${name#fuzz_}"
		local dirs=()
		[ -d "$corpus" ] && dirs=("$corpus")
		mkdir -p "$LOG/$name.new"
		if "$t" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=1 \
			"$LOG/$name.new" "${dirs[@]}" >"$out" 2>&1; then
			PASS=$((PASS + 1))
			echo "ok   fuzz $name (${FUZZ_SECONDS}s, $(grep -o 'Done [0-9]* runs' "$out" | tail -1)," \
				"$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out") exec/s," \
				"$(grep -o 'cov: [0-9]*' "$out" | tail -1))"
		else
			FAIL=$((FAIL + 1))
			FAILED+=("$name")
			echo "FAIL fuzz $name"
			tail -n 40 "$out" | sed 's/^/    /'
		fi
	done
}

case $WHAT in
all) run_unit; run_layers; run_netns; run_fuzz ;;
unit) run_unit; run_layers ;;
netns) run_netns ;;
fuzz) run_fuzz ;;
esac

[ ${#FAILED[@]} -gt 0 ] && echo "failed: ${FAILED[*]}"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
