#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: make bench.  Builds the perf kernel (the series, no debugging
# options) and the same tree without the series (stock), the benchmark
# module tests/bench/cev_bench.c against each, and an initramfs with fio;
# then boots:
#   - stock, placebo and perf in turn, BENCH_PAIRS times, with only the
#     ordinary wait queue part (the one thing all three can run);
#   - perf once for everything else: compounds, cancellation, layers, and
#     fio through the stacking driver;
#   - perf once for cevstack against dm-linear, dm's striped target and
#     md raid1 over the same devices, and its hedged reads with a slow or
#     stalling mirror leg (tests/bench/stack.sh);
#   - stock and perf in turn, BENCH_FS_PAIRS times, for ext4 over a
#     null_blk with timer completions: fsync, jbd2's commit and the wait
#     for a range's writeback, which the series changes;
#   - perf BENCH_COMPOUND_BOOTS more times with the compounds only: under
#     TCG a boot can run a case at one of two speeds throughout, so their
#     figures are the median of the boots' medians, as part 1's are.
# The placebo kernel is stock with code that never runs added to
# kernel/sched/wait.c where patch 1 adds its own, sized so that what
# follows lands where it does in the perf kernel: a figure in which perf
# differs from stock but not from placebo is placement, not the series.
# scripts/bench-report.py prints the tables and writes build/bench.tsv,
# scripts/bench-plot.py draws build/bench-*.svg.
# Nothing here passes or fails on a figure; a boot that fails, or a
# benchmark that reports an error, fails the run.
#
# BENCH_PAIRS (11), BENCH_COMPOUND_BOOTS (4), BENCH_ROUNDS (7), BENCH_MAX_N
# (1048576), BENCH_IO (seconds a fio job, 5; 0 skips the I/O and file
# system parts) and BENCH_FS_PAIRS (3) scale it; BENCH_ONLY=fs boots for
# the file system part alone, BENCH_ONLY=stack the stacking part alone,
# BENCH_ONLY=hedge its hedged mirror reads alone.
. "$(dirname "$0")/lib.sh"

PAIRS=${BENCH_PAIRS:-11}
COMPOUND_BOOTS=${BENCH_COMPOUND_BOOTS:-4}
ROUNDS=${BENCH_ROUNDS:-7}
MAX_N=${BENCH_MAX_N:-1048576}
IO=${BENCH_IO:-5}
FS_PAIRS=${BENCH_FS_PAIRS:-3}
ONLY=${BENCH_ONLY:-}
STOCK=$BUILD/stock		# a worktree of build/linux at tag pristine
PLACEBO=$BUILD/placebo		# another, with the placebo in wait.c

# The bench's lower devices: eight 64 MiB ramdisks, a dm-linear device
# over the last, and one memory-backed null_blk whose completions take
# 2 ms (the slow mirror).
BENCH_DEVICES="brd.rd_nr=8 brd.rd_size=65536
	dm-mod.create=\"lin,,,rw,0 131072 linear /dev/ram7 0\" null_blk.nr_devices=1
	null_blk.memory_backed=1 null_blk.irqmode=2 null_blk.completion_nsec=2000000
	null_blk.bs=4096 null_blk.gb=1"

# pristine_tree DIR: a worktree of build/linux at tag pristine, clean.
pristine_tree() {
	local dir=$1
	# Made again if missing, or left over from a build/linux since removed.
	if ! git -C "$dir" rev-parse -q --verify refs/tags/pristine \
		>/dev/null 2>&1; then
		rm -rf "$dir"
		git -C "$SRC" worktree prune
		git -C "$SRC" worktree add -q --detach "$dir" refs/tags/pristine
	fi
	git -C "$dir" checkout -q --detach refs/tags/pristine
	git -C "$dir" reset -q --hard
}

stock_tree() {
	pristine_tree "$STOCK"
}

# text_addr FLAVOUR SYMBOL: the symbol's address in that kernel, in decimal.
text_addr() {
	local a
	a=$(nm "$BUILD/obj-$1/vmlinux" | awk -v s="$2" '$3 == s { print $1; exit }')
	[ -n "$a" ] || die "no $2 in obj-$1/vmlinux"
	echo $((16#$a))
}

# placebo_pad BYTES: stock's wait.c with a never-called function of BYTES
# bytes of int3 before __wake_up_common_lock(), where patch 1 adds code.
# Exported as patch 1's function is, so that GCC emits it at the same
# place in the object: it emits functions in an order of its own.
placebo_pad() {
	local f=$PLACEBO/kernel/sched/wait.c
	git -C "$PLACEBO" checkout -q -- kernel/sched/wait.c
	awk -v pad="$1" '
		/^static int __wake_up_common_lock\(/ && !done {
			print "/* make bench'"'"'s placebo: never called; it only moves the code after it. */"
			print "void cev_bench_placebo(void);"
			print "void cev_bench_placebo(void)"
			print "{"
			print "\tasm volatile(\".skip " pad ", 0xcc\");"
			print "}"
			print "EXPORT_SYMBOL_GPL(cev_bench_placebo);"
			print ""
			done = 1
		}
		{ print }
		END { if (!done) exit 1 }' "$f" >"$f.new" ||
		die "placebo: no __wake_up_common_lock() in kernel/sched/wait.c"
	mv "$f.new" "$f"
}

# The placebo kernel: pad until prepare_to_wait() is where perf has it.
build_placebo() {
	local want got pad try
	pristine_tree "$PLACEBO"
	want=$(($(text_addr perf prepare_to_wait) - $(text_addr stock prepare_to_wait)))
	pad=$want
	for try in 1 2 3 4; do
		placebo_pad "$pad"
		build_kernel placebo "$PLACEBO"
		got=$(($(text_addr placebo prepare_to_wait) - $(text_addr stock prepare_to_wait)))
		say "placebo: pad $pad bytes moves prepare_to_wait by $got, perf's by $want"
		[ "$got" -ne "$want" ] || return 0
		pad=$((pad + want - got))
		[ "$pad" -gt 0 ] || die "placebo: perf moves prepare_to_wait by $want bytes"
	done
	die "placebo: could not move prepare_to_wait by $want bytes"
}

# build_kernel FLAVOUR TREE: configure and build it, and the module.
build_kernel() {
	local flavour=$1 obj=$BUILD/obj-$1 mod=$BUILD/bench-mod-$1
	export SRC=$2
	"$TOP/scripts/config.sh" "$flavour"
	# "modules" writes Module.symvers, which an external module links against.
	kmake "$obj" "$LOGS/build-$flavour.log" bzImage modules
	rm -rf "$mod"
	mkdir -p "$mod"
	cp "$TOP/tests/bench/Kbuild" "$TOP/tests/bench/cev_bench.c" "$mod/"
	kmake "$obj" "$LOGS/build-$flavour.log" M="$mod" modules
}

# boot_bench NAME FLAVOUR PARTS IO
boot_bench() {
	local name=$1 flavour=$2 parts=$3 io=$4
	KERNEL=$BUILD/obj-$flavour/arch/x86/boot/bzImage \
	INITRD=$BUILD/initramfs-bench.cpio.gz MEM=3072 \
		"$TOP/scripts/boot.sh" "$name" bench 3600 kunit.enable=0 \
		cev.bench="$flavour" cev.bench_parts="$parts" \
		cev.bench_rounds="$ROUNDS" cev.bench_max_n="$MAX_N" \
		cev.bench_io="$io" $BENCH_DEVICES
	"$TOP/scripts/check-log.sh" "$name" >/dev/null 2>&1 || true
	if grep -q '^fail' "$RESULTS/$name.tsv"; then
		sed -n 's/^fail\t/FAIL: /p' "$RESULTS/$name.tsv" >&2
		return 1
	fi
}

rm -rf "$RESULTS" "$LOGS"/bench-*.log
mkdir -p "$RESULTS"
"$TOP/scripts/deps.sh" bench
SERIES_BUILD=0 stage "apply the series" "$TOP/scripts/series.sh"
stage "build the perf kernel (series applied) and its module" \
	build_kernel perf "$SRC"
# The stacking part runs on perf alone; the file system part compares
# it with stock; only the wake-up part needs the placebo.
if [ "$ONLY" != stack ] && [ "$ONLY" != hedge ]; then
	stage "stock tree (pristine worktree)" stock_tree
	stage "build the stock kernel (no series) and its module" \
		build_kernel stock "$STOCK"
fi
if [ -z "$ONLY" ]; then
	stage "build the placebo kernel (stock, code moved as perf's) and its module" \
		build_placebo
fi
stage "initramfs with fio and the modules" "$TOP/scripts/initramfs.sh" bench

logs=
# The file system part: stock and perf in turn, FS_PAIRS times.
for i in $(seq 1 "$FS_PAIRS"); do
	[ "$IO" -gt 0 ] || break
	case $ONLY in '' | fs) ;; *) break ;; esac
	for flavour in stock perf; do
		stage "boot $flavour $i/$FS_PAIRS: file systems" \
			boot_bench "bench-fs-$flavour-$i" "$flavour" fs "$IO"
		logs="$logs $LOGS/bench-fs-$flavour-$i.log"
	done
done
# The stacking part: cevstack against dm and md over the same devices.
if [ "$IO" -gt 0 ] && [ "$ONLY" != fs ]; then
	stage "boot perf: cevstack against dm and md" \
		boot_bench bench-stack perf "${ONLY:-stack}" "$IO"
	logs="$logs $LOGS/bench-stack.log"
fi
case $ONLY in fs|stack|hedge) PAIRS=0 COMPOUND_BOOTS=0 ;; esac
for i in $(seq 1 "$PAIRS"); do
	for flavour in stock placebo perf; do
		stage "boot $flavour $i/$PAIRS: ordinary wait queues" \
			boot_bench "bench-wake-$flavour-$i" "$flavour" wake 0
		logs="$logs $LOGS/bench-wake-$flavour-$i.log"
	done
done
if [ -z "$ONLY" ]; then
	stage "boot perf: compounds, cancellation, layers, I/O" \
		boot_bench bench-main perf compound,cancel,layer "$IO"
	logs="$logs $LOGS/bench-main.log"
fi
for i in $(seq 1 "$COMPOUND_BOOTS"); do
	stage "boot perf $i/$COMPOUND_BOOTS: compounds" \
		boot_bench "bench-compound-$i" perf compound 0
	logs="$logs $LOGS/bench-compound-$i.log"
done

rc=0
# The kernels built for this run (BENCH_ONLY=stack or hedge builds perf
# alone).
vmlinux=
for k in patched:perf stock:stock placebo:placebo; do
	f=$BUILD/obj-${k#*:}/vmlinux
	[ ! -f "$f" ] || vmlinux="$vmlinux --vmlinux=${k%%:*}:$f"
done
# shellcheck disable=SC2086
python3 "$TOP/scripts/bench-report.py" $vmlinux "$BUILD/bench.tsv" $logs ||
	rc=$?
python3 "$TOP/scripts/bench-plot.py" "$BUILD/bench.tsv" "$BUILD" || rc=1
exit $rc
