# SPDX-License-Identifier: GPL-2.0
# mirror, fault: with every bio to the fast mirror failing, reads still
# return the right data, from the other copy.
. /tests/lib.inc
mkstack cvm0 mirror 0x33 /dev/ram3 /dev/nullb0
data 4
write_data /dev/cvm0
drop_caches
fault ram3 on
same_as_data /dev/cvm0
rc=$?
fault ram3 off
[ $rc -eq 0 ] || fail "mirror read with one failing copy differs or failed"
echo "errors: $(counter cvm0 errors)"
[ "$(counter cvm0 errors)" -eq 0 ] || fail "the mirror reported an error"
