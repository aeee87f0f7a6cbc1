# SPDX-License-Identifier: GPL-2.0
# stack, flush: over lower devices with a volatile write cache, a cevstack
# device has one too, with FUA, and a flush of it reaches every leg (the
# lower devices' flush counts in /sys/block/X/stat, field 16, go up).
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
