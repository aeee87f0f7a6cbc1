#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test.sh: every check (make test).  Installs what is missing, applies and
# builds the series prefix by prefix, checks the patches, boots the debug
# kernel on 4 CPUs with the KUnit suites and the boot tests, and judges
# the console log.  The last line is "N passed, M failed".
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}

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
