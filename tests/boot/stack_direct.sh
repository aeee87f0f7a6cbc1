# SPDX-License-Identifier: GPL-2.0
# stack, direct: a bio is one lower buffer on each leg it goes to, over
# all of it: a 64 KiB bio is one lower buffer on a linear device and one
# a leg on a mirror, not sixteen.  Without a key, writes and the reads
# that no timeout or hedge may give up on go through the bio's own pages
# (no copies); the others are copied through private pages, a buffer at
# a time too.  fio writes with checksums, and reads back through the
# stack and from the raw legs.
# once: counts of lower buffers and copies, and fio verify (40 s)
. /tests/lib.inc
P=/sys/module/cevstack/parameters
timeout=$(cat $P/timeout_ms) hedge_us=$(cat $P/hedge_us) hedge=$(cat $P/hedge)
window=$(cat $P/hedge_window_ms)
max_kib=$(cat $P/hedge_max_kib)
trap 'echo "$timeout" >$P/timeout_ms; echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
      echo "$hedge" >$P/hedge; echo "$max_kib" >$P/hedge_max_kib
      for n in cvn0 cvn1 cvn2 cvn3; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
echo 0 >$P/timeout_ms
echo Y >$P/hedge
echo 64 >$P/hedge_max_kib
# Hedged, but never late: the counts below are of the reads alone.
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

# expect DEV WHAT BUFFERS COPIES [TRANSFORMS]: what DEV's counters grew
# by since the last expect (or mark) is what WHAT should have taken.
mark() { b0=$(counter "$1" buffers) c0=$(counter "$1" copies) t0=$(counter "$1" transforms); }
expect() {
	b=$(($(counter "$1" buffers) - b0)) c=$(($(counter "$1" copies) - c0))
	t=$(($(counter "$1" transforms) - t0))
	echo "$2: $b lower buffers, $c copied, $t transforms"
	[ "$b" -eq "$3" ] || fail "$2: $b lower buffers, not $3"
	[ "$c" -eq "$4" ] || fail "$2: $c copied, not $4"
	[ "$t" -eq "${5:-0}" ] || fail "$2: $t transforms, not ${5:-0}"
	mark "$1"
}

mkstack cvn0 linear 0 /dev/ram6
mark cvn0
fio_job /dev/cvn0 write
expect cvn0 "linear: 64 writes and 64 reads of 64 KiB" 128 0
fio_job /dev/ram6 read --verify_only
echo 1000 >$P/timeout_ms
mark cvn0
fio_job /dev/cvn0 read --verify_only
expect cvn0 "linear with timeout_ms: 64 reads of 64 KiB" 64 64
echo 0 >$P/timeout_ms
echo cvn0 >"$DELETE" || fail "delete cvn0"

# A mirror write is one buffer a leg; both legs get the data, from pages
# that must not change under the writes (stable writes).  A hedged read
# is copied; with hedge=N, or above hedge_max_kib, it is not.
mkstack cvn1 mirror 0 /dev/ram6 /dev/ram7
[ "$(cat /sys/block/cvn1/queue/stable_writes)" = 1 ] ||
	fail "mirror: no stable writes"
mark cvn1
fio_job /dev/cvn1 write --do_verify=0
expect cvn1 "mirror: 64 writes of 64 KiB" 128 0
fio_job /dev/cvn1 read --verify_only
expect cvn1 "mirror, hedged: 64 reads of 64 KiB" 64 64
echo N >$P/hedge
fio_job /dev/cvn1 read --verify_only
expect cvn1 "mirror, hedge=N: 64 reads of 64 KiB" 64 0
echo Y >$P/hedge
echo 32 >$P/hedge_max_kib
fio_job /dev/cvn1 read --verify_only
expect cvn1 "mirror, hedge_max_kib=32: 64 reads of 64 KiB" 64 0
echo 64 >$P/hedge_max_kib
fio_job /dev/ram6 read --verify_only
fio_job /dev/ram7 read --verify_only
echo cvn1 >"$DELETE" || fail "delete cvn1"

# A keyed mirror copies, and transforms, a buffer a leg.
mkstack cvn3 mirror 0x5a /dev/ram6 /dev/ram7
mark cvn3
fio_job /dev/cvn3 write
expect cvn3 "keyed mirror: 64 writes and 64 reads of 64 KiB" 192 192 64
echo cvn3 >"$DELETE" || fail "delete cvn3"

# A stripe's bio goes to one leg: the data goes right.
mkstack cvn2 stripe 0 /dev/ram6 /dev/ram7
fio_job /dev/cvn2 randwrite
fio_job /dev/cvn2 randread --verify_only
echo "stripe: buffers $(counter cvn2 buffers), errors $(counter cvn2 errors)"
[ "$(counter cvn2 errors)" -eq 0 ] || fail "stripe: errors"
