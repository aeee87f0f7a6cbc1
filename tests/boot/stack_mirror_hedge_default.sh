# SPDX-License-Identifier: GPL-2.0
# mirror, hedge, the default delay: a leg whose I/O takes 200 ms (null_blk)
# and a fast one (brd), hedge_us=-1, every read hedged (a negative
# hedge_window_ms, not the default; stack_mirror_hedge_window tests the
# window).  The delay is the estimate (1 ms at
# first) and the hedge timer may wait for the tick after it, so the first
# reads (the partition scan's, on creation), which go to the slow leg
# with neither leg measured yet, are hedged well before it answers: the
# fast copies complete them and the slow ones are cancelled.  Then data
# written is read back right, a 4 KiB block at a time.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
hedge_us=$(cat $P/hedge_us)
window=$(cat $P/hedge_window_ms)
cfg_nullb cvhd0 200000000 1
trap 'echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms; echo cvhd >"$DELETE" 2>/dev/null' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
echo -1 >$P/hedge_us
mkstack cvhd mirror 0 /dev/cvhd0 /dev/ram6
dd if=/dev/urandom of=/tmp/hd bs=4096 count=64 2>/dev/null
dd if=/tmp/hd of=/dev/cvhd bs=65536 oflag=direct 2>/dev/null || fail "write"
dd if=/dev/cvhd of=/tmp/hd.back bs=4096 count=64 iflag=direct 2>/dev/null ||
	fail "read"
cmp -s /tmp/hd /tmp/hd.back || fail "read back differs"
hedges=$(counter cvhd hedges)
echo "reads $(counter cvhd reads), hedges $hedges," \
	"hedge_cancelled $(counter cvhd hedge_cancelled), errors $(counter cvhd errors)"
[ "$hedges" -gt 0 ] || fail "no late read was hedged"
[ "$(counter cvhd hedge_cancelled)" -gt 0 ] || fail "no slow copy was cancelled"
[ "$(counter cvhd errors)" -eq 0 ] || fail "errors"
trap - EXIT
echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
echo cvhd >"$DELETE" || fail "delete cvhd"
