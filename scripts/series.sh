#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# series.sh: extract Debian's linux-source-6.12 under build/linux as a git
# repository tagged "pristine", apply patches/series with git am one patch
# at a time, and build the debug kernel after each, so that every prefix
# of the series is shown to apply and build.  All prefixes share one O=
# directory: each step rebuilds only what its patch touched, and the last
# prefix is the test kernel.  Nothing is redone while the series and the
# config fragments are unchanged.
. "$(dirname "$0")/lib.sh"

OBJ=$BUILD/obj-debug
STAMP=$BUILD/series.stamp

extract() {
	local tmp=$BUILD/extract.tmp
	rm -rf "$tmp" "$SRC"
	mkdir -p "$tmp"
	tar -C "$tmp" -xf "$TARBALL"
	mv "$tmp"/linux-source-6.12 "$SRC"
	rmdir "$tmp"
	git -C "$SRC" init -q -b debian
	# Debian's top-level .gitignore ignores "/*": add everything by force.
	git -C "$SRC" add -A -f
	git -C "$SRC" -c user.name=cev -c user.email=cev@localhost \
		commit -q -m "Debian $DEB_PKG $(deb_version), pristine"
	git -C "$SRC" tag pristine
}

apply_one() {
	git -C "$SRC" -c user.name=cev -c user.email=cev@localhost \
		am -q "$TOP/patches/$1" >"$LOGS/am.log" 2>&1 || {
		cat "$LOGS/am.log" >&2
		git -C "$SRC" am --abort >/dev/null 2>&1 || true
		return 1
	}
}

build_prefix() {
	local log=$LOGS/build-debug.log
	"$TOP/scripts/config.sh" debug --lenient
	echo "== $1" >>"$log"
	kmake "$OBJ" "$log" bzImage
}

[ -f "$TARBALL" ] || die "$TARBALL missing: run scripts/deps.sh"
if ! git -C "$SRC" rev-parse -q --verify refs/tags/pristine >/dev/null 2>&1; then
	stage "extract $DEB_PKG $(deb_version)" extract
fi
echo "$DEB_PKG $(deb_version)" >"$BUILD/deb-version"

hash=$(series_hash)
if [ "$(cat "$STAMP" 2>/dev/null)" = "$hash" ] && [ -f "$OBJ/arch/x86/boot/bzImage" ]; then
	say "series: unchanged since it was last applied and built; results reused"
	cat "$BUILD/series.results" >>"$RESULTS/series.tsv"
	exit 0
fi
rm -f "$STAMP" "$BUILD/series.results"
: >"$LOGS/build-debug.log"
echo "$DEB_PKG $(deb_version)" >>"$LOGS/build-debug.log"

git -C "$SRC" am --abort >/dev/null 2>&1 || true
git -C "$SRC" checkout -q -B cev refs/tags/pristine
git -C "$SRC" reset -q --hard refs/tags/pristine
git -C "$SRC" clean -q -fdx

fail=0
for p in $(series_files); do
	if ! stage "git am $p" apply_one "$p"; then
		result series fail "series: $p applies with git am"
		fail=1
		break
	fi
	result series ok "series: $p applies with git am"
	if stage "build debug kernel with $p" build_prefix "$p"; then
		result series ok "series: builds with $p applied"
	else
		result series fail "series: builds with $p applied"
		fail=1
		break
	fi
done
if [ $fail -eq 0 ]; then
	if "$TOP/scripts/config.sh" debug; then
		result series ok "config: every option of the debug fragments is set"
	else
		result series fail "config: every option of the debug fragments is set"
		fail=1
	fi
fi
[ $fail -eq 0 ] || die "the series does not apply or build (see above)"
cp "$RESULTS/series.tsv" "$BUILD/series.results"
echo "$hash" >"$STAMP"
