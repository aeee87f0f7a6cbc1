#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# torture.sh SECONDS: boot the debug kernel and run only the torture test
# (kernel/cev_torture.c) for SECONDS; the log is build/logs/torture.log.
. "$(dirname "$0")/lib.sh"

secs=${1:-600}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
"$TOP/scripts/deps.sh"
stage "apply and build the series" "$TOP/scripts/series.sh"
stage "initramfs" "$TOP/scripts/initramfs.sh"
stage "torture for ${secs}s (QEMU, TCG, 4 CPUs)" \
	"$TOP/scripts/boot.sh" torture test $((secs + 900)) kunit.enable=0 \
	cev.only=torture cev.torture="$secs" || true
grep -E 'cev_torture: (start|stats|end)' "$LOGS/torture.log" | sed 's/^\[[ 0-9.]*\] //' | tail -6
"$TOP/scripts/check-log.sh" torture || true
exec "$TOP/scripts/summary.sh"
