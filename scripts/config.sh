#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# config.sh FLAVOUR: write build/obj-FLAVOUR/.config from the fragments in
# scripts/configs, merged onto allnoconfig with the tree's merge_config.sh,
# and fail if any option a fragment asked for did not survive (merge_config
# only warns when a dependency is missing).
. "$(dirname "$0")/lib.sh"

flavour=${1:?usage: config.sh debug|perf|bisect}
obj=$BUILD/obj-$flavour
frags="base.config"
case $flavour in
debug)	frags="$frags debug.config cev.config cev-debug.config" ;;
perf)	frags="$frags perf.config cev.config" ;;
bisect)	frags="$frags perf.config bisect.config cev.config cev-debug.config" ;;
*)	die "unknown flavour $flavour" ;;
esac
mkdir -p "$obj"

paths=
for f in $frags; do paths="$paths $TOP/scripts/configs/$f"; done
merged=$(cat $paths | sha1sum | cut -c1-40)
if [ -f "$obj/.config" ] && [ "$(cat "$obj/.fragments" 2>/dev/null)" = "$merged" ] &&
   [ "$obj/.config" -nt "$SRC/.git/cev-series" ]; then
	say "config $flavour: unchanged"
	exit 0
fi

log=$LOGS/config-$flavour.log
# shellcheck disable=SC2086
(cd "$SRC" && scripts/kconfig/merge_config.sh -n -O "$obj" $paths) >"$log" 2>&1 ||
	{ tail -20 "$log"; die "merge_config.sh failed for $flavour"; }
if grep -q '^Value requested for' "$log"; then
	grep -A2 '^Value requested for' "$log" >&2
	[ "$flavour" = bisect ] ||
		die "config $flavour: options above were dropped (missing dependencies?)"
fi
echo "$merged" >"$obj/.fragments"
say "config $flavour: $(grep -c '=y' "$obj/.config") options built in, all requested options set"
