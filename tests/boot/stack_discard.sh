# SPDX-License-Identifier: GPL-2.0
# stack, discard: a device whose lower devices all discard takes discards
# (discard_max_bytes); one with a leg that does not (a null_blk), none.
# A discard goes down as the range on each leg it covers: over brd,
# which frees what is discarded, a leg reads zeros there and keeps its
# data around it.  Linear; stripe:16 over two legs (ten blocks over three
# chunks from a chunk's start, two on one leg, one on the other; then
# from inside a chunk); mirror (every leg).  Over a partition that does
# not start on a block, a discard split to the device's limits finishes.
# A leg that stops taking discards: the device turns them down, not as
# an I/O error, and takes none after.
. /tests/lib.inc
trap 'for n in cvd4 cvd5; do echo $n >"$DELETE" 2>/dev/null; done
	dd if=/dev/zero of=/dev/ram6 bs=512 count=1 2>/dev/null
	blockdev --rereadpt /dev/ram6' EXIT
data 4
# zero DEV BLOCK: is 4 KiB block BLOCK of DEV all zeros?
zero() {
	dd if="$1" bs=4096 skip="$2" count=1 iflag=direct 2>/dev/null |
		cmp -s - /tmp/zero4k
}
dd if=/dev/zero of=/tmp/zero4k bs=4096 count=1 2>/dev/null
# expect DEV FIRST LAST: blocks FIRST to LAST of DEV are zeros, the
# blocks on either side are not.
expect() {
	for b in $(seq "$2" "$3"); do
		zero "$1" "$b" || fail "$1: block $b not discarded"
	done
	zero "$1" $(($2 - 1)) && fail "$1: block $(($2 - 1)) discarded"
	zero "$1" $(($3 + 1)) && fail "$1: block $(($3 + 1)) discarded"
}
# discard DEV BLOCK COUNT: discard COUNT blocks of /dev/DEV from BLOCK.
discard() {
	max=$(cat "/sys/block/$1/queue/discard_max_bytes")
	echo "$1: discard_max_bytes $max"
	[ "$max" -gt 0 ] || fail "$1 takes no discard"
	blkdiscard -o $(($2 * 4096)) -l $(($3 * 4096)) "/dev/$1" ||
		fail "$1: blkdiscard"
	[ "$(counter "$1" discards)" -ge 1 ] || fail "$1: no discard counted"
}

mkstack cvd4 linear 0 /dev/ram6
write_data /dev/cvd4
discard cvd4 16 32
expect /dev/ram6 16 47
echo cvd4 >"$DELETE" || fail "delete cvd4"

# Blocks 8 to 17: chunk 2 (leg 0, its blocks 4 to 7), chunk 3 (leg 1,
# 4 to 7) and half of chunk 4 (leg 0, 8 and 9).
mkstack cvd4 stripe:16 0 /dev/ram6 /dev/ram7
write_data /dev/cvd4
discard cvd4 8 10
expect /dev/ram6 4 9
expect /dev/ram7 4 7
# Blocks 22 to 33: the last two of chunk 5 (leg 1, its blocks 10 and
# 11), chunks 6 (leg 0, 12 to 15) and 7 (leg 1, 12 to 15), and the
# first two of chunk 8 (leg 0, 16 and 17).
discard cvd4 22 12
expect /dev/ram7 10 15
expect /dev/ram6 12 17
echo cvd4 >"$DELETE" || fail "delete cvd4"

mkstack cvd4 mirror 0 /dev/ram6 /dev/ram7
write_data /dev/cvd4
discard cvd4 16 16
expect /dev/ram6 16 31
expect /dev/ram7 16 31
echo cvd4 >"$DELETE" || fail "delete cvd4"

# no_discard MODE DEVICE...: a device over them takes no discard.
no_discard() {
	mode=$1
	shift
	mkstack cvd5 "$mode" 0 "$@"
	max=$(cat /sys/block/cvd5/queue/discard_max_bytes)
	echo "cvd5, $mode over $*: discard_max_bytes $max"
	[ "$max" -eq 0 ] || fail "cvd5 ($mode over $*) takes discards a leg does not"
	blkdiscard /dev/cvd5 2>/dev/null && fail "cvd5 ($mode over $*): a discard succeeded"
	echo cvd5 >"$DELETE" || fail "delete cvd5"
}
cfg_nullb cvnodisc 10000 1
no_discard linear /dev/cvnodisc
no_discard mirror /dev/ram6 /dev/cvnodisc
no_discard stripe /dev/ram6 /dev/cvnodisc

# A leg that stops taking discards after the device was made (its
# discard_max_bytes set to 0, as a dm table reloaded over a device
# without them would, or a driver that found its discards failing): the
# lower device turns the discard down (BLK_STS_NOTSUPP), and so must the
# device above, not fail it with an I/O error (blk_ioctl_discard() then
# takes it for done) nor count an error of the leg.  The device takes no
# discard from then on, as dm stops taking them (a work of the driver's
# sets its limit, soon after): BLKDISCARD fails at once.  A mirror takes
# a leg's failed discard for done, as md's raid1 does, and stops taking
# them too.  The leg is a null_blk of this test's own, one a mode: a
# queue whose discard_max_bytes was set to 0 has a discard granularity
# of 0, and sysfs takes no other value from then on.
# not_supported MODE LEG DEVICE...: over the devices, once LEG (one of
# them) refuses discards.
not_supported() {
	mode=$1 leg=$2
	shift 2
	mkstack cvd5 "$mode" 0 "$@"
	max=$(cat /sys/block/cvd5/queue/discard_max_bytes)
	[ "$max" -gt 0 ] || fail "cvd5 ($mode over $*) takes no discard"
	echo 0 >"/sys/block/$leg/queue/discard_max_bytes" ||
		fail "$leg: discard_max_bytes"
	blkdiscard -l 65536 /dev/cvd5 || fail "cvd5 ($mode over $*): blkdiscard"
	[ "$(counter cvd5 leg_errors)" -eq 0 ] ||
		fail "cvd5 ($mode over $*): a refused discard counted as a leg's error"
	for i in $(seq 100); do
		max=$(cat /sys/block/cvd5/queue/discard_max_bytes)
		[ "$max" -eq 0 ] && break
		sleep 0.1
	done
	echo "cvd5, $mode over $*, after: discard_max_bytes $max"
	[ "$max" -eq 0 ] || fail "cvd5 ($mode over $*) still takes discards after 10 s"
	blkdiscard -l 65536 /dev/cvd5 2>/tmp/err &&
		fail "cvd5 ($mode over $*): a discard taken after they stopped"
	grep -q "not supported" /tmp/err ||
		fail "cvd5 ($mode over $*): $(cat /tmp/err)"
	echo cvd5 >"$DELETE" || fail "delete cvd5"
}
for n in 0 1 2; do cfg_nullb cvdisc$n 10000 1 discard; done
not_supported linear cvdisc0 /dev/cvdisc0
not_supported stripe cvdisc1 /dev/ram7 /dev/cvdisc1
not_supported mirror cvdisc2 /dev/ram7 /dev/cvdisc2

# A DOS label with one partition from sector 63: its discard alignment
# offset is 512 bytes.  Before, the device took it, and a discard split
# to 64 KiB left a piece of no whole block, taken for a flush and sent
# again for ever.
{ dd if=/dev/zero bs=446 count=1
  printf '\0\0\0\0\203\0\0\0\077\0\0\0\140\352\0\0'
  dd if=/dev/zero bs=48 count=1
  printf '\125\252'; } 2>/dev/null >/tmp/label
dd if=/tmp/label of=/dev/ram6 bs=512 count=1 conv=fsync 2>/dev/null
blockdev --rereadpt /dev/ram6 || fail "re-read ram6's partitions"
[ -b /dev/ram6p1 ] || fail "no ram6p1"
mkstack cvd4 linear 0 /dev/ram6p1
echo 65536 >/sys/block/cvd4/queue/discard_max_bytes
blkdiscard -l 131072 /dev/cvd4 &
pid=$!
for i in $(seq 30); do
	kill -0 $pid 2>/dev/null || break
	sleep 1
done
kill -0 $pid 2>/dev/null && fail "a discard over ram6p1 still runs after 30 s"
wait $pid || fail "blkdiscard over ram6p1"
echo cvd4 >"$DELETE" || fail "delete cvd4"
