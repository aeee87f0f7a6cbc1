# SPDX-License-Identifier: GPL-2.0
# stack, bio cache: io_uring's direct I/O takes its bios from the block
# layer's per-CPU bio cache and marks them REQ_ALLOC_CACHE.  A lower bio
# must not carry that flag down: its bio_set has no cache, and bio_put()
# would push it onto a list at the base of the CPU's per-CPU area, where
# it is lost.  fio reads and writes 4 KiB blocks through io_uring on a
# linear device over brd (whose I/O ends in the submitter's task, where
# such a bio is kept, up to 256 a CPU) with and without a key (a clone,
# then a copy); the bio slabs must hold about as many objects after as
# before.
. /tests/lib.inc
[ -r /proc/slabinfo ] || fail "no /proc/slabinfo"
trap 'echo cvbc >"$DELETE" 2>/dev/null' EXIT
# bio_objs: the objects in use in every bio slab, once each slab is shrunk:
# that frees what KASAN's quarantine holds back, and the CPUs' slabs.
bio_objs() {
	for s in /sys/kernel/slab/bio-*; do echo 1 >"$s/shrink"; done
	awk '$1 ~ /^bio-/ { n += $2 } END { print n + 0 }' /proc/slabinfo
}
for key in 0 0x5a; do
	mkstack cvbc linear $key /dev/ram6
	before=$(bio_objs)
	fio --name=cache --filename=/dev/cvbc --rw=randrw --bs=4k --size=16m \
		--direct=1 --ioengine=io_uring --iodepth=4 --output=/tmp/fio.out ||
		{ cat /tmp/fio.out; fail "fio io_uring, key $key"; }
	after=$(bio_objs)
	echo "key $key: 4096 I/Os through io_uring; bio objects $before before," \
		"$after after"
	[ $((after - before)) -lt 64 ] ||
		fail "key $key: $((after - before)) more bios in use after 4096 I/Os"
	echo cvbc >"$DELETE" || fail "delete cvbc"
done
trap - EXIT
