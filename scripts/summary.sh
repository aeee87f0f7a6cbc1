#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# summary.sh: the verdicts recorded under build/results, failures by name,
# and as the last line "N passed, M failed".  Exit status 1 if M > 0 or if
# nothing was checked at all.
. "$(dirname "$0")/lib.sh"

all=$(cat "$RESULTS"/*.tsv 2>/dev/null || true)
passed=$(printf '%s\n' "$all" | grep -c '^ok' || true)
failed=$(printf '%s\n' "$all" | grep -c '^fail' || true)
if [ "$failed" -gt 0 ]; then
	echo "Failed:"
	printf '%s\n' "$all" | sed -n 's/^fail\t/  /p'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
