# SPDX-License-Identifier: GPL-2.0
# torture: kernel/cev_torture.c for cev.torture= seconds (60 unless the
# command line says otherwise), with failslab aimed at its own caches.
# Its control interface refuses malformed input first.
. /tests/lib.inc
T=/sys/module/cev_torture/parameters
secs=60
for arg in $(cat /proc/cmdline); do
	case $arg in cev.torture=*) secs=${arg#cev.torture=} ;; esac
done
[ -d $T ] || fail "no cev_torture"
for bad in 0 -5 abc 86401 "" "1 2" 0x; do
	if echo "$bad" >$T/run 2>/dev/null; then
		fail "run accepted \"$bad\""
	fi
done
echo "malformed input refused"

F=/sys/kernel/debug/failslab
echo N >$F/ignore-gfp-wait
echo Y >$F/cache-filter
echo 100 >$F/probability
echo 1000 >$F/interval
echo -1 >$F/times
echo 0 >$F/verbose
echo 1 >/sys/kernel/slab/cev_torture_leaf/failslab
echo 1 >/sys/kernel/slab/cev_torture_node/failslab

echo "$secs" >$T/run || fail "cannot start"
echo 1 >$T/run 2>/dev/null && fail "a second run started while running"
waited=0
while [ "$(cat $T/state)" != done ]; do
	sleep 5
	waited=$((waited + 5))
	[ $waited -le $((secs + 300)) ] || fail "still running after $waited s"
done
echo 0 >/sys/kernel/slab/cev_torture_leaf/failslab
echo 0 >/sys/kernel/slab/cev_torture_node/failslab
dmesg | grep 'cev_torture: end' | tail -2
dmesg | grep -q 'cev_torture: end: leaked=0 violations=0: SUCCESS' || fail "torture failed"
dmesg | grep 'cev_torture: end:' | grep -q ' faults=0 ' && fail "no fault was injected"
exit 0
