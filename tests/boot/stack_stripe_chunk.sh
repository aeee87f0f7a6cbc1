# SPDX-License-Identifier: GPL-2.0
# stripe, chunks: "stripe:64" stripes in 64 KiB chunks, each leg holding
# every other one.  A bio is not split at the chunks: its chunks on one
# leg lie end to end there, so a bio goes to each leg it touches as one
# lower buffer, gathered from the bio's pages: 16 reads of 64 KiB at
# chunk boundaries are 16 buffers, 16 that straddle one are 32, and 16
# reads of 64 KiB over 4 KiB chunks are 32, not 256.  Nor is a bio split
# at the size limit stacked from brd (the block layer's placeholder, 124
# KiB at 4 KiB blocks): 16 reads of 128 KiB or of 256 KiB are 32 buffers.
# A bio with no more chunks than legs is a clone a leg, trimmed: fio
# verify on stripe:16 over four null_blks (48 KiB bios, three or four
# chunks) covers the legs after the second.  fio writes with
# checksums in bios that straddle chunks and reads them back, on
# stripe:64, on stripe:1024 (chunks over the largest bio), on the 4 KiB
# default (a dozen chunks a bio), and keyed on stripe:16 and the default
# (copies, a buffer's blocks from several chunks); the legs hold each
# chunk where the layout puts it.  Chunks that are not a power of two
# from 4 KiB to 1 MiB, or not a stripe's, are refused, each with its
# message.
# once: counts of lower buffers, and fio verify (45 s)
. /tests/lib.inc
trap 'for n in cvc0 cvc1; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
for bad in "stripe:3 0 /dev/ram6 /dev/ram7" "stripe:2 0 /dev/ram6 /dev/ram7" \
	"stripe:2048 0 /dev/ram6 /dev/ram7" "stripe:x 0 /dev/ram6 /dev/ram7" \
	"stripe: 0 /dev/ram6 /dev/ram7" "linear:64 0 /dev/ram6" \
	"mirror:64 0 /dev/ram6 /dev/ram7"; do
	before=$(dmesg | grep -c 'cevstack: create: bad chunk')
	echo "cvc1 $bad" >"$CREATE" 2>/dev/null && fail "create took \"$bad\""
	[ -b /dev/cvc1 ] && fail "\"$bad\" made /dev/cvc1"
	[ "$(dmesg | grep -c 'cevstack: create: bad chunk')" -eq $((before + 1)) ] ||
		fail "\"$bad\" was refused, but not for its chunk"
done

# fio_verify DEV: random writes of 48 KiB bios (across chunks), crc32c.
fio_verify() {
	fio --name=chunk --filename="$1" --rw=randwrite --bs=48k --size=4m \
		--direct=1 --ioengine=psync --verify=crc32c --verify_fatal=1 \
		--output=/tmp/fio.out || { cat /tmp/fio.out; fail "fio verify on $1"; }
}

mkstack cvc0 stripe:64 0 /dev/ram6 /dev/ram7
[ "$(counter cvc0 chunk_kib)" = 64 ] || fail "chunk_kib: $(counter cvc0 chunk_kib)"
q=/sys/block/cvc0/queue
echo "chunk_sectors $(cat $q/chunk_sectors), minimum_io_size $(cat $q/minimum_io_size)," \
	"optimal_io_size $(cat $q/optimal_io_size)"
[ "$(cat $q/chunk_sectors)" = 0 ] || fail "chunk_sectors is not 0: bios are split at chunks"
[ "$(cat $q/minimum_io_size)" = 65536 ] || fail "minimum_io_size is not a chunk"
[ "$(cat $q/optimal_io_size)" = 131072 ] || fail "optimal_io_size is not 2 chunks"

data 4
write_data /dev/cvc0
drop_caches
same_as_data /dev/cvc0 || fail "read back differs"
for k in 0 1 2 3 4 5 6 7; do
	dd if=/tmp/data bs=65536 skip=$k count=1 2>/dev/null >/tmp/want
	dd if=/dev/ram$((6 + k % 2)) bs=65536 skip=$((k / 2)) count=1 2>/dev/null |
		cmp -s - /tmp/want || fail "chunk $k is not on leg $((k % 2)) at $((k / 2))"
done

# reads DEV BS OFFSET WANT: 16 direct reads of BS from OFFSET take WANT
# buffers.
reads() {
	b0=$(counter "$1" buffers)
	fio --name=chunk --filename="/dev/$1" --rw=read --bs="$2" --offset="$3" \
		--size=$((16 * ${2%k}))k --direct=1 --ioengine=psync \
		--output=/tmp/fio.out || { cat /tmp/fio.out; fail "fio read at $3"; }
	n=$(($(counter "$1" buffers) - b0))
	echo "$1: 16 reads of $2 at $3: $n lower buffers"
	[ "$n" -eq "$4" ] || fail "$1: reads of $2 at $3: $n lower buffers, not $4"
}
reads cvc0 64k 0 16
reads cvc0 64k 32k 32
reads cvc0 128k 0 32
reads cvc0 256k 0 32

fio_verify /dev/cvc0
[ "$(counter cvc0 errors)" -eq 0 ] || fail "stripe:64: errors"
echo cvc0 >"$DELETE" || fail "delete cvc0"
mkstack cvc0 stripe 0 /dev/ram6 /dev/ram7
reads cvc0 64k 0 32
reads cvc0 64k 4k 32
echo cvc0 >"$DELETE" || fail "delete cvc0"
for dev in "cvc0 stripe:1024 0" "cvc0 stripe 0" "cvc1 stripe:16 0x5a" \
	"cvc1 stripe 0x5a"; do
	set -- $dev
	mkstack "$@" /dev/ram6 /dev/ram7
	fio_verify "/dev/$1"
	echo "$2 key $3: copies $(counter "$1" copies), errors $(counter "$1" errors)"
	[ "$(counter "$1" errors)" -eq 0 ] || fail "$2: errors"
	echo "$1" >"$DELETE" || fail "delete $1"
done
for n in a b c d; do cfg_nullb cvq4$n 10000 1; done
mkstack cvc0 stripe:16 0 /dev/cvq4a /dev/cvq4b /dev/cvq4c /dev/cvq4d
# Written and read back alike, a chunk misplaced would verify: the data
# written in 64 KiB bios (four chunks, a clone a leg) must be where the
# layout puts it.
dd if=/tmp/data of=/dev/cvc0 bs=65536 oflag=direct 2>/dev/null ||
	fail "write to cvc0"
set -- a b c d
for k in $(seq 0 15); do
	eval leg=\${$((k % 4 + 1))}
	dd if=/tmp/data bs=16384 skip=$k count=1 2>/dev/null >/tmp/want
	dd if=/dev/cvq4$leg bs=16384 skip=$((k / 4)) count=1 iflag=direct \
		2>/dev/null | cmp -s - /tmp/want ||
		fail "stripe:16 over 4: chunk $k is not on leg $((k % 4))"
done
fio_verify /dev/cvc0
echo "stripe:16 over 4: copies $(counter cvc0 copies), errors $(counter cvc0 errors)"
[ "$(counter cvc0 errors)" -eq 0 ] || fail "stripe:16 over 4: errors"
[ "$(counter cvc0 copies)" -eq 0 ] || fail "stripe:16 over 4: copied"
echo cvc0 >"$DELETE" || fail "delete cvc0"
