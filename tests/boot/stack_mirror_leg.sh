# SPDX-License-Identifier: GPL-2.0
# mirror, a leg failing under writes: with every bio to one leg failing,
# writes through the mirror still succeed on the other; the leg is marked
# failed, counted, and given no write from then on, even once it works
# again; reads come back right from the leg that is left.  That last leg
# is never failed: a write it fails is an error, and it goes on serving.
. /tests/lib.inc
mkstack cvg0 mirror 0 /dev/ram6 /dev/ram7
trap 'fault ram6 off; fault ram7 off; echo cvg0 >"$DELETE" 2>/dev/null' EXIT
data 4
dd if=/dev/urandom of=/tmp/old bs=65536 count=64 2>/dev/null
dd if=/tmp/old of=/dev/cvg0 bs=65536 conv=fsync 2>/dev/null ||
	fail "write to the healthy mirror"
fault ram6 on
dd if=/tmp/data of=/dev/cvg0 bs=65536 conv=fsync 2>/tmp/err
rc=$?
fault ram6 off
cat /tmp/err
grep '^leg[0-9]' "$STATS/cvg0" | sed 's/^/  /'
echo "errors: $(counter cvg0 errors), leg_errors: $(counter cvg0 leg_errors)"
[ $rc -eq 0 ] || fail "a write failed while one leg was left"
[ "$(counter cvg0 errors)" -eq 0 ] || fail "the mirror reported an error"
[ "$(counter cvg0 leg0)" = "ram6 failed" ] || fail "leg0 not marked failed"
[ "$(counter cvg0 leg1)" = "ram7 ok" ] || fail "leg1 not ok"
# ram6 works again, but is out of date: it must get no write.
write_data /dev/cvg0
drop_caches
same_as_data /dev/cvg0 || fail "read back differs"
same_as_data /dev/ram7 || fail "the healthy leg is not right"
dd if=/dev/ram6 bs=65536 count=64 2>/dev/null | cmp -s - /tmp/old ||
	fail "the failed leg was written"
# The last leg fails a write: the write fails, the leg stays.
fault ram7 on
dd if=/dev/zero of=/dev/cvg0 bs=4096 count=1 oflag=direct 2>/dev/null &&
	fail "a write that no leg took succeeded"
fault ram7 off
[ "$(counter cvg0 leg1)" = "ram7 ok" ] || fail "the last leg was failed"
drop_caches
same_as_data /dev/cvg0 || fail "the last leg stopped serving reads"
trap - EXIT
echo cvg0 >"$DELETE" || fail "delete cvg0"
