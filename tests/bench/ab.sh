#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's half of scripts/ab.sh, run as /bench/run.sh: the cevstack
# drivers /ab/X/cevstack_X.ko (X = a, b, ...), each built from one
# revision under its own module name, are loaded side by side and run in
# turn, round after round, so that the machine's drift weighs on each
# alike.  A round: each driver in turn, linear over a brd and over a
# null_blk with one queue and completions in softirq (4 KiB random
# reads and writes one at a time, reads 4 jobs 32 deep), and a mirror
# over two brds, hedged and with hedge=N (reads one at a time), and its
# writes (one at a time, 4 jobs 32 deep); then
# dm-linear over the same two devices.  Kernel command line:
# cev.ab_rounds=, cev.ab_seconds= (a job).  One line a job:
# "cev-ab: DRIVER LOWER MODE JOB IOPS P50 P99 P99.9" (latencies in us),
# for scripts/ab-report.py.

rounds=3 secs=3
for arg in $(cat /proc/cmdline); do
	case $arg in
	cev.ab_rounds=*) rounds=${arg#*=} ;;
	cev.ab_seconds=*) secs=${arg#*=} ;;
	esac
done
# fio's first read of the random pool would wait for it inside a job
# (tests/bench/guest.sh): wait here.
head -c 1 /dev/random >/dev/null

cfg=/sys/kernel/config
mount -t configfs configfs $cfg
nb=$cfg/nullb/nbA
mkdir $nb
echo 1 >$nb/memory_backed
echo 1 >$nb/submit_queues
echo 0 >$nb/poll_queues
echo 1 >$nb/irqmode
echo 4096 >$nb/blocksize
echo 64 >$nb/size
echo 1 >$nb/power

drivers=$(ls /ab)
for x in $drivers; do
	insmod "/ab/$x/cevstack_$x.ko" || echo "cev-ab: error: insmod $x"
done

# job TAG DEV NAME FIO-ARGS...: one fio job, its line.
job() {
	tag=$1 dev=$2 name=$3
	shift 3
	fio --name=ab --filename="$dev" --direct=1 --size=48M --time_based \
		--runtime="$secs" --ramp_time=1 --randrepeat=0 "$@" \
		--percentile_list=50:99:99.9 --output-format=terse \
		--terse-version=3 2>/dev/null |
		awk -F';' -v t="$tag $name" '{
			r = $8 > 0
			print "cev-ab:", t, r ? $8 : $49, r ? $18 : $59,
				r ? $19 : $60, r ? $20 : $61 }'
}

# jobs TAG DEV: the three jobs of a linear device.
jobs() {
	job "$1" "$2" randread_4k --rw=randread --bs=4k --ioengine=psync
	job "$1" "$2" randwrite_4k --rw=randwrite --bs=4k --ioengine=psync
	job "$1" "$2" randread_4k_qd32x4 --rw=randread --bs=4k \
		--ioengine=libaio --iodepth=32 --numjobs=4 --group_reporting
}

for _ in $(seq "$rounds"); do
	for x in $drivers; do
		p=/sys/module/cevstack_$x/parameters
		for lower in /dev/ram0 /dev/nbA; do
			echo "ab linear 0 $lower" >$p/create || echo "cev-ab: error: create"
			jobs "$x ${lower##*/} linear" /dev/ab
			echo ab >$p/delete
		done
		echo "ab mirror 0 /dev/ram0 /dev/ram1" >$p/create || echo "cev-ab: error: create"
		for h in Y N; do
			echo $h >$p/hedge
			job "$x ram mirror-hedge=$h" /dev/ab randread_4k \
				--rw=randread --bs=4k --ioengine=psync
		done
		echo Y >$p/hedge
		job "$x ram mirror" /dev/ab randwrite_4k --rw=randwrite --bs=4k \
			--ioengine=psync
		job "$x ram mirror" /dev/ab randwrite_4k_qd32x4 --rw=randwrite \
			--bs=4k --ioengine=libaio --iodepth=32 --numjobs=4 \
			--group_reporting
		echo ab >$p/delete
	done
	for lower in /dev/ram0 /dev/nbA; do
		echo "0 131072 linear $lower 0" |
			dmsetup create abdm --noudevsync --noudevrules
		jobs "dm ${lower##*/} linear" \
			"/dev/$(dmsetup info -c --noheadings -o blkdevname abdm)"
		dmsetup remove abdm --noudevsync
	done
done
