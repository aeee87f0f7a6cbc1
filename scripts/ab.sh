#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Developer tool: ab.sh REV REV...: cevstack as it is at each git revision
# (WORK: the working tree's drivers/block/cevstack.c), compared in one
# boot of the perf kernel.  Under TCG, two boots of one kernel differ by
# as much as most changes to the driver's I/O path are worth (README,
# tables 7 and 8): in one boot, the drivers loaded side by side, each
# from its revision under its own module name (cevstack_a, cevstack_b,
# ...; the perf kernel has no module unloading) and run in turn, round
# after round (tests/bench/ab.sh), share the machine's drift.  Prints,
# for each workload, each driver's median IOPS and p99 over the rounds
# and its IOPS over the first's (scripts/ab-report.py), and dm-linear's.
# Needs the perf kernel, which make bench builds (build/obj-perf), or
# AB_OBJ, another build of it.  AB_ROUNDS (3) rounds, AB_SECONDS (3) a
# job; results in build/ab/.
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: ab.sh REV|WORK..."
[ $# -le 8 ] || die "at most 8 revisions"
OBJ=${AB_OBJ:-$BUILD/obj-perf}
if [ ! -f "$OBJ/arch/x86/boot/bzImage" ] || [ ! -f "$OBJ/Module.symvers" ]; then
	die "no perf kernel in $OBJ: make bench builds it"
fi
AB=$BUILD/ab
rm -rf "$AB"
mkdir -p "$AB/root"

letters=abcdefgh
i=0
for rev in "$@"; do
	x=${letters:i:1}
	i=$((i + 1))
	mod=$AB/mod-$x
	mkdir -p "$mod"
	if [ "$rev" = WORK ]; then
		cp "$TOP/drivers/block/cevstack.c" "$mod/cevstack_$x.c"
	else
		git -C "$TOP" show "$rev:drivers/block/cevstack.c" >"$mod/cevstack_$x.c" ||
			die "no drivers/block/cevstack.c at $rev"
	fi
	echo "obj-m := cevstack_$x.o" >"$mod/Kbuild"
	kmake "$OBJ" "$LOGS/ab-build.log" M="$mod" modules
	install -D -m 0644 "$mod/cevstack_$x.ko" "$AB/root/ab/$x/cevstack_$x.ko"
	echo "$x $rev" >>"$AB/drivers"
done

# The bench initramfs (fio, dmsetup), with this guest script as its run.sh.
"$TOP/scripts/initramfs.sh" bench
cp -a "$BUILD/initramfs-bench/." "$AB/root/"
install -m 0755 "$TOP/tests/bench/ab.sh" "$AB/root/bench/run.sh"
(cd "$AB/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$AB/initramfs.cpio.gz"

KERNEL=$OBJ/arch/x86/boot/bzImage INITRD=$AB/initramfs.cpio.gz MEM=3072 \
	"$TOP/scripts/boot.sh" ab bench 7200 kunit.enable=0 \
	cev.ab_rounds="${AB_ROUNDS:-3}" cev.ab_seconds="${AB_SECONDS:-3}" \
	brd.rd_nr=2 brd.rd_size=65536
grep -a '^cev-ab:' "$LOGS/ab.log" >"$AB/results" || die "no results in $LOGS/ab.log"
python3 "$TOP/scripts/ab-report.py" "$AB/drivers" "$AB/results"
