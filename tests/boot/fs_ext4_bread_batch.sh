# SPDX-License-Identifier: GPL-2.0
# ext4, batched reads: a large xattr lives in an EA inode, which ext4
# reads with ext4_bread_batch(), now one wait on a compound of buffers.
. /tests/lib.inc
mkfs.ext4 -q -F -b 4096 -O ea_inode /dev/ram6 || fail "mkfs.ext4"
mkdir -p /mnt/x
mount -t ext4 /dev/ram6 /mnt/x || fail "mount"
echo hello >/mnt/x/f
value=0x$(head -c 12000 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
setfattr -n user.big -v "$value" /mnt/x/f || fail "setfattr"
umount /mnt/x
drop_caches
mount -t ext4 /dev/ram6 /mnt/x || fail "mount again"
got=$(getfattr -e hex -n user.big /mnt/x/f | sed -n 's/^user.big=//p')
umount /mnt/x
[ "$got" = "$value" ] || fail "xattr read back differs (${#got} vs ${#value} chars)"
e2fsck -f -n /dev/ram6 || fail "e2fsck"
