# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the cev pipeline scripts.  Source it; do not run it.

set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH  # Debian's python3 and tools first

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
SRC=${SRC:-$BUILD/linux}		# the patched Debian tree, a git repo
LOGS=$BUILD/logs
TARBALL=/usr/src/linux-source-6.12.tar.xz
DEB_PKG=linux-source-6.12
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
mkdir -p "$BUILD" "$LOGS" "$CCACHE_DIR"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# stage NAME CMD...: run a long stage, say what it is and how long it took.
stage() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s)
	say "$name ..."
	# A subshell outside any "||" list, so that set -e still works inside.
	set +e
	(set -e; "$@")
	rc=$?
	set -e
	say "$name: $([ $rc -eq 0 ] && echo done || echo "FAILED (rc=$rc)") in $(($(date +%s) - t0))s"
	return $rc
}

deb_version() { dpkg-query -W -f='${Version}' "$DEB_PKG" 2>/dev/null || echo unknown; }

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Results of checks, one "ok|fail<TAB>name" line each, summed by summary.sh.
RESULTS=$BUILD/results
mkdir -p "$RESULTS"
# result FILE ok|fail NAME: record one check's verdict.
result() {
	printf '%s\t%s\n' "$2" "$3" >>"$RESULTS/$1.tsv"
	[ "$2" = ok ] || printf 'not ok: %s\n' "$3" >&2
}

# The series, in order.
series_files() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series"
}

# kmake OBJ LOG TARGET...: the kernel's make, out of tree, through ccache.
kmake() {
	local obj=$1 log=$2
	shift 2
	make -C "$SRC" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc" \
		-j"$(($(nproc) + 1))" "$@" >>"$log" 2>&1 || {
		tail -40 "$log" >&2
		echo "(full log: $log)" >&2
		return 1
	}
}

# The guest's lower block devices for the boot tests and the demo: eight
# 32 MiB ramdisks (with partitions, if a test writes a label), and two memory-backed null_blk devices whose
# completions take 50 ms (a slow mirror, a device that times out).
GUEST_DEVICES="brd.rd_nr=8 brd.rd_size=32768 brd.max_part=4 null_blk.nr_devices=2
	null_blk.memory_backed=1 null_blk.irqmode=2 null_blk.completion_nsec=50000000
	null_blk.bs=4096 null_blk.gb=1"

# count_kunit_json RESULTS-NAME JSON PREFIX: one result per test case of a
# kunit.py --json report.
count_kunit_json() {
	python3 - "$2" "$3" >>"$RESULTS/$1.tsv" <<'PY'
import json, sys
path, prefix = sys.argv[1], sys.argv[2]
def walk(group, path):
    for case in group.get('test_cases', []):
        status = case['status']
        verdict = 'ok' if status in ('PASS', 'SKIP') else 'fail'
        print('%s\t%s%s%s%s' % (verdict, prefix, path + '.' if path else '',
              case['name'],
              '' if status == 'PASS' else ' [' + status + ']'))
    for sub in group.get('sub_groups', []):
        walk(sub, (path + '.' if path else '') + sub['name'])
walk(json.load(open(path)), '')
PY
}

# The pristine tree's commit is made the same way on every machine (one
# identity, the date of the Debian package's changelog entry), so that its
# hash, the base-commit: of the series, names Debian's tree and nothing
# of the machine that extracted it.
pristine_env() {
	local date
	date=$(zcat "/usr/share/doc/$DEB_PKG/changelog.Debian.gz" 2>/dev/null |
		sed -n 's/^ -- .*>  //p' | sed -n 1p)
	export GIT_AUTHOR_NAME=cev GIT_AUTHOR_EMAIL=cev@localhost
	export GIT_COMMITTER_NAME=cev GIT_COMMITTER_EMAIL=cev@localhost
	export GIT_AUTHOR_DATE="${date:-1970-01-01T00:00:00Z}"
	export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"
}
pristine_message() { echo "Debian $DEB_PKG $(deb_version), pristine"; }

# format_series TREE DIR: the series as mailed, into DIR: git format-patch
# of the commits from refs/tags/pristine to TREE's HEAD, with the cover
# letter from scripts/cover-letter.txt, the Debian version tested and
# base-commit:, and a quilt series file.  What it writes depends only on
# the commits' authors, author dates, messages and trees: export-series.sh
# writes patches/ with it from build/dev, and check-patches.sh checks that
# the same call on the tree git am made gives back patches/ byte for byte.
format_series() {
	local tree=$1 dir=$2
	git -C "$tree" merge-base --is-ancestor refs/tags/pristine HEAD ||
		die "$tree is not based on refs/tags/pristine (rebase it: git rebase --onto refs/tags/pristine OLD-BASE)"
	mkdir -p "$dir"
	# The cover letter's date: the last patch's, not the clock's.
	GIT_COMMITTER_DATE=$(git -C "$tree" log -1 --format=%aD HEAD) \
		git -C "$tree" format-patch -q --cover-letter --no-signature \
		--zero-commit --base=refs/tags/pristine -o "$dir" refs/tags/pristine..HEAD
	python3 - "$dir/0000-cover-letter.patch" "$TOP/scripts/cover-letter.txt" \
		"$DEB_PKG" "$(deb_version)" <<'PY'
import sys
path, blurb, pkg, version = sys.argv[1:]
subject, body = open(blurb).read().split('\n', 1)
body = body.strip('\n').replace('@DEB_PKG@', pkg).replace('@DEB_VERSION@', version)
s = open(path).read()
s = s.replace('*** SUBJECT HERE ***', subject)
s = s.replace('*** BLURB HERE ***', body)
open(path, 'w').write(s)
PY
	(cd "$dir" && ls [0-9]*.patch | grep -v '^0000-') >"$dir/series"
}
