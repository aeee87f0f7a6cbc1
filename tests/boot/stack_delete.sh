# SPDX-License-Identifier: GPL-2.0
# stack, delete: a device shows among its lower devices' holders and takes
# their limits; it cannot be deleted while open; deleted, it is gone and
# its lower device is free again; a delete right after reads timed out
# waits for their lower I/O, so nothing is in flight when it returns.
. /tests/lib.inc
mkstack cvd0 linear 0 /dev/ram6
[ -e /sys/block/ram6/holders/cvd0 ] || fail "cvd0 is not a holder of ram6"
echo "limits: logical $(cat /sys/block/cvd0/queue/logical_block_size)," \
	"max_sectors_kb $(cat /sys/block/cvd0/queue/max_sectors_kb)," \
	"write_cache $(cat /sys/block/cvd0/queue/write_cache)"
[ "$(cat /sys/block/cvd0/queue/logical_block_size)" = 4096 ] || fail "block size"
[ "$(cat /sys/block/cvd0/queue/write_cache)" = "write through" ] ||
	fail "a write cache that ram6 does not have"
echo nosuch >"$DELETE" 2>/dev/null && fail "deleted a device that is not there"
exec 3</dev/cvd0
echo cvd0 >"$DELETE" 2>/dev/null && fail "deleted an open device"
exec 3<&-
echo cvd0 >"$DELETE" || fail "delete cvd0"
[ -e /sys/block/cvd0 ] && fail "cvd0 still there"
[ -e /sys/block/ram6/holders/cvd0 ] && fail "cvd0 still a holder of ram6"
mkstack cvd0 linear 0 /dev/ram6 # the name and ram6 are free again
echo cvd0 >"$DELETE" || fail "delete cvd0 again"

slow_nullb
mkstack cvd1 linear 0 /dev/cvslow
old=$(cat /sys/module/cevstack/parameters/timeout_ms)
echo 5 >/sys/module/cevstack/parameters/timeout_ms
dd if=/dev/cvd1 of=/dev/null bs=65536 count=4 2>/dev/null
rc=$?
echo "$old" >/sys/module/cevstack/parameters/timeout_ms
[ $rc -ne 0 ] || fail "a timed-out read succeeded"
t0=$(date +%s)
echo cvd1 >"$DELETE" || fail "delete cvd1"
# The request may still be counted for a moment after its end_io freed
# the last buffer: look a few times, over far less than the 3 s.
for i in 1 2 3 4 5; do
	inflight=$(cat /sys/block/cvslow/inflight)
	set -- $inflight
	[ "$1" -eq 0 ] && [ "$2" -eq 0 ] && break
	sleep 0.1
done
echo "delete took $(($(date +%s) - t0)) s; lower I/O in flight after it: $inflight"
[ "$1" -eq 0 ] && [ "$2" -eq 0 ] || fail "delete returned with lower I/O in flight"
