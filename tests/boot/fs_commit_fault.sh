# SPDX-License-Identifier: GPL-2.0
# Failed writes under jbd2's commit: ext4 with a journal over brd with
# fail_make_request on every bio (the writes fail as they are submitted),
# and over a null_blk whose every sector is bad (they fail later, from
# its timer, while the commit sleeps on them).  A metadata change and
# sync must abort the journal as the stock kernel does, without a hang;
# after e2fsck -fy the file system is clean and what was fsync'd before
# the fault reads back right.
. /tests/lib.inc
mkdir -p /mnt/f
fast_nullb
NB=/sys/kernel/config/nullb/cvfast
dd if=/dev/urandom of=/tmp/before bs=4096 count=16 2>/dev/null

# faults DEV on|off
faults() {
	case $1 in
	/dev/ram7) fault ram7 "$2" ;;
	/dev/cvfast)
		# Every sector of its 64 MiB: 256 entries of 512 sectors.
		if [ "$2" = on ]; then
			echo "+0-$((64 * 2048 - 1))" >$NB/badblocks ||
				fail "cannot mark cvfast bad"
		else
			echo "-0-$((64 * 2048 - 1))" >$NB/badblocks ||
				fail "cannot mark cvfast good"
		fi ;;
	esac
}

for dev in /dev/ram7 /dev/cvfast; do
	name=${dev#/dev/}
	mkfs.ext4 -q -F -b 4096 $dev || fail "mkfs on $dev"
	mount -t ext4 $dev /mnt/f || fail "mount $dev"
	dd if=/tmp/before of=/mnt/f/before bs=4096 conv=fsync 2>/dev/null ||
		fail "write before the fault on $dev"
	aborts=$(dmesg | grep -c "Aborting journal on device $name")
	faults $dev on
	mkdir /mnt/f/d && touch /mnt/f/d/x
	sync
	faults $dev off
	[ "$(dmesg | grep -c "Aborting journal on device $name")" -gt "$aborts" ] ||
		fail "the journal on $dev was not aborted"
	umount /mnt/f || fail "umount $dev after the abort"
	e2fsck -f -y $dev >/tmp/fsck.out 2>&1
	[ $? -lt 4 ] || { cat /tmp/fsck.out; fail "e2fsck -fy on $dev"; }
	e2fsck -f -n $dev >/tmp/fsck.out 2>&1 ||
		{ cat /tmp/fsck.out; fail "not clean after e2fsck -fy on $dev"; }
	mount -t ext4 $dev /mnt/f || fail "mount $dev again"
	cmp -s /mnt/f/before /tmp/before || fail "fsync'd data lost on $dev"
	umount /mnt/f
	echo "# $dev: journal aborted, repaired, fsync'd data intact"
done
