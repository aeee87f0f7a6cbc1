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

# The guest's lower block devices for the boot tests and the demo: seven
# 32 MiB ramdisks, and two memory-backed null_blk devices whose
# completions take 50 ms (a slow mirror, a device that times out).
GUEST_DEVICES="brd.rd_nr=7 brd.rd_size=32768 null_blk.nr_devices=2
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
