# SPDX-License-Identifier: GPL-2.0
# trace events: the cev events, enabled through tracefs, show two small
# trees as they ran.  A hedged read of one block of a keyed mirror (a fast
# and a slow copy) is a cev_all root over one nested cev_any with two
# buffer children, each under an XOR layer; a read of one block that
# times out is a root whose pending child is cancelled.  The events and
# their fields must tell both stories, and tie them together by address.
. /tests/lib.inc
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs tracefs $T || fail "cannot mount tracefs"
[ -d $T/events/cev ] || fail "no cev events in $T/events"
BLK=2048	# 8 MiB in: no other test reads or writes there

mkstack cvm0 mirror 0x33 /dev/ram3 /dev/nullb0
# The linear stack over nullb1 that stack_timeout_write made, or a new one.
mkstack cvw0 linear 0 /dev/nullb1
dd if=/dev/urandom of=/tmp/blk bs=4096 count=1 2>/dev/null
dd if=/tmp/blk of=/dev/cvm0 bs=4096 seek=$BLK count=1 oflag=direct 2>/dev/null ||
	fail "cannot write cvm0"

# trace CMD...: the cev events CMD caused, in /tmp/trace; CMD's status.
trace() {
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 1 >$T/events/cev/enable
	echo 1 >$T/tracing_on
	"$@"
	rc=$?
	echo 0 >$T/tracing_on
	echo 0 >$T/events/cev/enable
	grep -v '^#' $T/trace >/tmp/trace
	sed 's/^/# /' /tmp/trace
	return $rc
}

# field NAME: the value of NAME= in each line on stdin.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
# events EVENT: the lines of EVENT in /tmp/trace.
events() { grep " $1: " /tmp/trace; }
# lines EVENT [FIELD=VALUE...]: how many EVENT lines have all of them.
lines() {
	ev=$1
	shift
	grep " $ev: " /tmp/trace | {
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

read_mirror() {
	dd if=/dev/cvm0 of=/tmp/blk2 bs=4096 skip=$BLK count=1 iflag=direct 2>/dev/null
}
trace read_mirror || fail "hedged read failed"
cmp -s /tmp/blk /tmp/blk2 || fail "hedged read returned other data"

# The nested any-of: armed with its two copies, below the root.
any=$(events cev_arm | grep ' children=2 need=1 level=0$' | field cev)
root=$(events cev_arm | grep ' children=1 need=1 level=1$' | field cev)
expect "$(echo "$any" | wc -w)" 1 "cev_arm of a 2-child any-of at level 0"
expect "$(echo "$root" | wc -w)" 1 "cev_arm of a 1-child root at level 1"
expect "$(lines cev_arm)" 2 "cev_arm events"
# The first good copy completes it; it is counted, with the block's bytes.
expect "$(lines cev_child_report cev=$any status=0 count=4096 done=1 counted=1)" 1 \
	"copies the any-of counted"
expect "$(lines cev_complete cev=$any status=0 count=4096 children=2 done=1 failed=0 cancelled=0)" 1 \
	"cev_complete of the any-of"
# The other copy is cancelled by cev_finish(), or reported too late to
# count: one or the other, never both.
won=$(events cev_child_report | grep " cev=$any .* counted=1$" | field child)
other=$(grep -e " cev_child_report: cev=$any " -e " cev_child_cancel: cev=$any " /tmp/trace |
	grep -v " child=$won " | field child)
expect "$(echo "$other" | wc -w)" 1 "events of the other copy"
expect "$(($(lines cev_child_cancel cev=$any child=$other queued=1) +
	$(lines cev_child_report cev=$any child=$other counted=0)))" 1 \
	"the other copy cancelled or reported late"
# The any-of, as the root's one child, completes the root.
expect "$(lines cev_child_report cev=$root status=0 count=4096 done=1 counted=1)" 1 \
	"the nested any-of reported to the root"
expect "$(lines cev_complete cev=$root status=0 count=4096 children=1 done=1 failed=0 cancelled=0)" 1 \
	"cev_complete of the root"
expect "$(lines cev_complete)" 2 "cev_complete events"
expect "$(lines cev_cancel)" 0 "cev_cancel events of a read that did not time out"
# The XOR layer of the good copy held its wake-up, then let it go.
defers=$(lines lev_defer)
[ "$defers" -ge 1 ] || fail "no layer deferred"
for lev in $(events lev_defer | field lev); do
	expect "$(lines lev_release lev=$lev)" 1 "lev_release of layer $lev"
done
echo "hedged read: any-of $any under root $root, $defers layer(s) deferred"

read_timeout() {
	old=$(cat /sys/module/cevstack/parameters/timeout_ms)
	echo 5 >/sys/module/cevstack/parameters/timeout_ms
	dd if=/dev/cvw0 of=/dev/null bs=4096 skip=$BLK count=1 iflag=direct 2>/dev/null
	rc=$?
	echo "$old" >/sys/module/cevstack/parameters/timeout_ms
	return $rc
}
trace read_timeout && fail "a read that timed out succeeded"
root=$(events cev_cancel | field cev)
expect "$(echo "$root" | wc -w)" 1 "cev_cancel events of the timed-out read"
expect "$(lines cev_arm cev=$root children=1 need=1 level=0)" 1 "cev_arm of the timed-out root"
expect "$(lines cev_child_cancel cev=$root queued=1)" 1 "its child cancelled"
expect "$(lines cev_complete cev=$root status=-125 count=0 children=1 done=0 failed=0 cancelled=1)" 1 \
	"cev_complete of the timed-out root, -ECANCELED"
expect "$(lines cev_child_report)" 0 "reports from a cancelled child"
echo "timed-out read: root $root cancelled"
