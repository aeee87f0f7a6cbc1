#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh [bench|kcsan]: build/initramfs.cpio.gz from busybox-static,
# tests/init as /init, the boot tests under tests/boot, and the Debian
# binaries busybox lacks (e2fsprogs, attr, fio), each with the libraries
# ldd names.  With "bench":
# build/initramfs-bench.cpio.gz, which adds dmsetup, tests/bench/guest.sh and
# the benchmark modules scripts/bench.sh built (build/bench-mod-*).  With
# "kcsan": build/initramfs-kcsan.cpio.gz, which adds tests/kcsan/guest.sh,
# the KCSAN filter's list and the modules of build/obj-kcsan (test.sh).
# With "clang": build/initramfs-clang.cpio.gz, the test initramfs with the
# clang kernel's cevstack.ko (build/obj-clang, scripts/clang.sh) in place
# of the debug kernel's.
. "$(dirname "$0")/lib.sh"

kind=${1:-test}
case $kind in
test)	ROOT=$BUILD/initramfs OUT=$BUILD/initramfs.cpio.gz ;;
bench)	ROOT=$BUILD/initramfs-bench OUT=$BUILD/initramfs-bench.cpio.gz ;;
kcsan)	ROOT=$BUILD/initramfs-kcsan OUT=$BUILD/initramfs-kcsan.cpio.gz ;;
clang)	ROOT=$BUILD/initramfs-clang OUT=$BUILD/initramfs-clang.cpio.gz ;;
*)	die "usage: initramfs.sh [bench|kcsan|clang]" ;;
esac
GUEST_BINS="/sbin/mke2fs /sbin/e2fsck /usr/bin/setfattr /usr/bin/getfattr
	/usr/bin/fio"
[ "$kind" = bench ] && GUEST_BINS="$GUEST_BINS /sbin/dmsetup /sbin/mdadm"

copy_with_libs() {
	local bin=$1 lib
	install -D -m 0755 "$bin" "$ROOT$bin"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ -e "$ROOT$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$ROOT$lib"
	done
}

rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,mnt,tests}
install -m 0755 /bin/busybox "$ROOT/bin/busybox"
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' ||
	ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' ||
	die "/bin/busybox is not static: install busybox-static"
install -m 0755 "$TOP/tests/init" "$ROOT/init"
cp -a "$TOP"/tests/boot/. "$ROOT/tests/"
install -m 0755 "$TOP/tests/demo" "$ROOT/tests/demo"
install -D -m 0755 "$TOP/tests/crash/guest.sh" "$ROOT/crash/run.sh"
for b in $GUEST_BINS; do
	copy_with_libs "$b"
done
if [ "$kind" = bench ]; then
	install -D -m 0755 "$TOP/tests/bench/guest.sh" "$ROOT/bench/run.sh"
	install -m 0644 "$TOP/tests/bench/stack.sh" "$ROOT/bench/stack.sh"
	for ko in "$BUILD"/bench-mod-*/cev_bench.ko; do
		[ -f "$ko" ] || continue	# none built: scripts/ab.sh
		f=${ko%/cev_bench.ko}
		install -m 0644 "$ko" "$ROOT/bench/cev_bench-${f##*/bench-mod-}.ko"
	done
fi
# The debug kernel's cevstack is a module; /init loads it.  Modules are
# not interchangeable between kernels: the clang kernel gets its own.
ko=$BUILD/obj-debug/drivers/block/cevstack.ko
[ "$kind" != clang ] || ko=$BUILD/obj-clang/drivers/block/cevstack.ko
[ "$kind" = bench ] || [ ! -f "$ko" ] || install -D -m 0644 "$ko" "$ROOT/lib/modules/cevstack.ko"
if [ "$kind" = kcsan ]; then
	kobj=$BUILD/obj-kcsan
	install -D -m 0755 "$TOP/tests/kcsan/guest.sh" "$ROOT/kcsan/run.sh"
	install -m 0644 "$kobj/kcsan-ignore" "$ROOT/kcsan/ignore"
	# The modules with KUnit suites go to /kcsan, loaded in build order
	# once the filter is set; the others (cevstack) to /lib/modules, in
	# place of the debug kernel's, for /init.
	: >"$ROOT/kcsan/modules"
	while read -r o; do
		ko=$kobj/${o%.o}.ko
		if readelf -S -W "$ko" | grep -q '\.kunit_test_suites'; then
			install -m 0644 "$ko" "$ROOT/kcsan/${ko##*/}"
			echo "${ko##*/}" >>"$ROOT/kcsan/modules"
		else
			install -D -m 0644 "$ko" "$ROOT/lib/modules/${ko##*/}"
		fi
	done <"$kobj/modules.order"
fi
install -D -m 0644 /etc/mke2fs.conf "$ROOT/etc/mke2fs.conf"
# mkfs.ext4 is mke2fs by another name.
ln -sf mke2fs "$ROOT/sbin/mkfs.ext4"
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$OUT"
say "initramfs $kind: $(du -h "$OUT" | cut -f1) ($(ls "$TOP"/tests/boot | wc -l) boot test files)"
