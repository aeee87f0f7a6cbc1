# SPDX-License-Identifier: GPL-2.0
# stack, timeout, writes: a write is never given up on while its lower
# writes are in flight (they cannot be withdrawn, and one that landed
# after the write was failed could overwrite a retry).  With a timeout
# far shorter than the lower device's 50 ms, writes still succeed and
# the data reads back intact, and only reads time out.
. /tests/lib.inc
mkstack cvw0 linear 0 /dev/nullb1
data 1
old=$(cat /sys/module/cevstack/parameters/timeout_ms)
echo 5 >/sys/module/cevstack/parameters/timeout_ms
dd if=/tmp/data of=/dev/cvw0 bs=65536 conv=fsync 2>/tmp/err
rc=$?
echo "$old" >/sys/module/cevstack/parameters/timeout_ms
cat /tmp/err
echo "timeouts: $(counter cvw0 timeouts), errors: $(counter cvw0 errors)"
[ $rc -eq 0 ] || fail "a write failed with a timeout shorter than the device"
[ "$(counter cvw0 timeouts)" -eq 0 ] || fail "a write timed out"
drop_caches
same_as_data /dev/cvw0 || fail "data written under a short timeout did not read back"
# Reads and writes of a device without a layer, on a null_blk whose I/O
# ends in a timer: every bio was finished where its compound completed,
# none on the workqueue.
echo "task_finishes: $(counter cvw0 task_finishes) of $(counter cvw0 reads) reads, $(counter cvw0 writes) writes"
[ "$(counter cvw0 task_finishes)" -eq 0 ] || fail "bios finished on the workqueue"
