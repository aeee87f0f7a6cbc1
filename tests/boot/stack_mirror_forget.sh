# SPDX-License-Identifier: GPL-2.0
# mirror, a leg slow once is tried again: a fast leg (brd) and a slow one
# (null_blk, 50 ms), not hedged.  The reads learn which leg is slow and go
# to the other; each read that passes the slow leg over makes its
# estimate a little older, so that now and then a read tries it again.
# Were an estimate to move only when its leg is read, a leg slow once (a
# stall since ended) would be read no more.  Of 3000 reads one at a
# time, the slow leg takes at least two (so at least one after it was
# found slow) and no more than 2%.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
hedge=$(cat $P/hedge)
mkstack cvg0 mirror 0 /dev/ram3 /dev/nullb0
trap 'echo "$hedge" >$P/hedge; echo cvg0 >"$DELETE" 2>/dev/null' EXIT
echo N >$P/hedge
reads() { awk '{ print $1 }' /sys/block/nullb0/stat; }
before=$(reads)
dd if=/dev/cvg0 of=/dev/null bs=4096 count=3000 iflag=direct 2>/tmp/err ||
	fail "read: $(cat /tmp/err)"
slow=$(($(reads) - before))
echo "of 3000 reads, $slow went to the slow leg"
[ "$slow" -ge 2 ] || fail "the slow leg was not tried again"
[ "$slow" -le 60 ] || fail "the slow leg took more than 2% of the reads"
[ "$(counter cvg0 errors)" -eq 0 ] || fail "errors"
