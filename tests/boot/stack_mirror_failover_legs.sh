# SPDX-License-Identifier: GPL-2.0
# mirror, failover past a second late leg: a read that is late on two
# legs goes to a third.  A mirror of a 50 ms leg (nullb1) and two 3 s
# ones, with a 500 ms timeout: the read goes to a 3 s leg, fails over to
# the other 3 s leg, and then to nullb1, which returns the right data
# (before, it timed out once the second leg was late too).  Once not
# hedged (hedge=N), once hedged 100 ms in, before the timeout: the hedge
# is the second copy, the failover the third.  No read times out, and no
# late leg is failed.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
timeout=$(cat $P/timeout_ms) hedge=$(cat $P/hedge) hedge_us=$(cat $P/hedge_us)
window=$(cat $P/hedge_window_ms)
trap 'echo "$timeout" >$P/timeout_ms; echo "$hedge" >$P/hedge
	echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
	for n in cvfl0 cvfl1; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
slow_nullb
cfg_nullb cvslow2 3000000000 1
data 4
dd if=/tmp/data of=/tmp/want bs=16384 count=1 2>/dev/null

# failover3 NAME: write 16 KiB through a new mirror, read its 4 blocks
# back one at a time with a 500 ms timeout (read_late).
failover3() {
	# The partition scan reads nullb1, the first of three legs alike so
	# far (see stack_mirror_failover); the 3 s legs, not read yet, then
	# look the faster, and the next read goes to one, hedged to the
	# other.
	mkstack "$1" mirror 0 /dev/nullb1 /dev/cvslow /dev/cvslow2
	read_late "$1"
	echo "$1: failovers $(counter "$1" failovers), hedges" \
		"$(counter "$1" hedges), timeouts $(counter "$1" timeouts)," \
		"leg1 $(counter "$1" leg1), leg2 $(counter "$1" leg2)"
	# The late read fails over until a copy goes to nullb1: twice, or
	# once where the hedge made the second copy; the reads after it go
	# to nullb1.
	[ "$(counter "$1" failovers)" -eq "$2" ] ||
		fail "$1: $(counter "$1" failovers) failovers, not $2"
	[ "$(counter "$1" timeouts)" -eq 0 ] || fail "$1: a read timed out"
	[ "$(counter "$1" leg1)" = "cvslow ok" ] || fail "$1: a late leg was failed"
	[ "$(counter "$1" leg2)" = "cvslow2 ok" ] || fail "$1: a late leg was failed"
	echo "$1" >"$DELETE" || fail "delete $1"
}
echo N >$P/hedge
failover3 cvfl0 2
echo Y >$P/hedge
echo 100000 >$P/hedge_us
failover3 cvfl1 1
