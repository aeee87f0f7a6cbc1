# SPDX-License-Identifier: GPL-2.0
# stack, ext4: a file system on a keyed stripe: create, write, drop
# caches, read back, fsck.
. /tests/lib.inc
mkstack cve0 stripe 0x7e /dev/ram4 /dev/ram5
data 4
mkfs.ext4 -q -F -b 4096 /dev/cve0 || fail "mkfs.ext4"
mkdir -p /mnt/e
mount -t ext4 /dev/cve0 /mnt/e || fail "mount"
cp /tmp/data /mnt/e/data
mkdir /mnt/e/d
i=0
while [ $i -lt 200 ]; do echo "file $i" >/mnt/e/d/f$i; i=$((i + 1)); done
umount /mnt/e || fail "umount"
drop_caches
mount -t ext4 /dev/cve0 /mnt/e || fail "mount again"
cmp -s /tmp/data /mnt/e/data || fail "file read back differs"
[ "$(cat /mnt/e/d/f123)" = "file 123" ] || fail "small file differs"
[ "$(ls /mnt/e/d | wc -l)" -eq 200 ] || fail "directory lost entries"
umount /mnt/e || fail "umount"
e2fsck -f -n /dev/cve0 || fail "e2fsck found errors"
echo "transforms: $(counter cve0 transforms), buffers: $(counter cve0 buffers)"
