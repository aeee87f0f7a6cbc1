#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test.sh: every check (make test).  Installs what is missing, applies and
# builds the series prefix by prefix, checks the patches, boots the debug
# kernel on 4 CPUs with the KUnit suites and the boot tests, and judges
# the console log; then the same for the KCSAN kernel.  The last line is
# "N passed, M failed".
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}

# The KCSAN kernel, out of tree in build/obj-kcsan from the same tree.
# KCSAN_STRICT reports data races in the stock kernel too, so the guest
# tells KCSAN to ignore every function but cev's (scripts/kcsan-filter.sh,
# tests/kcsan/guest.sh) before it switches KCSAN on and loads the KUnit
# suites, which are modules in this kernel; then /init runs the boot
# tests, but for those marked "# once:", which the debug kernel's boot
# alone runs (cev.once=0, tests/init).
KCSAN_OBJ=$BUILD/obj-kcsan
kcsan_build() {
	: >"$LOGS/build-kcsan.log"
	kmake "$KCSAN_OBJ" "$LOGS/build-kcsan.log" bzImage modules
	"$TOP/scripts/kcsan-filter.sh" "$KCSAN_OBJ" "$KCSAN_OBJ/kcsan-ignore"
	"$TOP/scripts/initramfs.sh" kcsan
}
kcsan_boot() {
	KERNEL=$KCSAN_OBJ/arch/x86/boot/bzImage INITRD=$BUILD/initramfs-kcsan.cpio.gz \
		"$TOP/scripts/boot.sh" kcsan kcsan "$BOOT_TIMEOUT" cev.once=0 $GUEST_DEVICES
}

uml() {
	rm -f "$LOGS/uml.json"
	(cd "$SRC" && python3 tools/testing/kunit/kunit.py run \
		--kunitconfig=kernel/cev.kunitconfig --build_dir="$BUILD/uml" \
		--jobs="$(nproc)" "--make_options=CC=ccache gcc" \
		--json="$LOGS/uml.json") >"$LOGS/uml.log" 2>&1
}

"$TOP/scripts/deps.sh"
if stage "apply and build the series (every prefix)" "$TOP/scripts/series.sh"; then
	stage "check the patches" "$TOP/scripts/check-patches.sh" || true
	# A stage that stops before it records its verdicts is a failure too.
	stage "check the documentation (htmldocs core-api)" "$TOP/scripts/check-docs.sh" ||
		result docs fail "docs: scripts/check-docs.sh ran to the end"
	stage "sparse and W=1 on the series' objects" "$TOP/scripts/check-static.sh" ||
		result static fail "static: scripts/check-static.sh ran to the end"
	stage "check make bench's module and report" "$TOP/tests/host/bench.sh" || true
	# The benchmark kernel is built by make bench; its config is checked here.
	if "$TOP/scripts/config.sh" perf; then
		result series ok "config: every option of the perf fragments is set"
	else
		result series fail "config: every option of the perf fragments is set"
	fi
	stage "initramfs" "$TOP/scripts/initramfs.sh"
	stage "boot the debug kernel: KUnit and boot tests" \
		"$TOP/scripts/boot.sh" test test "$BOOT_TIMEOUT" $GUEST_DEVICES || true
	EXPECT_KUNIT=1 "$TOP/scripts/check-log.sh" test || true
	# KUnit runs once a boot, with one filter: ext4's suites get their own.
	# The one case ext4 marks slow, test_mb_mark_used_cost, times a loop
	# that holds a group's spinlock; under KASAN and TCG it runs for
	# minutes and the soft-lockup watchdog reports it.  It measures, it
	# does not check: it is skipped (and says so in the KTAP).
	stage "boot the debug kernel: ext4's KUnit suites" \
		"$TOP/scripts/boot.sh" ext4-kunit test "$BOOT_TIMEOUT" \
		'kunit.filter_glob=ext4*' 'kunit.filter=speed>slow' \
		kunit.filter_action=skip cev.only=none || true
	EXPECT_KUNIT=1 "$TOP/scripts/check-log.sh" ext4-kunit || true
	stage "crash test: ext4 on a disk image, killed from the host mid-fsync" \
		"$TOP/scripts/crash-test.sh" ||
		result crash fail "crash: scripts/crash-test.sh ran to the end"
	if "$TOP/scripts/config.sh" kcsan; then
		result kcsan ok "config: every option of the kcsan fragments is set"
		if stage "build the KCSAN kernel (build/obj-kcsan)" kcsan_build; then
			result kcsan ok "kcsan: the KCSAN kernel builds"
			stage "boot the KCSAN kernel: KUnit and boot tests" kcsan_boot || true
			KUNIT_MODULES=1 KCSAN=1 "$TOP/scripts/check-log.sh" kcsan || true
		else
			result kcsan fail "kcsan: the KCSAN kernel builds (see $LOGS/build-kcsan.log)"
		fi
	else
		result kcsan fail "config: every option of the kcsan fragments is set"
	fi
	if stage "build the clang kernel (LLVM=1, build/obj-clang)" "$TOP/scripts/clang.sh" build; then
		stage "boot the clang kernel: KUnit and boot tests" "$TOP/scripts/clang.sh" boot ||
			result clang fail "clang: scripts/clang.sh boot ran to the end"
	else
		result clang fail "clang: scripts/clang.sh build ran to the end (see $LOGS/build-clang.log)"
	fi
	if stage "KUnit under UML: kunit.py run --kunitconfig=kernel/cev.kunitconfig" uml; then
		count_kunit_json uml "$LOGS/uml.json" "uml:"
	else
		tail -20 "$LOGS/uml.log"
		[ ! -s "$LOGS/uml.json" ] || count_kunit_json uml "$LOGS/uml.json" "uml:"
		result uml fail "uml: kunit.py run (see $LOGS/uml.log)"
	fi
else
	result series fail "series: applies and builds (see above)"
fi
say "make test: $(($(date +%s) - t0))s"
exec "$TOP/scripts/summary.sh"
