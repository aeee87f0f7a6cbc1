#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# config.sh FLAVOUR [--lenient]: write build/obj-FLAVOUR/.config from the
# fragments in scripts/configs, merged onto allnoconfig with the tree's
# scripts/kconfig/merge_config.sh.  merge_config only warns when an option
# did not survive (a missing dependency, an unknown symbol); here that is a
# failure, unless --lenient (a prefix of the series may not know the
# series' own options yet).  The kcsan flavour is the debug kernel's
# fragments without their KASAN lines (KCSAN depends on !KASAN), then its
# own.  The clang flavour is the debug kernel's fragments, then its own,
# under LLVM=1 (clang, ld.lld and the llvm binutils; scripts/clang.sh), so
# that Kconfig sees CC_IS_CLANG and offers what clang can do.
. "$(dirname "$0")/lib.sh"

flavour=${1:?usage: config.sh debug|kcsan|clang|perf|stock|placebo [--lenient]}
lenient=${2:-}
drop=
obj=$BUILD/obj-$flavour
case $flavour in
debug)	frags="base.config debug.config cev.config cev-debug.config" ;;
kcsan)	frags="base.config debug.config kcsan.config cev.config cev-debug.config cev-kcsan.config"
	drop=CONFIG_KASAN ;;
clang)	frags="base.config debug.config cev.config cev-debug.config clang.config"
	# merge_config.sh runs make olddefconfig/allnoconfig; make takes LLVM
	# from the environment.
	export LLVM=1 ;;
perf)	frags="base.config perf.config cev.config" ;;
stock|placebo)	frags="base.config perf.config" ;;
*)	die "unknown flavour $flavour" ;;
esac
mkdir -p "$obj"
paths=
for f in $frags; do
	p=$TOP/scripts/configs/$f
	if [ -n "$drop" ]; then
		# A copy without the options this flavour drops.
		mkdir -p "$obj/fragments"
		grep -Ev "^(# )?${drop}[_= ]" "$p" >"$obj/fragments/$f" || true
		p=$obj/fragments/$f
	fi
	paths="$paths $p"
done

log=$LOGS/config-$flavour.log
# shellcheck disable=SC2086
(cd "$SRC" && scripts/kconfig/merge_config.sh -n -O "$obj" $paths) >"$log" 2>&1 ||
	{ tail -20 "$log"; die "merge_config.sh failed for $flavour"; }
if grep -q '^Value requested for' "$log"; then
	if [ "$lenient" = --lenient ]; then
		exit 0
	fi
	grep -A2 '^Value requested for' "$log" >&2
	die "config $flavour: the options above were asked for but are not set"
fi
[ "$lenient" = --lenient ] ||
	say "config $flavour: every option the fragments ask for is set ($frags)"
