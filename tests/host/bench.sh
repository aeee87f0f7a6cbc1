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
	fig "$tmp/bench-wake-placebo-$i.log" wake_up 16 ns_per_wakeup 125.000 90.000 130.000
	done_line "$tmp/bench-wake-placebo-$i.log"
done
fig "$tmp/bench-wake-perf-1.log" wake_up 16 ns_per_wakeup 110.000 100.000 120.000
fig "$tmp/bench-wake-perf-2.log" wake_up 16 ns_per_wakeup 130.000 120.000 140.000
done_line "$tmp/bench-wake-perf-1.log"
done_line "$tmp/bench-wake-perf-2.log"
main=$tmp/bench-main.log
fig "$main" cev 16 ns_per_child 200.000 190.000 210.000
fig "$main" epoll 16 ns_per_child 300.000 290.000 310.000
fig "$main" wq_countdown 16 ns_per_child 160.000 150.000 170.000
done_line "$main"
# A part-2 boot of its own: its medians combine with the main boot's.
comp=$tmp/bench-compound-1.log
fig "$comp" cev 16 ns_per_child 220.000 200.000 230.000
fig "$comp" wq_countdown 16 ns_per_child 200.000 190.000 210.000
done_line "$comp"
logs="$tmp/bench-wake-stock-1.log $tmp/bench-wake-stock-2.log
	$tmp/bench-wake-placebo-1.log $tmp/bench-wake-placebo-2.log
	$tmp/bench-wake-perf-1.log $tmp/bench-wake-perf-2.log $main $comp"

# shellcheck disable=SC2086
check "bench-report.py accepts logs without errors" \
	report_ok "$tmp/ok.tsv" $logs
touch "$tmp/ok.tsv"
check "bench-report.py: patched against stock, median of the boots" \
	grep -qx "wake_up	16	ns_per_wakeup	120.000	100.000	1.2000" "$tmp/ok.tsv"
check "bench-report.py: patched against placebo, median of the boots" \
	grep -qx "wake_up_placebo	16	ns_per_wakeup	120.000	125.000	0.9600" "$tmp/ok.tsv"
check "bench-report.py: each way against cev, medians of the boots" \
	grep -qx "epoll	16	ns_per_child	300.000	210.000	1.4286" "$tmp/ok.tsv"
check "bench-report.py: cev against the floor, and its best boots" \
	sh -c "grep -qx 'floor	16	ns_per_child	210.000	180.000	1.1667' '$tmp/ok.tsv' &&
		grep -qx 'floor	16	ns_per_child.best_boot	200.000	160.000	1.2500' '$tmp/ok.tsv'"

plots_ok() {
	python3 "$TOP/scripts/bench-plot.py" "$tmp/ok.tsv" "$tmp" >/dev/null &&
		python3 - "$tmp" <<'PY'
import sys
import xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1] + '/bench-per-child.svg').getroot()
lines = root.iter(ns + 'polyline')
# cev and wq_countdown have part 2 figures at N = 16: one point each, so
# no line, but a marker each; epoll too.
dots = list(root.iter(ns + 'circle'))
assert len(dots) == 3, len(dots)
ET.parse(sys.argv[1] + '/bench-wakeups.svg')
PY
}
check "bench-plot.py draws part 2 as SVG" plots_ok
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

# The file system part: "cev-fs:" lines of interleaved stock and perf
# boots, each ending with "cev-fs: done".
# fs_line LOG IOPS CTX COMMITS JBD2-CTXSW: one fsync1 workload of 100 fsyncs.
fs_line() {
	printf 'cev-fs: nb:ordered_fsync1 %s %s {"jobs": [{"write": {"iops": %s}, "sync": {"total_ios": 100, "lat_ns": {"percentile": {"50.000000": 1000000, "99.000000": 5000000}}}, "ctx": %s, "job_runtime": 20000, "job options": {}}]}\n' \
		"$4" "$5" "$2" "$3" >>"$1"
}
fs_line "$tmp/bench-fs-stock-1.log" 100 300 10 25
fs_line "$tmp/bench-fs-stock-2.log" 120 300 10 25
fs_line "$tmp/bench-fs-perf-1.log" 121 200 10 15
fs_line "$tmp/bench-fs-perf-2.log" 143 200 10 15
for f in stock-1 stock-2 perf-1 perf-2; do
	echo "cev-fs: done" >>"$tmp/bench-fs-$f.log"
done
fslogs="$tmp/bench-fs-stock-1.log $tmp/bench-fs-stock-2.log
	$tmp/bench-fs-perf-1.log $tmp/bench-fs-perf-2.log"
# shellcheck disable=SC2086
check "bench-report.py accepts the file system part's logs" \
	report_ok "$tmp/fs.tsv" $fslogs
touch "$tmp/fs.tsv"
check "bench-report.py: file systems, patched against stock, medians of the boots" \
	sh -c "grep -qx 'fs_nb:ordered_fsync1	0	iops	132.000	110.000	1.2000' '$tmp/fs.tsv' &&
		grep -qx 'fs_nb:ordered_fsync1	0	ctx_per_fsync	2.000	3.000	0.6667' '$tmp/fs.tsv' &&
		grep -qx 'fs_nb:ordered_fsync1	0	jbd2_ctx_per_commit	1.500	2.500	0.6000' '$tmp/fs.tsv'"
grep -v 'cev-fs: done' "$tmp/bench-fs-perf-2.log" >"$tmp/bench-fs-perf-9.log"
# shellcheck disable=SC2086
check "bench-report.py fails on a file system boot that did not finish" \
	report_fails "$tmp/bad.tsv" $fslogs "$tmp/bench-fs-perf-9.log"

# The stacking part: "cev-stack:" and "cev-hedge:" lines of one boot,
# ending with "cev-stack: done"; a hedge line with the copies counted, and
# one from before they were.
# stack_line LOG WHAT IOPS P99-NS: one fio read job.
stack_line() {
	printf 'cev-%s {"jobs": [{"read": {"total_ios": 1000, "iops": %s, "clat_ns": {"percentile": {"50.000000": 5000, "99.000000": %s, "99.900000": 90000, "99.990000": 120000}}}, "write": {"total_ios": 0}, "latency_ms": {"10": 1.0, "20": 0.5, ">=2000": 0.25}}]}\n' \
		"$2" "$3" "$4" >>"$1"
}
st=$tmp/bench-stack.log
stack_line "$st" "stack: brd linear cevstack randread_4k" 900 20000
stack_line "$st" "stack: brd linear dm randread_4k" 1000 10000
stack_line "$st" "stack: brd mirror cevstack-nohedge randread_4k" 700 25000
stack_line "$st" "stack: brd mirror md randread_4k" 1000 10000
stack_line "$st" "hedge: slow_leg cevstack 5 100 20" 800 30000
stack_line "$st" "hedge: slow_leg cevstack-nohedge 0 100" 900 15000
stack_line "$st" "hedge: slow_leg alone 0 0" 1000 10000
echo "cev-stack: done" >>"$st"
check "bench-report.py accepts the stacking part's log" \
	report_ok "$tmp/st.tsv" "$st"
touch "$tmp/st.tsv"
check "bench-report.py: cevstack against its dm peer, and the hedge against the fast leg" \
	sh -c "grep -qx 'stack_brd_linear_randread_4k	0	iops	900.000	1000.000	0.9000' '$tmp/st.tsv' &&
		grep -qx 'stack_brd_linear_randread_4k	0	p99_us	20.000	10.000	2.0000' '$tmp/st.tsv' &&
		grep -qx 'hedge_slow_leg_cevstack	0	iops	800.000	1000.000	0.8000' '$tmp/st.tsv' &&
		grep -q '| slow_leg | cevstack | 800 | 5.00 | 30.0 | 90.0 | 120 | 0.75% | 3.00 | 5.0% | 20.0% |' '$tmp/ok.out' &&
		grep -qx 'hedge_slow_leg_cevstack	0	over_10ms_pct	0.750		' '$tmp/st.tsv'"
check "bench-report.py: a mirror with hedge=N against md, and in the hedge table" \
	sh -c "grep -qx 'stack_brd_mirror-nohedge_randread_4k	0	iops	700.000	1000.000	0.7000' '$tmp/st.tsv' &&
		grep -q '| brd | mirror hedge=N | md | randread_4k | 700 | 1000 | 0.70 |' '$tmp/ok.out' &&
		grep -q '| slow_leg | cevstack-nohedge | 900 | 5.00 | 15.0 | 90.0 | 120 | 0.75% | 1.50 | 0.0% | - |' '$tmp/ok.out'"
stack_plots_ok() {
	python3 "$TOP/scripts/bench-plot.py" "$tmp/st.tsv" "$tmp" >/dev/null &&
		python3 - "$tmp" <<'PY'
import sys
import xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
bars = [r for r in ET.parse(sys.argv[1] + '/bench-stack.svg').getroot()
        .iter(ns + 'rect')]
assert len(bars) == 2, len(bars)
curves = list(ET.parse(sys.argv[1] + '/bench-hedge.svg').getroot()
              .iter(ns + 'polyline'))
assert len(curves) == 3, len(curves)
PY
}
check "bench-plot.py draws the stacking part's bars and CDFs as SVG" stack_plots_ok
mkdir "$tmp/c"
head -1 "$st" | cut -c1-60 >"$tmp/c/bench-stack.log"
echo "cev-stack: done" >>"$tmp/c/bench-stack.log"
check "bench-report.py fails on a stacking line cut short" \
	report_fails "$tmp/bad.tsv" "$tmp/c/bench-stack.log"
mkdir "$tmp/u"
grep -v 'cev-stack: done' "$st" >"$tmp/u/bench-stack.log" || true
check "bench-report.py fails on a stacking boot that did not finish" \
	report_fails "$tmp/bad.tsv" "$tmp/u/bench-stack.log"
