#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# stack-soak.sh SECONDS: boot the debug kernel and run only the cevstack
# soak (tests/boot/stack_soak.sh) for SECONDS: rounds of fio verify
# through every mode with failslab and a failing mirror leg.  The log is
# build/logs/stack-soak.log.
. "$(dirname "$0")/lib.sh"

secs=${1:-1800}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
"$TOP/scripts/deps.sh"
stage "apply and build the series" "$TOP/scripts/series.sh"
stage "initramfs" "$TOP/scripts/initramfs.sh"
# shellcheck disable=SC2086
stage "cevstack soak for ${secs}s (QEMU, TCG, 4 CPUs)" \
	"$TOP/scripts/boot.sh" stack-soak test $((secs + 900)) kunit.enable=0 \
	cev.only=stack_soak cev.stack_soak="$secs" $GUEST_DEVICES || true
grep -a 'rounds in' "$LOGS/stack-soak.log" | tail -1
"$TOP/scripts/check-log.sh" stack-soak || true
exec "$TOP/scripts/summary.sh"
