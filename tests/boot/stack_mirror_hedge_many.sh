# SPDX-License-Identifier: GPL-2.0
# mirror, hedge, many reads at once: a mirror of two null_blk legs whose
# I/O takes 100 ms, a hedge delay of 2 ms, and fio reading 4 KiB blocks
# 16 at a time from one CPU (its verify pass), so that every read is late
# and many wait for their hedge together on one CPU's list under one
# timer.  Every read is hedged exactly once, each late read by the timer
# however many share it; the data read back is the data written
# (crc32c).  The hedge work has 98 ms to run before the read it hedges
# ends, even on a loaded host: with 20 ms, a boot beside another saw 9
# of 256 reads end first.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
hedge=$(cat $P/hedge_us)
window=$(cat $P/hedge_window_ms)
cfg_nullb cvhm0 100000000 1
cfg_nullb cvhm1 100000000 1
trap 'echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms; echo cvhm >"$DELETE" 2>/dev/null' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
mkstack cvhm mirror 0 /dev/cvhm0 /dev/cvhm1
echo 2000 >$P/hedge_us
reads=$(counter cvhm reads)
hedges=$(counter cvhm hedges)
# Written, then read back and checked, 16 at a time; writes are not hedged.
fio --name=hm --filename=/dev/cvhm --rw=randwrite --bs=4k --size=1m \
	--direct=1 --ioengine=libaio --iodepth=16 --cpus_allowed=0 \
	--verify=crc32c --verify_fatal=1 --output=/tmp/fio.out ||
	{ cat /tmp/fio.out; fail "fio verify"; }
reads=$(($(counter cvhm reads) - reads))
hedges=$(($(counter cvhm hedges) - hedges))
echo "reads $reads, hedges $hedges, hedge_cancelled $(counter cvhm hedge_cancelled)," \
	"errors $(counter cvhm errors)"
[ "$reads" -ge 256 ] || fail "fio read $reads blocks, not 256"
[ "$hedges" -eq "$reads" ] || fail "$reads late reads, $hedges hedged"
[ "$(counter cvhm errors)" -eq 0 ] || fail "errors"
trap - EXIT
echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
echo cvhm >"$DELETE" || fail "delete cvhm"
