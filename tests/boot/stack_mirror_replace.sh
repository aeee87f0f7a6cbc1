# SPDX-License-Identifier: GPL-2.0
# mirror, a failed leg replaced by another device ("NAME LEG DEVICE"
# written to recover), as a member added to md's raid1 in a faulty one's
# place: the new device is recovered, then holds the mirror's data, and
# the old one is let go.
#
# First, a read that began while leg 0 was in use, late on leg 1 (3 s),
# and hedged after 1.5 s to leg 0, which meanwhile failed and was
# replaced: the hedge must not read the new device, which holds none of
# the mirror's data.  (A replace that swapped the device at once let the
# hedge read the new device, and the read returned its bytes.)  Then what
# a replacement may not be: smaller than the mirror, another leg, for a
# leg not failed.  And a leg's old device is let go only once the I/O on
# it has ended; a replace waiting for a hung I/O can be killed.
# once: reads and drains over legs of 3 and 4 s a request (45 s)
. /tests/lib.inc
P=/sys/module/cevstack/parameters
RECOVER=$P/recover
[ -e "$RECOVER" ] || fail "no recover parameter"
NULLB_MIB=1 cfg_nullb cvrp0 2000000 1
NULLB_MIB=1 cfg_nullb cvrp1 3000000000 1
NULLB_MIB=1 cfg_nullb cvrp2 1000 1
hedge=$(cat $P/hedge_us)
window=$(cat $P/hedge_window_ms)
trap 'fault cvrp0 off; echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
	echo cvrep >"$DELETE" 2>/dev/null' EXIT
# Every mirror read hedged, not only a late leg's, in every part below
# (each a test of a hedge), until the last puts the window back.
echo -1 >$P/hedge_window_ms

# The legs hold the same data; the replacement other data.
head -c 8192 /dev/urandom >/tmp/blocks
head -c 8192 /dev/urandom >/tmp/other
for dev in cvrp0 cvrp1; do
	dd if=/tmp/blocks of=/dev/$dev bs=8192 count=1 oflag=direct 2>/dev/null ||
		fail "write $dev"
done
dd if=/tmp/other of=/dev/cvrp2 bs=8192 count=1 oflag=direct 2>/dev/null ||
	fail "write cvrp2"
head -c 4096 /tmp/blocks >/tmp/block0
# The partition scan's read goes to leg 0 (neither leg measured: the
# first), not hedged, and leg 0's 2 ms (under 9 ms with the machine's
# overhead) take its estimate to between 1.1 and 2 ms, leg 1's still 1
# ms, unmeasured.
echo 1500000 >$P/hedge_us
mkstack cvrep mirror 0 /dev/cvrp0 /dev/cvrp1
[ -e /sys/block/cvrp0/holders/cvrep ] || fail "cvrp0 does not show cvrep as a holder"

# Read A of block 0 goes to leg 1, is late there, and is hedged to leg 0
# after 1.5 s.  Read B of block 1 goes to leg 0, whose expected wait is
# now the lesser (leg 1 has a read pending), and fails it.
dd if=/dev/cvrep of=/tmp/readA bs=4096 count=1 iflag=direct 2>/dev/null &
pidA=$!
sleep 0.3
fault cvrp0 on tasks
failing dd if=/dev/cvrep of=/dev/null bs=4096 skip=1 count=1 iflag=direct 2>/dev/null &
pidB=$!
in_state() { [ "$(counter cvrep leg0)" = "$1 $2" ]; }
wait_until 2 "leg0 not failed by read B" in_state cvrp0 failed
fault cvrp0 off
echo "cvrep 0 /dev/cvrp2" >"$RECOVER" || fail "replace leg0 by cvrp2"
wait "$pidA" || fail "read A failed"
wait "$pidB" || fail "read B failed with a leg left"
echo "hedges $(counter cvrep hedges), retries $(counter cvrep retries)"
[ "$(counter cvrep hedges)" -ge 1 ] || fail "read A was not hedged"
cmp -s /tmp/readA /tmp/block0 || fail "read A returned other data than block 0's"
[ -e /sys/block/cvrp0/holders/cvrep ] && fail "cvrp0 still held by cvrep"
[ -e /sys/block/cvrp2/holders/cvrep ] || fail "cvrp2 not held by cvrep"
wait_until 120 "cvrp2 not recovered in 120 s" in_state cvrp2 ok
same_legs() {
	for dev in "$@"; do
		dd if=/dev/$dev of=/tmp/$dev.img bs=1M count=2 iflag=direct 2>/dev/null ||
			fail "read $dev"
	done
	cmp "/tmp/$1.img" "/tmp/$2.img" || fail "$2 differs from $1"
}
same_legs cvrp1 cvrp2
echo cvrep >"$DELETE" || fail "delete cvrep"

# A read hedged away from a leg leaves its copy there in flight, a
# buffer that outlives the read: its leg, failed and replaced, is let go
# only once that I/O has ended.  Read C goes to leg 1 (4 s) as A did,
# and is hedged to leg 0 after 1.5 s; write D fails leg 1.  (Without the
# wait, the old device was let go with C's copy still on it.)
NULLB_MIB=1 cfg_nullb cvrt0 2000000 1
NULLB_MIB=1 cfg_nullb cvrt1 4000000000 1
NULLB_MIB=1 cfg_nullb cvrt2 1000 1
trap 'fault cvrt1 off; echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
	echo cvret >"$DELETE" 2>/dev/null' EXIT
mkstack cvret mirror 0 /dev/cvrt0 /dev/cvrt1
dd if=/dev/cvret of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null ||
	fail "read C failed"
[ "$(cat /sys/block/cvrt1/inflight | tr -s ' ')" = " 1 0" ] ||
	fail "read C left no copy on leg 1: $(cat /sys/block/cvrt1/inflight)"
fault cvrt1 on tasks
failing dd if=/tmp/blocks of=/dev/cvret bs=4096 count=1 oflag=direct 2>/dev/null ||
	fail "write D failed with a leg left"
fault cvrt1 off
[ "$(counter cvret leg1)" = "cvrt1 failed" ] || fail "leg1 not failed by write D"
echo "cvret 1 /dev/cvrt2" >"$RECOVER" || fail "replace leg1 by cvrt2"
[ "$(cat /sys/block/cvrt1/inflight | tr -s ' ')" = " 0 0" ] ||
	fail "cvrt1 let go with I/O in flight: $(cat /sys/block/cvrt1/inflight)"
echo "$hedge" >$P/hedge_us
echo cvret >"$DELETE" || fail "delete cvret"

# A replace waits for every I/O that chose its legs before it: one that
# hangs must not hang the replace for good.  The partition scan's read
# goes to leg 0 (4 s: a null_blk times its requests out at 5), is
# hedged to leg 1, and leaves leg 0 with a read pending and slow in its
# estimate: read R goes to leg 1, fails it, and is tried again on leg 0.
# A replace waiting for R is killed, and leaves the leg failed, on its
# old device (the first version waited the read out, unkillable, and
# replaced the leg).
NULLB_MIB=1 cfg_nullb cvrk0 4000000000 1
NULLB_MIB=1 cfg_nullb cvrk1 1000 1
NULLB_MIB=1 cfg_nullb cvrk2 1000 1
trap 'fault cvrk1 off; echo "$window" >$P/hedge_window_ms
	echo cvrek >"$DELETE" 2>/dev/null' EXIT
mkstack cvrek mirror 0 /dev/cvrk0 /dev/cvrk1
fault cvrk1 on tasks
failing dd if=/dev/cvrek of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null &
pidR=$!
leg1() { [ "$(counter cvrek leg1)" = "cvrk1 failed" ]; }
wait_until 2 "leg1 not failed by read R" leg1
fault cvrk1 off
sh -c "echo 'cvrek 1 /dev/cvrk2' >$RECOVER" 2>/dev/null &
pidE=$!
wait_until 2 "the replace did not start" grep -q "^recovery " "$STATS/cvrek"
kill -9 $pidE
wait $pidE 2>/dev/null
kill -0 $pidR 2>/dev/null || fail "the replace was not killed while read R held it"
leg1 || fail "leg1 $(counter cvrek leg1) after the replace was killed"
grep -q "^recovery " "$STATS/cvrek" && fail "a recovery left running by the killed replace"
wait $pidR || fail "read R failed with a leg left"
trap 'echo "$window" >$P/hedge_window_ms' EXIT
echo cvrek >"$DELETE" || fail "delete cvrek"

# What is refused, on a mirror over fast legs: a leg not failed; with
# leg 1 failed, a device smaller than the mirror, leg 0's device, no
# device, the mirror itself and a device over it.  Then leg 1 is replaced again, and the device it had is let
# go; the queue's limits set through sysfs stay.
NULLB_MIB=2 cfg_nullb cvrq0 1000 1
NULLB_MIB=2 cfg_nullb cvrq1 1000 1
NULLB_MIB=1 cfg_nullb cvrq2 1000 1
NULLB_CACHE_MIB=1 NULLB_MIB=2 cfg_nullb cvrq3 1000 1
mkstack cvreq mirror 0 /dev/cvrq0 /dev/cvrq1
trap 'fault cvrq1 off; echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
	echo cvrel >"$DELETE" 2>/dev/null; echo cvreq >"$DELETE" 2>/dev/null' EXIT
refused() { echo "$1" >"$RECOVER" 2>/dev/null && fail "\"$1\" was taken"; true; }
refused "cvreq 1 /dev/cvrq3"
fault cvrq1 on tasks
failing dd if=/tmp/blocks of=/dev/cvreq bs=8192 count=1 oflag=direct 2>/dev/null ||
	fail "a write failed with a leg left"
fault cvrq1 off
in_state() { [ "$(counter cvreq leg1)" = "$1 $2" ]; }
in_state cvrq1 failed || fail "leg1 not failed by the write"
refused "cvreq 1 /dev/cvrq2"
refused "cvreq 1 /dev/cvrq0"
refused "cvreq 1 /dev/nonexistent"
# The mirror itself, or a device over it: the recovery's writes to the
# leg would come back to the mirror and wait for the step the recovery
# holds (the first version took it, and hung).
refused "cvreq 1 /dev/cvreq"
echo "cvrel linear 0 /dev/cvreq" >"$CREATE" || fail "create cvrel over cvreq"
refused "cvreq 1 /dev/cvrel"
echo cvrel >"$DELETE" || fail "delete cvrel"
# A device refused is let go: another holder may claim it.
echo "cvrel linear 0 /dev/cvrq2" >"$CREATE" || fail "cvrq2 still held after it was refused"
echo cvrel >"$DELETE" || fail "delete cvrel"
in_state cvrq1 failed || fail "leg1 not failed after the refused replaces"
# The limits are stacked again: cvrq3 has a volatile write cache, which
# the mirror then has too; what was set through sysfs stays.
Q=/sys/block/cvreq/queue
[ "$(cat $Q/write_cache)" = "write through" ] ||
	fail "write_cache $(cat $Q/write_cache) over legs without a cache"
echo 64 >$Q/max_sectors_kb || fail "set max_sectors_kb"
echo "cvreq 1 /dev/cvrq3" >"$RECOVER" || fail "replace leg1 by cvrq3"
[ "$(cat $Q/write_cache)" = "write back" ] ||
	fail "write_cache $(cat $Q/write_cache) over a leg with a cache"
[ "$(cat $Q/max_sectors_kb)" = 64 ] ||
	fail "max_sectors_kb $(cat $Q/max_sectors_kb) after the replace, not 64"
wait_until 60 "cvrq3 not recovered in 60 s" in_state cvrq3 ok
[ -e /sys/block/cvrq1/holders/cvreq ] && fail "cvrq1 still held by cvreq"
same_legs cvrq0 cvrq3
trap - EXIT
echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
echo cvreq >"$DELETE" || fail "delete cvreq"
