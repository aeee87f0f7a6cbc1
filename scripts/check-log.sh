#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-log.sh NAME: judge build/logs/NAME.log.  The kernel's KUnit output
# and the boot tests' KTAP (lines prefixed "cev-ktap: ") are each parsed
# with the tree's tools/testing/kunit/kunit.py parse; every test case is
# one result.  A kernel report (lockdep, KASAN, UBSAN, WARNING, BUG, Oops,
# hung task, panic) anywhere in the log fails the log, whatever the tests
# said.
. "$(dirname "$0")/lib.sh"

name=${1:?usage: check-log.sh NAME}
log=$LOGS/$name.log
kunit="$SRC/tools/testing/kunit/kunit.py"

# parse_ktap WHAT FILE: run kunit.py parse, show its summary, count cases.
parse_ktap() {
	local what=$1 file=$2 json=$LOGS/$name.$1.json rc=0
	python3 "$kunit" parse --json="$json" "$file" >"$LOGS/$name.$what.parse" 2>&1 || rc=$?
	grep -E '^\[..:..:..\] (Testing complete|=+ .* =+$|\[(FAILED|CRASHED)\])' \
		"$LOGS/$name.$what.parse" | sed 's/^\[..:..:..\] /    /' | tail -20 >&2 || true
	if [ ! -s "$json" ]; then
		result "$name" fail "$name: $what results could not be parsed"
		return
	fi
	count_kunit_json "$name" "$json" "$name:$what:"
	[ $rc -eq 0 ] || result "$name" fail "$name: kunit.py parse of $what reports failure"
}

[ -f "$log" ] || die "no log $log"

# The kernel's own KTAP comes first; /init's output is not part of it.
sed -n '/Run \/init as init process/q;p' "$log" >"$LOGS/$name.kernel.txt"
if grep -q 'KTAP version' "$LOGS/$name.kernel.txt"; then
	parse_ktap kunit "$LOGS/$name.kernel.txt"
elif [ "${EXPECT_KUNIT:-0}" = 1 ]; then
	result "$name" fail "$name: the kernel ran KUnit suites (no KTAP before /init)"
fi
if grep -q '^cev-ktap: ' "$log"; then
	sed -n 's/^cev-ktap: //p' "$log" >"$LOGS/$name.boot.txt"
	parse_ktap boot "$LOGS/$name.boot.txt"
fi

# Kernel reports.  Lockdep and hung-task reports begin with WARNING, BUG
# or INFO lines; KASAN and UBSAN with their names.
reports='(WARNING:|BUG:|INFO: task .* blocked for more than|INFO: possible|'
reports+='KASAN:|UBSAN:|Oops|Kernel panic|ODEBUG:|general protection fault|'
reports+='possible (recursive|circular) locking|inconsistent lock state)'
if grep -En "$reports" "$log" >"$LOGS/$name.reports"; then
	head -5 "$LOGS/$name.reports" | sed 's/^/    /' >&2
	result "$name" fail "$name: console log free of kernel reports ($(wc -l <"$LOGS/$name.reports") report lines; see $log)"
else
	result "$name" ok "$name: console log free of kernel reports"
fi
if grep -q '^cev-init: done' "$log"; then
	result "$name" ok "$name: guest ran /init to the end"
else
	result "$name" fail "$name: guest ran /init to the end"
fi
