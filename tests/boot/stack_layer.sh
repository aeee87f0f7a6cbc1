# SPDX-License-Identifier: GPL-2.0
# layer: a linear stack with the XOR layer.  Data read back through the
# stack is what was written; on the lower device it is transformed; the
# layer ran for the reads.
. /tests/lib.inc
mkstack cvl0 linear 0x5a /dev/ram0
data 4
write_data /dev/cvl0
drop_caches
same_as_data /dev/cvl0 || fail "read back through the layer differs"
same_as_data /dev/ram0 && fail "lower device holds the plain data"
echo "transforms: $(counter cvl0 transforms), buffers: $(counter cvl0 buffers)"
[ "$(counter cvl0 transforms)" -gt 0 ] || fail "the layer never ran"
[ "$(counter cvl0 errors)" -eq 0 ] || fail "errors"
# A read under a layer is finished in task context (lev_del() sleeps): on
# the workqueue, every one; writes have no layer.
echo "task_finishes: $(counter cvl0 task_finishes), reads: $(counter cvl0 reads)"
[ "$(counter cvl0 task_finishes)" -eq "$(counter cvl0 reads)" ] ||
	fail "not every layered read was finished in task context"
