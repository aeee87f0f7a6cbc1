# SPDX-License-Identifier: GPL-2.0
# stack, unload: the module is removed right after reads timed out, while
# their lower reads are still in flight and their buffers still end in the
# module's b_end_io.  The lower device here completes in three seconds,
# far longer than rmmod takes, so rmmod must wait for those reads: when it
# returns, none may be in flight (freed module text still mapped would not
# fault, so this is what shows it), and nothing may touch freed memory
# (KASAN).  The module is loaded again for the tests after this one.
. /tests/lib.inc
ko=/lib/modules/cevstack.ko
[ -f $ko ] || { echo "# cevstack is built in: nothing to unload"; exit 77; }
slow_nullb
mkstack cvu0 linear 0 /dev/cvslow
echo 5 >/sys/module/cevstack/parameters/timeout_ms
t0=$(date +%s)
dd if=/dev/cvu0 of=/dev/null bs=65536 count=4 2>/dev/null &&
	fail "a timed-out read succeeded"
timeouts=$(counter cvu0 timeouts)
echo "timeouts before rmmod: $timeouts"
rmmod cevstack || fail "rmmod cevstack"
inflight=$(cat /sys/block/cvslow/inflight)
echo "rmmod returned $(($(date +%s) - t0)) s after the read began; lower reads and writes in flight: $inflight"
[ -d /sys/module/cevstack ] && fail "cevstack still loaded"
set -- $inflight
[ "$1" -eq 0 ] && [ "$2" -eq 0 ] || { sleep 4; fail "rmmod returned with lower I/O in flight"; }
insmod $ko || fail "insmod cevstack again"
[ "$timeouts" -gt 0 ] || fail "no read timed out before the unload"
