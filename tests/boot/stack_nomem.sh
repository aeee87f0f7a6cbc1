# SPDX-License-Identifier: GPL-2.0
# stack, no memory: with half of the slab allocations made under
# cevstack's code failing (failslab, its stack filter set to the module's
# text, allocations that may wait included), I/O through every mode goes
# on from the driver's reserves: no error, the right data, and the
# "reserved" counter shows the reserves were used.
. /tests/lib.inc
F=/sys/kernel/debug/failslab
[ -e $F/require-start ] || fail "no failslab stack filter in this kernel"
text=$(cat /sys/module/cevstack/sections/.text)
# The end of the module's text: its last function in kallsyms, plus room
# for it.  Shell arithmetic is signed: only the low 32 bits are added to.
last=$(awk '$4 == "[cevstack]" && ($2 == "t" || $2 == "T") { print $1 }' \
	/proc/kallsyms | sort | tail -1)
case $last in
ffffffff????????) end=ffffffff$(printf %08x $((0x${last#ffffffff} + 4096))) ;;
*) fail "no cevstack text in kallsyms: \"$last\"" ;;
esac
[ ${#end} -eq 16 ] || fail "the module's text ends past a 4 GiB boundary"
off() { echo 0 >$F/probability; }
trap 'off; for n in cvo0 cvo1 cvo2 cvo3; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
echo "$text" >$F/require-start
echo "0x$end" >$F/require-end
echo 32 >$F/stacktrace-depth
echo N >$F/ignore-gfp-wait
echo N >$F/task-filter
echo 0 >$F/verbose
echo 1 >$F/interval
echo -1 >$F/times

data 4
# DEV: write and read back with half the allocations failing.  The lower
# devices hold data already: brd allocates none to overwrite it.
under_failslab() {
	dd if=/dev/zero of="/dev/$1" bs=65536 count=64 conv=fsync 2>/dev/null
	echo 50 >$F/probability
	write_data "/dev/$1"
	drop_caches
	same_as_data "/dev/$1" || { off; fail "$1: data differs"; }
	off
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
