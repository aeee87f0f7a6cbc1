# SPDX-License-Identifier: GPL-2.0
# stack, direct: without a key, and for reads without a timeout, I/O goes
# through the bio's own pages, one lower buffer for each contiguous run:
# a 64 KiB bio is one lower buffer on a linear device and one a leg on a
# mirror, not sixteen.  I/O that must be copied (a key, a read with a
# timeout, a mirror's read, which a hedge may answer) is copied through
# private pages a run at a time too, not a block at a time.  fio writes
# with checksums, and reads back through the stack and from the raw legs.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
timeout=$(cat $P/timeout_ms)
hedge=$(cat $P/hedge_us)
trap 'echo "$timeout" >$P/timeout_ms; echo "$hedge" >$P/hedge_us
      for n in cvn0 cvn1 cvn2 cvn3; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
echo 0 >$P/timeout_ms
# No hedge: the counts below are of the reads alone.
echo 10000000 >$P/hedge_us

# fio_job DEV RW [OPTION...]: 4 MiB in 64 KiB O_DIRECT bios, crc32c each.
fio_job() {
	dev=$1 rw=$2
	shift 2
	fio --name=direct --filename="$dev" --rw="$rw" --bs=64k --size=4m \
		--direct=1 --ioengine=psync --verify=crc32c --verify_fatal=1 \
		"$@" --output=/tmp/fio.out ||
		{ cat /tmp/fio.out; fail "fio $rw $* on $dev"; }
}

# One buffer a 64 KiB bio: 64 to write, 64 to read back.
mkstack cvn0 linear 0 /dev/ram6
b0=$(counter cvn0 buffers)
fio_job /dev/cvn0 write
b1=$(counter cvn0 buffers)
echo "linear: 64 writes and 64 reads of 64 KiB: $((b1 - b0)) lower buffers"
[ $((b1 - b0)) -eq 128 ] || fail "linear: $((b1 - b0)) lower buffers, not 128"
fio_job /dev/ram6 read --verify_only
echo 1000 >$P/timeout_ms
fio_job /dev/cvn0 read --verify_only
b2=$(counter cvn0 buffers)
echo "linear with timeout_ms: 64 reads of 64 KiB: $((b2 - b1)) lower buffers"
[ $((b2 - b1)) -eq 64 ] || fail "timed reads: $((b2 - b1)) lower buffers, not 64"
echo 0 >$P/timeout_ms
echo cvn0 >"$DELETE" || fail "delete cvn0"

# A mirror write is one buffer a leg; both legs get the data, from pages
# that must not change under the writes (stable writes).
mkstack cvn1 mirror 0 /dev/ram6 /dev/ram7
[ "$(cat /sys/block/cvn1/queue/stable_writes)" = 1 ] ||
	fail "mirror: no stable writes"
b0=$(counter cvn1 buffers)
fio_job /dev/cvn1 write --do_verify=0
b1=$(counter cvn1 buffers)
echo "mirror: 64 writes of 64 KiB: $((b1 - b0)) lower buffers"
[ $((b1 - b0)) -eq 128 ] || fail "mirror: $((b1 - b0)) lower buffers, not 128"
fio_job /dev/cvn1 read --verify_only
b2=$(counter cvn1 buffers)
echo "mirror: 64 reads of 64 KiB: $((b2 - b1)) lower buffers"
[ $((b2 - b1)) -eq 64 ] || fail "mirror reads: $((b2 - b1)) lower buffers, not 64"
fio_job /dev/ram6 read --verify_only
fio_job /dev/ram7 read --verify_only
echo cvn1 >"$DELETE" || fail "delete cvn1"

# A keyed mirror copies, and transforms, a run a leg.
mkstack cvn3 mirror 0x5a /dev/ram6 /dev/ram7
b0=$(counter cvn3 buffers) t0=$(counter cvn3 transforms)
fio_job /dev/cvn3 write
b1=$(counter cvn3 buffers) t1=$(counter cvn3 transforms)
echo "keyed mirror: 64 writes and 64 reads of 64 KiB: $((b1 - b0)) lower buffers," \
	"$((t1 - t0)) transforms"
[ $((b1 - b0)) -eq 192 ] || fail "keyed mirror: $((b1 - b0)) lower buffers, not 192"
[ $((t1 - t0)) -eq 64 ] || fail "keyed mirror: $((t1 - t0)) transforms, not one a read"
echo cvn3 >"$DELETE" || fail "delete cvn3"

# A stripe's run is a block: the data goes right, block by block.
mkstack cvn2 stripe 0 /dev/ram6 /dev/ram7
fio_job /dev/cvn2 randwrite
fio_job /dev/cvn2 randread --verify_only
echo "stripe: buffers $(counter cvn2 buffers), errors $(counter cvn2 errors)"
[ "$(counter cvn2 errors)" -eq 0 ] || fail "stripe: errors"
