#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh: the main job (make run).  Builds the patched kernel, boots it in
# QEMU on 4 CPUs with the busybox initramfs, shows the demo, powers off.
. "$(dirname "$0")/lib.sh"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
"$TOP/scripts/deps.sh"
stage "apply and build the series" "$TOP/scripts/series.sh"
stage "initramfs" "$TOP/scripts/initramfs.sh"
echo "cev: $(git -C "$SRC" log --oneline refs/tags/pristine..HEAD | wc -l) patches on Debian $(cat "$BUILD/deb-version"), booting in QEMU (TCG, 4 CPUs)"
stage "boot (QEMU, TCG, 4 CPUs)" \
	"$TOP/scripts/boot.sh" run run 300 kunit.enable=0 $GUEST_DEVICES
sed -n 's/^cev-demo: //p' "$LOGS/run.log"
"$TOP/scripts/check-log.sh" run >/dev/null 2>&1 || true
if grep -q '^fail' "$RESULTS/run.tsv" 2>/dev/null; then
	sed -n 's/^fail\t/FAIL: /p' "$RESULTS/run.tsv"
	exit 1
fi
