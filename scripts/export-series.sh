#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Developer tool: write patches/ from the commits on build/dev (a worktree of
# build/linux on branch "dev", based on the pristine tag), with the cover
# letter from scripts/cover-letter.txt (format_series in lib.sh: make test
# checks that patches/ is what it writes).  Files the series creates must equal
# their copies at the same paths in this repository, which are the source
# of truth: copy them into build/dev and commit there before exporting.
. "$(dirname "$0")/lib.sh"

DEV=$BUILD/dev
[ -d "$DEV" ] || die "no $DEV: git -C build/linux worktree add -b dev ../dev refs/tags/pristine"
[ -z "$(git -C "$DEV" status --porcelain --untracked-files=no)" ] ||
	die "build/dev has uncommitted changes"

"$TOP/scripts/check-new-files.sh" "$DEV"

rm -f "$TOP"/patches/*.patch
format_series "$DEV" "$TOP/patches"
say "exported $(wc -l <"$TOP/patches/series") patches"
