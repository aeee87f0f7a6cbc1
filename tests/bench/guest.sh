#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's half of make bench, run by /init with cev.mode=bench.
# Kernel command line: cev.bench=perf|stock (which module was built for
# this kernel), cev.bench_parts=, cev.bench_rounds=, cev.bench_max_n= (the
# module's parameters), cev.bench_io=SECONDS (0: no I/O part; else each fio
# job runs that long).  Figures go to the console: the module's
# "cev-bench: case=..." lines, and one "cev-fio: NAME BS JSON" line per fio
# job.  scripts/bench-report.py reads them.

flavour=perf parts=wake rounds=7 max_n=1048576 io=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	cev.bench=*) flavour=${arg#*=} ;;
	cev.bench_parts=*) parts=${arg#*=} ;;
	cev.bench_rounds=*) rounds=${arg#*=} ;;
	cev.bench_max_n=*) max_n=${arg#*=} ;;
	cev.bench_io=*) io=${arg#*=} ;;
	esac
done

echo "cev-bench-guest: $flavour kernel $(uname -r), $(grep -c '^processor' /proc/cpuinfo) CPUs, parts=$parts"
insmod "/bench/cev_bench-$flavour.ko" parts="$parts" rounds="$rounds" max_n="$max_n" ||
	echo "cev-bench: error: insmod of cev_bench-$flavour.ko failed"
[ "$io" -gt 0 ] 2>/dev/null || exit 0

CREATE=/sys/module/cevstack/parameters/create
mkstack() {
	echo "$*" >"$CREATE" && [ -b "/dev/$1" ] ||
		echo "cev-bench: error: cannot create $*"
}

# fio_job NAME DEVICE BS: random direct reads, one at a time, for $io s
# over the first 64 MiB; the JSON report on one line.
fio_job() {
	fio --name="$1" --filename="$2" --direct=1 --rw=randread --bs="$3" \
		--ioengine=psync --iodepth=1 --size=64M --time_based \
		--runtime="$io" --ramp_time=1 --randrepeat=0 \
		--output-format=json >/tmp/fio.json 2>/tmp/fio.err ||
		{ echo "cev-bench: error: fio $1 on $2: $(cat /tmp/fio.err)"; return; }
	echo "cev-fio: $1 $3 $(tr -d '\n' </tmp/fio.json)"
}

[ -b /dev/dm-0 ] || echo "cev-bench: error: no dm-linear device (dm-mod.create=)"
# Every lower block is written before it is read, so that no read is of a
# page brd or null_blk never allocated.
for d in /dev/ram0 /dev/ram1 /dev/ram2 /dev/ram3 /dev/ram4 /dev/ram5 \
	/dev/ram6 /dev/ram7 /dev/nullb0; do
	dd if=/dev/zero of="$d" bs=1048576 count=64 conv=fsync 2>/dev/null ||
		echo "cev-bench: error: cannot write $d"
done
# A lower device is claimed by one cevstack device; reading it directly
# as well is allowed.
mkstack bl0 linear 0 /dev/ram0
mkstack bl1 linear 0x5a /dev/ram1
mkstack bs0 stripe 0 /dev/ram2 /dev/ram3
mkstack bm0 mirror 0 /dev/ram4 /dev/ram5
mkstack bh0 mirror 0 /dev/ram6 /dev/nullb0

for bs in 4k 64k; do
	fio_job lower /dev/ram0 $bs
	[ -b /dev/dm-0 ] && fio_job dm_linear /dev/dm-0 $bs
	fio_job linear /dev/bl0 $bs
	fio_job layer /dev/bl1 $bs
	fio_job stripe /dev/bs0 $bs
	fio_job mirror /dev/bm0 $bs
	fio_job fast_alone /dev/ram6 $bs
	fio_job slow_alone /dev/nullb0 $bs
	fio_job hedged /dev/bh0 $bs
done
for d in bl0 bl1 bs0 bm0 bh0; do
	echo "cev-bench-guest: $d: $(tr '\n' ' ' </sys/kernel/debug/cevstack/$d)"
done
