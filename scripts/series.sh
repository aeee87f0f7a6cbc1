#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# series.sh: extract Debian's linux-source-6.12 under build/linux as a git
# repository tagged "pristine", apply patches/series with git am one patch
# at a time, and build the debug kernel after each, so that every prefix
# of the series is shown to apply and build.  All prefixes share one O=
# directory: each step rebuilds only what its patch touched, and the last
# prefix is the test kernel.
#
# build/series.applied remembers, for each prefix applied and built, the
# patch's hash (with the config fragments') and the commit it made.  The
# longest prefix that is unchanged is kept as it is (git reset to its
# commit touches only the files later patches changed), and only the rest
# is applied and built again.
#
# SERIES_BUILD=0 (make bench) applies the rest without building the debug
# kernel and without recording it: the next run that builds does it.
. "$(dirname "$0")/lib.sh"

SERIES_BUILD=${SERIES_BUILD:-1}

OBJ=$BUILD/obj-debug
APPLIED=$BUILD/series.applied

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
	git -C "$SRC" tag pristine "$(pristine_commit "$(git -C "$SRC" write-tree)")"
	git -C "$SRC" update-ref refs/heads/debian refs/tags/pristine
	rm -f "$APPLIED"
}

# pristine_commit TREE: the commit of the pristine tree, the same on every
# machine (pristine_env in lib.sh).
pristine_commit() {
	(pristine_env; pristine_message | git -C "$SRC" commit-tree "$1")
}

# A tree extracted before the pristine commit was made the same everywhere
# is tagged again, not extracted again: its files do not change.
retag_pristine() {
	local want
	want=$(pristine_commit "$(git -C "$SRC" rev-parse 'refs/tags/pristine^{tree}')")
	[ "$(git -C "$SRC" rev-parse refs/tags/pristine)" != "$want" ] || return 0
	say "pristine: tagging $want, the same commit on every machine"
	git -C "$SRC" tag -f pristine "$want" >/dev/null
	rm -f "$APPLIED"
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
	"$TOP/scripts/config.sh" debug --lenient
	echo "== $1" >>"$LOGS/build-debug.log"
	kmake "$OBJ" "$LOGS/build-debug.log" bzImage modules
}

# key PATCH: what a verified prefix step depends on: the patch and the
# debug kernel's fragments (the list in config.sh).
key() {
	(cd "$TOP/scripts/configs" &&
	 cat "$TOP/patches/$1" base.config debug.config cev.config cev-debug.config) |
		sha1sum | cut -c1-40
}

[ -f "$TARBALL" ] || die "$TARBALL missing: run scripts/deps.sh"
if ! git -C "$SRC" rev-parse -q --verify refs/tags/pristine >/dev/null 2>&1; then
	stage "extract $DEB_PKG $(deb_version)" extract
fi
retag_pristine
echo "$DEB_PKG $(deb_version)" >"$BUILD/deb-version"
git -C "$SRC" am --abort >/dev/null 2>&1 || true

# The longest unchanged prefix that was applied and built.
base=refs/tags/pristine
kept=0
[ -f "$OBJ/arch/x86/boot/bzImage" ] || rm -f "$APPLIED"
touch "$APPLIED"
for p in $(series_files); do
	line=$(sed -n "$((kept + 1))p" "$APPLIED")
	[ -n "$line" ] && [ "${line%% *}" = "$(key "$p")" ] || break
	base=$(echo "$line" | cut -d' ' -f2)
	kept=$((kept + 1))
done
head -n "$kept" "$APPLIED" >"$APPLIED.new"
mv "$APPLIED.new" "$APPLIED"

git -C "$SRC" checkout -q -B cev "$base"
git -C "$SRC" reset -q --hard "$base"
git -C "$SRC" clean -q -fdx

i=0
fail=0
for p in $(series_files); do
	i=$((i + 1))
	if [ $i -le $kept ]; then
		result series ok "series: $p applies with git am"
		result series ok "series: builds with $p applied (unchanged since built)"
		continue
	fi
	if ! stage "git am $p" apply_one "$p"; then
		result series fail "series: $p applies with git am"
		fail=1
		break
	fi
	result series ok "series: $p applies with git am"
	[ "$SERIES_BUILD" = 1 ] || continue
	if stage "build debug kernel with $p" build_prefix "$p"; then
		result series ok "series: builds with $p applied"
		echo "$(key "$p") $(git -C "$SRC" rev-parse HEAD)" >>"$APPLIED"
	else
		result series fail "series: builds with $p applied"
		fail=1
		break
	fi
done
[ $fail -eq 0 ] || die "the series does not apply or build (see above)"
if [ $kept -eq $i ]; then
	say "series: all $i patches unchanged since applied and built"
fi
[ "$SERIES_BUILD" = 1 ] || exit 0
if "$TOP/scripts/config.sh" debug; then
	result series ok "config: every option of the debug fragments is set"
else
	result series fail "config: every option of the debug fragments is set"
	die "config"
fi
