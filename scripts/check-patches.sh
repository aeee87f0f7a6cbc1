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

# patches/ is what scripts/export-series.sh writes (format_series in
# lib.sh) from the commits git am made of it: so the overlay files, the
# commits and the mailed series cannot drift apart.  Byte for byte, but
# when Debian's package moved on since the export: then the cover letter's
# version and base-commit:, and the blob hashes of the files the new
# package changed (index lines), are said, and left out of the comparison.
as_exported() {
	local out=$BUILD/series-check exported version
	rm -rf "$out"
	format_series "$SRC" "$out" 2>&1
	exported=$(sed -n 's/^base-commit: //p' "$TOP/patches/0000-cover-letter.patch")
	version=$(git -C "$SRC" log -1 --format=%s refs/tags/pristine)
	if [ "$exported" != "$(git -C "$SRC" rev-parse refs/tags/pristine)" ]; then
		echo "# patches/ were exported on base-commit $exported, not on this $version" >&2
		diff -r -I '^base-commit: ' -I "$DEB_PKG" \
			-I '^index [0-9a-f]*\.\.[0-9a-f]*' "$TOP/patches" "$out" >&2
	else
		diff -r "$TOP/patches" "$out" >&2
	fi
}
if as_exported; then
	result patches ok "patches/ is byte for byte what export-series.sh writes from the commits"
else
	result patches fail "patches/ is byte for byte what export-series.sh writes from the commits"
fi

# get_maintainer.pl on each patch, in the tree with the series (and so its
# MAINTAINERS entry): the lists that must see a patch are named, and a
# patch that touches the series' own files names the entry's maintainer.
expected_lists() {
	case $1 in
	*-sched-wait-*)		echo "linux-kernel@vger.kernel.org peterz@infradead.org" ;;
	*-cev-layered-*)	echo "linux-kernel@vger.kernel.org linux-trace-kernel@vger.kernel.org" ;;
	*-fs-buffer-*)		echo "linux-fsdevel@vger.kernel.org" ;;
	*-ext4-*)		echo "linux-ext4@vger.kernel.org" ;;
	*-block-*)		echo "linux-block@vger.kernel.org" ;;
	*-Documentation-*)	echo "linux-doc@vger.kernel.org" ;;
	*)			echo "linux-kernel@vger.kernel.org" ;;
	esac
}
cev_maintainer=$(sed -n '/^COMPOUND AND LAYERED EVENTS (CEV)$/,/^$/s/^M:\t.*<\(.*\)>$/\1/p' MAINTAINERS)
for p in $(series_files); do
	to=$(scripts/get_maintainer.pl --no-git --no-git-fallback --no-rolestats \
		"$TOP/patches/$p" 2>&1)
	want=$(expected_lists "$p")
	grep -q '^+++ b/.*cev' "$TOP/patches/$p" && want="$want $cev_maintainer"
	missing=
	for w in $want; do
		grep -qF -- "$w" <<<"$to" || missing="$missing $w"
	done
	if [ -n "$cev_maintainer" ] && [ -z "$missing" ]; then
		result patches ok "get_maintainer.pl: $p goes to $(echo "$to" | grep -c '@') addresses, the right lists among them"
	else
		echo "get_maintainer.pl $p:" >&2; echo "$to" >&2
		result patches fail "get_maintainer.pl: $p misses${missing:- the CEV entry}"
	fi
done
