#!/bin/bash
# scripts/fuzz-run.sh [SECONDS] [PATTERN] — coverage-guided fuzzing of every
# libFuzzer harness (tests/fuzz/fuzz_*.c, built by `make fuzz`) for SECONDS
# each (default 60), or of those whose name contains PATTERN.
#
# Each harness starts from its corpus tests/fuzz/corpus/<name>/ (the file
# name without "fuzz_"); afterwards the inputs it found that reach new
# coverage are merged into that directory (libFuzzer -merge=1), and the
# corpus is minimized: of the inputs named by their SHA-1 (found by the
# fuzzer) only those a fresh -merge=1 of the whole corpus keeps for edge
# coverage (-use_counters=0) stay;
# hand-written seeds (any other name) always stay. So the committed corpus
# stays small.
# Crashes go to build-fuzz/run/<name>-crash-*; the run then fails.
# Prints one line per harness: runs, executions per second, edges covered
# ("cov", from libFuzzer's final line), coverage features ("ft") and the
# corpus size; the logs are in build-fuzz/run/. `make fuzz-run SECONDS=N`.
set -u
cd "$(dirname "$0")/.."
T=${1:-60}
PAT=${2:-}
make -s fuzz || exit 1
OUT=build-fuzz/run
mkdir -p "$OUT"
fail=0
printf '%-20s %10s %8s %6s %7s %13s  %s\n' harness runs exec/s cov ft files/size result
for bin in build-fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	case "$name" in *"$PAT"*) ;; *) continue ;; esac
	corpus=tests/fuzz/corpus/$name
	mkdir -p "$corpus"
	new=$(mktemp -d)
	log=$OUT/$name.log
	result=ok
	if ! "$bin" -max_total_time="$T" -print_final_stats=1 -rss_limit_mb=2048 \
		-artifact_prefix="$OUT/$name-" "$new" "$corpus" >"$log" 2>&1; then
		result="FAILED (see $log)"
		fail=1
	fi
	"$bin" -merge=1 -rss_limit_mb=2048 "$corpus" "$new" >"$OUT/$name.merge.log" 2>&1 ||
		echo "# $name: merge into $corpus failed (see $OUT/$name.merge.log)" >&2
	rm -rf "$new"
	min=$(mktemp -d)
	if "$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 "$min" "$corpus" >"$OUT/$name.min.log" 2>&1; then
		for f in "$corpus"/*; do
			b=${f##*/}
			[[ "$b" =~ ^[0-9a-f]{40}$ ]] && [ ! -e "$min/$b" ] && rm -f "$f"
		done
	fi
	rm -rf "$min"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	files=$(find "$corpus" -type f | wc -l)
	kb=$(cat "$corpus"/* 2>/dev/null | wc -c | awk '{ printf "%.0f", $1 / 1024 }')
	printf '%-20s %10s %8s %6s %7s %13s  %s\n' "$name" "${runs:-?}" "${eps:-?}" "${cov:-?}" \
		"${ft:-?}" "$files/${kb}kB" "$result"
done
exit $fail
