# SPDX-License-Identifier: GPL-2.0
# stack, flush: over lower devices with a volatile write cache, a cevstack
# device has one too, with FUA, and a flush of it reaches every leg (the
# lower devices' flush counts in /sys/block/X/stat, field 16, go up).  On
# a stripe, a write with REQ_PREFLUSH (jbd2's commit block, one block on
# one leg) flushes every leg, not only the one it writes to: the journal
# blocks before it may be on the other.
. /tests/lib.inc
cfg=/sys/kernel/config
grep -q " $cfg configfs" /proc/mounts || mount -t configfs configfs $cfg ||
	fail "mount configfs"
for nb in cvwc0 cvwc1; do
	[ -b /dev/$nb ] && continue
	mkdir $cfg/nullb/$nb || fail "no null_blk configfs"
	echo 1 >$cfg/nullb/$nb/memory_backed
	echo 4 >$cfg/nullb/$nb/cache_size	# MiB: a volatile write cache
	echo 4096 >$cfg/nullb/$nb/blocksize
	echo 16 >$cfg/nullb/$nb/size
	echo 1 >$cfg/nullb/$nb/power || fail "power on $nb"
done
flushes() { awk '{ print $16 }' "/sys/block/$1/stat"; }

mkstack cvf0 mirror 0 /dev/cvwc0 /dev/cvwc1
trap 'umount /mnt/f 2>/dev/null; echo cvf0 >"$DELETE" 2>/dev/null
	echo cvf1 >"$DELETE" 2>/dev/null' EXIT
wc=$(cat /sys/block/cvf0/queue/write_cache)
fua=$(cat /sys/block/cvf0/queue/fua)
echo "write_cache: $wc, fua: $fua"
[ "$wc" = "write back" ] || fail "no write cache stacked from the legs"
[ "$fua" = 1 ] || fail "no FUA stacked from the legs"
f0=$(flushes cvwc0)
f1=$(flushes cvwc1)
dd if=/dev/urandom of=/dev/cvf0 bs=4096 count=16 conv=fsync 2>/dev/null ||
	fail "write and fsync"
echo "flushes: cvwc0 $f0 -> $(flushes cvwc0), cvwc1 $f1 -> $(flushes cvwc1)," \
	"cvf0 sent $(counter cvf0 flushes)"
[ "$(flushes cvwc0)" -gt "$f0" ] || fail "no flush reached leg 0"
[ "$(flushes cvwc1)" -gt "$f1" ] || fail "no flush reached leg 1"
[ "$(counter cvf0 errors)" -eq 0 ] || fail "errors"
echo cvf0 >"$DELETE" || fail "delete cvf0"

mkstack cvf1 stripe 0 /dev/cvwc0 /dev/cvwc1
mkfs.ext4 -q -F -b 4096 /dev/cvf1 || fail "mkfs.ext4"
mkdir -p /mnt/f
mount -t ext4 /dev/cvf1 /mnt/f || fail "mount"
f0=$(flushes cvwc0)
f1=$(flushes cvwc1)
n=10
i=0
while [ $i -lt $n ]; do	# each fsync: a commit, its block with a preflush
	dd if=/dev/urandom of=/mnt/f/f$i bs=4096 count=1 conv=fsync 2>/dev/null ||
		fail "write and fsync f$i"
	i=$((i + 1))
done
echo "$n fsyncs on ext4 over a stripe: flushes cvwc0 $f0 -> $(flushes cvwc0)," \
	"cvwc1 $f1 -> $(flushes cvwc1)"
[ "$(flushes cvwc0)" -ge $((f0 + n)) ] || fail "leg 0 missed commits' flushes"
[ "$(flushes cvwc1)" -ge $((f1 + n)) ] || fail "leg 1 missed commits' flushes"
umount /mnt/f || fail "umount"
e2fsck -f -n /dev/cvf1 >/dev/null || fail "e2fsck found errors"
[ "$(counter cvf1 errors)" -eq 0 ] || fail "errors"
trap - EXIT
echo cvf1 >"$DELETE" || fail "delete cvf1"
