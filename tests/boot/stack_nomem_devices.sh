# SPDX-License-Identifier: GPL-2.0
# stack, no memory, two devices: each device has reserves of its own.
# With every slab allocation the test's dd processes make under
# cevstack's code failing (failslab's stack and task filters: the
# counters are read meanwhile), a read through a device over a 3 s
# null_blk holds that device's reserves for 3 s; a write and its read
# back through a second device, over a ramdisk, must not wait for them.
# Before, the reserves were the module's, and the second device's I/O
# waited for the first's: with a cevstack device over another, a wait
# for its own lower I/O, which never ends (stack_nested).
. /tests/lib.inc
trap 'failslab_restore; wait
	for n in cvr0 cvr1; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
failslab_cevstack
failslab_tasks
slow_nullb
data 1
mkstack cvr0 linear 0 /dev/cvslow
mkstack cvr1 linear 0 /dev/ram6
# brd allocates nothing to overwrite blocks it has.
dd if=/dev/zero of=/dev/cvr1 bs=65536 count=16 oflag=direct 2>/dev/null ||
	fail "cvr1: first write"
dd if=/tmp/data of=/tmp/want bs=65536 count=1 2>/dev/null

failslab_prob 100
failing dd if=/dev/cvr0 of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null &
slow=$!
# The slow read has its memory when it counts a reserved I/O.
i=0
until [ "$(counter cvr0 reserved)" -gt 0 ]; do
	i=$((i + 1))
	[ $i -le 200 ] || fail "cvr0: the read did not use the reserves"
	usleep 10000
done
failing dd if=/tmp/want of=/dev/cvr1 bs=4096 count=16 oflag=direct 2>/dev/null ||
	fail "cvr1: write"
failing dd if=/dev/cvr1 of=/tmp/got bs=4096 count=16 iflag=direct 2>/dev/null ||
	fail "cvr1: read"
kill -0 $slow 2>/dev/null ||
	fail "cvr1's I/O waited for the read through cvr0 to end"
wait $slow || fail "cvr0: read"
failslab_prob 0
cmp -s /tmp/want /tmp/got || fail "cvr1: data differs"
echo "cvr0: reserved $(counter cvr0 reserved); cvr1: reserved" \
	"$(counter cvr1 reserved), errors $(counter cvr1 errors)"
[ "$(counter cvr1 reserved)" -gt 0 ] || fail "cvr1: the reserves were not used"
[ "$(counter cvr1 errors)" -eq 0 ] || fail "cvr1: errors"
