# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the cev pipeline scripts.  Source it; do not run it.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
SRC=$BUILD/linux			# pristine Debian tree, a git repo
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
