#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# crash-test.sh: ext4 on a disk image killed in the middle of fsyncs.
# The debug kernel boots with build/crash.img as a virtio-blk disk (host
# cache off, so a write the guest was told is done is in the file), makes
# ext4 on it, and runs an fsync-heavy fio load while it writes records
# that it acknowledges on the console once fsync returned
# (tests/crash/guest.sh).  After CRASH_ACKS (200) acknowledgements the host
# kills QEMU with SIGKILL, and boots again: the mount must replay the
# journal, e2fsck -f must find the file system clean, and every record
# acknowledged must read back right.  One result, crash:crash_replay, from
# the second boot's KTAP; any kernel report in either log fails.
. "$(dirname "$0")/lib.sh"

IMG=$BUILD/crash.img
ACKS=${CRASH_ACKS:-200}
DISK="-drive file=$IMG,if=virtio,format=raw,cache=none,aio=threads"
# The disk's PCI interrupt is routed by the BIOS's PIRQ table, not ACPI:
# under TCG with KASAN and lockdep, evaluating its ACPI link (\_SB_.LNKD)
# kept the init task busy for 20 s without a reschedule, while the switch
# to the TSC clocksource (stop_machine) spun on every other CPU: soft
# lockup reports, before any of the series' code ran.
NOIRQ=acpi=noirq

rm -f "$IMG" "$LOGS/crash-write.log"
truncate -s 256M "$IMG"
# Boot, and kill the guest once it acknowledged ACKS records.
QEMU_EXTRA=$DISK KILLED_OK=1 "$TOP/scripts/boot.sh" crash-write crash 900 \
	kunit.enable=0 $NOIRQ cev.crash=write &
boot=$!
log=$LOGS/crash-write.log
acked=0
# acked_in LOG: the last record LOG says was acknowledged, or 0.
acked_in() {
	local n
	n=$(tr -d '\r' <"$1" | sed -n 's/^cev-crash: acked //p' | tail -1)
	echo "${n:-0}"
}
while kill -0 $boot 2>/dev/null; do
	[ -f "$log" ] && acked=$(acked_in "$log")
	if [ "$acked" -ge "$ACKS" ]; then
		pkill -KILL -f "qemu-system-x86_64.*file=$IMG," || true
		break
	fi
	sleep 0.2
done
wait $boot || true
if grep -q '^cev-crash: error' "$log"; then
	result crash fail "crash: $(grep -m1 '^cev-crash: error' "$log" | tr -d '\r')"
	exit 0
fi
# Acknowledged before the kill: the last line the console got.
acked=$(acked_in "$log")
say "crash: killed the guest after $acked acknowledged records"
KILLED=1 "$TOP/scripts/check-log.sh" crash-write || true
QEMU_EXTRA=$DISK "$TOP/scripts/boot.sh" crash-check crash 900 \
	kunit.enable=0 $NOIRQ cev.crash=check cev.crash_acked="$acked" || true
"$TOP/scripts/check-log.sh" crash-check || true
