# SPDX-License-Identifier: GPL-2.0
# mirror, a leg that fails again during its recovery: the recovery stops,
# and the leg is not taken back until it has: another "NAME LEG" written
# to recover meanwhile is refused (EBUSY).  Were it taken, the running
# copy would go on from where it was, past the block the leg had just
# missed, and end by marking the leg in sync.  Then a recovery copies the
# leg whole, and it holds the block.  The copy's source completes after
# 10 ms, the leg after 3 s, so that the copy is in the middle of a step
# when the leg fails again (the driver before this test took the second
# recovery there, and it ended with the leg "ok" without the block);
# 1 MiB legs, 4 steps.  Then a write that fails on the leg in sync but
# reaches the one being recovered, behind the copy.
# once: recoveries over a leg of 3 s a request (60 s)
. /tests/lib.inc
RECOVER=/sys/module/cevstack/parameters/recover
[ -e "$RECOVER" ] || fail "no recover parameter"
NULLB_MIB=1 cfg_nullb cvra0 10000000 1
NULLB_MIB=1 cfg_nullb cvra1 3000000000 1
mkstack cvrg mirror 0 /dev/cvra0 /dev/cvra1
trap 'fault cvra1 off; echo cvrg >"$DELETE" 2>/dev/null' EXIT
head -c 4096 /dev/urandom >/tmp/blockA
head -c 4096 /dev/urandom >/tmp/blockB
# Leg 1 misses block 0's write A.
fault cvra1 on tasks
failing dd if=/tmp/blockA of=/dev/cvrg bs=4096 count=1 oflag=direct 2>/dev/null ||
	fail "write A failed with a leg left"
[ "$(counter cvrg leg1)" = "cvra1 failed" ] || fail "leg1 not failed by write A"
echo "cvrg 1" >"$RECOVER" || fail "recover leg1"
copied() { [ "$(counter cvrg recovered_kib)" -ge "$1" ]; }
in_state() { [ "$(counter cvrg leg1)" = "cvra1 $1" ]; }
wait_until 60 "the recovery copied no step in 60 s" copied 512
# Block 0 is copied; the leg misses write B to it, and is failed again.
failing dd if=/tmp/blockB of=/dev/cvrg bs=4096 count=1 oflag=direct 2>/dev/null ||
	fail "write B failed with a leg left"
fault cvra1 off
[ "$(counter cvrg leg1)" = "cvra1 failed" ] || fail "leg1 not failed by write B"
# Refused until the first recovery has stopped, then taken.
refused=0
until echo "cvrg 1" >"$RECOVER" 2>/dev/null; do
	refused=$((refused + 1))
	[ $refused -le 600 ] || fail "no recovery taken in 60 s"
	sleep 0.1
done
echo "recovery refused $refused times while the first one stopped"
wait_until 120 "leg1 not recovered in 120 s" in_state ok
dd if=/dev/cvra1 bs=4096 count=1 iflag=direct 2>/dev/null | cmp -s - /tmp/blockB ||
	fail "leg1 in sync without block 0's write B"
drop_caches
cmp /dev/cvra0 /dev/cvra1 || fail "the legs differ after the recovery"

# A write fails on the leg in sync and lands on the leg being recovered,
# behind the copy: it fails, and the two legs must not both end up in
# sync with different data in its block (the first version let the
# recovery go on and end with the leg "ok").
fault cvra1 on tasks
failing dd if=/tmp/blockA of=/dev/cvrg bs=4096 count=1 oflag=direct 2>/dev/null ||
	fail "write A failed with a leg left"
fault cvra1 off
kib=$(counter cvrg recovered_kib)
echo "cvrg 1" >"$RECOVER" || fail "recover leg1 again"
wait_until 60 "the recovery copied no step in 60 s" copied $((kib + 512))
head -c 4096 /dev/urandom >/tmp/blockC
fault cvra0 on tasks
failing dd if=/tmp/blockC of=/dev/cvrg bs=4096 count=1 oflag=direct 2>/dev/null &&
	fail "a write that the leg in sync failed succeeded"
fault cvra0 off
wait_until 60 "the recovery did not end in 60 s" \
	sh -c "! grep -q '^recovery ' $STATS/cvrg"
echo "after the failed write C: $(grep '^leg' "$STATS/cvrg" | tr '\n' ' ')"
if [ "$(counter cvrg leg1)" = "cvra1 ok" ]; then
	drop_caches
	cmp /dev/cvra0 /dev/cvra1 ||
		fail "both legs in sync, with different data"
fi
trap - EXIT
echo cvrg >"$DELETE" || fail "delete cvrg"
