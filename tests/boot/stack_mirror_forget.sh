# SPDX-License-Identifier: GPL-2.0
# mirror, a leg slow once is tried again, a stalled one is not: the
# chooser's estimate of a leg moves when the leg's reads end, and each
# read that passes an idle leg over makes its estimate a little older.
# once: the chooser's estimates over a 50 ms leg, 9000 reads at a time (80 s)
. /tests/lib.inc
P=/sys/module/cevstack/parameters
hedge=$(cat $P/hedge) hedge_us=$(cat $P/hedge_us) max_kib=$(cat $P/hedge_max_kib)
window=$(cat $P/hedge_window_ms)
writer=
trap 'echo "$hedge" >$P/hedge; echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
	echo "$max_kib" >$P/hedge_max_kib
	[ -n "$writer" ] && kill $writer 2>/dev/null && wait $writer
	for n in cvrf0 cvrf1; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms

# A fast leg (brd) and a slow one (null_blk, 50 ms).  The reads learn
# which leg is slow and go to the other, and now and then try it again.
# Were an estimate to move only when its leg is read, a leg slow once (a
# stall since ended) would be read no more.  After 1000 reads, which
# find the slow leg slow, 8000 reads one at a time, not hedged: the slow
# leg takes at least two and no more than 2%.  Hedged (a hedge delay of
# 10 s: no read is late enough), each read that tries the slow leg reads
# both legs at once, a probe, and does not wait for it: every read the
# slow leg takes is a probe, and each probe's slow copy is cancelled.
nullb0_reads() { awk '{ print $1 }' /sys/block/nullb0/stat; }
nullb0_idle() {	# no read in flight
	n=0
	while [ "$(awk '{ print $1 }' /sys/block/nullb0/inflight)" != 0 ]; do
		n=$((n + 1))
		[ $n -lt 100 ] || fail "nullb0 still reading after 10 s"
		sleep 0.1
	done
}
# slow_reads NAME: 1000 reads of NAME, then 8000; $slow: those of the
# 8000 the slow leg took, $probes: the probes among them, $cancelled:
# the copies they made unnecessary.
slow_reads() {
	dd if="/dev/$1" of=/dev/null bs=4096 count=1000 iflag=direct 2>/tmp/err ||
		fail "$1: read: $(cat /tmp/err)"
	nullb0_idle
	before=$(nullb0_reads) p0=$(counter "$1" probes)
	c0=$(counter "$1" hedge_cancelled)
	dd if="/dev/$1" of=/dev/null bs=4096 count=8000 iflag=direct 2>/tmp/err ||
		fail "$1: read: $(cat /tmp/err)"
	nullb0_idle
	slow=$(($(nullb0_reads) - before)) probes=$(($(counter "$1" probes) - p0))
	cancelled=$(($(counter "$1" hedge_cancelled) - c0))
	echo "$1: of 8000 reads, $slow went to the slow leg, $probes probes," \
		"$cancelled copies cancelled, hedges $(counter "$1" hedges)"
	[ "$slow" -ge 2 ] || fail "$1: the slow leg was not tried again"
	[ "$slow" -le 160 ] || fail "$1: the slow leg took more than 2% of the reads"
	[ "$(counter "$1" errors)" -eq 0 ] || fail "$1: errors"
}
echo N >$P/hedge
mkstack cvrf0 mirror 0 /dev/ram3 /dev/nullb0
slow_reads cvrf0
# Again with a write always in flight on the slow leg (a writer one
# block at a time; nothing checks the data): pending writes lengthen a
# leg's expected wait, but do not keep it from forgetting.
dd if=/dev/zero of=/dev/cvrf0 bs=4096 seek=6000 count=2000 oflag=direct \
	2>/dev/null &
writer=$!
slow_reads cvrf0
kill $writer 2>/dev/null
wait $writer
writer=
echo cvrf0 >"$DELETE" || fail "delete cvrf0"
echo Y >$P/hedge
echo 10000000 >$P/hedge_us
mkstack cvrf0 mirror 0 /dev/ram3 /dev/nullb0
slow_reads cvrf0
[ "$probes" -eq "$slow" ] || fail "cvrf0: $slow reads of the slow leg, $probes probes"
[ "$cancelled" -eq "$probes" ] ||
	fail "cvrf0: $probes probes, $cancelled slow copies cancelled"
[ "$(counter cvrf0 hedges)" -eq 0 ] || fail "cvrf0: a read was hedged"
echo cvrf0 >"$DELETE" || fail "delete cvrf0"

# A stalled leg, a read pending on it, is not tried again: a mirror of a
# null_blk whose reads take 20 s and brd, hedged after 2 ms.  Its
# partition scan's read goes to the 20 s leg (the first of two legs not
# measured yet) and is hedged to brd; 2500 reads one at a time then go
# to brd alone while the scan's read is pending (an idle leg would be
# tried again within about 1200).  Were a leg with reads pending
# forgotten as an idle one is, reads would go to the stalled leg again.
cfg_nullb cvstall 20000000000 1
inflight() { awk '{ print $1 + $2 }' /sys/block/cvstall/inflight; }
echo Y >$P/hedge
echo 2000 >$P/hedge_us
echo 0 >$P/hedge_max_kib
mkstack cvrf1 mirror 0 /dev/cvstall /dev/ram3
# The scan's read is hedged; no other read may be (a brd read late by
# 2 ms under a debug kernel would be hedged to the stalled leg).
echo 10000000 >$P/hedge_us
[ "$(inflight)" = 1 ] ||
	fail "the stalled leg has $(inflight) reads pending after the scan, not 1"
dd if=/dev/cvrf1 of=/dev/null bs=4096 count=2500 iflag=direct 2>/tmp/err ||
	fail "read: $(cat /tmp/err)"
echo "2500 reads later, the stalled leg has $(inflight) pending," \
	"hedges $(counter cvrf1 hedges)"
[ "$(inflight)" = 1 ] || fail "reads went to the stalled leg"
echo cvrf1 >"$DELETE" || fail "delete cvrf1"	# waits for the 20 s read
