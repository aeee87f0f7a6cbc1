# SPDX-License-Identifier: GPL-2.0
# mirror, a recovery held to recovery_max_kib, as md's sync_speed_max
# holds a resync: a failed leg taken back at 2048 KiB/s has, each time it
# is looked at, copied no more than 2048 KiB a second since it was started
# and one step (256 KiB) more.  The guest's clock is read after the count,
# and the start before the recovery starts, so that a slow guest only
# makes the bound looser.  Then the rate is set to 1 KiB/s, a step every
# 256 s, and lifted (0) a second later: the wait sees the change, and the
# copy goes on to the end (within 300 s, which a wait that missed the
# change would not be), and the legs hold the same bytes.  Then a
# recovery held to 1 KiB/s is deleted under its wait: were the wait to
# go on, the delete would be blocked for 256 s, which the hung-task
# detector reports.  16 MiB legs, 64 steps.
# once: recoveries held to a rate (15 s)
. /tests/lib.inc
P=/sys/module/cevstack/parameters
RATE=$P/recovery_max_kib
RECOVER=$P/recover
[ -e "$RATE" ] || fail "no recovery_max_kib parameter"
NULLB_MIB=16 cfg_nullb cvrr0 10000 1
NULLB_MIB=16 cfg_nullb cvrr1 10000 1
mkstack cvrr mirror 0 /dev/cvrr0 /dev/cvrr1
trap 'fault cvrr1 off; echo 0 >$RATE; echo cvrr >"$DELETE" 2>/dev/null' EXIT
data 16
write_data /dev/cvrr

# fail_leg1: leg 1 fails under a write and is marked failed.
fail_leg1() {
	fault cvrr1 on
	dd if=/tmp/data of=/dev/cvrr bs=65536 count=1 oflag=direct 2>/dev/null ||
		fail "a write failed with a leg left"
	fault cvrr1 off
	[ "$(counter cvrr leg1)" = "cvrr1 failed" ] || fail "leg1 not marked failed"
}
# centiseconds since boot, from /proc/uptime's "SECONDS.HH", in integers
now_cs() { IFS=' .' read -r sec cs rest </proc/uptime; echo $((sec * 100 + ${cs#0})); }
copied() { [ "$(counter cvrr recovered_kib)" -gt "$1" ]; }
recovered() { [ "$(counter cvrr leg1)" = "cvrr1 ok" ]; }

fail_leg1
echo 2048 >$RATE
t0=$(now_cs)
echo "cvrr 1" >"$RECOVER" || fail "recover leg1"
wait_until 120 "the recovery copied nothing in 120 s" copied 0
for i in 1 2 3 4 5 6; do
	kib=$(counter cvrr recovered_kib)
	t=$(now_cs)
	# /proc/uptime's hundredths cut down: up to one more
	max=$((2048 * (t + 1 - t0) / 100 + 256))
	echo "after $((t - t0))0 ms: $kib KiB copied, at most $max"
	[ "$kib" -le "$max" ] ||
		fail "$kib KiB copied in $((t - t0))0 ms, over 2048 KiB/s"
	sleep 0.5
done
echo 1 >$RATE
sleep 1
echo 0 >$RATE
wait_until 300 "leg1 not recovered in 300 s with no rate" recovered
[ "$(counter cvrr recovered_kib)" -eq 16384 ] ||
	fail "recovered $(counter cvrr recovered_kib) KiB of 16384"
drop_caches
cmp /dev/cvrr0 /dev/cvrr1 || fail "the legs differ after the recovery"

fail_leg1
echo 1 >$RATE
base=$(counter cvrr recovered_kib)
echo "cvrr 1" >"$RECOVER" || fail "recover leg1 again"
wait_until 120 "the second recovery copied nothing in 120 s" copied "$base"
grep -q '^recovery ' "$STATS/cvrr" || fail "no recovery running at 1 KiB/s"
trap 'fault cvrr1 off; echo 0 >$RATE' EXIT
echo cvrr >"$DELETE" || fail "delete cvrr under a recovery held to its rate"
echo 0 >$RATE
trap - EXIT
