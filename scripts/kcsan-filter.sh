#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kcsan-filter.sh OBJ OUT: write OUT, the functions of the kernel in OBJ
# whose KCSAN reports are to be ignored: every function of vmlinux but
# cev's.  KCSAN_STRICT reports races in the stock kernel too (failslab's
# counters in should_fail_ex(), in every boot), which are not this
# project's to judge.
#
# How KCSAN's own filter works (kernel/kcsan/debugfs.c, report.c): each
# "!NAME" written to /sys/kernel/debug/kcsan adds the address that
# kallsyms_lookup_name(NAME) gives to a list, "blacklist" (the default)
# makes it a list of functions to ignore.  Before printing a report,
# skip_report() looks up the function of each of the two accesses: the
# first frame of its stack that is not KCSAN's own, the function the
# access was compiled into, after inlining.  The report is dropped if
# either function is in the list.  So a race is reported when both of its
# accesses are in cev's functions (or modules': they are never in the
# list), and not when one of them is in the stock kernel.
#
# cev's functions: every function of the C files the series adds
# (kernel/cev.c, kernel/cev_torture.c, drivers/block/cevstack.c ...: their
# objects' symbols, whatever their names) and the functions whose
# definitions it adds to, or rewrites in, existing C files (fs/buffer.c's
# bh_cev_add() and wait_on_buffers(), kernel/sched/wait.c's
# __wake_up_common() and __wake_up_locked_after()).  The guest writes OUT
# to /sys/kernel/debug/kcsan before it switches KCSAN on
# (tests/kcsan/guest.sh).
#
# A name that both a cev function and another function have is left out
# of the list, so that it cannot hide the cev one; OUT.shared lists those
# names, OUT.cev the cev functions.
. "$(dirname "$0")/lib.sh"

obj=${1:?usage: kcsan-filter.sh OBJ OUT}
out=${2:?usage: kcsan-filter.sh OBJ OUT}
map=$obj/System.map
[ -f "$map" ] || die "no $map"
tmp=$out.tmp
mkdir -p "$tmp"

# Every function symbol of vmlinux, by name (GCC's clones keep their
# .isra.0, .constprop.0, .part.0 or .cold suffixes in kallsyms).
awk '$2 ~ /^[TtWw]$/ { print $3 }' "$map" | LC_ALL=C sort -u >"$tmp/all"

# The functions of the files the series adds.
: >"$tmp/cev"
for f in $(git -C "$SRC" diff --name-only --diff-filter=A refs/tags/pristine HEAD -- '*.c'); do
	o=$obj/${f%.c}.o
	# Not built, or a module, whose functions kallsyms_lookup_name()
	# finds only after vmlinux's of the same name.
	if [ ! -f "$o" ] || [ -f "${o%.o}.ko" ]; then
		continue
	fi
	nm --defined-only "$o" | awk '$2 ~ /^[TtWw]$/ { print $3 }' >>"$tmp/cev"
done
# The functions it adds to existing files: each "+" line of the series'
# diff that starts a definition at column 0 (not a declaration or a macro
# call, which end in ";"), if vmlinux has a function of that name.
git -C "$SRC" diff --diff-filter=M refs/tags/pristine HEAD -- '*.c' |
	sed -n -E 's/^\+[A-Za-z_][^;]*[ *]([A-Za-z_][A-Za-z0-9_]*)\(.*[^;]$/\1/p' |
	LC_ALL=C sort -u >"$tmp/added"
awk 'NR == FNR { added[$1] = 1; next } { n = $1; sub(/\..*/, "", n) } n in added' \
	"$tmp/added" "$tmp/all" >>"$tmp/cev"
# Not the constructors that KCSAN's instrumentation adds to every object
# (_sub_I_00099_0), which run once, at boot.
grep -v '^_sub_[ID]_' "$tmp/cev" | LC_ALL=C sort -u >"$tmp/cev.sorted"
mv "$tmp/cev.sorted" "$tmp/cev"

# The list: every function that is not cev's, and whose name no cev
# function has.
LC_ALL=C comm -12 "$tmp/all" "$tmp/cev" >"$out.cev"
LC_ALL=C comm -23 "$tmp/all" "$tmp/cev" >"$out"
awk '$2 ~ /^[TtWw]$/ { print $3 }' "$map" | LC_ALL=C sort | uniq -d |
	LC_ALL=C comm -12 - "$out.cev" >"$out.shared"
rm -rf "$tmp"
say "KCSAN filter: $(wc -l <"$out") functions ignored, $(wc -l <"$out.cev") cev functions reported" \
	"($(wc -l <"$out.shared") of their names shared with other functions)"
