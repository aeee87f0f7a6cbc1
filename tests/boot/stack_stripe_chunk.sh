# SPDX-License-Identifier: GPL-2.0
# stripe, chunks: "stripe:64" stripes in 64 KiB chunks, each leg holding
# every other one.  The block layer splits bios at the chunks, so a bio
# goes to one leg as one lower buffer: 16 reads of 64 KiB at chunk
# boundaries are 16 buffers, and 16 that straddle one are 32.  fio writes
# with checksums in bios that straddle chunks and reads them back; the
# legs hold each chunk where the layout puts it.  Chunks that are not a
# power of two from 4 KiB to 1 MiB, or not a stripe's, are refused.
. /tests/lib.inc
trap 'echo cvk0 >"$DELETE" 2>/dev/null' EXIT
for bad in "stripe:3 0 /dev/ram6 /dev/ram7" "stripe:2 0 /dev/ram6 /dev/ram7" \
	"stripe:2048 0 /dev/ram6 /dev/ram7" "stripe:x 0 /dev/ram6 /dev/ram7" \
	"stripe: 0 /dev/ram6 /dev/ram7" "linear:64 0 /dev/ram6" \
	"mirror:64 0 /dev/ram6 /dev/ram7"; do
	echo "cvk1 $bad" >"$CREATE" 2>/dev/null && fail "create took \"$bad\""
	[ -b /dev/cvk1 ] && fail "\"$bad\" made /dev/cvk1"
done

mkstack cvk0 stripe:64 0 /dev/ram6 /dev/ram7
[ "$(counter cvk0 chunk_kib)" = 64 ] || fail "chunk_kib: $(counter cvk0 chunk_kib)"
q=/sys/block/cvk0/queue
echo "chunk_sectors $(cat $q/chunk_sectors), optimal_io_size $(cat $q/optimal_io_size)"
[ "$(cat $q/chunk_sectors)" = 128 ] || fail "chunk_sectors is not 128"
[ "$(cat $q/optimal_io_size)" = 131072 ] || fail "optimal_io_size is not 2 chunks"

data 4
write_data /dev/cvk0
drop_caches
same_as_data /dev/cvk0 || fail "read back differs"
for k in 0 1 2 3 4 5 6 7; do
	dd if=/tmp/data bs=65536 skip=$k count=1 2>/dev/null >/tmp/want
	dd if=/dev/ram$((6 + k % 2)) bs=65536 skip=$((k / 2)) count=1 2>/dev/null |
		cmp -s - /tmp/want || fail "chunk $k is not on leg $((k % 2)) at $((k / 2))"
done

# reads OFFSET: 16 direct reads of 64 KiB from OFFSET; the buffers they took.
reads() {
	b0=$(counter cvk0 buffers)
	fio --name=chunk --filename=/dev/cvk0 --rw=read --bs=64k --offset="$1" \
		--size=1m --direct=1 --ioengine=psync --output=/tmp/fio.out ||
		{ cat /tmp/fio.out; fail "fio read at $1"; }
	echo $(($(counter cvk0 buffers) - b0))
}
n=$(reads 0)
echo "16 reads of 64 KiB at chunks: $n lower buffers"
[ "$n" -eq 16 ] || fail "aligned reads: $n lower buffers, not 16"
n=$(reads 32k)
echo "16 reads of 64 KiB across chunks: $n lower buffers"
[ "$n" -eq 32 ] || fail "straddling reads: $n lower buffers, not 32"

fio --name=chunk --filename=/dev/cvk0 --rw=randwrite --bs=48k --size=4m \
	--direct=1 --ioengine=psync --verify=crc32c --verify_fatal=1 \
	--output=/tmp/fio.out || { cat /tmp/fio.out; fail "fio verify, 48 KiB bios"; }
echo "errors $(counter cvk0 errors)"
[ "$(counter cvk0 errors)" -eq 0 ] || fail "errors"
