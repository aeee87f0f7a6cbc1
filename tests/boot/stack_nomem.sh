# SPDX-License-Identifier: GPL-2.0
# stack, no memory: with half of the slab allocations made under
# cevstack's code failing (failslab, its stack filter set to the module's
# text, allocations that may wait included), I/O through every mode goes
# on from the driver's reserves: no error, the right data, and the
# "reserved" counter shows the reserves were used.
. /tests/lib.inc
trap 'failslab_restore; for n in cvo0 cvo1 cvo2; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
failslab_cevstack

data 4
# DEV: write and read back with half the allocations failing.  The lower
# devices hold data already: brd allocates none to overwrite it.
under_failslab() {
	dd if=/dev/zero of="/dev/$1" bs=65536 count=64 conv=fsync 2>/dev/null
	failslab_prob 50
	write_data "/dev/$1"
	drop_caches
	same_as_data "/dev/$1" || { failslab_prob 0; fail "$1: data differs"; }
	failslab_prob 0
	echo "$1: reserved $(counter "$1" reserved), errors $(counter "$1" errors)"
	[ "$(counter "$1" errors)" -eq 0 ] || fail "$1: errors"
	[ "$(counter "$1" reserved)" -gt 0 ] || fail "$1: the reserves were not used"
}
mkstack cvo0 linear 0 /dev/ram6
under_failslab cvo0
echo cvo0 >"$DELETE"
mkstack cvo1 stripe 0x5a /dev/ram6 /dev/ram7
under_failslab cvo1
echo cvo1 >"$DELETE"
mkstack cvo2 mirror 0 /dev/ram6 /dev/ram7
under_failslab cvo2
echo cvo2 >"$DELETE"
