#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Developer tool: dev-fixup.sh SUBJECT FILE...: copy FILEs (paths in this
# repository, which is their source of truth) into build/dev and fold the
# change into the commit there whose subject starts with SUBJECT.  Then
# run scripts/export-series.sh.
. "$(dirname "$0")/lib.sh"

DEV=$BUILD/dev
subject=${1:?usage: dev-fixup.sh SUBJECT FILE...}
shift
target=$(git -C "$DEV" log --format=%H --grep="^$subject" -1 refs/tags/pristine..dev)
[ -n "$target" ] || die "no commit on dev whose subject starts with '$subject'"
for f in "$@"; do
	mkdir -p "$DEV/$(dirname "$f")"
	cp "$TOP/$f" "$DEV/$f"
	git -C "$DEV" add -f "$f"
done
git -C "$DEV" commit -q --fixup="$target"
# Work in progress on build/dev is kept aside during the rebase.
stashed=0
if [ -n "$(git -C "$DEV" status --porcelain --untracked-files=no)" ]; then
	git -C "$DEV" stash -q && stashed=1
fi
GIT_SEQUENCE_EDITOR=: git -C "$DEV" rebase -q -i --autosquash refs/tags/pristine
[ $stashed -eq 0 ] || git -C "$DEV" stash pop -q
git -C "$DEV" log --oneline refs/tags/pristine..dev
