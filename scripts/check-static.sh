#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-static.sh: the series brings no new compiler or sparse warning.
# Builds the objects of the .c files the series adds or changes (they are
# also the ones that include most directly the headers it changes) with
# sparse (C=2) and W=1, with the debug kernel's config, in $SRC (the
# series applied) and in a pristine worktree (build/pristine-src, at tag
# pristine), for the files that exist there.  A warning located in a file
# the series adds is new; in a file it changes, the warnings are compared
# with the pristine tree's as a multiset, line and column numbers
# stripped.  W=1 and sparse find what the default build does not: missing
# prototypes, set-but-unused variables, __rcu and __user address spaces,
# lock context imbalances, endianness.
#
# Only "prepare" and the single objects are built, out of tree in
# build/static/obj-debug and build/static-pristine/obj-debug; the configs
# come from scripts/config.sh debug, with BUILD pointed there.  The
# objects are removed first, so that the compiler runs (ccache replays
# its warnings) and the warnings are in every run's log, not only the
# first.  Needs sparse (Debian).
. "$(dirname "$0")/lib.sh"

PRISTINE_SRC=$BUILD/pristine-src
STATIC=$BUILD/static
STATIC_PRISTINE=$BUILD/static-pristine
LOG=$LOGS/static.log
LOG_PRISTINE=$LOGS/static-pristine.log

# changed_files [FILTER]: what the series adds or changes (git diff
# --diff-filter), one path a line.
changed_files() {
	git -C "$SRC" diff --name-only --diff-filter="${1:-ACDMRT}" refs/tags/pristine HEAD
}

# object_of FILE.c: the object FILE.c is compiled into.  kernel/sched's
# files are #included into a few build_*.c files, which are the objects.
object_of() {
	local dir base inc
	dir=$(dirname "$1") base=$(basename "$1" .c)
	if grep -qw "$base\\.o" "$SRC/$dir/Makefile"; then
		echo "$dir/$base.o"
		return
	fi
	inc=$(grep -l "^#include \"$base\\.c\"" "$SRC/$dir"/*.c | head -1)
	[ -n "$inc" ] || die "no object for $1"
	echo "$dir/$(basename "$inc" .c).o"
}

# pristine_tree: build/pristine-src, a worktree of $SRC at tag pristine.
# series.sh may have extracted and tagged the tree anew: then the worktree
# is checked out at the new tag (nothing moves if the tree is the same),
# or made again if it no longer belongs to $SRC.
pristine_tree() {
	local want
	want=$(git -C "$SRC" rev-parse 'refs/tags/pristine^{commit}')
	# No .git file: git -C would find this repository's, around build/.
	if [ -f "$PRISTINE_SRC/.git" ]; then
		[ "$(git -C "$PRISTINE_SRC" rev-parse HEAD 2>/dev/null)" != "$want" ] || return 0
	fi
	if [ -f "$PRISTINE_SRC/.git" ] &&
	   git -C "$PRISTINE_SRC" cat-file -e "$want" 2>/dev/null &&
	   git -C "$PRISTINE_SRC" checkout -q --detach "$want"; then
		return 0
	fi
	say "making the pristine worktree $PRISTINE_SRC"
	rm -rf "$PRISTINE_SRC"
	git -C "$SRC" worktree prune
	git -C "$SRC" worktree add -q --detach "$PRISTINE_SRC" "$want"
}

# build_objects TREE DIR LOG [--lenient] OBJ...: the debug config from
# scripts/config.sh into DIR/obj-debug, then prepare and OBJ... with
# C=2 W=1; the log is LOG.
build_objects() {
	local tree=$1 dir=$2 log=$3 lenient=
	shift 3
	if [ "${1:-}" = --lenient ]; then
		lenient=--lenient
		shift
	fi
	: >"$log"
	BUILD=$dir SRC=$tree "$TOP/scripts/config.sh" debug $lenient
	(cd "$dir/obj-debug" && rm -f "$@")
	SRC=$tree kmake "$dir/obj-debug" "$log" -k C=2 W=1 "$@"
}

# new_warnings SERIES-LOG PRISTINE-LOG SRC PRISTINE-SRC ADDED CHANGED: the
# warnings of SERIES-LOG, located in the files ADDED or CHANGED (lists, one
# a line), that are not in PRISTINE-LOG.  A header's warning is in the log
# once for each object that includes it: identical lines count once.
# objtool names the object: its warnings go to the object's .c file.
new_warnings() {
	python3 - "$@" <<'PY'
import collections, os, re, sys
log, plog, src, psrc, added, changed = sys.argv[1:7]
added, changed = set(added.split()), set(changed.split())
diag = re.compile(r'^(?P<file>[^ :]+?)(?::\d+)*: (?P<kind>warning|error): (?P<msg>.*)$')

def warnings(path, tree):
    prefixes = (os.path.realpath(tree) + '/', tree.rstrip('/') + '/')
    seen, out = set(), []
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        for p in prefixes:
            line = line.replace(p, '')
        if line.startswith('./'):
            line = line[2:]
        if line in seen:
            continue
        seen.add(line)
        m = diag.match(line)
        if not m:
            continue
        f = m.group('file')
        if f.endswith('.o'):
            f = f[:-2] + '.c'
        msg = re.sub(r'\+0x[0-9a-f]+', '', m.group('msg'))
        out.append(((f, m.group('kind'), msg), line))
    return out

ours = warnings(log, src)
theirs = collections.Counter(k for k, _ in warnings(plog, psrc))
for key, line in ours:
    f = key[0]
    if f in added or (f in changed and theirs[key] == 0):
        print(line)
    elif f in changed:
        theirs[key] -= 1
PY
}

main() {
	local c objs=() pobjs=() new rc=0 prc=0
	for c in $(changed_files AM | grep '\.c$'); do
		objs+=("$(object_of "$c")")
		[ ! -f "$PRISTINE_SRC/$c" ] || [ ! -f "$PRISTINE_SRC/${objs[-1]%.o}.c" ] ||
			pobjs+=("${objs[-1]}")
	done
	# shellcheck disable=SC2207
	objs=($(printf '%s\n' "${objs[@]}" | sort -u))
	# shellcheck disable=SC2207
	pobjs=($(printf '%s\n' "${pobjs[@]}" | sort -u))

	# With no object make would build the whole kernel.
	[ ${#objs[@]} -gt 0 ] || die "the series changes no .c file"
	stage "sparse and W=1 on the series' objects: ${objs[*]}" \
		build_objects "$SRC" "$STATIC" "$LOG" "${objs[@]}" || rc=1
	if [ $rc -eq 0 ]; then
		result static ok "static: the series' objects build with C=2 W=1"
	else
		result static fail "static: the series' objects build with C=2 W=1 (see $LOG)"
	fi
	: >"$LOG_PRISTINE"
	[ ${#pobjs[@]} -eq 0 ] ||
		stage "sparse and W=1 on the same objects, pristine: ${pobjs[*]}" \
			build_objects "$PRISTINE_SRC" "$STATIC_PRISTINE" "$LOG_PRISTINE" --lenient "${pobjs[@]}" ||
		prc=1
	if [ $prc -ne 0 ]; then
		result static fail "static: the pristine objects build with C=2 W=1 (see $LOG_PRISTINE)"
		return 0
	fi

	new=$(new_warnings "$LOG" "$LOG_PRISTINE" "$SRC" "$PRISTINE_SRC" \
		"$(changed_files A)" "$(changed_files M)")
	if [ -z "$new" ]; then
		result static ok "static: no new sparse or W=1 warning in the series' files"
	else
		echo "$new" | head -30 >&2
		result static fail "static: $(echo "$new" | wc -l) new sparse or W=1 warnings (see $LOG)"
	fi
}

pristine_tree
main
