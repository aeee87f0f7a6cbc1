#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Extract Debian's linux-source-6.12 under build/linux as a git repository
# tagged "pristine", then apply patches/series on branch "cev" with git am.
# Re-applies only when the series changed, so unchanged files keep their
# mtimes and the out-of-tree builds stay incremental.
. "$(dirname "$0")/lib.sh"

extract() {
	local tmp=$BUILD/extract.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -C "$tmp" -xf "$TARBALL"
	mv "$tmp"/linux-source-6.12 "$SRC"
	rmdir "$tmp"
	git -C "$SRC" init -q -b debian
	git -C "$SRC" add -A -f  # Debian's .gitignore ignores "/*"
	git -C "$SRC" -c user.name=cev -c user.email=cev@localhost \
		commit -q -m "Debian $DEB_PKG $(deb_version), pristine"
	git -C "$SRC" tag pristine
}

series_files() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series"
}

series_hash() {
	(cd "$TOP/patches" && cat series $(series_files)) | sha1sum | cut -c1-40
}

apply_series() {
	local p
	git -C "$SRC" am --abort >/dev/null 2>&1 || true
	git -C "$SRC" checkout -q -B cev refs/tags/pristine
	git -C "$SRC" reset -q --hard refs/tags/pristine
	for p in $(series_files); do
		git -C "$SRC" -c user.name=cev -c user.email=cev@localhost \
			am -q --keep-cr "$TOP/patches/$p" >"$LOGS/am.log" 2>&1 || {
			cat "$LOGS/am.log" >&2
			git -C "$SRC" am --abort >/dev/null 2>&1 || true
			die "patch $p does not apply"
		}
	done
	series_hash >"$SRC/.git/cev-series"
}

[ -f "$TARBALL" ] || die "$TARBALL missing: run scripts/deps.sh"
if [ ! -d "$SRC/.git" ] || ! git -C "$SRC" rev-parse -q --verify refs/tags/pristine >/dev/null; then
	rm -rf "$SRC"
	stage "extract $DEB_PKG $(deb_version)" extract
fi
if [ "$(cat "$SRC/.git/cev-series" 2>/dev/null)" = "$(series_hash)" ]; then
	say "tree: series already applied ($(series_files | wc -l) patches)"
else
	stage "apply $(series_files | wc -l) patches with git am" apply_series
fi
echo "$DEB_PKG $(deb_version)" >"$BUILD/deb-version"
