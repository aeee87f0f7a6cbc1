# SPDX-License-Identifier: GPL-2.0
# stack, discard: a device whose lower devices discard takes discards
# (discard_max_bytes), one over a null_blk that does not, none.  A
# discard goes down as the range on each leg it covers: over brd, which
# frees what is discarded, a leg reads zeros there and keeps its data
# around it.  Linear; stripe:16 over two legs (ten blocks over three
# chunks: two on one leg, one on the other); mirror (every leg).
. /tests/lib.inc
trap 'for n in cvd4 cvd5; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
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
echo cvd4 >"$DELETE" || fail "delete cvd4"

mkstack cvd4 mirror 0 /dev/ram6 /dev/ram7
write_data /dev/cvd4
discard cvd4 16 16
expect /dev/ram6 16 31
expect /dev/ram7 16 31
[ "$(counter cvd4 errors)" -eq 0 ] || fail "mirror: errors"
echo cvd4 >"$DELETE" || fail "delete cvd4"

cfg_nullb cvnodisc 10000 1
mkstack cvd5 linear 0 /dev/cvnodisc
max=$(cat /sys/block/cvd5/queue/discard_max_bytes)
echo "cvd5 over a null_blk without discard: discard_max_bytes $max"
[ "$max" -eq 0 ] || fail "cvd5 takes discards its lower device does not"
blkdiscard /dev/cvd5 2>/dev/null && fail "cvd5: a discard succeeded"
echo cvd5 >"$DELETE" || fail "delete cvd5"
