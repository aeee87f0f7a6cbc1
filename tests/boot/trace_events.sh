# SPDX-License-Identifier: GPL-2.0
# trace events: the cev events, enabled through tracefs, show two small
# trees as they ran.  A read of one block of a keyed mirror with
# hedge_us=0 (a fast and a slow copy, both read at once) is a cev_all
# root over one nested cev_any with two buffer children, each under an
# XOR layer; a read of one block from a
# device that takes 3 s, with a 5 ms timeout, is a root whose pending
# child is cancelled.  The events and their fields must tell both
# stories, and tie each tree together by address.
. /tests/lib.inc
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs tracefs $T || fail "cannot mount tracefs"
[ -d $T/events/cev ] || fail "no cev events in $T/events"
BLK=2048	# 8 MiB in: no other test reads or writes there

mkstack cvm0 mirror 0x33 /dev/ram3 /dev/nullb0
# Read both copies at once, rather than the slow one only if the fast one
# is late: the any-of has two buffer children from the start.
P=/sys/module/cevstack/parameters
hedge=$(cat $P/hedge_us)
window=$(cat $P/hedge_window_ms)
trap 'echo "$hedge" >$P/hedge_us; echo "$window" >$P/hedge_window_ms' EXIT
# Every mirror read hedged, not only a late leg's: a test of the hedge.
echo -1 >$P/hedge_window_ms
echo 0 >$P/hedge_us
slow_nullb
mkstack cvu0 linear 0 /dev/cvslow
dd if=/dev/urandom of=/tmp/blk bs=4096 count=1 2>/dev/null
dd if=/tmp/blk of=/dev/cvm0 bs=4096 seek=$BLK count=1 oflag=direct 2>/dev/null ||
	fail "cannot write cvm0"

# trace CMD...: the cev events CMD caused, in /tmp/trace, addresses not
# hashed (a hash needs the RNG, which may not be ready); CMD's status.
trace() {
	on=$(cat $T/tracing_on)
	hash=$(cat $T/options/hash-ptr)
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 0 >$T/options/hash-ptr
	echo 1 >$T/events/cev/enable
	echo 1 >$T/tracing_on
	"$@"
	rc=$?
	echo 0 >$T/tracing_on
	echo 0 >$T/events/cev/enable
	grep -v '^#' $T/trace >/tmp/trace
	echo "$hash" >$T/options/hash-ptr
	echo "$on" >$T/tracing_on
	sed 's/^/# /' /tmp/trace
	return $rc
}

# field NAME: the value of NAME= in each line on stdin.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
# events EVENT: the lines of EVENT in /tmp/trace.
events() { grep " $1: " /tmp/trace; }
# lines EVENT FIELD=VALUE...: how many EVENT lines have all of them.
lines() {
	ev=$1
	shift
	events "$ev" | {
		n=0
		while read -r l; do
			ok=1
			for fv in "$@"; do
				case " $l " in *" $fv "*) ;; *) ok=0 ;; esac
			done
			n=$((n + ok))
		done
		echo $n
	}
}
expect() { [ "$1" -eq "$2" ] || fail "$3: $1, not $2"; }
# one WHAT VALUES: VALUES is one word.
one() { expect "$(echo "$2" | wc -w)" 1 "$1"; }

read_mirror() {
	dd if=/dev/cvm0 of=/tmp/blk2 bs=4096 skip=$BLK count=1 iflag=direct 2>/dev/null
}
trace read_mirror || fail "hedged read failed"
cmp -s /tmp/blk /tmp/blk2 || fail "hedged read returned other data"

# The nested any-of, armed with its two copies, and the root it is
# nested in through one child, the link.
any=$(events cev_arm | grep ' children=2 need=1 level=0$' | field cev)
one "cev_arm of a 2-child any-of at level 0" "$any"
link=$(events cev_add | grep " sub=$any$" | field child)
one "cev_add of the any-of to a parent" "$link"
root=$(events cev_add | grep " child=$link " | field cev)
one "the any-of's parent" "$root"
expect "$(lines cev_arm cev="$root" children=1 need=1 level=1)" 1 "cev_arm of the root"
expect "$(lines cev_add cev="$any")" 2 "children added to the any-of"
# The first good copy completes the any-of; it is counted, with the
# block's bytes.
expect "$(lines cev_child_report cev="$any" status=0 count=4096 done=1 counted=1)" 1 \
	"copies the any-of counted"
expect "$(lines cev_complete cev="$any" status=0 count=4096 children=2 done=1 failed=0 cancelled=0)" 1 \
	"cev_complete of the any-of"
# The other copy is cancelled by cev_finish(), or reported too late to
# count: one or the other, never both.
won=$(events cev_child_report | grep " cev=$any .* counted=1$" | field child)
other=$(events cev_add | grep " cev=$any " | grep -v " child=$won " | field child)
one "the copy that did not win" "$other"
expect "$(($(lines cev_child_cancel cev="$any" child="$other" queued=1) +
	$(lines cev_child_report cev="$any" child="$other" counted=0)))" 1 \
	"the other copy cancelled or reported late"
# The any-of, through the link, completes the root.
expect "$(lines cev_child_report cev="$root" child="$link" status=0 count=4096 done=1 counted=1)" 1 \
	"the nested any-of reported to the root"
expect "$(lines cev_complete cev="$root" status=0 count=4096 children=1 done=1 failed=0 cancelled=0)" 1 \
	"cev_complete of the root"
expect "$(($(lines cev_cancel cev="$any") + $(lines cev_cancel cev="$root")))" 0 \
	"cev_cancel of a read that did not time out"
# The XOR layer of each copy that arrived held its wake-up, for its
# buffer's lock bit (BH_Lock, bit 2), then let it go.
for head in $(events cev_add | grep " cev=$any " | field head); do
	for lev in $(events lev_defer | grep " head=$head " | field lev); do
		expect "$(lines lev_defer lev="$lev" bit=2)" 1 "lev_defer of layer $lev on BH_Lock"
		expect "$(lines lev_release lev="$lev" bit=2)" 1 "lev_release of layer $lev"
	done
done
defers=$(events lev_defer | grep -c " bit=2$")
[ "$defers" -ge 1 ] || fail "no layer deferred"
echo "hedged read: any-of $any linked by $link to root $root; $defers layer(s) deferred"

read_timeout() {
	old=$(cat /sys/module/cevstack/parameters/timeout_ms)
	echo 5 >/sys/module/cevstack/parameters/timeout_ms
	dd if=/dev/cvu0 of=/dev/null bs=4096 skip=$BLK count=1 iflag=direct 2>/dev/null
	rc=$?
	echo "$old" >/sys/module/cevstack/parameters/timeout_ms
	return $rc
}
trace read_timeout && fail "a read that timed out succeeded"
root=$(events cev_cancel | field cev)
one "cev_cancel of the timed-out read" "$root"
child=$(events cev_add | grep " cev=$root " | field child)
one "cev_add to the timed-out root" "$child"
expect "$(lines cev_arm cev="$root" children=1 need=1 level=0)" 1 "cev_arm of the timed-out root"
expect "$(lines cev_child_cancel cev="$root" child="$child" queued=1)" 1 "its child cancelled"
expect "$(lines cev_complete cev="$root" status=-125 count=0 children=1 done=0 failed=0 cancelled=1)" 1 \
	"cev_complete of the timed-out root, -ECANCELED"
expect "$(lines cev_child_report cev="$root")" 0 "reports to the cancelled root"
echo "timed-out read: root $root cancelled, its child $child with it"
