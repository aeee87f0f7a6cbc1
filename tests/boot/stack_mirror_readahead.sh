# SPDX-License-Identifier: GPL-2.0
# mirror, readahead: a buffered read of a mirror reads ahead, in bios
# marked REQ_RAHEAD.  Its reads of the legs must not be so marked: a
# lower device may fail a readahead at its first error, or on purpose
# (dm does while it is suspended), and a mirror leaves a leg that failed
# a read out for good.  block_bio_queue events: the mirror's bios are
# readahead ("A" in rwbs), its legs' bios are plain reads.
. /tests/lib.inc
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs tracefs $T || fail "cannot mount tracefs"
E=$T/events/block/block_bio_queue
[ -d $E ] || fail "no block_bio_queue event"
on=$(cat $T/tracing_on)		# another test may have left it off
mkstack cvra mirror 0 /dev/ram6 /dev/ram7
trap 'echo 0 >$E/enable; echo "$on" >$T/tracing_on
	echo cvra >"$DELETE" 2>/dev/null' EXIT
drop_caches
echo >$T/trace
echo 1 >$E/enable
echo 1 >$T/tracing_on
dd if=/dev/cvra of=/dev/null bs=4096 count=256 2>/dev/null ||
	fail "buffered read of cvra"
echo 0 >$T/tracing_on
echo 0 >$E/enable
echo "$on" >$T/tracing_on
# count DEV RWBS-PATTERN: the bios queued to DEV (major,minor) so marked.
count() { awk -v d="$1" -v p="$2" '$0 ~ "block_bio_queue: " d " " &&
	$0 ~ "block_bio_queue: [0-9,]+ " p " " { n++ } END { print n + 0 }' $T/trace; }
upper=$(tr : , </sys/block/cvra/dev)
legs="$(tr : , </sys/block/ram6/dev)|$(tr : , </sys/block/ram7/dev)"
echo "readahead bios: cvra $(count "$upper" "R[A-Z]*A[A-Z]*")," \
	"its legs $(count "($legs)" "R[A-Z]*A[A-Z]*");" \
	"reads of the legs $(count "($legs)" "R[A-Z]*")"
[ "$(count "$upper" "R[A-Z]*A[A-Z]*")" -gt 0 ] || fail "no readahead on cvra"
[ "$(count "($legs)" "R[A-Z]*")" -gt 0 ] || fail "no reads of the legs"
[ "$(count "($legs)" "R[A-Z]*A[A-Z]*")" -eq 0 ] ||
	fail "readahead bios went down to the legs"
trap - EXIT
echo cvra >"$DELETE" || fail "delete cvra"
