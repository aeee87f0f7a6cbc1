# SPDX-License-Identifier: GPL-2.0
# stack, soak: for cev.stack_soak= seconds (20 unless the command line
# says otherwise; make stack-soak DURATION=), rounds of fio writes and
# reads with crc32c verify through a mirror, a keyed stripe and a linear
# device, in turn, with failslab failing a quarter of the allocations
# made under cevstack's code, and on the mirror one leg starting to fail
# at a random moment of the round.  Every round: fio's verify passes, no
# bio fails (the mirror's failing leg is marked failed, never the last),
# and the device is deleted with no buffer left.
. /tests/lib.inc
secs=20
for arg in $(cat /proc/cmdline); do
	case $arg in cev.stack_soak=*) secs=${arg#cev.stack_soak=} ;; esac
done
off() { failslab_prob 0; fault ram7 off; }
trap 'failslab_restore; fault ram7 off
      for n in cvz0 cvz1 cvz2; do echo $n >"$DELETE" 2>/dev/null; done' EXIT
failslab_cevstack
# The lower devices hold data already: brd allocates none to overwrite it.
for d in ram6 ram7; do
	dd if=/dev/zero of=/dev/$d bs=1048576 count=32 2>/dev/null
done

# round NAME: fio writes 4 to 64 KiB at a time on /dev/NAME, then reads
# everything back and verifies it.
round() {
	fio --name=soak --filename="/dev/$1" --rw=randwrite --bsrange=4k-64k \
		--size=16m --direct=1 --ioengine=psync --verify=crc32c \
		--verify_fatal=1 --randrepeat=0 --output=/tmp/fio.out ||
		{ off; cat /tmp/fio.out; fail "round $r: fio on $1"; }
}

start=$(date +%s) r=0 reserved=0 failed=0
while [ $(($(date +%s) - start)) -lt "$secs" ] || [ $r -lt 3 ]; do
	r=$((r + 1))
	# Created with every allocation there: only the I/O is failed.
	case $((r % 3)) in
	1) n=cvz0; mkstack cvz0 mirror 0 /dev/ram6 /dev/ram7 ;;
	2) n=cvz1; mkstack cvz1 stripe 0x66 /dev/ram6 /dev/ram7 ;;
	0) n=cvz2; mkstack cvz2 linear 0 /dev/ram6 ;;
	esac
	failslab_prob 25
	if [ "$n" = cvz0 ]; then
		(usleep $(($(od -An -N1 -tu1 /dev/urandom) * 4000)); fault ram7 on) &
	fi
	round "$n"
	wait
	off
	# Read with failslab off: debugfs allocates under cevstack's code.
	[ "$(counter "$n" errors)" -eq 0 ] || fail "round $r: errors on $n"
	if [ "$n" = cvz0 ]; then
		[ "$(counter cvz0 leg0)" = "ram6 ok" ] || fail "round $r: leg0 failed"
		[ "$(counter cvz0 leg1)" = "ram7 failed" ] && failed=$((failed + 1))
	fi
	reserved=$((reserved + $(counter "$n" reserved)))
	echo "$n" >"$DELETE" || fail "round $r: delete $n"
done
echo "$r rounds in $(($(date +%s) - start)) s; I/Os from the reserves: $reserved; mirror legs failed mid-round: $failed"
[ "$reserved" -gt 0 ] || fail "the reserves were never used"
