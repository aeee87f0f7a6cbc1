# SPDX-License-Identifier: GPL-2.0
# mirror, fault: with every bio to the fast mirror failing, reads still
# return the right data: the read that failed on it is tried again on the
# other leg.  The failing leg is marked failed and left out, as md's
# raid1 does with a faulty member.  Neither leg has been measured when
# the read starts, so it goes to the first, ram3.  The
# device is its own, deleted at the end, so that the failed leg does not
# change what the later mirror tests see.
. /tests/lib.inc
mkstack cvk0 mirror 0x33 /dev/ram3 /dev/nullb0
trap 'fault ram3 off; echo cvk0 >"$DELETE" 2>/dev/null' EXIT
data 4
write_data /dev/cvk0
drop_caches
fault ram3 on
same_as_data /dev/cvk0
rc=$?
fault ram3 off
[ $rc -eq 0 ] || fail "mirror read with one failing copy differs or failed"
grep '^leg[0-9]' "$STATS/cvk0" | sed 's/^/  /'
echo "errors: $(counter cvk0 errors), leg_errors: $(counter cvk0 leg_errors)," \
	"retries: $(counter cvk0 retries)"
[ "$(counter cvk0 errors)" -eq 0 ] || fail "the mirror reported an error"
[ "$(counter cvk0 leg_errors)" -gt 0 ] || fail "no leg error counted"
[ "$(counter cvk0 retries)" -gt 0 ] || fail "no read was tried again"
[ "$(counter cvk0 leg0)" = "ram3 failed" ] || fail "leg0 not marked failed"
[ "$(counter cvk0 leg1)" = "nullb0 ok" ] || fail "leg1 not ok"
trap - EXIT
echo cvk0 >"$DELETE" || fail "delete cvk0"
