#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Developer tool: write patches/ from the commits on build/dev (a worktree of
# build/linux on branch "dev", based on the pristine tag), with the cover
# letter from scripts/cover-letter.txt.  Files the series creates must equal
# their copies at the same paths in this repository, which are the source
# of truth: copy them into build/dev and commit there before exporting.
. "$(dirname "$0")/lib.sh"

DEV=$BUILD/dev
[ -d "$DEV" ] || die "no $DEV: git -C build/linux worktree add -b dev ../dev refs/tags/pristine"
[ -z "$(git -C "$DEV" status --porcelain --untracked-files=no)" ] ||
	die "build/dev has uncommitted changes"

"$TOP/scripts/check-new-files.sh" "$DEV"

rm -f "$TOP"/patches/*.patch
git -C "$DEV" format-patch -q --cover-letter --no-signature \
	-o "$TOP/patches" refs/tags/pristine..dev
cover=$TOP/patches/0000-cover-letter.patch
subject=$(head -1 "$TOP/scripts/cover-letter.txt")
python3 - "$cover" "$subject" "$TOP/scripts/cover-letter.txt" <<'PY'
import sys
path, subject, blurb = sys.argv[1], sys.argv[2], sys.argv[3]
body = open(blurb).read().split('\n', 1)[1].strip('\n')
s = open(path).read()
s = s.replace('*** SUBJECT HERE ***', subject)
s = s.replace('*** BLURB HERE ***', body)
open(path, 'w').write(s)
PY
(cd "$TOP/patches" && ls [0-9]*.patch | grep -v '^0000-') >"$TOP/patches/series"
say "exported $(wc -l <"$TOP/patches/series") patches"
