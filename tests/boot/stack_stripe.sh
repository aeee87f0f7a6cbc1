# SPDX-License-Identifier: GPL-2.0
# stripe: two lower devices, compound completion of every multi-block
# bio; four readers at once, each checks its own quarter.
. /tests/lib.inc
mkstack cvs0 stripe 0 /dev/ram1 /dev/ram2
data 4
write_data /dev/cvs0
drop_caches
same_as_data /dev/cvs0 || fail "read back differs"
drop_caches
for q in 0 1 2 3; do
	(dd if=/dev/cvs0 bs=65536 skip=$((q * 16)) count=16 2>/dev/null >/tmp/q$q
	 dd if=/tmp/data bs=65536 skip=$((q * 16)) count=16 2>/dev/null | cmp -s - /tmp/q$q) &
	eval pid$q=$!
done
for q in 0 1 2 3; do
	eval wait \$pid$q || fail "reader $q got other data"
done
echo "reads: $(counter cvs0 reads), buffers: $(counter cvs0 buffers)"
echo "task_finishes: $(counter cvs0 task_finishes)"
[ "$(counter cvs0 task_finishes)" -eq 0 ] || fail "bios finished on the workqueue"
