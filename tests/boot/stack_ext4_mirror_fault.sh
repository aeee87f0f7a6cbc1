# SPDX-License-Identifier: GPL-2.0
# stack, ext4 on a keyed mirror with a leg failing mid-run: fio writes
# with checksums and fsyncs while every bio to one leg starts failing.
# The leg is marked failed, no I/O reports an error, fio's verify passes,
# e2fsck -f finds the file system clean, and a fresh mount reads every
# block back right from the leg that is left.
# once: fio verify and e2fsck over a leg failing (45 s)
. /tests/lib.inc
mkstack cvf0 mirror 0x3c /dev/ram6 /dev/ram7
trap 'fault ram7 off; umount /mnt/m 2>/dev/null; echo cvf0 >"$DELETE" 2>/dev/null' EXIT
mkfs.ext4 -q -F -b 4096 /dev/cvf0 || fail "mkfs.ext4"
mkdir -p /mnt/m
mount -t ext4 /dev/cvf0 /mnt/m || fail "mount"
job="--name=m --directory=/mnt/m --rw=randwrite --bs=4k --size=16m
	--ioengine=psync --fsync=16 --verify=crc32c --verify_fatal=1"
# shellcheck disable=SC2086
fio $job --output=/tmp/fio.out &
pid=$!
sleep 1
kill -0 $pid 2>/dev/null || echo "fio was done before the fault"
fault ram7 on
wait $pid
rc=$?
fault ram7 off
[ $rc -eq 0 ] || { cat /tmp/fio.out; fail "fio failed with a leg failing"; }
grep '^leg[0-9]' "$STATS/cvf0" | sed 's/^/  /'
echo "errors: $(counter cvf0 errors), leg_errors: $(counter cvf0 leg_errors)"
[ "$(counter cvf0 leg1)" = "ram7 failed" ] || fail "leg1 not marked failed"
[ "$(counter cvf0 errors)" -eq 0 ] || fail "the mirror reported an error"
umount /mnt/m || fail "umount"
drop_caches
e2fsck -f -n /dev/cvf0 || fail "e2fsck found errors"
mount -t ext4 /dev/cvf0 /mnt/m || fail "mount again"
# shellcheck disable=SC2086
fio $job --verify_only --output=/tmp/fio.out ||
	{ cat /tmp/fio.out; fail "data read back after a remount differs"; }
umount /mnt/m || fail "umount"
