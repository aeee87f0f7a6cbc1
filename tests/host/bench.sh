#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/host/bench.sh: make test's checks of make bench's own parts, which
# need neither bench kernel: the module's style, and what
# scripts/bench-report.py makes of console logs (ratios computed against
# the right baseline; a benchmark error, a module that did not finish, or
# a fio report that is not JSON failing the run).
. "$(dirname "$0")/../../scripts/lib.sh"

REPORT=$TOP/scripts/bench-report.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check WHAT CMD...: one result, ok if CMD succeeds.
check() {
	local what=$1
	shift
	if "$@"; then
		result host ok "bench: $what"
	else
		result host fail "bench: $what"
	fi
}

report_ok() { python3 "$REPORT" "$@" >"$tmp/ok.out" 2>&1; }

# report_fails TSV LOG...: the report exits non-zero and says FAIL.
report_fails() {
	local tsv=$1
	shift
	! python3 "$REPORT" "$tsv" "$@" >"$tmp/bad.out" 2>&1 &&
		grep -q '^FAIL: ' "$tmp/bad.out"
}

out=$("$SRC/scripts/checkpatch.pl" --strict --no-tree --quiet \
	-f "$TOP/tests/bench/cev_bench.c" 2>&1) || true
check "checkpatch --strict finds nothing in tests/bench/cev_bench.c" \
	test -z "$out"

# fig KERNEL-LOG CASE N METRIC MEDIAN MIN MAX: one module line.
fig() {
	echo "[    1.0] cev-bench: case=$2 n=$3 metric=$4 median=$5 min=$6 max=$7 rounds=7" >>"$1"
}
done_line() { echo "[    2.0] cev-bench: done errors=0" >>"$1"; }

# Two boots of each kernel; the patched figure is the median of its boots.
for i in 1 2; do
	fig "$tmp/bench-wake-stock-$i.log" wake_up 16 ns_per_wakeup 100.000 90.000 110.000
	done_line "$tmp/bench-wake-stock-$i.log"
done
fig "$tmp/bench-wake-perf-1.log" wake_up 16 ns_per_wakeup 110.000 100.000 120.000
fig "$tmp/bench-wake-perf-2.log" wake_up 16 ns_per_wakeup 130.000 120.000 140.000
done_line "$tmp/bench-wake-perf-1.log"
done_line "$tmp/bench-wake-perf-2.log"
main=$tmp/bench-main.log
fig "$main" cev 16 ns_per_child 200.000 190.000 210.000
fig "$main" epoll 16 ns_per_child 300.000 290.000 310.000
done_line "$main"
logs="$tmp/bench-wake-stock-1.log $tmp/bench-wake-stock-2.log
	$tmp/bench-wake-perf-1.log $tmp/bench-wake-perf-2.log $main"

# shellcheck disable=SC2086
check "bench-report.py accepts logs without errors" \
	report_ok "$tmp/ok.tsv" $logs
touch "$tmp/ok.tsv"
check "bench-report.py: patched against stock, median of the boots" \
	grep -qx "wake_up	16	ns_per_wakeup	120.000	100.000	1.2000" "$tmp/ok.tsv"
check "bench-report.py: each way against cev" \
	grep -qx "epoll	16	ns_per_child	300.000	200.000	1.5000" "$tmp/ok.tsv"
check "bench-report.py: build/bench.tsv's columns" \
	grep -qx "case	n	metric	value	baseline	ratio" "$tmp/ok.tsv"

# A log with one more line that must fail the report.
bad_main() {
	cp "$main" "$tmp/bad-main.log"
	echo "$1" >>"$tmp/bad-main.log"
}
bad_main "[    3.0] cev-bench: error: cev: compound did not complete as it should (n=16)"
# shellcheck disable=SC2086
check "bench-report.py fails on a benchmark error" \
	report_fails "$tmp/bad.tsv" ${logs% *} "$tmp/bad-main.log"
bad_main 'cev-fio: lower 4k {"jobs": [}'
# shellcheck disable=SC2086
check "bench-report.py fails on a fio report that is not JSON" \
	report_fails "$tmp/bad.tsv" ${logs% *} "$tmp/bad-main.log"
grep -v 'done errors' "$main" >"$tmp/bench-wake-perf-9.log"
# shellcheck disable=SC2086
check "bench-report.py fails on a module that did not finish" \
	report_fails "$tmp/bad.tsv" $logs "$tmp/bench-wake-perf-9.log"
