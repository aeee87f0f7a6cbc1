# SPDX-License-Identifier: GPL-2.0
# mirror, hedge window: a hedged read is copied through private pages,
# so only the reads of a leg late lately are hedged.  First a mirror of
# two brds, read 64 blocks at a time, O_DIRECT, one block a read, with a
# hedge delay of 10 s, so that no read is late unless the delay is 1 us:
#  - no leg was late: no read is copied;
#  - a read with a delay of 1 us ends late, unhedged, and makes its leg
#    late for hedge_window_ms (60 s), and debugfs lists it: the 64 reads
#    after it go to that leg (measured fast), each hedged, so copied;
#  - with hedge_window_ms=100, half a second later, the leg is late no
#    more: no read is copied;
#  - a negative hedge_window_ms: every read is hedged, late leg or not;
#  - a window of 0: no read is hedged, though each ends late after 1 us
#    (a window that took in the jiffy of the last late read hedged most).
# Then the window at work: a mirror of two null_blks of 50 ms and a delay
# of 2 ms.  A read goes unhedged to a leg not late, and ends late; once
# both legs have been, a read is hedged, by the third at the latest.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
hedge_us=$(cat $P/hedge_us) window=$(cat $P/hedge_window_ms)
hedge=$(cat $P/hedge) timeout=$(cat $P/timeout_ms) max_kib=$(cat $P/hedge_max_kib)
trap 'echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
	echo "$hedge" >$P/hedge; echo "$timeout" >$P/timeout_ms
	echo "$max_kib" >$P/hedge_max_kib
	echo cvhw >"$DELETE" 2>/dev/null; echo cvhx >"$DELETE" 2>/dev/null' EXIT
echo Y >$P/hedge
echo 0 >$P/timeout_ms	# a timeout would copy every read
echo 64 >$P/hedge_max_kib
echo 10000000 >$P/hedge_us
echo 60000 >$P/hedge_window_ms
mkstack cvhw mirror 0 /dev/ram6 /dev/ram7

# read_blocks DEV N: N blocks of DEV, one a read, not through the page cache.
read_blocks() {
	dd if="/dev/$1" of=/dev/null bs=4096 count="$2" iflag=direct 2>/dev/null ||
		fail "read of $1 failed"
}
# expect WHAT COPIES [LATE]: cvhw's copies and late reads since the last one.
c0=$(counter cvhw copies) l0=$(counter cvhw late_reads)
expect() {
	c=$(($(counter cvhw copies) - c0)) l=$(($(counter cvhw late_reads) - l0))
	echo "$1: $c reads copied, $l late"
	[ "$c" -eq "$2" ] || fail "$1: $c reads copied, not $2"
	[ -z "$3" ] || [ "$l" -eq "$3" ] || fail "$1: $l reads late, not $3"
	c0=$(counter cvhw copies) l0=$(counter cvhw late_reads)
}

read_blocks cvhw 64
expect "no leg late yet, 64 reads" 0 0
[ -z "$(counter cvhw late_legs)" ] || fail "debugfs: legs late: $(counter cvhw late_legs)"
# Late after 1 us: a read a few at most (under TCG, the first).
echo 1 >$P/hedge_us
n=0
while [ "$(counter cvhw late_reads)" -eq "$l0" ]; do
	n=$((n + 1))
	[ $n -le 20 ] || fail "20 reads, none late after 1 us"
	read_blocks cvhw 1
done
echo 10000000 >$P/hedge_us
expect "$n read(s) with a delay of 1 us, not hedged" 0 1
case "$(counter cvhw late_legs)" in
0|1) ;;
*) fail "debugfs: legs late: '$(counter cvhw late_legs)', not the one read" ;;
esac
read_blocks cvhw 64
expect "its leg late, 64 reads" 64 0
echo 100 >$P/hedge_window_ms
sleep 0.5
read_blocks cvhw 64
expect "the leg late over 100 ms ago, 64 reads" 0 0
echo -1 >$P/hedge_window_ms
read_blocks cvhw 64
expect "hedge_window_ms=-1, 64 reads" 64 0
echo 0 >$P/hedge_window_ms
echo 1 >$P/hedge_us
read_blocks cvhw 64
echo 10000000 >$P/hedge_us
expect "hedge_window_ms=0, 64 reads late after 1 us" 0
[ "$(counter cvhw errors)" -eq 0 ] || fail "cvhw: errors"
echo cvhw >"$DELETE" || fail "delete cvhw"

NULLB_MIB=1 cfg_nullb cvhx0 50000000 1
NULLB_MIB=1 cfg_nullb cvhx1 50000000 1
echo 2000 >$P/hedge_us
echo 60000 >$P/hedge_window_ms
mkstack cvhx mirror 0 /dev/cvhx0 /dev/cvhx1
h0=$(counter cvhx hedges) n=0
while [ "$(counter cvhx hedges)" -eq "$h0" ]; do
	n=$((n + 1))
	[ $n -le 3 ] || fail "cvhx: 3 reads over 2 ms, none hedged"
	read_blocks cvhx 1
done
echo "cvhx: read $n hedged, late reads $(counter cvhx late_reads)," \
	"hedges $(($(counter cvhx hedges) - h0))"
[ "$(counter cvhx errors)" -eq 0 ] || fail "cvhx: errors"
trap - EXIT
echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
echo "$hedge" >$P/hedge; echo "$timeout" >$P/timeout_ms
echo "$max_kib" >$P/hedge_max_kib
echo cvhx >"$DELETE" || fail "delete cvhx"
