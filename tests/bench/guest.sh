#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's half of make bench, run by /init with cev.mode=bench.
# Kernel command line: cev.bench=perf|stock (which module was built for
# this kernel), cev.bench_parts= (the module's parts, or "fs" for the file
# system part alone, or "stack" for cevstack against dm and md,
# tests/bench/stack.sh), cev.bench_rounds=, cev.bench_max_n= (the module's
# parameters), cev.bench_io=SECONDS (0: no I/O part; else each fio job
# runs that long).  Figures go to the console: the module's
# "cev-bench: case=..." lines, one "cev-fio: NAME BS JSON" line per fio
# job, and the file system part's "cev-fs: ..." lines.
# scripts/bench-report.py reads them.

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

# The guest has no entropy source but interrupts: its random pool is not
# ready at this point, and the first program to read it blocking (fio)
# would run the kernel's jitter-entropy loop (try_to_generate_entropy())
# inside the first measurement: a perf boot found it there, with the
# scheduling it does, in the first fio run (1.2% of all samples), and
# waiting for the pool took 2.5 s of one CPU.  Wait for it here.
t0=$(cut -d' ' -f1 /proc/uptime)
head -c 1 /dev/random >/dev/null
echo "cev-bench-guest: random pool waited for from ${t0} s to $(cut -d' ' -f1 /proc/uptime) s of uptime"

# The file system part (parts=fs; the stock kernel runs it too, without
# the module): ext4 on two devices whose I/O completes from timers, so
# that fsync and jbd2 sleep.  "nb": a memory-backed null_blk with four
# submit queues and 100 us completions, which end in the order they were
# issued.  "stripe": dm's striped target (64 KiB chunks) over two such
# null_blks, of 50 us and 400 us, whose completions do not.  One line a
# workload: "cev-fs: DEV:NAME COMMITS CTXSW JSON", with the commits of
# the file system's jbd2 thread and its voluntary context switches during
# the run (0 0 without a journal), and fio's report.

# fs_nullb NAME USECS: a memory-backed null_blk of 1 GiB made through
# configfs, completing from a timer after USECS.
fs_nullb() {
	cfg=/sys/kernel/config
	nb=$cfg/nullb/$1
	grep -q " $cfg configfs" /proc/mounts || mount -t configfs configfs $cfg
	mkdir $nb && echo 1 >$nb/memory_backed && echo 2 >$nb/irqmode &&
		echo $(($2 * 1000)) >$nb/completion_nsec &&
		echo 4 >$nb/submit_queues && echo 4096 >$nb/blocksize &&
		echo 1024 >$nb/size && echo 1 >$nb/power && [ -b /dev/$1 ] ||
		echo "cev-bench: error: cannot make /dev/$1"
}
# fs_stripe: dm's striped target over /dev/cvfs50 and /dev/cvfs400, made
# without udev; prints its block device (/dev/dm-N).
fs_stripe() {
	sectors=$((2 * 1024 * 2048))
	echo "0 $sectors striped 2 128 /dev/cvfs50 0 /dev/cvfs400 0" |
		dmsetup create cvstripe --noudevsync --noudevrules 2>/tmp/dm.err &&
		name=$(dmsetup info -c --noheadings -o blkdevname cvstripe) &&
		[ -b "/dev/$name" ] && echo "/dev/$name" ||
		echo "cev-bench: error: cannot make the stripe: $(cat /tmp/dm.err)" >&2
}
# jbd2_commits DEV / jbd2_ctxsw DEV: of the journal of ext4 on DEV.
jbd2_name() { echo "$(basename "$(readlink -f "$1")")-8"; }
jbd2_commits() {
	read -r n _ <"/proc/fs/jbd2/$(jbd2_name "$1")/info" 2>/dev/null &&
		echo "$n" || echo 0
}
jbd2_ctxsw() {
	comm="jbd2/$(jbd2_name "$1")"
	for d in /proc/[0-9]*; do
		[ "$(cat $d/comm 2>/dev/null)" = "$comm" ] || continue
		sed -n 's/^voluntary_ctxt_switches:\t*//p' $d/status
		return
	done
	echo 0
}
# fs_job DEV LABEL:NAME MKFS-OPTS FIO-OPTS...
fs_job() {
	dev=$1 name=$2 mkfs=$3
	shift 3
	mkfs.ext4 -q -F -b 4096 $mkfs "$dev" && mkdir -p /mnt/b &&
		mount -t ext4 "$dev" /mnt/b ||
		{ echo "cev-bench: error: mkfs and mount for $name"; return; }
	c0=$(jbd2_commits "$dev") s0=$(jbd2_ctxsw "$dev")
	fio --name="${name#*:}" --directory=/mnt/b --thread --ioengine=psync \
		--group_reporting --randrepeat=0 --output-format=json "$@" \
		>/tmp/fio.json 2>/tmp/fio.err ||
		echo "cev-bench: error: fio $name: $(cat /tmp/fio.err)"
	c1=$(jbd2_commits "$dev") s1=$(jbd2_ctxsw "$dev")
	echo "cev-fs: $name $((c1 - c0)) $((s1 - s0)) $(tr -d '\n' </tmp/fio.json)"
	umount /mnt/b
}
fs_bench() {
	fs_nullb cvfsb 100
	fs_nullb cvfs50 50
	fs_nullb cvfs400 400
	stripe=$(fs_stripe 2>&1)
	case $stripe in
	/dev/*) ;;
	*) echo "$stripe"; stripe=none ;;
	esac
	for d in nb:/dev/cvfsb stripe:$stripe; do
		label=${d%%:*} dev=${d#*:}
		[ "$dev" != none ] || continue
		for sync in 1 32; do
			fs_job "$dev" "$label:ordered_fsync$sync" "" --rw=randwrite \
				--bs=4k --size=32M --numjobs=4 --fsync=$sync \
				--time_based --runtime="$io"
		done
		fs_job "$dev" "$label:nojournal_fsync1" "-O ^has_journal" \
			--rw=randwrite --bs=4k --size=32M --numjobs=4 --fsync=1 \
			--time_based --runtime="$io"
		fs_job "$dev" "$label:seq256m" "" --rw=write --bs=1M --size=256M \
			--end_fsync=1
	done
	echo "cev-fs: done"
}
if [ "$parts" = fs ]; then
	fs_bench
	exit 0
fi
# The stacking part (parts=stack): cevstack against dm and md; or its
# hedged reads alone (parts=hedge).
case $parts in stack|hedge)
	. /bench/stack.sh
	stack_bench "$parts"
	exit 0 ;;
esac
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
