# SPDX-License-Identifier: GPL-2.0
# stack, bad input: the create interface refuses malformed lines, each
# with an error and a line in the log, and creates nothing (x8: a stripe
# over one device twice would lay two chunks on its same blocks; the
# driver before took it).  cvb0 is
# deleted at the end: ram6 is free for the tests after this one.
. /tests/lib.inc
mkstack cvb0 linear 0 /dev/ram6	# after fs_ext4_bread_batch, its only user
trap 'echo cvb0 >"$DELETE" 2>/dev/null' EXIT
n=0
while read -r line; do
	n=$((n + 1))
	before=$(dmesg | grep -c 'cevstack: create:')
	if echo "$line" >"$CREATE" 2>/dev/null; then
		fail "accepted \"$line\""
	fi
	after=$(dmesg | grep -c 'cevstack: create:')
	[ "$after" -gt "$before" ] || fail "no message for \"$line\""
	echo "refused: \"$line\": $(dmesg | grep 'cevstack: create:' | tail -1 | sed 's/^\[[ 0-9.]*\] //')"
done <<'LINES'
only-two words
bad!name linear 0 /dev/ram6
averyveryverylongname linear 0 /dev/ram6
x1 raid5 0 /dev/ram6
x2 linear 300 /dev/ram6
x3 linear zero /dev/ram6
x4 linear 0 /dev/ram5 /dev/ram6
x5 stripe 0 /dev/ram6
x6 mirror 0 /dev/ram0 /dev/ram1 /dev/ram2 /dev/ram3 /dev/ram4
x7 linear 0 /dev/nosuchdevice
x8 stripe 0 /dev/ram5 /dev/ram5
cvb0 linear 0 /dev/ram6
LINES
for x in x1 x2 x3 x4 x5 x6 x7 x8; do
	[ -e "/dev/$x" ] && fail "/dev/$x was created"
done
[ $n -eq 12 ] || fail "ran $n cases"
trap - EXIT
echo cvb0 >"$DELETE" || fail "delete cvb0"
exit 0
