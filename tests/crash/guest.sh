#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's half of the crash test (scripts/crash-test.sh), run by /init
# with cev.mode=crash, on ext4 on /dev/vda, a disk image on the host.
#
# cev.crash=write: make the file system, start an fsync-heavy fio load,
# and write records one by one, each made durable by fsync and then
# acknowledged on the console ("cev-crash: acked N") until the host
# kills the guest.  Record N is 16 KiB at N * 16 KiB in /mnt/c/log and a
# new file /mnt/c/d/N, both filled with the line "record N".
#
# cev.crash=check cev.crash_acked=N: the boot after the kill.  The mount
# must replay the journal, e2fsck -f must then find the file system
# clean, and every acknowledged record must read back right.  One KTAP
# result.
phase=write acked=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	cev.crash=*) phase=${arg#*=} ;;
	cev.crash_acked=*) acked=${arg#*=} ;;
	esac
done
DEV=/dev/vda
mkdir -p /mnt/c

# record N: the contents of record N.
record() { yes "record $1" | head -c 16384; }

write() {
	mkfs.ext4 -q -F -b 4096 $DEV && mount -t ext4 $DEV /mnt/c &&
		mkdir /mnt/c/d /mnt/c/fio || { echo "cev-crash: error: mkfs"; return; }
	fio --name=load --directory=/mnt/c/fio --thread --rw=randwrite \
		--bs=4k --size=8M --numjobs=2 --fsync=1 --ioengine=psync \
		--time_based --runtime=600 >/dev/null 2>&1 &
	# The records begin once fio has laid its files out and is fsyncing.
	sleep 3
	i=0
	while :; do
		i=$((i + 1))
		record $i | dd of=/mnt/c/log bs=16384 seek=$i conv=notrunc,fsync \
			2>/dev/null || { echo "cev-crash: error: write $i"; return; }
		record $i | dd of=/mnt/c/d/$i bs=16384 conv=fsync 2>/dev/null ||
			{ echo "cev-crash: error: create $i"; return; }
		echo "cev-crash: acked $i"
	done
}

# check: prints why it failed, or nothing.
check() {
	mount -t ext4 $DEV /mnt/c || { echo "mount after the crash"; return; }
	dmesg | grep -q 'recovery complete' ||
		{ echo "the mount did not replay the journal"; return; }
	umount /mnt/c
	e2fsck -f -n $DEV >/tmp/fsck.out 2>&1 ||
		{ sed 's/^/# /' /tmp/fsck.out; echo "e2fsck -f after the replay"; return; }
	mount -t ext4 -o ro $DEV /mnt/c || { echo "mount again"; return; }
	i=0
	while [ $i -lt "$acked" ]; do
		i=$((i + 1))
		record $i >/tmp/want
		dd if=/mnt/c/log bs=16384 skip=$i count=1 2>/dev/null | cmp -s - /tmp/want ||
			{ echo "record $i of $acked: the log's block reads back wrong"; return; }
		cmp -s /mnt/c/d/$i /tmp/want ||
			{ echo "record $i of $acked: its file reads back wrong"; return; }
	done
	echo "# $acked acknowledged records read back right"
	umount /mnt/c
}

case $phase in
write)
	write ;;
check)
	echo "cev-ktap: KTAP version 1"
	echo "cev-ktap: 1..1"
	if [ "$acked" -lt 1 ]; then
		echo "cev-ktap: not ok 1 crash_replay # no record was acknowledged"
	else
		check >/tmp/why 2>&1
		sed -n 's/^# /cev-ktap: # /p' /tmp/why
		why=$(grep -v '^# ' /tmp/why | head -1)
		if [ -z "$why" ]; then
			echo "cev-ktap: ok 1 crash_replay"
		else
			echo "cev-ktap: not ok 1 crash_replay # $why"
		fi
	fi ;;
esac
