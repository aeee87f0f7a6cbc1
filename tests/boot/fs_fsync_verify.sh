# SPDX-License-Identifier: GPL-2.0
# fsync through the batched waits: fio writes 4 KiB blocks at random with
# an fsync after each, then reads every block back and checks it
# (crc32c), on ext4 with a journal (jbd2's commit waits for the blocks it
# wrote with wait_on_buffers()), on ext4 without one and on ext2
# (fsync_buffers_list() waits so for the indirect blocks fio's writes
# allocate);
# over brd, whose I/O ends inside submit, and over a null_blk whose I/O
# ends from a timer, so that the waits sleep.  e2fsck -f afterwards.
# On the null_blk, a stack trace of every compound armed must show the
# conversions' waits at work: the data's writeback waited for a batch of
# folios at once (__filemap_fdatawait_range(), on every file system),
# jbd2's commit (ext4) and fsync_buffers_list() (ext2) for their buffers.
# once: fio verify and e2fsck, three file systems on two devices (45 s)
. /tests/lib.inc
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs tracefs $T || fail "cannot mount tracefs"
ARM=$T/events/cev/cev_arm
mkdir -p /mnt/f
fast_nullb

# mkfs_for FS DEV: an empty file system of kind FS on DEV; prints its type.
mkfs_for() {
	case $1 in
	ext4) mkfs.ext4 -q -F -b 4096 "$2" && echo ext4 ;;
	ext4-nojournal) mkfs.ext4 -q -F -b 4096 -O ^has_journal "$2" && echo ext4 ;;
	ext2) /sbin/mke2fs -q -F -t ext2 -b 4096 "$2" && echo ext2 ;;
	esac
}

# armed_from FUNC...: was a compound armed, while tracing, in one of FUNC?
armed_from() {
	for f in "$@"; do
		grep -qE "=> $f(\+|\$)" $T/trace && return 0
	done
	return 1
}

for dev in /dev/ram7 /dev/cvfast; do
	for fs in ext4 ext4-nojournal ext2; do
		type=$(mkfs_for $fs $dev) || fail "mkfs $fs on $dev"
		mount -t "$type" $dev /mnt/f || fail "mount $fs on $dev"
		echo 0 >$T/tracing_on
		echo >$T/trace
		echo stacktrace >$ARM/trigger
		echo 1 >$ARM/enable
		echo 1 >$T/tracing_on
		fio --name=fsync --directory=/mnt/f --rw=randwrite --bs=4k \
			--size=2M --numjobs=2 --thread --fsync=1 --ioengine=psync \
			--verify=crc32c --verify_fatal=1 --randrepeat=0 \
			--output=/tmp/fio.out ||
			{ cat /tmp/fio.out; fail "fio verify, $fs on $dev"; }
		echo 0 >$T/tracing_on
		echo 0 >$ARM/enable
		echo '!stacktrace' >$ARM/trigger
		grep -q 'err= 0' /tmp/fio.out || fail "fio reported an error, $fs on $dev"
		umount /mnt/f || fail "umount $fs on $dev"
		e2fsck -f -n $dev >/tmp/fsck.out 2>&1 ||
			{ cat /tmp/fsck.out; fail "e2fsck -f, $fs on $dev"; }
		echo "# $fs on $dev: verified, e2fsck clean; compounds armed: $(grep -c 'cev_arm:' $T/trace)"
		[ $dev = /dev/cvfast ] || continue
		# The waits are static and may be inlined into their callers
		# (clang inlines fsync_buffers_list() into sync_mapping_buffers(),
		# its only caller, and jbd2's into the commit).
		armed_from folio_batch_wait_writeback __filemap_fdatawait_range \
			file_write_and_wait_range filemap_fdatawait_range_keep_errors ||
			fail "no data written back waited for at once, $fs on $dev"
		case $fs in
		ext4) armed_from jbd2_journal_commit_transaction ||
			fail "no commit waited with wait_on_buffers(), $fs on $dev" ;;
		ext2) armed_from fsync_buffers_list sync_mapping_buffers ||
			fail "no fsync waited with wait_on_buffers(), $fs on $dev" ;;
		esac
	done
done
