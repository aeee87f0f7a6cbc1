# SPDX-License-Identifier: GPL-2.0
# mirror, failover: a read that outlives timeout_ms on one leg is sent to
# another before it is given up on.  A mirror of a 50 ms leg (nullb1)
# and a 3 s one, with a 500 ms timeout: once not hedged (hedge=N), once
# hedged with a hedge delay far above the timeout.  Each time the read
# that goes to the 3 s leg fails over to nullb1 and returns the right
# data (before, it failed: timed out), none times out, and the late leg
# is not failed: late is not faulty.  stack_timeout covers reads with no
# leg to go to.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
timeout=$(cat $P/timeout_ms) hedge=$(cat $P/hedge) hedge_us=$(cat $P/hedge_us)
window=$(cat $P/hedge_window_ms)
trap 'echo "$timeout" >$P/timeout_ms; echo "$hedge" >$P/hedge
	echo "$hedge_us" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
	for n in cvf0 cvf1; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
slow_nullb
data 4
dd if=/tmp/data of=/tmp/want bs=16384 count=1 2>/dev/null

# failover NAME: write 16 KiB through a new mirror, read its 4 blocks
# back one at a time with a 500 ms timeout (read_late).
failover() {
	# The partition scan reads nullb1, the first of two legs alike so
	# far; the 3 s leg, not read yet, then looks the faster (its
	# estimate is still the 1 ms it starts from) and the next read goes
	# there.  Were the scan to read more (other partition parsers), the
	# 3 s leg would learn its latency first and the test would fail for
	# want of a failover, not pass.
	mkstack "$1" mirror 0 /dev/nullb1 /dev/cvslow
	read_late "$1"
	echo "$1: failovers $(counter "$1" failovers), timeouts" \
		"$(counter "$1" timeouts), leg1 $(counter "$1" leg1)"
	[ "$(counter "$1" failovers)" -ge 1 ] || fail "$1: no failover counted"
	[ "$(counter "$1" timeouts)" -eq 0 ] || fail "$1: a read timed out"
	[ "$(counter "$1" leg1)" = "cvslow ok" ] || fail "$1: the late leg was failed"
	echo "$1" >"$DELETE" || fail "delete $1"
}
echo N >$P/hedge
failover cvf0
echo Y >$P/hedge
echo 10000000 >$P/hedge_us
failover cvf1
