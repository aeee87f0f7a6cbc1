# SPDX-License-Identifier: GPL-2.0
# mirror, stress: four readers at once on a mirror of a 50 ms leg and a
# fast one, with a hedge delay of 1 us, so that hedges start while their
# bio is still being submitted, then with a read timeout of 1 ms as well,
# so that timers cancel compounds around their submission.  Every read
# that succeeds returns the right data; nothing crashes, hangs or leaks
# (the delete at the end waits for every lower buffer).
. /tests/lib.inc
P=/sys/module/cevstack/parameters
hedge=$(cat $P/hedge_us)
window=$(cat $P/hedge_window_ms)
timeout=$(cat $P/timeout_ms)
trap 'echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms; echo "$timeout" >$P/timeout_ms
	echo cvq0 >"$DELETE" 2>/dev/null' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
mkstack cvq0 mirror 0 /dev/nullb0 /dev/ram6
data 4
write_data /dev/cvq0
# readers: four at once, each its quarter, O_DIRECT; those that read
# compare; the number that failed is printed.
readers() {
	for q in 0 1 2 3; do
		(dd if=/dev/cvq0 bs=65536 skip=$((q * 16)) count=16 iflag=direct \
			2>/dev/null >/tmp/s$q || exit 2
		 dd if=/tmp/data bs=65536 skip=$((q * 16)) count=16 2>/dev/null |
			cmp -s - /tmp/s$q || exit 1) &
		eval pid$q=$!
	done
	failed=0
	for q in 0 1 2 3; do
		eval wait \$pid$q
		case $? in
		0) ;;
		2) failed=$((failed + 1)) ;;
		*) fail "reader $q got other data" ;;
		esac
	done
	echo $failed
}
echo 1 >$P/hedge_us
f=$(readers)
echo "hedge_us=1: $f of 4 readers failed; hedges $(counter cvq0 hedges)"
[ "$f" = 0 ] || fail "a read failed with both legs healthy"
echo 1 >$P/timeout_ms
f=$(readers)
echo "and timeout_ms=1: $f of 4 readers failed; timeouts $(counter cvq0 timeouts)"
[ "$(counter cvq0 leg0)" = "nullb0 ok" ] || fail "a timeout failed a leg"
trap - EXIT
echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms
echo "$timeout" >$P/timeout_ms
echo cvq0 >"$DELETE" || fail "delete cvq0"
