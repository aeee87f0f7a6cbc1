# SPDX-License-Identifier: GPL-2.0
# stack, timeout: bios that outlive timeout_ms are cancelled; the reader
# gets an error, not a hang and not wrong data; the late I/O is let go.
. /tests/lib.inc
mkstack cvt0 linear 0 /dev/nullb1
old=$(cat /sys/module/cevstack/parameters/timeout_ms)
echo 5 >/sys/module/cevstack/parameters/timeout_ms
drop_caches
dd if=/dev/cvt0 of=/dev/null bs=65536 count=4 2>/tmp/err
rc=$?
echo "$old" >/sys/module/cevstack/parameters/timeout_ms
cat /tmp/err
echo "timeouts: $(counter cvt0 timeouts), cancelled: $(counter cvt0 cancelled)"
[ $rc -ne 0 ] || fail "a timed-out read succeeded"
[ "$(counter cvt0 timeouts)" -gt 0 ] || fail "no timeout counted"
[ "$(counter cvt0 cancelled)" -gt 0 ] || fail "no child cancelled"
