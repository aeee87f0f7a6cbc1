#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-new-files.sh TREE: every file the series adds to TREE (a git tree
# with the series applied on top of refs/tags/pristine) must equal the copy
# at the same path in this repository: one source of truth.
. "$(dirname "$0")/lib.sh"

tree=${1:?usage: check-new-files.sh TREE}
bad=0 n=0
for f in $(git -C "$tree" diff --name-only --diff-filter=A refs/tags/pristine HEAD); do
	n=$((n + 1))
	if [ ! -f "$TOP/$f" ]; then
		echo "new file $f is not in the repository" >&2
		bad=1
	elif ! cmp -s "$TOP/$f" "$tree/$f"; then
		echo "new file $f differs from the repository's copy:" >&2
		diff -u "$TOP/$f" "$tree/$f" | head -20 >&2
		bad=1
	fi
done
[ $bad -eq 0 ] || die "files added by the series and the repository disagree"
say "new files: $n, all equal to the repository's copies"
