#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh NAME MODE TIMEOUT [KERNEL-ARGS...]: boot the debug kernel in QEMU
# (TCG, 4 CPUs, serial console) with the initramfs in MODE (test, run or
# bench; KERNEL, INITRD and MEM, in MiB, override the defaults),
# keep the whole console log in build/logs/NAME.log, and kill the guest if
# it has not powered itself off after TIMEOUT seconds.  QEMU_EXTRA: more
# QEMU arguments (a disk).  KILLED_OK=1: a guest killed from the host
# (SIGKILL) is what the caller wanted, not a failure.
. "$(dirname "$0")/lib.sh"

name=${1:?usage: boot.sh NAME MODE TIMEOUT [ARGS...]}
mode=${2:?}
timeout=${3:?}
shift 3
CPUS=${CPUS:-4}
KERNEL=${KERNEL:-$BUILD/obj-debug/arch/x86/boot/bzImage}
INITRD=${INITRD:-$BUILD/initramfs.cpio.gz}
MEM=${MEM:-2048}
log=$LOGS/$name.log

[ -f "$KERNEL" ] || die "no kernel at $KERNEL"
t0=$(date +%s)
rc=0
# shellcheck disable=SC2086 # QEMU_EXTRA is words
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-accel tcg -m "$MEM" -smp "$CPUS" -nographic -no-reboot \
	-kernel "$KERNEL" -initrd "$INITRD" ${QEMU_EXTRA:-} \
	-append "console=ttyS0 panic=-1 oops=panic kunit.filter_glob=cev* cev.mode=$mode cev.cpus=$CPUS $*" \
	</dev/null >"$log" 2>&1 || rc=$?
secs=$(($(date +%s) - t0))
echo "$secs" >"$LOGS/$name.secs"
if [ "${KILLED_OK:-0}" = 1 ] && [ $rc -eq 137 ]; then
	say "boot $name: killed from the host after ${secs}s, as asked"
	exit 0
fi
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "cev-host: guest did not power off within ${timeout}s; killed" >>"$log"
	result "$name" fail "$name: guest did not power off by itself within ${timeout}s (killed; log: $log)"
	exit 3
fi
result "$name" ok "$name: guest powered off by itself (${secs}s)"
if ! grep -q '^cev-init: done' "$log"; then
	say "boot $name: guest stopped (qemu rc=$rc) before /init finished; log: $log"
	exit 4
fi
say "boot $name: powered off by itself after ${secs}s"
