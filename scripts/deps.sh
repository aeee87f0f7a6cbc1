#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deps.sh [bench]: install what the pipeline and make bench need from
# Debian, and nothing already there ("bench" is kept for the callers).
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.12 qemu-system-x86 busybox-static ccache build-essential
      flex bison bc libelf-dev libssl-dev cpio kmod rsync dwarves python3
      e2fsprogs quilt git xz-utils perl python3-ply python3-git attr
      python3-sphinx python3-yaml sparse clang lld llvm fio dmsetup mdadm"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	say "deps: all present"
	exit 0
fi
say "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get update -q >"$LOGS/apt.log" 2>&1
# shellcheck disable=SC2086
sudo_if_needed apt-get install -y -q $missing >>"$LOGS/apt.log" 2>&1 ||
	{ tail -20 "$LOGS/apt.log"; die "apt-get install failed"; }
