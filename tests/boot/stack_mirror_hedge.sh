# SPDX-License-Identifier: GPL-2.0
# mirror, hedge: a slow leg (null_blk, 50 ms) and a fast one (brd), keyed.
# A read goes to one leg; the first reads, with neither leg measured yet,
# go to the slow one, are late, and are hedged to the fast one, whose
# copies complete them; the slow copies are cancelled.  From then on the
# reads go to the fast leg, and most blocks are read once.  The hedge
# delay is set, 20 ms, well under the slow leg's 50 ms and well over what
# a read of the fast leg takes even under KCSAN: the adaptive default
# follows the machine's speed, and make bench measures it.  Reads of any
# size are hedged (readahead's may be above the default hedge_max_kib).
# The device is deleted at the end: the trace test reads these legs
# differently.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
hedge=$(cat $P/hedge_us) max_kib=$(cat $P/hedge_max_kib)
window=$(cat $P/hedge_window_ms)
trap 'echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms; echo "$max_kib" >$P/hedge_max_kib
	echo cvh0 >"$DELETE" 2>/dev/null' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
mkstack cvh0 mirror 0x33 /dev/nullb0 /dev/ram3
echo 20000 >$P/hedge_us
echo 0 >$P/hedge_max_kib
data 4
write_data /dev/cvh0
drop_caches
t0=$(date +%s)
same_as_data /dev/cvh0 || fail "read back differs"
blocks=$(($(stat_size /tmp/data) / 4096))
hedges=$(counter cvh0 hedges)
echo "read $blocks blocks in $(($(date +%s) - t0))s; hedges: $hedges," \
	"hedge_cancelled: $(counter cvh0 hedge_cancelled)," \
	"cancelled: $(counter cvh0 cancelled), transforms: $(counter cvh0 transforms)"
[ "$hedges" -gt 0 ] || fail "no late read was hedged"
[ "$(counter cvh0 hedge_cancelled)" -gt 0 ] || fail "no slow copy was cancelled"
[ $((hedges * 4)) -lt "$blocks" ] || fail "a quarter of the blocks or more were read twice"
[ "$(counter cvh0 errors)" -eq 0 ] || fail "errors"
trap - EXIT
echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
echo "$max_kib" >$P/hedge_max_kib
echo cvh0 >"$DELETE" || fail "delete cvh0"
