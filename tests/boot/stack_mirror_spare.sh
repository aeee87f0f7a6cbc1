# SPDX-License-Identifier: GPL-2.0
# mirror, a spare: "NAME DEVICE" written to spare gives a mirror a device
# it holds for the next leg to fail, as md's spare.  When a leg fails,
# the spare takes its place and is recovered with no command; given to a
# mirror with a leg failed already, it takes that leg's place at once;
# given while another leg is being recovered, once that recovery has
# ended.  What is refused: a leg, a device smaller than the mirror, the
# mirror itself, a second spare, a spare for a device not a mirror, and
# the spare's device as a replacement.  A spare let go ("NAME" alone),
# or that of a mirror deleted, may be claimed by another holder.
. /tests/lib.inc
P=/sys/module/cevstack/parameters
SPARE=$P/spare
RECOVER=$P/recover
[ -e "$SPARE" ] || fail "no spare parameter"
for n in 0 1 2 3; do NULLB_MIB=4 cfg_nullb cvsp$n 1000 1; done
NULLB_MIB=2 cfg_nullb cvsps 1000 1
passed=
trap 'for n in cvsp0 cvsp1 cvsq0 cvsqs; do fault $n off 2>/dev/null; done
	[ -n "$passed" ] || cat $STATS/cvspa $STATS/cvspb 2>/dev/null
	echo cvspa >"$SPARE" 2>/dev/null
	for n in cvspl cvspc cvspa cvspb; do echo $n >"$DELETE" 2>/dev/null; done' EXIT

refused() { echo "$1" >"$SPARE" 2>/dev/null && fail "spare \"$1\" was taken"; true; }
# said DEV WHY: the kernel said why DEV was refused.
said() { dmesg | grep -q "$1 $2" || fail "$1 was not refused as \"$2\""; }
# unheld DEV NAME: DEV no longer shows NAME as a holder, and another
# create may claim it.
unheld() {
	[ -e "/sys/block/$1/holders/$2" ] && fail "$1 still shows $2 as a holder"
	echo "cvspl linear 0 /dev/$1" >"$CREATE" || fail "$1 still held"
	echo cvspl >"$DELETE" || fail "delete cvspl"
}
leg() { [ "$(counter "$1" "leg$2")" = "$3 $4" ]; }
# fail_leg NAME DEV: a write through NAME that fails on DEV, not on NAME.
fail_leg() {
	fault "$2" on tasks
	failing dd if=/tmp/data of="/dev/$1" bs=4096 count=1 oflag=direct \
		2>/dev/null || fail "$1: a write failed with a leg left"
	fault "$2" off
}
# same_legs A B: the two devices hold the same bytes.
same_legs() {
	cmp -s "/dev/$1" "/dev/$2" || fail "$1 and $2 differ"
}

data 4
mkstack cvspa mirror 0 /dev/cvsp0 /dev/cvsp1
write_data /dev/cvspa
refused "cvspa"
refused "cvspa /dev/cvsp0"
said /dev/cvsp0 "is leg 0 already"
refused "cvspa /dev/cvsps"
said /dev/cvsps "is smaller than the mirror"
refused "cvspa /dev/cvspa"
said /dev/cvspa "is stacked on it"
refused "cvsnone /dev/cvsp2"
mkstack cvspl linear 0 /dev/cvsp3
refused "cvspl /dev/cvsp2"
echo cvspl >"$DELETE" || fail "delete cvspl"
unheld cvsps cvspa

echo "cvspa /dev/cvsp2" >"$SPARE" || fail "spare cvsp2"
[ "$(counter cvspa spare)" = cvsp2 ] || fail "debugfs shows no spare cvsp2"
[ "$(cat $SPARE)" = "cvspa cvsp2" ] || fail "spare reads \"$(cat $SPARE)\", not cvspa's"
[ -e /sys/block/cvsp2/holders/cvspa ] || fail "cvsp2 does not show cvspa as a holder"
refused "cvspa /dev/cvsp3"
# The spare is for the next failure, not a replacement for a leg (no leg
# has failed: the kernel's message says why it was refused).
echo "cvspa 1 /dev/cvsp2" >"$RECOVER" 2>/dev/null &&
	fail "the spare was taken as a replacement"
said /dev/cvsp2 "is the spare"

# Leg 0 fails: the spare takes its place, and is recovered.
fail_leg cvspa cvsp0
wait_until 60 "leg0 not recovered on the spare" leg cvspa 0 cvsp2 ok
[ -z "$(counter cvspa spare)" ] || fail "the spare is still shown"
[ -z "$(cat $SPARE)" ] || fail "spare reads \"$(cat $SPARE)\" after the take"
[ -e /sys/block/cvsp2/holders/cvspa ] || fail "cvsp2, a leg now, shows no holder cvspa"
same_legs cvsp1 cvsp2
same_as_data /dev/cvspa || fail "cvspa: other data after the spare's recovery"
unheld cvsp0 cvspa

# Leg 1 fails with no spare; one given then takes its place at once.
fail_leg cvspa cvsp1
leg cvspa 1 cvsp1 failed || fail "leg1 not failed: $(counter cvspa leg1)"
echo "cvspa /dev/cvsp3" >"$SPARE" || fail "spare cvsp3"
wait_until 60 "leg1 not recovered on the spare" leg cvspa 1 cvsp3 ok
same_legs cvsp2 cvsp3
same_as_data /dev/cvspa || fail "cvspa: other data after the second spare"

# Two mirrors each other's spares: the second is refused (a leg to be of
# each, neither could be deleted, nor the module unloaded).
mkstack cvspc mirror 0 /dev/cvsp0 /dev/cvsp1
echo "cvspa /dev/cvspc" >"$SPARE" || fail "spare cvspc"
refused "cvspc /dev/cvspa"
said /dev/cvspa "is stacked on it"
echo "cvspa" >"$SPARE" || fail "let the spare go"
echo cvspc >"$DELETE" || fail "delete cvspc"

# A spare let go, and the spare of a mirror deleted, are let go.
echo "cvspa /dev/cvsp0" >"$SPARE" || fail "spare cvsp0"
echo "cvspa" >"$SPARE" || fail "let the spare go"
[ -z "$(counter cvspa spare)" ] || fail "the spare let go is still shown"
unheld cvsp0 cvspa
echo "cvspa /dev/cvsp1" >"$SPARE" || fail "spare cvsp1"
echo cvspa >"$DELETE" || fail "delete cvspa"
unheld cvsp1 cvspa

# A spare given while another leg is being recovered: leg 2 (a request
# takes 1 s there) is recovered, 16 steps, while leg 0 fails and a spare
# comes.  The spare waits for that recovery's end, then takes leg 0's
# place.
NULLB_MIB=4 cfg_nullb cvsqs 1000000000 1
for n in 0 1 3; do NULLB_MIB=4 cfg_nullb cvsq$n 1000 1; done
mkstack cvspb mirror 0 /dev/cvsq0 /dev/cvsq1 /dev/cvsqs
fail_leg cvspb cvsqs
echo "cvspb 2" >"$RECOVER" || fail "recover leg2"
fail_leg cvspb cvsq0
echo "cvspb /dev/cvsq3" >"$SPARE" || fail "spare cvsq3"
# Half a second for the spare's work to run, then one look: the
# recovery running, and leg 0 failed on its own device.
sleep 0.5
cat $STATS/cvspb >/tmp/st
grep -q "^recovery " /tmp/st ||
	fail "leg2's recovery ended before the spare could wait for it"
grep -q "^leg0 cvsq0 failed$" /tmp/st ||
	fail "the spare took leg0 during leg2's recovery"
wait_until 60 "leg2 not recovered" leg cvspb 2 cvsqs ok
wait_until 60 "leg0 not recovered on the spare" leg cvspb 0 cvsq3 ok
same_legs cvsq1 cvsq3
dmesg | grep "cevstack: cvspb: leg" >/tmp/said
cat /tmp/said
sed -n '/leg 2 (cvsqs) recovered/,$p' /tmp/said | grep -q "leg 0: cvsq0 replaced by cvsq3" ||
	fail "leg0 was not replaced after leg2's recovery ended"
passed=1
