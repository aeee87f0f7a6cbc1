# SPDX-License-Identifier: GPL-2.0
# stripe, fault: with every bio to one lower device failing, reads of the
# stripe fail with EIO instead of returning wrong data.
. /tests/lib.inc
mkstack cvs0 stripe 0 /dev/ram1 /dev/ram2
data 4
write_data /dev/cvs0
drop_caches
fault ram1 on
dd if=/dev/cvs0 of=/tmp/out bs=65536 count=16 2>/tmp/err
rc=$?
fault ram1 off
cat /tmp/err
[ $rc -ne 0 ] || fail "a read over a failing device succeeded"
grep -q -i "error" /tmp/err || fail "no I/O error reported"
echo "errors: $(counter cvs0 errors)"
[ "$(counter cvs0 errors)" -gt 0 ] || fail "the stack counted no error"
drop_caches
same_as_data /dev/cvs0 || fail "data differs once the fault is gone"
