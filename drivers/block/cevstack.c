// SPDX-License-Identifier: GPL-2.0
/*
 * cevstack: a stacking block driver that completes through wait queues.
 *
 * A cevstack device sits over one to four lower block devices and does
 * its lower I/O with private buffer heads, one 4 KiB block each.  An upper
 * bio completes only through waiters on the lower buffers' wait queues,
 * the bit wait queues unlock_buffer() wakes:
 *
 *  - a compound event per bio (struct cev, cev_all) has every lower
 *    buffer as a child and completes when the last one has, with the
 *    first error;
 *  - with a key, a layer (struct lev) on each read buffer's queue XORs the
 *    data in task context before the child behind it sees the buffer, so
 *    nothing above ever sees untransformed data; writes are XORed before
 *    they are submitted;
 *  - mirror reads are hedged: each block is a nested compound (cev_any)
 *    over its copies, complete on the first good one; the copies still
 *    pending are cancelled when the bio is finished;
 *  - a timer cancels the whole tree when a read takes longer than
 *    timeout_ms; a buffer whose I/O cannot be withdrawn is detached, and
 *    freed when its I/O ends.  Writes have no timer: a write completes
 *    only once every lower write has ended, so that no orphaned write can
 *    land after a retry or a later write of the same block.
 *
 * Lower buffers hold b_end_io pointers into this module and may outlive
 * their bio (a timed-out read): cvs_nr_bufs counts them, and the module's
 * exit waits for it to drop to zero before anything is freed.
 *
 * Modes, for upper block b over n lower devices:
 *
 *   linear  one device       b -> device 0, block b
 *   stripe  2..4 devices     b -> device b % n, block b / n
 *   mirror  2..4 devices     writes go to all; reads to all, first good copy
 *
 * Devices are created by writing "NAME MODE KEY DEVICE..." to
 * /sys/module/cevstack/parameters/create, e.g.
 *
 *   echo "cvm0 mirror 0x5a /dev/ram0 /dev/nullb0" > .../create
 *
 * KEY is a byte; 0 means no layer.  Counters are in
 * /sys/kernel/debug/cevstack/NAME.  The device has no write cache of its
 * own and passes no flush down: use lower devices without a volatile one.
 */

#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/buffer_head.h>
#include <linux/cev.h>
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#define CVS_BLOCK_SHIFT		12
#define CVS_BLOCK_SIZE		BIT(CVS_BLOCK_SHIFT)
#define CVS_SECTORS_PER_BLOCK	(CVS_BLOCK_SIZE >> SECTOR_SHIFT)
#define CVS_MAX_BLOCKS		64	/* per bio */
#define CVS_MAX_LOWER		4
#define CVS_NAME_LEN		16

enum cvs_mode { CVS_LINEAR, CVS_STRIPE, CVS_MIRROR };

static const char * const cvs_mode_names[] = {
	[CVS_LINEAR] = "linear",
	[CVS_STRIPE] = "stripe",
	[CVS_MIRROR] = "mirror",
};

enum cvs_stat {
	CVS_READS, CVS_WRITES, CVS_BUFFERS, CVS_TRANSFORMS, CVS_ERRORS,
	CVS_TIMEOUTS, CVS_CANCELLED, CVS_HEDGE_CANCELLED, CVS_NR_STATS,
};

static const char * const cvs_stat_names[] = {
	"reads", "writes", "buffers", "transforms", "errors",
	"timeouts", "cancelled", "hedge_cancelled",
};

struct cvs_dev {
	char name[CVS_NAME_LEN];
	enum cvs_mode mode;
	u8 key;
	int nr_lower;
	struct file *lower[CVS_MAX_LOWER];
	struct gendisk *disk;
	atomic64_t stats[CVS_NR_STATS];
	struct list_head list;
};

/* One lower buffer; it outlives its bio while its I/O is in flight. */
struct cvs_buf {
	struct buffer_head *bh;
	struct cev_wait cw;
	struct lev lev;
	struct cvs_dev *dev;
	refcount_t ref;		/* the bio's, and the I/O's while in flight */
	bool layered;
};

/* A mirrored block being read: the first good copy of it. */
struct cvs_block {
	struct cev any;
	struct cev_wait link;
};

struct cvs_io {
	struct cev all;
	struct wait_queue_entry done;
	struct work_struct work;
	struct timer_list timer;
	struct cvs_dev *dev;
	struct bio *bio;
	unsigned int nr_blocks;
	unsigned int nr_copies;	/* buffers per block */
	atomic_t pending;	/* the submitter and the completion */
	bool timed_out;
	struct cvs_block *blocks;	/* mirror reads only */
	struct cvs_buf *bufs[];		/* nr_blocks * nr_copies */
};

static unsigned int timeout_ms = 30000;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "cancel a read that takes longer (ms; 0: never)");

/* Lower buffers alive, some perhaps with I/O no bio waits for any more. */
static atomic_t cvs_nr_bufs = ATOMIC_INIT(0);

static DEFINE_MUTEX(cvs_lock);
static LIST_HEAD(cvs_devs);
static int cvs_major;
static int cvs_next_minor;
static struct workqueue_struct *cvs_wq;		/* finishing bios */
static struct workqueue_struct *cvs_layer_wq;	/* the XOR layer's work */
static struct dentry *cvs_debugfs;

static void cvs_count(struct cvs_dev *d, enum cvs_stat s, long n)
{
	atomic64_add(n, &d->stats[s]);
}

static void cvs_xor(void *p, u8 key)
{
	u64 pattern = 0x0101010101010101ULL * key, *w = p;
	unsigned int i;

	for (i = 0; i < CVS_BLOCK_SIZE / sizeof(*w); i++)
		w[i] ^= pattern;
}

static void cvs_buf_put(struct cvs_buf *b)
{
	if (!refcount_dec_and_test(&b->ref))
		return;
	folio_put(b->bh->b_folio);
	free_buffer_head(b->bh);
	kfree(b);
	/*
	 * The last thing a buffer does: cvs_exit() may go on from here.  What
	 * is left is the return through cvs_end_io(), the window every
	 * bio-based driver's end_io has.
	 */
	atomic_dec_and_wake_up(&cvs_nr_bufs);
}

/* The lower I/O ended: the wake-up of its queue drives everything above. */
static void cvs_end_io(struct buffer_head *bh, int uptodate)
{
	struct cvs_buf *b = bh->b_private;

	if (uptodate)
		set_buffer_uptodate(bh);
	else
		clear_buffer_uptodate(bh);
	unlock_buffer(bh);
	cvs_buf_put(b);
}

static enum lev_action cvs_xor_wake(struct lev *lev, void *key)
{
	struct cvs_buf *b = lev->data;

	if (!bh_wake_key_matches(b->bh, key) || buffer_locked(b->bh) ||
	    !buffer_uptodate(b->bh))
		return LEV_CONTINUE;
	return LEV_DEFER;	/* the data is not fit to be seen yet */
}

static void cvs_xor_work(struct lev *lev)
{
	struct cvs_buf *b = lev->data;

	cvs_xor(b->bh->b_data, b->dev->key);
	cvs_count(b->dev, CVS_TRANSFORMS, 1);
}

static const struct lev_ops cvs_xor_ops = {
	.wake = cvs_xor_wake,
	.work = cvs_xor_work,
};

static struct cvs_buf *cvs_buf_alloc(struct cvs_dev *d, int lower,
				     sector_t block)
{
	struct cvs_buf *b = kzalloc(sizeof(*b), GFP_NOIO);
	struct folio *folio;

	if (!b)
		return NULL;
	b->bh = alloc_buffer_head(GFP_NOIO);
	folio = folio_alloc(GFP_NOIO, 0);
	if (!b->bh || !folio) {
		if (folio)
			folio_put(folio);
		if (b->bh)
			free_buffer_head(b->bh);
		kfree(b);
		return NULL;
	}
	folio_set_bh(b->bh, folio, 0);
	b->bh->b_bdev = file_bdev(d->lower[lower]);
	b->bh->b_blocknr = block;
	b->bh->b_size = CVS_BLOCK_SIZE;
	b->bh->b_end_io = cvs_end_io;
	b->bh->b_private = b;
	set_buffer_mapped(b->bh);
	b->dev = d;
	refcount_set(&b->ref, 1);
	cev_wait_init(&b->cw, NULL, NULL);
	atomic_inc(&cvs_nr_bufs);
	return b;
}

/* Which lower device and block hold copy @copy of upper block @block. */
static void cvs_map(struct cvs_dev *d, sector_t block, int copy,
		    int *lower, sector_t *lblock)
{
	switch (d->mode) {
	case CVS_STRIPE:
		*lower = sector_div(block, d->nr_lower);
		*lblock = block;
		break;
	case CVS_MIRROR:
		*lower = copy;
		*lblock = block;
		break;
	default:
		*lower = 0;
		*lblock = block;
	}
}

static struct cvs_buf **cvs_bufs_of(struct cvs_io *io, unsigned int block)
{
	return &io->bufs[block * io->nr_copies];
}

/* Copy between the bio and the buffers, a good copy of each block. */
static void cvs_copy(struct cvs_io *io, bool to_bio)
{
	struct bvec_iter iter;
	struct bio_vec bv;
	size_t pos = 0;

	bio_for_each_segment(bv, io->bio, iter) {
		unsigned int done = 0;

		while (done < bv.bv_len) {
			unsigned int blk = pos >> CVS_BLOCK_SHIFT;
			unsigned int off = pos & (CVS_BLOCK_SIZE - 1);
			unsigned int n = min(bv.bv_len - done, CVS_BLOCK_SIZE - off);
			struct cvs_buf **bufs = cvs_bufs_of(io, blk);
			unsigned int c;

			if (to_bio) {
				struct cvs_buf *good = bufs[0];

				/* An ACQUIRE: the copy's data and status. */
				for (c = 0; c < io->nr_copies; c++)
					if (cev_wait_done(&bufs[c]->cw) &&
					    !bufs[c]->cw.status) {
						good = bufs[c];
						break;
					}
				memcpy_to_page(bv.bv_page, bv.bv_offset + done,
					       good->bh->b_data + off, n);
			} else {
				for (c = 0; c < io->nr_copies; c++)
					memcpy_from_page(bufs[c]->bh->b_data + off,
							 bv.bv_page,
							 bv.bv_offset + done, n);
			}
			done += n;
			pos += n;
		}
	}
}

static void cvs_io_free(struct cvs_io *io)
{
	unsigned int i;

	for (i = 0; i < io->nr_blocks * io->nr_copies; i++)
		if (io->bufs[i])
			cvs_buf_put(io->bufs[i]);
	kfree(io->blocks);
	kfree(io);
}

/* Task context: hand the result up, detach everything, let go. */
static void cvs_io_work(struct work_struct *work)
{
	struct cvs_io *io = container_of(work, struct cvs_io, work);
	struct cvs_dev *d = io->dev;
	bool read = bio_op(io->bio) == REQ_OP_READ;
	int status = io->all.status;
	unsigned int i;

	timer_delete_sync(&io->timer);	/* no cev_cancel() during finish */
	if (read && !status)
		cvs_copy(io, true);
	cev_finish(&io->all);
	cvs_count(d, CVS_CANCELLED, io->all.nr_cancelled);
	for (i = 0; io->blocks && i < io->nr_blocks; i++) {
		/* The copies a good one made unnecessary: the hedge's cost. */
		cvs_count(d, CVS_HEDGE_CANCELLED, cev_finish(&io->blocks[i].any));
		cvs_count(d, CVS_CANCELLED, io->blocks[i].any.nr_cancelled);
	}
	for (i = 0; i < io->nr_blocks * io->nr_copies; i++)
		if (io->bufs[i]->layered)
			lev_del(&io->bufs[i]->lev);
	if (status) {
		cvs_count(d, CVS_ERRORS, 1);
		io->bio->bi_status = io->timed_out ? BLK_STS_TIMEOUT : BLK_STS_IOERR;
	}
	bio_endio(io->bio);
	cvs_io_free(io);
}

/* Finish once the bio's compound completed and its submitter is done. */
static void cvs_io_put(struct cvs_io *io)
{
	if (atomic_dec_and_test(&io->pending))
		queue_work(cvs_wq, &io->work);
}

/* The bio's compound completed: its one wake-up. */
static int cvs_io_done(struct wait_queue_entry *wait, unsigned int mode,
		       int flags, void *key)
{
	struct cvs_io *io = container_of(wait, struct cvs_io, done);

	list_del_init(&wait->entry);
	cvs_io_put(io);
	return 1;
}

static void cvs_io_timeout(struct timer_list *t)
{
	struct cvs_io *io = from_timer(io, t, timer);

	if (cev_cancel(&io->all) == 0) {
		io->timed_out = true;
		cvs_count(io->dev, CVS_TIMEOUTS, 1);
	}
}

static struct cvs_io *cvs_io_alloc(struct cvs_dev *d, struct bio *bio)
{
	unsigned int nr_blocks = bio->bi_iter.bi_size >> CVS_BLOCK_SHIFT;
	bool read = bio_op(bio) == REQ_OP_READ;
	unsigned int copies = d->mode == CVS_MIRROR ? d->nr_lower : 1;
	sector_t first = bio->bi_iter.bi_sector / CVS_SECTORS_PER_BLOCK;
	struct cvs_io *io;
	unsigned int b, c;

	io = kzalloc(struct_size(io, bufs, nr_blocks * copies), GFP_NOIO);
	if (!io)
		return NULL;
	io->dev = d;
	io->bio = bio;
	io->nr_blocks = nr_blocks;
	io->nr_copies = copies;
	if (read && copies > 1) {
		io->blocks = kcalloc(nr_blocks, sizeof(*io->blocks), GFP_NOIO);
		if (!io->blocks)
			goto fail;
	}
	for (b = 0; b < nr_blocks; b++) {
		for (c = 0; c < copies; c++) {
			sector_t lblock;
			int lower;

			cvs_map(d, first + b, c, &lower, &lblock);
			io->bufs[b * copies + c] = cvs_buf_alloc(d, lower, lblock);
			if (!io->bufs[b * copies + c])
				goto fail;
		}
	}
	INIT_WORK(&io->work, cvs_io_work);
	atomic_set(&io->pending, 2);
	timer_setup(&io->timer, cvs_io_timeout, 0);
	init_waitqueue_func_entry(&io->done, cvs_io_done);
	return io;
fail:
	cvs_io_free(io);
	return NULL;
}

/* Queue the layer and the child of one buffer, lock it for I/O. */
static void cvs_buf_arm(struct cvs_io *io, struct cvs_buf *b,
			struct cev *parent, bool read)
{
	lock_buffer(b->bh);
	if (read && io->dev->key) {
		lev_init(&b->lev, &cvs_xor_ops, b);
		b->lev.wq = cvs_layer_wq;	/* bios wait on it: reclaim-safe */
		b->layered = !bh_lev_add(&b->lev, b->bh);
	} else if (!read) {
		set_buffer_uptodate(b->bh);
		if (io->dev->key)
			cvs_xor(b->bh->b_data, io->dev->key);
	}
	WARN_ON_ONCE(bh_cev_add(parent, &b->cw, b->bh));
}

static void cvs_submit(struct cvs_io *io, bool read)
{
	unsigned int i;

	for (i = 0; i < io->nr_blocks * io->nr_copies; i++) {
		refcount_inc(&io->bufs[i]->ref);	/* the I/O's */
		submit_bh(read ? REQ_OP_READ : REQ_OP_WRITE, io->bufs[i]->bh);
	}
	cvs_count(io->dev, CVS_BUFFERS, io->nr_blocks * io->nr_copies);
}

static void cvs_submit_bio(struct bio *bio)
{
	struct cvs_dev *d = bio->bi_bdev->bd_disk->private_data;
	bool read = bio_op(bio) == REQ_OP_READ;
	unsigned int b, c, timeout = READ_ONCE(timeout_ms);
	struct cvs_io *io;

	bio = bio_split_to_limits(bio);
	if (!bio)
		return;
	if (bio_op(bio) != REQ_OP_READ && bio_op(bio) != REQ_OP_WRITE) {
		bio_io_error(bio);
		return;
	}
	io = cvs_io_alloc(d, bio);
	if (!io) {
		bio->bi_status = BLK_STS_RESOURCE;
		bio_endio(bio);
		return;
	}
	cvs_count(d, read ? CVS_READS : CVS_WRITES, 1);
	if (!read)
		cvs_copy(io, false);

	cev_init(&io->all, &cev_all, 0);
	add_wait_queue(&io->all.wq, &io->done);
	for (b = 0; b < io->nr_blocks; b++) {
		struct cvs_buf **bufs = cvs_bufs_of(io, b);
		struct cev *parent = &io->all;

		if (io->blocks) {	/* hedged: first good copy of the block */
			parent = &io->blocks[b].any;
			cev_init(parent, &cev_any, 0);
		}
		for (c = 0; c < io->nr_copies; c++)
			cvs_buf_arm(io, bufs[c], parent, read);
		if (io->blocks) {
			cev_wait_init(&io->blocks[b].link, NULL, NULL);
			WARN_ON_ONCE(cev_add_cev(&io->all, &io->blocks[b].link,
						 parent));
			WARN_ON_ONCE(cev_arm(parent));
		}
	}
	WARN_ON_ONCE(cev_arm(&io->all));
	cvs_submit(io, read);
	/* A write that cannot be withdrawn must not be given up on. */
	if (read && timeout)
		mod_timer(&io->timer, jiffies + msecs_to_jiffies(timeout));
	cvs_io_put(io);		/* the bio may be finished from here on */
}

static const struct block_device_operations cvs_fops = {
	.owner = THIS_MODULE,
	.submit_bio = cvs_submit_bio,
};

static int cvs_stats_show(struct seq_file *m, void *unused)
{
	struct cvs_dev *d = m->private;
	int i;

	seq_printf(m, "mode %s\nkey %u\nlower %d\n", cvs_mode_names[d->mode],
		   d->key, d->nr_lower);
	for (i = 0; i < CVS_NR_STATS; i++)
		seq_printf(m, "%s %lld\n", cvs_stat_names[i],
			   (long long)atomic64_read(&d->stats[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cvs_stats);

static void cvs_put_lower(struct cvs_dev *d)
{
	while (d->nr_lower)
		bdev_fput(d->lower[--d->nr_lower]);
}

static sector_t cvs_capacity(struct cvs_dev *d)
{
	sector_t min = ULLONG_MAX;
	int i;

	for (i = 0; i < d->nr_lower; i++)
		min = min(min, bdev_nr_sectors(file_bdev(d->lower[i])));
	min = round_down(min, CVS_SECTORS_PER_BLOCK);
	return d->mode == CVS_STRIPE ? min * d->nr_lower : min;
}

static int cvs_add_disk(struct cvs_dev *d)
{
	struct queue_limits lim = {
		.logical_block_size = CVS_BLOCK_SIZE,
		.physical_block_size = CVS_BLOCK_SIZE,
		.max_hw_sectors = CVS_MAX_BLOCKS * CVS_SECTORS_PER_BLOCK,
	};
	struct gendisk *disk;
	int err;

	disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	if (IS_ERR(disk))
		return PTR_ERR(disk);
	disk->major = cvs_major;
	disk->first_minor = cvs_next_minor++;
	disk->minors = 1;
	disk->fops = &cvs_fops;
	disk->private_data = d;
	strscpy(disk->disk_name, d->name, sizeof(disk->disk_name));
	set_capacity(disk, cvs_capacity(d));
	err = add_disk(disk);
	if (err) {
		put_disk(disk);
		return err;
	}
	d->disk = disk;
	return 0;
}

static bool cvs_name_ok(const char *name)
{
	const char *p;

	if (!*name || strlen(name) >= CVS_NAME_LEN)
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p))
			return false;
	return true;
}

/* "NAME MODE KEY DEVICE...": the checks on the words, one message each. */
static int cvs_parse(struct cvs_dev *d, char **argv, int argc)
{
	int min, max, i;
	u8 key;

	if (argc < 4) {
		pr_err("cevstack: create: want \"NAME MODE KEY DEVICE...\"\n");
		return -EINVAL;
	}
	if (!cvs_name_ok(argv[0])) {
		pr_err("cevstack: create: bad name \"%s\"\n", argv[0]);
		return -EINVAL;
	}
	strscpy(d->name, argv[0], sizeof(d->name));
	i = match_string(cvs_mode_names, ARRAY_SIZE(cvs_mode_names), argv[1]);
	if (i < 0) {
		pr_err("cevstack: create: unknown mode \"%s\"\n", argv[1]);
		return -EINVAL;
	}
	d->mode = i;
	if (kstrtou8(argv[2], 0, &key)) {
		pr_err("cevstack: create: bad key \"%s\" (0..255)\n", argv[2]);
		return -EINVAL;
	}
	d->key = key;
	min = d->mode == CVS_LINEAR ? 1 : 2;
	max = d->mode == CVS_LINEAR ? 1 : CVS_MAX_LOWER;
	if (argc - 3 < min || argc - 3 > max) {
		pr_err("cevstack: create: %s takes %d to %d devices, not %d\n",
		       cvs_mode_names[d->mode], min, max, argc - 3);
		return -EINVAL;
	}
	return 0;
}

static int cvs_open_lower(struct cvs_dev *d, char **paths, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct file *f = bdev_file_open_by_path(paths[i],
				BLK_OPEN_READ | BLK_OPEN_WRITE, d, NULL);

		if (IS_ERR(f)) {
			pr_err("cevstack: create: cannot open %s: %ld\n",
			       paths[i], PTR_ERR(f));
			cvs_put_lower(d);
			return PTR_ERR(f);
		}
		if (bdev_logical_block_size(file_bdev(f)) > CVS_BLOCK_SIZE) {
			pr_err("cevstack: create: %s has blocks over 4 KiB\n",
			       paths[i]);
			bdev_fput(f);
			cvs_put_lower(d);
			return -EINVAL;
		}
		d->lower[d->nr_lower++] = f;
	}
	return 0;
}

static int cvs_create(const char *val)
{
	struct cvs_dev *d, *other;
	char **argv;
	int argc, err, i;

	argv = argv_split(GFP_KERNEL, val, &argc);
	if (!argv)
		return -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	err = d ? cvs_parse(d, argv, argc) : -ENOMEM;
	if (err)
		goto out;
	mutex_lock(&cvs_lock);
	list_for_each_entry(other, &cvs_devs, list) {
		if (!strcmp(other->name, d->name)) {
			pr_err("cevstack: create: %s exists\n", d->name);
			err = -EEXIST;
			goto unlock;
		}
	}
	err = cvs_open_lower(d, argv + 3, argc - 3);
	if (err)
		goto unlock;
	for (i = 0; i < CVS_NR_STATS; i++)
		atomic64_set(&d->stats[i], 0);
	err = cvs_add_disk(d);
	if (err) {
		cvs_put_lower(d);
		goto unlock;
	}
	list_add_tail(&d->list, &cvs_devs);
	debugfs_create_file(d->name, 0444, cvs_debugfs, d, &cvs_stats_fops);
	pr_info("cevstack: %s: %s over %d devices, key %#x, %llu sectors\n",
		d->name, cvs_mode_names[d->mode], d->nr_lower, d->key,
		(unsigned long long)get_capacity(d->disk));
	d = NULL;
unlock:
	mutex_unlock(&cvs_lock);
out:
	kfree(d);
	argv_free(argv);
	return err;
}

/*
 * A parameter's store takes no reference on the module, and its file
 * outlives cvs_exit(): hold one, so that a create cannot run beside it.
 */
static int cvs_create_set(const char *val, const struct kernel_param *kp)
{
	int err;

	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	err = cvs_wq ? cvs_create(val) : -EAGAIN;
	module_put(THIS_MODULE);
	return err;
}

static const struct kernel_param_ops cvs_create_ops = {
	.set = cvs_create_set,
};
module_param_cb(create, &cvs_create_ops, NULL, 0200);
MODULE_PARM_DESC(create, "create a device: \"NAME MODE KEY DEVICE...\"");

static int __init cvs_init(void)
{
	cvs_major = register_blkdev(0, "cevstack");
	if (cvs_major < 0)
		return cvs_major;
	cvs_wq = alloc_workqueue("cevstack", WQ_MEM_RECLAIM, 0);
	cvs_layer_wq = alloc_workqueue("cevstack_layer",
				       WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!cvs_wq || !cvs_layer_wq) {
		if (cvs_wq)
			destroy_workqueue(cvs_wq);
		if (cvs_layer_wq)
			destroy_workqueue(cvs_layer_wq);
		cvs_wq = NULL;
		unregister_blkdev(cvs_major, "cevstack");
		return -ENOMEM;
	}
	cvs_debugfs = debugfs_create_dir("cevstack", NULL);
	return 0;
}

/*
 * No device is open, but bios may still be finishing on cvs_wq and the
 * lower reads of timed-out bios may still be in flight, their b_end_io in
 * this module: take the disks away so that no bio comes in, wait for
 * every buffer to end and be freed, drain the work that still refers to
 * the devices, and only then free the devices.  A lower device that never
 * ends a read keeps rmmod waiting, as it keeps the bio's owner waiting.
 */
static void __exit cvs_exit(void)
{
	struct cvs_dev *d, *tmp;

	list_for_each_entry(d, &cvs_devs, list)
		del_gendisk(d->disk);
	debugfs_remove_recursive(cvs_debugfs);	/* waits out its readers */
	wait_var_event(&cvs_nr_bufs, !atomic_read(&cvs_nr_bufs));
	destroy_workqueue(cvs_wq);
	destroy_workqueue(cvs_layer_wq);
	list_for_each_entry_safe(d, tmp, &cvs_devs, list) {
		put_disk(d->disk);
		cvs_put_lower(d);
		list_del(&d->list);
		kfree(d);
	}
	unregister_blkdev(cvs_major, "cevstack");
}

module_init(cvs_init);
module_exit(cvs_exit);
MODULE_DESCRIPTION("Stacking block driver completing through layered and compound events");
MODULE_LICENSE("GPL");
