# SPDX-License-Identifier: GPL-2.0
# mirror, a failed leg taken back: "NAME LEG" written to recover copies the
# other leg's blocks to the failed one while writes go on through the
# mirror, and then reads use it again.  The writes in flight on a step of
# the copy are waited for and new ones held back until the step is
# copied: without that, a write landing between the copy's read of a step
# and its write leaves the leg with the old data.  Afterwards the two legs
# hold the same bytes, with the mirror's data, and the first leg, failed
# in turn, leaves the recovered one to serve every read.  Reads during
# the copy, of every leg at once (hedge_us=0), must not take the leg's
# old data, though its copy would come first: its I/O completes after
# 1 us, the other leg's after 2 ms, both from a timer, so that writes
# are in flight during the copy.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
RECOVER=$P/recover
[ -e "$RECOVER" ] || fail "no recover parameter"
hedge_us=$(cat $P/hedge_us)
window=$(cat $P/hedge_window_ms)
cfg_nullb cvrc0 2000000 2
cfg_nullb cvrc1 1000 2
trap 'fault cvrc0 off; fault cvrc1 off; kill $writer 2>/dev/null;
	echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
	echo cvrc >"$DELETE" 2>/dev/null' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
mkstack cvrc mirror 0x5a /dev/cvrc0 /dev/cvrc1
data 16
write_data /dev/cvrc
echo "cvrc 0" >"$RECOVER" 2>/dev/null && fail "a healthy leg was taken for recovery"
echo "cvrc 2" >"$RECOVER" 2>/dev/null && fail "a leg the mirror has not was taken"
# Leg 1 fails under a write and misses the writes after it.
fault cvrc1 on
dd if=/dev/urandom of=/dev/cvrc bs=65536 count=16 seek=8 oflag=direct 2>/dev/null ||
	fail "a write failed with a leg left"
fault cvrc1 off
[ "$(counter cvrc leg1)" = "cvrc1 failed" ] || fail "leg1 not marked failed"
dd if=/dev/urandom of=/dev/cvrc bs=65536 count=64 seek=32 oflag=direct 2>/dev/null ||
	fail "write to the mirror with one leg"
# The last 4 MiB, which the copy reaches last, only the first leg has.
dd if=/dev/urandom of=/tmp/late bs=65536 count=64 2>/dev/null
dd if=/tmp/late of=/dev/cvrc bs=65536 seek=960 oflag=direct 2>/dev/null ||
	fail "write to the mirror with one leg"
# Random writes all through the copy: 4 KiB, direct, but for the last 4 MiB.
fio --name=w --filename=/dev/cvrc --rw=randwrite --bs=4k --direct=1 \
	--size=60m --ioengine=psync --time_based --runtime=600 \
	--output=/dev/null &
writer=$!
w0=$(counter cvrc writes)
wrote() { [ "$(counter cvrc writes)" -gt "$w0" ]; }
wait_until 60 "fio wrote nothing in 60 s" wrote
w0=$(counter cvrc writes)
echo 0 >$P/hedge_us
echo "cvrc 1" >"$RECOVER" || fail "recover leg1"
echo "cvrc 1" >"$RECOVER" 2>/dev/null && fail "a second recovery of the leg started"
dd if=/dev/cvrc bs=65536 skip=960 iflag=direct 2>/dev/null | cmp -s - /tmp/late
rc=$?
echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
[ $rc -eq 0 ] || fail "a read during the recovery took the leg's old data"
recovered() { [ "$(counter cvrc leg1)" = "cvrc1 ok" ]; }
wait_until 300 "leg1 not recovered in 300 s" recovered
w1=$(counter cvrc writes)
kill $writer
wait $writer 2>/dev/null
echo "writes during the recovery: $((w1 - w0))"
[ "$w1" -gt "$w0" ] || fail "no write during the recovery"
grep '^leg[0-9]\|^recovered_kib\|^errors\|^leg_errors' "$STATS/cvrc" | sed 's/^/  /'
[ "$(counter cvrc errors)" -eq 0 ] || fail "the mirror reported an error"
[ "$(counter cvrc recovered_kib)" -eq 65536 ] ||
	fail "recovered $(counter cvrc recovered_kib) KiB of 65536"
drop_caches
cmp /dev/cvrc0 /dev/cvrc1 || fail "the legs differ after the recovery"
# The mirror's data now on the recovered leg alone.
dd if=/dev/cvrc of=/tmp/mirror bs=65536 2>/dev/null || fail "read the mirror"
fault cvrc0 on
drop_caches
dd if=/dev/cvrc bs=65536 iflag=direct 2>/dev/null | cmp -s - /tmp/mirror
rc=$?
fault cvrc0 off
rm -f /tmp/mirror /tmp/late
[ "$(counter cvrc leg0)" = "cvrc0 failed" ] || fail "leg0 not failed in turn"
[ $rc -eq 0 ] || fail "the recovered leg reads back other data than the mirror's"
trap - EXIT
echo cvrc >"$DELETE" || fail "delete cvrc"
