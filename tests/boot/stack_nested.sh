# SPDX-License-Identifier: GPL-2.0
# stack, nested: a cevstack mirror over cevstack devices, a stripe of
# ram6 and ram7 and a linear device over nullb0 (50 ms completions, from
# a timer), so that the lower devices' ends end the mirror's buffers.
# Data written through the mirror reads back right; again with every
# slab allocation under cevstack's code failing, so that each device's
# I/O runs from its reserves (with the module's one set of reserves, the
# mirror's I/O held what the stripe's needed, for ever); a lower device
# cannot be deleted under the mirror; a stripe leg failing fails the
# stripe's reads, and the mirror leaves the stripe out and reads the
# other leg.  Then a mirror of two linear devices, over nullb1 (50 ms)
# and a 3 s null_blk, with a 500 ms timeout: the read late on the 3 s
# device fails over to the other, and that device is not failed (it
# was, when the device under it timed the read out too, as an error).
. /tests/lib.inc
P=/sys/module/cevstack/parameters
timeout=$(cat $P/timeout_ms) hedge=$(cat $P/hedge)
trap 'failslab_restore; fault ram6 off
	echo "$timeout" >$P/timeout_ms; echo "$hedge" >$P/hedge
	for n in cvn2 cvn1 cvn0 cvt2 cvt1 cvt0; do
		echo $n >"$DELETE" 2>/dev/null
	done' EXIT
data 4
mkstack cvn0 stripe 0 /dev/ram6 /dev/ram7
mkstack cvn1 linear 0 /dev/nullb0
mkstack cvn2 mirror 0 /dev/cvn0 /dev/cvn1
[ -e /sys/block/cvn0/holders/cvn2 ] || fail "cvn2 is not a holder of cvn0"
echo cvn0 >"$DELETE" 2>/dev/null && fail "deleted cvn0 under cvn2"
write_data /dev/cvn2
drop_caches
same_as_data /dev/cvn2 || fail "read back differs"

# The lower devices allocate nothing to overwrite blocks they have.
dd if=/tmp/data of=/tmp/want bs=65536 count=16 skip=16 2>/dev/null
failslab_cevstack
failslab_prob 100
# Shared reserves would not fail this but hang it, until allocations
# work again: fail then.
(dd if=/tmp/want of=/dev/cvn2 bs=65536 count=16 oflag=direct 2>/dev/null &&
	dd if=/dev/cvn2 of=/tmp/got bs=65536 count=16 iflag=direct \
		2>/dev/null) &
pid=$!
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do
	usleep 100000
	i=$((i + 1))
done
if kill -0 $pid 2>/dev/null; then
	failslab_prob 0
	wait $pid
	fail "I/O on the reserves stood still for 60 s, until failslab was off"
fi
wait $pid
rc=$?
failslab_prob 0
echo "reserved: cvn2 $(counter cvn2 reserved), cvn0 $(counter cvn0 reserved)," \
	"cvn1 $(counter cvn1 reserved)"
[ $rc -eq 0 ] || fail "I/O failed on the reserves"
cmp -s /tmp/want /tmp/got || fail "data differs on the reserves"
for n in cvn2 cvn0 cvn1; do
	[ "$(counter $n reserved)" -gt 0 ] || fail "$n: the reserves were not used"
done
dd if=/tmp/data of=/dev/cvn2 bs=65536 count=16 oflag=direct 2>/dev/null ||
	fail "write back"

# The stripe is the faster leg: its reads fail, and go to the other.
[ "$(counter cvn2 leg0)" = "cvn0 ok" ] || fail "the stripe failed early"
[ "$(counter cvn0 errors)" -eq 0 ] || fail "the stripe failed I/O early"
fault ram6 on
drop_caches
same_as_data /dev/cvn2 || fail "read back differs with a stripe leg failing"
fault ram6 off
grep '^leg[0-9]' "$STATS/cvn2" | sed 's/^/  /'
echo "cvn0 errors $(counter cvn0 errors), cvn2 errors $(counter cvn2 errors)," \
	"retries $(counter cvn2 retries)"
[ "$(counter cvn2 leg0)" = "cvn0 failed" ] || fail "the stripe was not failed"
[ "$(counter cvn2 errors)" -eq 0 ] || fail "the mirror reported an error"
[ "$(counter cvn0 errors)" -gt 0 ] || fail "the stripe reported no error"
for n in cvn2 cvn1 cvn0; do
	echo $n >"$DELETE" || fail "delete $n"
done

# A read late on a cevstack device: only the top device's timer runs.
# The partition scan reads cvt1, the first of two legs alike so far, not
# hedged; cvt0, not read yet, then looks the faster (see
# stack_mirror_failover).
slow_nullb
echo N >$P/hedge
mkstack cvt0 linear 0 /dev/cvslow
mkstack cvt1 linear 0 /dev/nullb1
mkstack cvt2 mirror 0 /dev/cvt1 /dev/cvt0
dd if=/tmp/data of=/tmp/want bs=16384 count=1 2>/dev/null
read_late cvt2
echo "cvt2: failovers $(counter cvt2 failovers), timeouts" \
	"$(counter cvt2 timeouts), leg1 $(counter cvt2 leg1);" \
	"cvt0: timeouts $(counter cvt0 timeouts)"
[ "$(counter cvt2 failovers)" -ge 1 ] || fail "cvt2: no failover counted"
[ "$(counter cvt2 timeouts)" -eq 0 ] || fail "cvt2: a read timed out"
[ "$(counter cvt2 leg1)" = "cvt0 ok" ] || fail "cvt2: the late leg was failed"
[ "$(counter cvt0 timeouts)" -eq 0 ] || fail "cvt0 timed a read out under cvt2"
