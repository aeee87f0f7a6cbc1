#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# clang.sh [build|boot|all]: the debug kernel built with LLVM=1 (clang,
# ld.lld and the llvm binutils, through ccache), out of tree in
# build/obj-clang from $SRC, booted and judged like the gcc debug kernel.
#
#   build: install clang, lld and llvm from Debian if they are missing;
#          write the config (scripts/config.sh clang: the debug kernel's
#          fragments, every option of which survives under clang 14, and
#          scripts/configs/clang.config: KASAN_STACK, gcc's default, and
#          PREEMPT_RT); build bzImage and modules into
#          $LOGS/build-clang.log; find no
#          "warning:" line in the files the series adds or changes (git
#          diff --name-only pristine HEAD in $SRC; their objects are built
#          again, mostly from ccache, so that a warm build shows their
#          warnings too); build/initramfs-clang.cpio.gz with the clang
#          kernel's cevstack.ko (scripts/initramfs.sh clang).
#   boot:  boot it in QEMU like the debug kernel (scripts/boot.sh clang,
#          BOOT_TIMEOUT, 900 s by default) with the KUnit suites and the
#          boot tests but those marked "# once:" (cev.once=0), and judge $LOGS/clang.log with scripts/check-log.sh.
#   all:   (the default) build, then boot if the build succeeded.
#
# Every verdict is a result in build/results/clang.tsv.  The exit status
# is non-zero if the build or the boot failed.
. "$(dirname "$0")/lib.sh"

what=${1:-all}
OBJ=$BUILD/obj-clang
LOG=$LOGS/build-clang.log
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
# The binaries LLVM=1 runs, with the Debian package that has each.
LLVM_TOOLS="clang:clang ld.lld:lld llvm-ar:llvm llvm-nm:llvm
	llvm-objcopy:llvm llvm-objdump:llvm llvm-readelf:llvm llvm-strip:llvm"

# clang_make TARGET...: the kernel's make with LLVM=1, out of tree, through
# ccache.  CC and HOSTCC on the command line override the Makefile's
# "clang" (LLVM=1 still picks ld.lld, llvm-ar, llvm-nm, llvm-objcopy...).
clang_make() {
	make -C "$SRC" O="$OBJ" LLVM=1 CC="ccache clang" HOSTCC="ccache clang" \
		-j"$(($(nproc) + 1))" "$@" >>"$LOG" 2>&1 || {
		tail -40 "$LOG" >&2
		echo "(full log: $LOG)" >&2
		return 1
	}
}

tools() {
	local t missing=
	for t in $LLVM_TOOLS; do
		command -v "${t%%:*}" >/dev/null || missing="$missing ${t#*:}"
	done
	# shellcheck disable=SC2086
	missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
	if [ -n "${missing// /}" ]; then
		say "clang: installing $missing"
		export DEBIAN_FRONTEND=noninteractive
		# shellcheck disable=SC2086
		{ sudo_if_needed apt-get update -q &&
			sudo_if_needed apt-get install -y -q $missing; } >>"$LOGS/apt.log" 2>&1 ||
			{ tail -20 "$LOGS/apt.log"; result clang fail "clang: apt-get install $missing"; exit 1; }
	fi
	# The kernel's own minimum (scripts/min-tool-version.sh llvm).
	local min have
	min=$(cd "$SRC" && SRCARCH=x86 scripts/min-tool-version.sh llvm)
	have=$(clang -dumpversion)
	printf '%s\n%s\n' "$min" "$have" | sort -V -C ||
		{ result clang fail "clang: clang $have is older than the kernel's minimum, $min"; exit 1; }
	say "clang: clang $have (the kernel wants $min or later), $(ld.lld --version | head -1)"
}

# The series' C files and headers, relative to $SRC.
series_sources() {
	git -C "$SRC" diff --name-only refs/tags/pristine HEAD | grep -E '\.[ch]$'
}

# Make the objects built from the series' C files (also those that
# #include one, as kernel/sched/build_utility.c does wait.c) out of date,
# so that this build compiles them again and the log has their warnings.
stale_series_objects() {
	local pat
	pat=$(series_sources | grep '\.c$' | sed 's/[.]/[.]/g' | paste -sd'|')
	[ -n "$pat" ] || return 0
	# Nothing to find in a new build directory: grep -l then fails.
	{ find "$OBJ/" -name '.*.o.cmd' -print0 2>/dev/null |
		xargs -0 -r grep -lE "(^|[ /])($pat)( |\$)" 2>/dev/null || true; } |
		while read -r cmd; do
			d=${cmd%/*} f=${cmd##*/}
			f=${f#.}
			rm -f "$d/${f%.cmd}"
		done
}

build() {
	tools
	if "$TOP/scripts/config.sh" clang; then
		result clang ok "clang: config: every option of the debug and clang fragments is set under LLVM=1"
	else
		result clang fail "clang: config: every option of the debug and clang fragments is set under LLVM=1 (see $LOGS/config-clang.log)"
		return 1
	fi
	: >"$LOG"
	stale_series_objects
	local t0
	t0=$(date +%s)
	if clang_make bzImage modules; then
		result clang ok "clang: the kernel builds with LLVM=1 ($(($(date +%s) - t0))s)"
	else
		result clang fail "clang: the kernel builds with LLVM=1 (see $LOG)"
		return 1
	fi
	# Warnings in the series' files: the compiler's "path:line:col:
	# warning: ...", with the path relative to $SRC or absolute, and
	# objtool's "path.o: warning: objtool: ..." on their objects.
	local pat opat
	pat=$(series_sources | sed 's/[.]/[.]/g' | paste -sd'|')
	opat=$(series_sources | sed -n 's/[.]c$/.o/p' | sed 's/[.]/[.]/g' | paste -sd'|')
	grep -aE "(^|[ /])(($pat):[0-9]+(:[0-9]+)?|($opat)): warning:" "$LOG" |
		sort -u >"$LOGS/clang.warnings" || true
	if [ -s "$LOGS/clang.warnings" ]; then
		sed 's/^/    /' "$LOGS/clang.warnings" >&2
		result clang fail "clang: no compiler warning in the series' files ($(wc -l <"$LOGS/clang.warnings") lines; see $LOGS/clang.warnings)"
	else
		result clang ok "clang: no compiler warning in the series' files"
	fi
	local ko=$OBJ/drivers/block/cevstack.ko
	if ! [ -f "$ko" ]; then
		result clang fail "clang: cevstack.ko was built ($ko)"
		return 1
	fi
	rm -f "$BUILD/initramfs-clang.cpio.gz"
	"$TOP/scripts/initramfs.sh" clang ||
		{ result clang fail "clang: initramfs-clang.cpio.gz"; return 1; }
}

boot() {
	local rc=0
	[ -f "$BUILD/initramfs-clang.cpio.gz" ] || die "no $BUILD/initramfs-clang.cpio.gz: run clang.sh build"
	# shellcheck disable=SC2086
	KERNEL=$OBJ/arch/x86/boot/bzImage INITRD=$BUILD/initramfs-clang.cpio.gz \
		"$TOP/scripts/boot.sh" clang test "$BOOT_TIMEOUT" cev.once=0 \
		$GUEST_DEVICES || rc=$?
	EXPECT_KUNIT=1 "$TOP/scripts/check-log.sh" clang || rc=1
	return $rc
}

case $what in
build)	build ;;
boot)	boot ;;
all)	build && boot ;;
*)	die "usage: clang.sh [build|boot|all]" ;;
esac
