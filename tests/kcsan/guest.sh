#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /kcsan/run.sh start|stop: the KCSAN boot's part of /init (cev.mode=kcsan;
# scripts/test.sh).  The kernel is built with KCSAN off (no
# CONFIG_KCSAN_EARLY_ENABLE) and with the cev KUnit suites as modules.
#
# start: tell KCSAN to ignore reports in every function of
# /kcsan/ignore (all of vmlinux's but cev's: scripts/kcsan-filter.sh),
# switch it on, and load the KUnit modules, whose KTAP the kernel prints
# between the lines "cev-kunit: begin" and "cev-kunit: end".  /init then
# runs the boot tests, the torture among them.
# stop: print KCSAN's counters and switch it off.
K=/sys/kernel/debug/kcsan

case $1 in
start)
	if [ ! -w $K ]; then
		echo "cev-kcsan: no $K"
		exit 1
	fi
	# The file takes one "!NAME" a write: awk writes each line once.
	awk -v k=$K '{ printf "!%s\n", $0 >k; fflush(k) }' /kcsan/ignore
	echo blacklist >$K
	n=$(sed '1,/functions:/d' $K | wc -l)
	echo on >$K
	echo "cev-kcsan: on, reports in $n functions ignored ($(wc -l </kcsan/ignore) listed)"
	echo "cev-kunit: begin"
	while read -r m; do
		insmod "/kcsan/$m" ||
			echo "cev-kunit: not loaded: $m (insmod exit status $?)"
	done </kcsan/modules
	echo "cev-kunit: end"
	;;
stop)
	# The counters (data_races counts the races found in ignored
	# functions too); the list of functions after them is long.
	sed -n -e '/^$/q' -e 's/^/cev-kcsan: /p' $K
	echo off >$K
	;;
esac
