#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-patches.sh: checks on the series as mailed, against build/linux
# (series applied by series.sh): checkpatch.pl --strict on each patch,
# kernel-doc -none on the files it adds, the added files equal to this
# repository's copies, and the same tree from quilt as from git am.
. "$(dirname "$0")/lib.sh"

QUILT_TREE=$BUILD/quilt
cd "$SRC"

for p in $(series_files); do
	out=$(scripts/checkpatch.pl --strict --terse "$TOP/patches/$p" 2>&1 | grep -E ': (ERROR|WARNING|CHECK):' || true)
	if [ -z "$out" ]; then
		result patches ok "checkpatch --strict: $p"
	else
		echo "$out" | head -10 >&2
		result patches fail "checkpatch --strict: $p ($(echo "$out" | wc -l) findings)"
	fi
done

added=$(git diff --name-only --diff-filter=A refs/tags/pristine HEAD -- '*.c' '*.h')
out=$(scripts/kernel-doc -none -Wall $added 2>&1 || true)
if [ -z "$out" ]; then
	result patches ok "kernel-doc -none -Wall: $(echo $added)"
else
	echo "$out" | head -10 >&2
	result patches fail "kernel-doc -none -Wall: $(echo "$out" | wc -l) findings"
fi

if "$TOP/scripts/check-new-files.sh" "$SRC"; then
	result patches ok "files the series adds equal the repository's copies"
else
	result patches fail "files the series adds equal the repository's copies"
fi

quilt_check() {
	if [ ! -d "$QUILT_TREE" ]; then
		git -C "$SRC" worktree prune
		git -C "$SRC" worktree add -q --detach "$QUILT_TREE" refs/tags/pristine
	fi
	cd "$QUILT_TREE"
	rm -rf .pc patches
	git reset -q --hard refs/tags/pristine
	git clean -q -fdx
	QUILT_PATCHES=$TOP/patches QUILT_PC=.pc quilt push -a -q >"$LOGS/quilt.log" 2>&1 ||
		{ tail -5 "$LOGS/quilt.log" >&2; return 1; }
	rm -rf .pc
	git add -A -f
	# The tree quilt made must be the tree git am made.
	[ "$(git write-tree)" = "$(git -C "$SRC" rev-parse 'HEAD^{tree}')" ]
}
if stage "quilt push -a on a pristine tree" quilt_check; then
	result patches ok "quilt push -a applies the series to the same tree as git am"
else
	result patches fail "quilt push -a applies the series to the same tree as git am"
fi

# The walk of an ordinary wake-up must stay what it was: the helper that
# patch 1 splits out of __wake_up_common() is inlined, never called.
obj=$BUILD/obj-debug/kernel/sched/build_utility.o
if [ -f "$obj" ] && nm "$obj" | grep -q ' __wake_up_common$'; then
	if nm "$obj" | grep -q '__wake_up_common_from'; then
		result patches fail "wake-up fast path: __wake_up_common_from() is out of line"
	else
		result patches ok "wake-up fast path: the walk is inlined in __wake_up_common() as before"
	fi
fi
