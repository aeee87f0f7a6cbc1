# SPDX-License-Identifier: GPL-2.0
# make bench's stacking part (cev.bench_parts=stack), sourced by guest.sh
# with $io, the seconds a fio job runs.  cevstack against its upstream
# peer over the same lower devices, one device at a time:
#   linear        vs dm-linear
#   stripe, 2 and 4 legs  vs dm's striped target with 4 KiB chunks
#                 (cevstack's default), and 2 legs with 64 KiB chunks
#   mirror        vs md raid1 (no bitmap, --assume-clean), cevstack
#                 hedged (its default) and with hedge=N
#   raid10        a cevstack mirror of two cevstack stripes (4 KiB
#                 chunks) over four legs vs md raid10 (near 2, 4 KiB
#                 chunks), hedged and with hedge=N
# over brd ramdisks, and over memory-backed null_blks with softirq
# completions; four fio workloads each, twice.  Then hedged reads, 4 KiB at
# random, one at a time: a mirror with a 2 ms leg (null_blk), one with a
# leg that stalls (dm-delay, switched between 0 and 20 ms every 500 ms),
# and one with two healthy legs, each against md raid1 over the same legs
# and the fast leg alone (and cevstack with hedge=N); and the healthy and
# the stalling cases again over null_blks completing after 100 us.
# Lines: "cev-stack: LOWER MODE DRIVER WORKLOAD JSON" and
# "cev-hedge: CASE DRIVER HEDGES READS JSON" (HEDGES and READS from
# cevstack's counters, 0 0 for the others), for bench-report.py.

SCREATE=/sys/module/cevstack/parameters/create
SDELETE=/sys/module/cevstack/parameters/delete
SHEDGE=/sys/module/cevstack/parameters/hedge
LEG_SECTORS=131072			# 64 MiB a leg
export MDADM_NO_UDEV=1

err() { echo "cev-bench: error: $*" >&2; }

# null_blks nbA..nbD: memory-backed, 64 MiB, completions in softirq.
# One hardware queue and no poll queue: null_blk's default poll queue
# makes two hardware queues, and blk_mq_complete_request() then ends a
# request of the one CPU's queue inline, in the submitter, as brd does
# (no BLOCK_SOFTIRQ at all).  With one queue it raises BLOCK_SOFTIRQ,
# which ksoftirqd runs: the submitter sleeps and is woken, an I/O at a
# time.
make_nullbs() {
	cfg=/sys/kernel/config
	grep -q " $cfg configfs" /proc/mounts || mount -t configfs configfs $cfg
	for n in nbA nbB nbC nbD; do
		nullb $n 1
	done
}

# nullb NAME IRQMODE [NSEC]: a memory-backed null_blk of 64 MiB with one
# submit queue and no poll queue, completing in softirq (1) or from a
# timer after NSEC (2).
nullb() {
	nb=/sys/kernel/config/nullb/$1
	mkdir "$nb" || { err "null_blk $1"; return; }
	echo 1 >"$nb/memory_backed"
	echo 1 >"$nb/submit_queues"
	echo 0 >"$nb/poll_queues"
	echo "$2" >"$nb/irqmode"
	[ -z "${3:-}" ] || echo "$3" >"$nb/completion_nsec"
	echo 4096 >"$nb/blocksize"
	echo 64 >"$nb/size"
	echo 1 >"$nb/power"
}

# dm_dev NAME TABLE: a dm device without udev; its /dev/dm-N on stdout.
dm_dev() {
	echo "$2" | dmsetup create "$1" --noudevsync --noudevrules 2>/tmp/dm.err ||
		{ err "dmsetup create $1: $(cat /tmp/dm.err)"; return 1; }
	echo "/dev/$(dmsetup info -c --noheadings -o blkdevname "$1")"
}

# up DRIVER MODE LEG...: the device under test on stdout.  DRIVER
# cevstack-nohedge is cevstack with hedge=N (mirror reads not hedged).
up() {
	drv=$1 mode=$2
	shift 2
	n=$#
	case $drv:$mode in
	cevstack*:raid10)
		[ $drv = cevstack ] && echo Y >$SHEDGE || echo N >$SHEDGE
		echo "bxa stripe 0 $1 $2" >$SCREATE &&
			echo "bxb stripe 0 $3 $4" >$SCREATE &&
			echo "bx mirror 0 /dev/bxa /dev/bxb" >$SCREATE ||
			{ err "create raid10 over $*"; return 1; }
		echo /dev/bx ;;
	cevstack*:*)
		[ $drv = cevstack ] && echo Y >$SHEDGE || echo N >$SHEDGE
		echo "bx $mode 0 $*" >$SCREATE || { err "create $mode over $*"; return 1; }
		echo /dev/bx ;;
	dm:linear) dm_dev bx "0 $LEG_SECTORS linear $1 0" ;;
	dm:stripe*)
		chunk=4
		case $mode in stripe:*) chunk=${mode#stripe:} ;; esac
		t="0 $((LEG_SECTORS * n)) striped $n $((chunk * 2))"
		for l in "$@"; do t="$t $l 0"; done
		dm_dev bx "$t" ;;
	md:mirror|md:raid10)
		md_legs="$*"
		level="--level=1"
		[ $mode = raid10 ] && level="--level=10 --layout=n2 --chunk=4"
		mdadm --create /dev/md0 --run --quiet $level --raid-devices=$n \
			--assume-clean --bitmap=none --metadata=1.2 "$@" \
			>/tmp/md.err 2>&1 || { err "mdadm: $(cat /tmp/md.err)"; return 1; }
		echo /dev/md0 ;;
	esac
}

down() {
	case $1 in
	cevstack*)
		echo bx >$SDELETE || err "delete bx"
		for n in bxa bxb; do
			[ -b /dev/$n ] && { echo $n >$SDELETE || err "delete $n"; }
		done
		echo Y >$SHEDGE ;;
	dm) dmsetup remove bx --noudevsync || err "dmsetup remove bx" ;;
	md)
		mdadm --stop /dev/md0 >/dev/null 2>&1 || err "mdadm --stop"
		mdadm --zero-superblock $md_legs >/dev/null 2>&1 ;;
	esac
}

# stack_fio DEV WORKLOAD: the job's JSON on one line, in /tmp/fio.line.
stack_fio() {
	case $2 in
	randread_4k) set -- "$1" --rw=randread --bs=4k --ioengine=psync ;;
	randwrite_4k) set -- "$1" --rw=randwrite --bs=4k --ioengine=psync ;;
	randread_4k_qd32x4) set -- "$1" --rw=randread --bs=4k --ioengine=libaio \
		--iodepth=32 --numjobs=4 --group_reporting ;;
	read_128k_qd8) set -- "$1" --rw=read --bs=128k --ioengine=libaio \
		--iodepth=8 ;;
	esac
	dev=$1
	shift
	fio --name=stack --filename="$dev" --direct=1 --size=48M --time_based \
		--runtime="$runtime" --ramp_time=1 --randrepeat=0 "$@" \
		--percentile_list=1:5:10:20:30:40:50:60:70:80:90:95:99:99.5:99.9:99.99 \
		--output-format=json >/tmp/fio.json 2>/tmp/fio.err ||
		{ err "fio $* on $dev: $(cat /tmp/fio.err)"; return 1; }
	tr -d '\n' </tmp/fio.json >/tmp/fio.line
}

# label MODE LEGS: the mode in the tables: stripe2, stripe2-64k, linear.
label() {
	case $1 in
	stripe) echo "stripe$2" ;;
	stripe:*) echo "stripe$2-${1#stripe:}k" ;;
	*) echo "$1" ;;
	esac
}

# compare LOWER MODE PEER LEG...: four workloads on cevstack, then on
# its peer, over the same legs; then again in the reverse order, so that
# a drift of the machine's speed during the pair weighs on both alike.
# Each job runs half as long as the others ($io / 2 s, at least 2 s).
compare() {
	lower=$1 mode=$2 peer=$3
	shift 3
	drivers="cevstack $peer"
	case $mode in mirror|raid10) drivers="cevstack cevstack-nohedge $peer" ;; esac
	reverse=
	for drv in $drivers; do reverse="$drv $reverse"; done
	runtime=$(((io + 1) / 2))
	[ $runtime -ge 2 ] || runtime=2
	for drv in $drivers $reverse; do
		dev=$(up $drv $mode "$@") || continue
		for w in randread_4k randwrite_4k randread_4k_qd32x4 read_128k_qd8; do
			stack_fio "$dev" $w &&
				echo "cev-stack: $lower $(label "$mode" $#) $drv $w $(cat /tmp/fio.line)"
		done
		down $drv
	done
	runtime=$io
}

# hedge CASE FAST OTHER [first]: cevstack's mirror, md raid1 and FAST
# alone; with "first", OTHER is the mirrors' first leg.  md raid1 reads
# the first of the legs with the least I/O pending: one at a time, its
# first leg, whichever that is.
hedge() {
	case_=$1 fast=$2 other=$3
	legs="$fast $other"
	[ "$4" != first ] || legs="$other $fast"
	for drv in cevstack cevstack-nohedge md alone; do
		h0=0 r0=0 c0=0 h1=0 r1=0 c1=0
		case $drv in
		alone) dev=$fast ;;
		*) dev=$(up $drv mirror $legs) || continue ;;
		esac
		case $drv in cevstack*)
			h0=$(sed -n 's/^hedges //p' /sys/kernel/debug/cevstack/bx)
			r0=$(sed -n 's/^reads //p' /sys/kernel/debug/cevstack/bx)
			c0=$(sed -n 's/^copies //p' /sys/kernel/debug/cevstack/bx) ;;
		esac
		runtime=$((io * 2))
		stack_fio "$dev" randread_4k
		runtime=$io
		case $drv in cevstack*)
			h1=$(sed -n 's/^hedges //p' /sys/kernel/debug/cevstack/bx)
			r1=$(sed -n 's/^reads //p' /sys/kernel/debug/cevstack/bx)
			c1=$(sed -n 's/^copies //p' /sys/kernel/debug/cevstack/bx) ;;
		esac
		echo "cev-hedge: $case_ $drv $((h1 - h0)) $((r1 - r0))" \
			"$((c1 - c0)) $(cat /tmp/fio.line)"
		[ $drv = alone ] || down $drv
	done
}

# make_timer_nullbs: nbT0 and nbT1, memory-backed, 64 MiB, completing
# from a timer after 100 us: legs with a device latency of their own, of
# the order of a flash drive's, where brd's few microseconds let the
# driver's own work make most of a read's time.
make_timer_nullbs() {
	nullb nbT0 2 100000
	nullb nbT1 2 100000
}

# stalling CASE FAST LEG [first]: hedge CASE over FAST and dm-delay over
# LEG, its delay switched between 0 and 20 ms every 500 ms; "first" as
# for hedge.
stalling() {
	stall=$(dm_dev stall "0 $LEG_SECTORS delay $3 0 0") || return
	touch /tmp/stalling
	(
		d=20
		while [ -e /tmp/stalling ]; do
			# The resume of a device with a table loaded suspends
			# it to swap the tables: two programs run a switch,
			# not three (each run of one is CPU time under TCG
			# that every device measured meanwhile pays for).
			echo "0 $LEG_SECTORS delay $3 0 $d" |
				dmsetup load stall --noudevsync 2>/dev/null
			dmsetup resume stall --noudevsync 2>/dev/null
			d=$((20 - d))
			usleep 500000
		done
	) &
	hedge "$1" "$2" "$stall" "$4"
	rm /tmp/stalling
	wait
	dmsetup remove stall --noudevsync
}

# stack_bench PARTS: "stack" for all of it, "hedge" for the hedged reads
# alone.
stack_bench() {
	what=$1 runtime=$io
	# The devices' messages on create and delete would land in the middle
	# of a JSON line on the console: errors only.
	printk=$(cut -f1 /proc/sys/kernel/printk)
	echo 4 >/proc/sys/kernel/printk
	make_nullbs
	make_timer_nullbs
	# Every lower block written before it is read: brd and null_blk read
	# a block never written without touching memory.
	for d in /dev/ram0 /dev/ram1 /dev/ram2 /dev/ram3 /dev/ram4 /dev/ram5 \
		/dev/ram6 /dev/nullb0 /dev/nbA /dev/nbB /dev/nbC /dev/nbD \
		/dev/nbT0 /dev/nbT1; do
		dd if=/dev/zero of="$d" bs=1048576 count=64 conv=fsync 2>/dev/null ||
			err "cannot write $d"
	done
	for lower in brd nullb; do
		[ "$what" = stack ] || break
		if [ $lower = brd ]; then
			set -- /dev/ram0 /dev/ram1 /dev/ram2 /dev/ram3
		else
			set -- /dev/nbA /dev/nbB /dev/nbC /dev/nbD
		fi
		compare $lower linear dm "$1"
		compare $lower stripe dm "$1" "$2"
		compare $lower stripe dm "$@"
		compare $lower stripe:64 dm "$1" "$2"
		compare $lower mirror md "$1" "$2"
		compare $lower raid10 md "$@"
	done
	hedge healthy /dev/ram4 /dev/ram5
	hedge slow_leg /dev/ram6 /dev/nullb0
	stalling stalling_leg /dev/ram4 /dev/ram5
	hedge healthy_100us /dev/nbT0 /dev/nbT1
	stalling stalling_100us /dev/nbT0 /dev/nbT1
	stalling stalling_first_100us /dev/nbT0 /dev/nbT1 first
	echo "$printk" >/proc/sys/kernel/printk
	echo "cev-stack: done"
}
