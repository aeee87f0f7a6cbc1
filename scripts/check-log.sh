#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-log.sh NAME: judge build/logs/NAME.log.  The kernel's KUnit output
# and the boot tests' KTAP (lines prefixed "cev-ktap: ") are each parsed
# with the tree's tools/testing/kunit/kunit.py parse; every test case is
# one result.  A kernel report (lockdep, KASAN, KCSAN, UBSAN, WARNING, BUG,
# Oops, hung task, panic) anywhere in the log fails the log, whatever the
# tests said.
#
# KUNIT_MODULES=1: the KUnit suites are modules that /init loads (the KCSAN
# boot): their KTAP is the kernel's lines between "cev-kunit: begin" and
# "cev-kunit: end", one KTAP document a module, each parsed on its own.
# KILLED=1: the guest was killed from the host on purpose; that it did not
# run /init to the end is no failure.
# KCSAN=1: also one result for KCSAN itself: it was switched on, and it
# printed no report (each report's title is named).
. "$(dirname "$0")/lib.sh"

name=${1:?usage: check-log.sh NAME}
log=$LOGS/$name.log
kunit="$SRC/tools/testing/kunit/kunit.py"

# parse_ktap WHAT FILE [PREFIX]: run kunit.py parse, show its summary,
# count cases (named PREFIX, NAME:WHAT: by default, then suite.case).
parse_ktap() {
	local what=$1 file=$2 prefix=${3:-$name:$1:} json=$LOGS/$name.$1.json rc=0
	python3 "$kunit" parse --json="$json" "$file" >"$LOGS/$name.$what.parse" 2>&1 || rc=$?
	grep -E '^\[..:..:..\] (Testing complete|=+ .* =+$|\[(FAILED|CRASHED)\])' \
		"$LOGS/$name.$what.parse" | sed 's/^\[..:..:..\] /    /' | tail -20 >&2 || true
	if [ ! -s "$json" ]; then
		result "$name" fail "$name: $what results could not be parsed"
		return
	fi
	count_kunit_json "$name" "$json" "$prefix"
	[ $rc -eq 0 ] || result "$name" fail "$name: kunit.py parse of $what reports failure"
}

[ -f "$log" ] || die "no log $log"

if [ "${KUNIT_MODULES:-0}" = 1 ]; then
	# Only the kernel's lines (they begin with the time), without the
	# serial console's carriage returns; a new document at each KTAP
	# version line that is not indented.
	rm -f "$LOGS/$name".kunit.*
	sed -n '/^cev-kunit: begin/,/^cev-kunit: end/p' "$log" | tr -d '\r' |
		grep '^\[' | awk -v out="$LOGS/$name.kunit." \
		'/^\[[ 0-9.]*\] KTAP version/ { n++ } n { print >(out n ".txt") }'
	n=0
	for f in "$LOGS/$name".kunit.*.txt; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		parse_ktap "kunit.$n" "$f" "$name:kunit:"
	done
	[ $n -gt 0 ] ||
		result "$name" fail "$name: the KUnit modules ran (no KTAP between cev-kunit: begin and end)"
	grep -a '^cev-kunit: not loaded' "$log" | tr -d '\r' >"$LOGS/$name.unloaded" || true
	while read -r line; do
		result "$name" fail "$name: KUnit module ${line#cev-kunit: }"
	done <"$LOGS/$name.unloaded"
else
	# The kernel's own KTAP comes first; /init's output is not part of it.
	sed -n '/Run \/init as init process/q;p' "$log" >"$LOGS/$name.kernel.txt"
	if grep -q 'KTAP version' "$LOGS/$name.kernel.txt"; then
		parse_ktap kunit "$LOGS/$name.kernel.txt"
	elif [ "${EXPECT_KUNIT:-0}" = 1 ]; then
		result "$name" fail "$name: the kernel ran KUnit suites (no KTAP before /init)"
	fi
fi
if grep -q '^cev-ktap: ' "$log"; then
	sed -n 's/^cev-ktap: //p' "$log" >"$LOGS/$name.boot.txt"
	parse_ktap boot "$LOGS/$name.boot.txt"
fi

if [ "${KCSAN:-0}" = 1 ]; then
	if grep -aq '^cev-kcsan: on' "$log"; then
		result "$name" ok "$name: KCSAN was switched on, its filter set"
	else
		result "$name" fail "$name: KCSAN was switched on, its filter set"
	fi
	# One result a distinct title ("data-race in f / g"), with its count.
	grep -a 'BUG: KCSAN: ' "$log" | tr -d '\r' | sed 's/.*BUG: KCSAN: //' |
		sort | uniq -c | sed 's/^ *\([0-9]*\) \(.*\)/\2 (reports: \1)/' >"$LOGS/$name.kcsan" || true
	if [ -s "$LOGS/$name.kcsan" ]; then
		while read -r line; do
			result "$name" fail "$name: KCSAN report: $line"
		done <"$LOGS/$name.kcsan"
	else
		result "$name" ok "$name: no KCSAN report"
	fi
fi

# Kernel reports.  Lockdep and hung-task reports begin with WARNING, BUG
# or INFO lines; KASAN, KCSAN and UBSAN with BUG or their names.
reports='(WARNING:|BUG:|INFO: task .* blocked for more than|INFO: possible|'
reports+='KASAN:|UBSAN:|Oops|Kernel panic|ODEBUG:|general protection fault|'
reports+='possible (recursive|circular) locking|inconsistent lock state)'
if grep -En "$reports" "$log" >"$LOGS/$name.reports"; then
	head -5 "$LOGS/$name.reports" | sed 's/^/    /' >&2
	result "$name" fail "$name: console log free of kernel reports ($(wc -l <"$LOGS/$name.reports") report lines; see $log)"
else
	result "$name" ok "$name: console log free of kernel reports"
fi
if [ "${KILLED:-0}" = 1 ]; then
	:	# killed from the host on purpose (scripts/crash-test.sh)
elif grep -q '^cev-init: done' "$log"; then
	result "$name" ok "$name: guest ran /init to the end"
else
	result "$name" fail "$name: guest ran /init to the end"
fi
