// SPDX-License-Identifier: GPL-2.0
/*
 * cevstack: a stacking block driver that completes through wait queues.
 *
 * A cevstack device sits over one to four lower block devices and does
 * its lower I/O with private buffer heads.  An upper bio completes only
 * through waiters on the lower buffers' wait queues, the bit wait queues
 * unlock_buffer() wakes:
 *
 *  - a compound event per bio (struct cev, cev_all) has every lower
 *    buffer as a child and completes when the last one has, with the
 *    first error;
 *  - with a key, a layer (struct lev) on each read buffer's queue XORs the
 *    data in task context before the child behind it sees the buffer, so
 *    nothing above ever sees untransformed data; writes are XORed before
 *    they are submitted;
 *  - a mirror read may be hedged: the bio's data is a nested compound
 *    (cev_any) over its copies, complete on the first good one; the
 *    copies still pending are cancelled when the bio is finished;
 *  - a timer cancels the whole tree when a read takes longer than
 *    timeout_ms (a mirror read first fails over to one more leg, each
 *    time it is late, until every leg has a copy of it, and is given
 *    timeout_ms again each time); a buffer
 *    whose I/O cannot be withdrawn is detached, and freed when its I/O
 *    ends.  Writes have no timer: a write completes only once every
 *    lower write has ended, so that no orphaned write can land after a
 *    retry or a later write of the same block.
 *
 * A bio goes to one place on each leg it goes to, as one lower buffer:
 * the buffer head carries no data, the buffer's lower bio does, and
 * unlocks it when it ends.  A stripe's bio is not split at its chunks, as
 * dm and md split theirs: the chunks a bio covers on one leg lie end to
 * end there, so a 64 KiB bio over two legs in 4 KiB chunks is two lower
 * bios, not 16.  Where nothing needs a copy of the data, the lower bio
 * goes straight through the upper bio's pages: a clone of it (on a
 * stripe, trimmed to the bio's one chunk on that leg), or on a stripe
 * whose bio has more chunks than legs, its pieces on that leg gathered.
 * That is every write without a key, and the reads of linear and stripe
 * devices without a key or a timeout.  The others copy through private pages, a bio of them a
 * buffer: a key transforms the data, and a read that may be given up on
 * (a timeout) or answered by two legs (a hedged mirror) could land after
 * its bio has ended.
 *
 * Memory pressure slows I/O down and never fails it: everything an I/O
 * allocates is first tried without waiting; if that fails, the I/O takes
 * its memory from its device's reserves (mempools and a bio_set with a
 * rescuer), one I/O of the device at a time, so that the reserves, sized
 * for the device's largest I/O, always suffice for the one waiting on
 * them, as long as the lower devices end their I/O: buffers whose read
 * timed out keep their memory until the lower read ends (the first buffer
 * of an I/O not from the reserves is inside its io, and keeps the io's
 * memory too).  The reserves
 * are a device's own, as each dm device has its own, and so are the
 * workqueues that finish its bios, add its copies and restart its bios
 * short of memory: a cevstack device over another, directly or through
 * dm, md or loop, never waits for reserves, or a rescuer, that the
 * other's I/O needs to end the I/O it waits for (the work of the one
 * above may wait on the reserves of the one below, never the reverse).
 *
 * Lower buffers hold b_end_io pointers into this module and may outlive
 * their bio (a timed-out read): their device counts them, and its delete,
 * or the module's exit, waits for the count to drop to zero before
 * anything is freed.
 *
 * Modes, for upper block b over n lower devices:
 *
 *   linear  one device       b -> device 0, block b
 *   stripe  2..4 devices     chunks of c blocks (stripe:KiB, 4 KiB by
 *                            default) in turn: b -> device (b / c) % n,
 *                            block (b / c / n) * c + b % c
 *   mirror  2..4 devices     writes go to every healthy leg; a read to
 *                            one, hedged to a second if it is late
 *                            there and that leg was late lately
 *
 * A mirror read goes to the healthy leg with the least expected wait
 * (reads pending there, times its recent read latency, which a leg not
 * read slowly forgets, so that a leg slow once is tried again; a hedged
 * read that tries it reads every leg at once).  Its data is a compound
 * (cev_any) over its copies; if the read has not completed after the
 * hedge delay (hedge_us, by default the 95th percentile of recent reads,
 * as in "The Tail at Scale", but no less than a millisecond, and hedged
 * within a tick after it: cvs_hedge_slack()), it is read from a second
 * leg too, one more child of the any-of: the first good copy completes
 * it and the other is cancelled.  hedge_us=0 reads every
 * healthy leg at once (a read it would hedge).  A hedged read is copied,
 * so only the reads of a leg that was late lately are hedged (and
 * probes): for hedge_window_ms (1 s by default) after one of its reads
 * took longer than a hedge would have waited, or a hedge or a failover
 * found one late; a negative window hedges every read.  Other mirror
 * reads, and all with hedge=N or above hedge_max_kib (64 KiB by default),
 * go to one leg only, straight into the bio's pages, as md's raid1
 * reads (unless a timeout or a key makes them a copy; a timeout fails
 * them over).  So the first reads into a stall of a leg not late lately
 * wait for it, as md's do, or for timeout_ms.  Where the estimate is
 * above its floor (a disk), about one read in twenty is late by
 * construction, its legs stay late, and every read is hedged.  A read
 * that fails on a leg is tried again on the legs left.
 *
 * A mirror leg whose write or read fails is marked failed and left out
 * from then on, as md's raid1 does with a faulty member, but never the
 * last healthy leg: a write succeeds when every block reached a leg that
 * has not failed, a read when one good copy came back.  Writing
 * "NAME LEG" to /sys/module/cevstack/parameters/recover takes a failed
 * leg back: every write goes to it at once, no read until a work item
 * has copied the device to it from a leg in sync, a step at a time, the
 * mirror's writes to the step being copied held back meanwhile (as md's
 * resync barrier holds them), no faster than recovery_max_kib KiB/s if
 * it is set (as md's sync_speed_max).  "NAME LEG DEVICE" puts DEVICE in the
 * failed leg's place first, as md adds a member in a faulty one's: once
 * no I/O that chose its legs while the leg was in use is left, nor any
 * lower I/O on it (cvs_replace_leg()).  "NAME DEVICE" written to
 * spare gives a mirror a spare, held open, which takes the place of the
 * next leg to fail, or of one failed already, as md's spare does
 * (cvs_spare_take()); "NAME" alone lets it go.  Neither a leg's state nor a
 * recovery's progress is kept across a delete or a boot: create a mirror
 * only over legs that hold the same data.
 *
 * The queue limits are stacked from the lower devices, and with them
 * their write cache and FUA, but for those of a bio's size and segments
 * (cvs_own_size_limits()).  A flush is one flush bio a leg, each ending
 * on the wait queue of a buffer head of its own, a child of the bio's
 * compound like any other lower I/O; a write with REQ_PREFLUSH first
 * flushes every leg, then writes its data; REQ_FUA goes down with every
 * lower write.  A discard, where every lower device has it, is the same
 * tree of buffer heads with no data: a range on each leg it covers.  A
 * leg that later turns one down as not supported (its limits changed)
 * makes the device turn it down too, and take none from then on, as dm
 * does.
 *
 * Devices are created by writing "NAME MODE KEY DEVICE..." to
 * /sys/module/cevstack/parameters/create, e.g.
 *
 *   echo "cvm0 mirror 0x5a /dev/ram0 /dev/nullb0" > .../create
 *
 * and deleted, when nothing has them open, by writing NAME to .../delete;
 * a delete waits for the lower I/O the device still has in flight.  MODE
 * is linear, mirror or stripe; stripe:KIB stripes in chunks of KIB KiB.
 * KEY is a byte; 0 means no layer.  Counters and the state of the legs are in
 * /sys/kernel/debug/cevstack/NAME.
 */

#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/buffer_head.h>
#include <linux/cev.h>
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#define CVS_BLOCK_SHIFT		12
#define CVS_BLOCK_SIZE		BIT(CVS_BLOCK_SHIFT)
#define CVS_SECTORS_PER_BLOCK	(CVS_BLOCK_SIZE >> SECTOR_SHIFT)
#define CVS_MAX_BLOCKS		64	/* per bio */
#define CVS_MAX_LOWER		4
#define CVS_NAME_LEN		16

/*
 * A mirror leg's state, in cvs_dev.failed: bit l failed (left out of
 * every I/O), bit CVS_RECOVERING(l) being recovered (written, not read).
 */
#define CVS_RECOVERING(l)	BIT(CVS_MAX_LOWER + (l))
#define CVS_RECOVERING_ALL	GENMASK(2 * CVS_MAX_LOWER - 1, CVS_MAX_LOWER)
/* A recovery copies a step at a time; writes are counted by step, hashed. */
#define CVS_STEP_SECTORS	512	/* 256 KiB */
#define CVS_STEP_PAGES		(CVS_STEP_SECTORS * SECTOR_SIZE / PAGE_SIZE)
#define CVS_STEP_HASH		64
#define CVS_NO_STEP		ULONG_MAX
#define CVS_RECOVERY_RUNNING	0	/* in cvs_dev.recovery, till the work ends */

/* A recovery's own memory: a step's pages, in one bio. */
struct cvs_recovery {
	int leg;
	struct page *pages[CVS_STEP_PAGES];
	struct bio_vec bvecs[CVS_STEP_PAGES];
};

enum cvs_mode { CVS_LINEAR, CVS_STRIPE, CVS_MIRROR };

static const char * const cvs_mode_names[] = {
	[CVS_LINEAR] = "linear",
	[CVS_STRIPE] = "stripe",
	[CVS_MIRROR] = "mirror",
};

enum cvs_stat {
	CVS_READS, CVS_WRITES, CVS_BUFFERS, CVS_TRANSFORMS, CVS_ERRORS,
	CVS_TIMEOUTS, CVS_CANCELLED, CVS_HEDGE_CANCELLED, CVS_FLUSHES,
	CVS_LEG_ERRORS, CVS_HEDGES, CVS_RETRIES, CVS_TASK_FINISHES,
	CVS_RESERVED, CVS_COPIES, CVS_FAILOVERS, CVS_DISCARDS, CVS_PROBES,
	CVS_RECOVERED_KIB, CVS_LATE_READS, CVS_NR_STATS,
};

static const char * const cvs_stat_names[] = {
	"reads", "writes", "buffers", "transforms", "errors",
	"timeouts", "cancelled", "hedge_cancelled", "flushes",
	"leg_errors", "hedges", "retries", "task_finishes", "reserved",
	"copies", "failovers", "discards", "probes", "recovered_kib",
	"late_reads",
};

static_assert(ARRAY_SIZE(cvs_stat_names) == CVS_NR_STATS);

/*
 * A CPU's counts: every I/O counts, and most from more than one CPU.
 * Read without a lock: a sum may miss an I/O counting meanwhile (and on
 * a 32-bit machine, tear), which a counter in debugfs can afford.
 */
struct cvs_stats {
	u64 n[CVS_NR_STATS];
};

/*
 * A device's reserves, each for its largest I/O (cvs_reserve_init()).
 * Only the holder of @lock waits on the pools: the others allocate from
 * the slab and the page allocator without waiting, and their frees fill
 * the pools up again; so whatever the holder waits for is held by the
 * device's I/O in flight.  Every I/O may wait on @bios, whose rescuer
 * sees to that.  Bios that could not start without waiting, and the data
 * of flushed writes, wait on @restart_wq, which nothing else uses: its
 * work waits on the pools, which the work on @wq fills.  That work may
 * wait on the reserves of a cevstack device below (a copy or a bio
 * started again goes down from it), never on its own device's.
 */
struct cvs_reserve {
	struct mutex lock;		/* the I/O that may wait on the pools */
	mempool_t io_pool;		/* struct cvs_io */
	mempool_t buf_pool;		/* struct cvs_buf */
	mempool_t page_pool;		/* the pages of copies */
	struct bio_set copy_bios;	/* copies' bios, for the holder */
	struct bio_set bios;		/* clones and flushes, at submission */
	struct workqueue_struct *wq;	/* finishing bios, adding copies */
	struct workqueue_struct *restart_wq;
	struct work_struct restart_work;
	spinlock_t restart_lock;	/* the two lists */
	struct bio_list restarts;	/* to start again as they are */
	struct bio_list resubmits;	/* data to split and submit */
};

struct cvs_dev {
	char name[CVS_NAME_LEN];
	enum cvs_mode mode;
	u8 key;
	unsigned int chunk_blocks;	/* a stripe's chunk */
	int nr_lower;
	/* A failed mirror leg's may be replaced: see cvs_replace_leg() */
	struct file *lower[CVS_MAX_LOWER];
	unsigned long failed;	/* mirror legs left out: CVS_RECOVERING() */
	/* A mirror's I/Os, from choosing their legs to their end */
	struct srcu_struct ios;
	bool ios_polled;	/* a grace period polled for was given up on */
	/* Set under cvs_lock and disk->open_mutex: no open, no spare taken */
	bool deleting;
	/* Buffers alive, I/Os of the reserves, restarts: delete waits for 0 */
	atomic_t nr_bufs;
	atomic_t pending[CVS_MAX_LOWER];	/* a mirror's lower I/O in flight */
	atomic_t reading[CVS_MAX_LOWER];	/* ... of which reads */
	/*
	 * Read latency estimates, updated without a lock by each completion
	 * and each choice of leg: a lost update leaves an estimate off, a
	 * completion's sample lost or a read's forgetting undone, until the
	 * next updates move it again.
	 */
	unsigned long lat_ns[CVS_MAX_LOWER];	/* moving average, a leg */
	unsigned int passed[CVS_MAX_LOWER];	/* passed over since a read ended */
	unsigned long hedge_ns;	/* 95th percentile of mirror read bios */
	/*
	 * When a leg was last found late, in jiffies, 0 for never: its
	 * reads are hedged for a while after (cvs_leg_late()).  64 bits, so
	 * that a leg late long ago never looks late again.
	 */
	u64 late_at[CVS_MAX_LOWER];
	struct work_struct discard_off;	/* a leg turned a discard down */
	/* Recovery of a failed mirror leg (cvs_recover_work()) */
	struct work_struct recover;
	unsigned long recovery;		/* CVS_RECOVERY_RUNNING */
	struct cvs_recovery *rec;	/* the running one's */
	unsigned long recover_at, recover_steps;	/* for debugfs */
	bool recover_stop;	/* a delete: stop at the next step, or wake */
	/*
	 * Written under cvs_lock.  debugfs reads it under RCU; a leg's
	 * failure, a recovery's end and the spare's work peek at it.
	 */
	struct file *spare;
	struct delayed_work spare_work;	/* cvs_spare_work() */
	unsigned long spare_retry;	/* under cvs_lock: its next delay */
	/*
	 * Read by every mirror write, written at each step of a recovery:
	 * the step being copied, CVS_NO_STEP between steps; and the writes
	 * held back by a step, each let in before the next step is taken.
	 */
	unsigned long step ____cacheline_aligned_in_smp;
	atomic_t held;
	/* The mirror's writes in flight, counted on each step they cover. */
	atomic_t writing[CVS_STEP_HASH] ____cacheline_aligned_in_smp;
	struct gendisk *disk;
	struct dentry *debugfs;
	struct cvs_stats __percpu *stats;
	struct list_head list;
	struct cvs_reserve res;
};

/*
 * One lower buffer; it outlives its bio while its I/O is in flight.  Its
 * buffer head is its own, not one of alloc_buffer_head()'s: it is never
 * attached to a folio, so it is not counted with the page cache's, whose
 * number reclaim watches (buffer_heads_over_limit).
 */
struct cvs_buf {
	struct buffer_head bh;
	struct bio *copy;	/* a copy's lower bio, holding its pages */
	struct cev_wait cw;
	struct lev lev;
	struct cvs_dev *dev;
	struct cvs_io *host;	/* the io it is inside of, or NULL */
	refcount_t ref;		/* the bio's, in-flight I/O's, host's */
	int lower;		/* index of the lower device */
	blk_status_t status;	/* the lower bio's, once its I/O ended */
	u64 start_ns;		/* when a read was submitted, else 0 */
	bool timed;		/* a read of a timed io: may make its leg late */
	bool layered;
};

/*
 * The I/O of one bio: a buffer for each leg it goes to (a mirror's, a
 * stripe's that the bio's chunks touch, a linear device's one, every leg
 * for a flush).  Its first buffer is @buf, inside it, but for an io of
 * the reserves: a single allocation for an I/O of one buffer.  That
 * buffer keeps the io's memory until its own lower I/O has ended.
 * Only the members before @all are cleared when the io is made
 * (cvs_io_get()); those from @all on are set up where first used.
 */
struct cvs_io {
	/* cleared by cvs_io_get(), up to @all */
	struct cvs_dev *dev;
	struct bio *bio;
	unsigned int nr_blocks;	/* 0 for a flush */
	unsigned int nr_bufs;
	bool direct;		/* through the bio's pages: no copy */
	bool discard;		/* no data: a buffer is a range to discard */
	bool pooled;		/* from the reserves */
	bool any_of;		/* a mirror read: the copies are in @any */
	u8 legs[CVS_MAX_LOWER];	/* the legs healthy when it started */
	u64 start_ns;		/* a timed read's start, for the estimate */
	bool timed;		/* a mirror read the hedge may answer ... */
	bool hedged;		/* ... which it does: a late leg's, a probe */
	bool read_all;		/* every copy read at once: hedge_us=0, a probe */
	bool probe;		/* read_all for a probe (cvs_forget_latency()) */
	unsigned int timeout_ms;	/* a read's, read once */
	unsigned int first;	/* mirror read: the copy read first ... */
	unsigned int hedge;	/* ... and the one read if that is late */
	struct cvs_hedge_q *hedge_q;	/* the submitting CPU's */
	u64 hedge_at;		/* when it is late, in ktime_get_ns() time, */
	u64 hedge_by;		/* ... and when it is hedged at the latest */
	unsigned long failed_legs;	/* legs this I/O found failing */
	int ios_idx;		/* a mirror's: srcu_down_read(&dev->ios) */
	atomic_t pending;	/* submitter, completion, timers, hedge work */
	bool timed_out;
	atomic_t copies_due;	/* a mirror read's copies due: 1, a hedge, failovers */
	bool dropped;		/* a buffer could not be armed: -EIO */
	bool counted;		/* in the device's writing[] (cvs_write_enter()) */
	unsigned long first_step, last_step;	/* ... for these steps */
	bool layered;		/* a layer may hold the completion back */
	struct cvs_buf *bufs[CVS_MAX_LOWER];
	/* from here on set up where first used */
	struct cev all;
	struct wait_queue_entry done;
	struct llist_node reap;		/* on cvs_done: completed, not put */
	struct work_struct work;
	struct timer_list timer;
	struct list_head hedge_node;	/* on @hedge_q's reads */
	struct work_struct hedge_work;
	struct cev any;		/* a mirror read: the first good copy ... */
	struct cev_wait link;	/* ... a child of @all */
	struct cvs_buf buf;	/* the first buffer (cvs_buf_mem()) */
};

/*
 * The reads a hedge may answer, a list a CPU, the CPU each was submitted
 * on, and a timer a CPU at the earliest one's hedge time.  A timer a read
 * would be started and cancelled by nearly every read, each time
 * reprogramming the clock event; one a device would have every CPU take
 * the device's lock twice a read.  A read's completion takes the lock of
 * the CPU it was submitted on, mostly its own.
 *
 * @lock is irq-safe (the timer's callback takes it, in hardirq context
 * but on PREEMPT_RT); it is taken inside a wait queue's lock (a layered
 * bio's completion), never around one, and holds only the locks of
 * queue_work() (the pool's, and the scheduler's to wake a worker) and of
 * hrtimer_start_range_ns() (the timer base's) inside.  No two CPUs' locks are
 * ever held at once.
 */
struct cvs_hedge_q {
	spinlock_t lock;	/* the list, and starting the timer */
	struct list_head reads;
	struct hrtimer timer;
};

static DEFINE_PER_CPU(struct cvs_hedge_q, cvs_hedge_qs);

static unsigned int timeout_ms;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "cancel a read that takes longer, a mirror read once every leg has a copy of it, each late one having been given timeout_ms more (ms; 0: never); such reads are copied");

static bool hedge = true;
module_param(hedge, bool, 0644);
MODULE_PARM_DESC(hedge, "hedge mirror reads, which then are copied (N: read one leg, straight into the bio)");

static int hedge_us = -1;
module_param(hedge_us, int, 0644);
MODULE_PARM_DESC(hedge_us, "hedge a late mirror read to a second leg after (us; -1: the 95th percentile of recent reads, at least 1 ms, and within a tick after it; 0: read every leg at once, a read it would hedge)");

static int hedge_window_ms = 1000;
module_param(hedge_window_ms, int, 0644);
MODULE_PARM_DESC(hedge_window_ms, "hedge the mirror reads of a leg only for this long after it was late: a read of it took longer than a hedge would have waited, or a hedge or a failover found one late (ms; 0: none but probes; negative: every read that hedge and hedge_max_kib allow); the others go to one leg, as with hedge=N");

static unsigned int hedge_max_kib = 64;
module_param(hedge_max_kib, uint, 0644);
MODULE_PARM_DESC(hedge_max_kib, "hedge only mirror reads of at most this many KiB (0: any size); a larger one goes to one leg, straight into the bio, as with hedge=N");

static unsigned int recovery_max_kib;
module_param(recovery_max_kib, uint, 0644);
MODULE_PARM_DESC(recovery_max_kib, "copy a failed mirror leg taken back at most this fast (KiB/s, as md's sync_speed_max; 0: as fast as the legs go); another recovery, or a spare, waits for it to end");

/*
 * The estimate's floor: a read that a healthy leg answers within a
 * millisecond is not worth a second read and a copy.
 */
#define CVS_HEDGE_MIN_NS	NSEC_PER_MSEC
#define CVS_HEDGE_MAX_NS	(100 * NSEC_PER_MSEC)
#define CVS_HEDGE_INIT_NS	NSEC_PER_MSEC

static DEFINE_MUTEX(cvs_lock);
static LIST_HEAD(cvs_devs);
static int cvs_major;
static int cvs_next_minor;
static struct workqueue_struct *cvs_layer_wq;	/* the XOR layer's work */
static struct dentry *cvs_debugfs;

static struct kmem_cache *cvs_io_cache;
static struct kmem_cache *cvs_buf_cache;
static struct bio_set cvs_copy_bio_set;	/* copies' bios, but the holder's */

static void cvs_count(struct cvs_dev *d, enum cvs_stat s, long n)
{
	this_cpu_add(d->stats->n[s], n);
}

/* The layer's transform, of a copy's pages: its own inverse. */
static void cvs_xor(struct cvs_buf *b, u8 key)
{
	u64 pattern = 0x0101010101010101ULL * key;
	unsigned short v;

	for (v = 0; v < b->copy->bi_vcnt; v++) {
		struct bio_vec *bv = &b->copy->bi_io_vec[v];
		u64 *w = kmap_local_page(bv->bv_page);
		unsigned int i;

		for (i = 0; i < bv->bv_len / sizeof(*w); i++)
			w[i] ^= pattern;
		kunmap_local(w);
	}
}

/* A copy's pages go to their pool when it is short, and its bio back. */
static void cvs_copy_free(struct cvs_dev *d, struct bio *copy)
{
	unsigned short v;

	for (v = 0; v < copy->bi_vcnt; v++)
		mempool_free(copy->bi_io_vec[v].bv_page, &d->res.page_pool);
	bio_put(copy);
}

/* The memory of an io, back to where it came from. */
static void cvs_io_release(struct cvs_io *io)
{
	if (io->pooled)
		mempool_free(io, &io->dev->res.io_pool);
	else
		kmem_cache_free(cvs_io_cache, io);
}

static void cvs_buf_put(struct cvs_buf *b)
{
	struct cvs_dev *d = b->dev;

	if (!refcount_dec_and_test(&b->ref))
		return;
	/* Its I/O ended and every waiter is gone: the pool may hand it out. */
	if (b->copy)
		cvs_copy_free(d, b->copy);
	if (b->host)		/* the io's own, and the io is done with */
		cvs_io_release(b->host);
	else
		mempool_free(b, &d->res.buf_pool);
	/*
	 * The last thing a buffer does: a delete of the device, or
	 * cvs_exit(), may go on from here.  What is left is the return to the
	 * caller (cvs_end_io(), or cvs_io_free() from a timer, the submitter
	 * or the device's work), the window every bio-based driver's end_io
	 * has.
	 */
	atomic_dec_and_wake_up(&d->nr_bufs);
}

static struct llist_node *cvs_reap_take(void);
static void cvs_reap_list(struct llist_node *list);

/* Latencies are kept in unsigned longs: none is taken as over 1 s. */
static unsigned long cvs_since(u64 start_ns)
{
	return min_t(u64, ktime_get_ns() - start_ns, NSEC_PER_SEC);
}

/* A moving average of a leg's read latency, an eighth a read. */
static void cvs_note_latency(struct cvs_dev *d, int lower, unsigned long lat)
{
	unsigned long avg = READ_ONCE(d->lat_ns[lower]);

	WRITE_ONCE(d->lat_ns[lower], avg - avg / 8 + lat / 8);
}

/*
 * A frugal streaming estimate of the 95th percentile of a mirror read
 * bio's time, what the hedge timer waits for: up by 1/16 on a bio above
 * it, down 19 times less on one below, so that it settles where one bio
 * in twenty is above it.
 */
static void cvs_note_hedge(struct cvs_dev *d, u64 start_ns)
{
	unsigned long lat = cvs_since(start_ns);
	unsigned long est = READ_ONCE(d->hedge_ns);

	est = lat > est ? est + est / 16 : est - est / (16 * 19);
	WRITE_ONCE(d->hedge_ns, clamp(est, CVS_HEDGE_MIN_NS, CVS_HEDGE_MAX_NS));
}

/*
 * The slack of the hedge timer when the delay is the estimate.  Exact, a
 * CPU with reads in flight takes a timer interrupt of its own about once
 * a hedge delay, late read or not: in a guest reading a block at a time,
 * with the 1 ms estimate, those took the reads' p99 from 39-47 us to
 * 62-78.  With a tick's slack the timer expires with the tick: the clock
 * event is programmed for the earliest hard expiry, which the tick's is,
 * and its interrupt runs the timers whose soft expiry has passed.  With
 * the tick stopped (an idle CPU), the timer expires at its hard expiry, a
 * tick after the delay.  Not on PREEMPT_RT, where the timer expires in
 * softirq context, which the tick raises only for a soft timer's hard
 * expiry: there a slack would only make hedges later.
 */
static u64 cvs_hedge_slack(void)
{
	return IS_ENABLED(CONFIG_PREEMPT_RT) ? 0 : TICK_NSEC;
}

/*
 * How long after its start a mirror read is hedged: after @at, and after
 * @by at the latest; exactly after hedge_us if it is set, else after the
 * estimate, within cvs_hedge_slack() more.
 */
static void cvs_hedge_delay(struct cvs_dev *d, u64 *at, u64 *by)
{
	int us = READ_ONCE(hedge_us);

	if (us > 0) {
		*at = (u64)us * NSEC_PER_USEC;
		*by = *at;
	} else {
		*at = READ_ONCE(d->hedge_ns);
		*by = *at + cvs_hedge_slack();
	}
}

/* Leg @l is late from now on, for a while: see cvs_leg_late(). */
static void cvs_leg_now_late(struct cvs_dev *d, int l)
{
	WRITE_ONCE(d->late_at[l], get_jiffies_64());
}

/*
 * A mirror read of leg @lower ended after @lat ns: the leg's estimate
 * takes it, and if the read was @timed, one a hedge may answer, and took
 * longer than a hedge would have waited, the leg is late.  Not a read
 * that no hedge may answer (above hedge_max_kib, with hedge=N): it is
 * not measured against the estimate of those that one may.  (The hedge
 * work marks the legs of a read it found late without counting them:
 * cvs_hedge_work().)
 */
static void cvs_note_read(struct cvs_dev *d, int lower, u64 lat, bool timed)
{
	u64 at, by;

	cvs_note_latency(d, lower, min_t(u64, lat, NSEC_PER_SEC));
	if (!timed)
		return;
	cvs_hedge_delay(d, &at, &by);
	if (lat <= by)
		return;
	cvs_leg_now_late(d, lower);
	cvs_count(d, CVS_LATE_READS, 1);
}

/*
 * Are the reads of leg @l hedged?  For hedge_window_ms after one of its
 * reads ended late, or a hedge or a failover found one late: a leg late
 * once is likely to be late again soon (a stall, a device's garbage
 * collection), while a hedged read pays for its copy through private
 * pages whether it is late or not, and the reads of a leg that is never
 * late need no hedge.  Every leg's with a negative hedge_window_ms, no
 * leg's with 0.  Not after the window's end, nor before its start: a
 * 32-bit machine may store a torn value, which must not keep a leg late
 * for long.
 */
static bool cvs_leg_late(struct cvs_dev *d, int l)
{
	int ms = READ_ONCE(hedge_window_ms);
	u64 late = READ_ONCE(d->late_at[l]);
	u64 now = get_jiffies_64();

	if (ms < 0)
		return true;
	return late && time_after_eq64(now, late) &&
	       time_before64(now, late + msecs_to_jiffies(ms));
}

/*
 * Keep a wake-up that may complete a compound on its CPU until
 * cvs_reap_take().  Not with preemption disabled on PREEMPT_RT, where the
 * wake-up's queue lock is a sleeping lock: a lower bio ends in a task
 * there (a threaded interrupt, softirq context in ksoftirqd or a task's
 * local_bh_enable(), a workqueue, the submitter), which migrate_disable()
 * keeps on the CPU.  Elsewhere it may end in any context, hardirq too.
 */
static void cvs_pin_cpu(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_disable();
	else
		preempt_disable();
}

static void cvs_unpin_cpu(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_enable();
	else
		preempt_enable();
}

/*
 * Take what the wake-ups left on this CPU, let the CPU go, and finish
 * what was taken, preemptible again if the caller is.
 */
static void cvs_unpin_cpu_reap(void)
{
	struct llist_node *done = cvs_reap_take();

	cvs_unpin_cpu();
	cvs_reap_list(done);
}

/* The lower I/O ended: the wake-up of its queue drives everything above. */
static void cvs_end_io(struct buffer_head *bh, int uptodate)
{
	struct cvs_buf *b = bh->b_private;

	if (b->start_ns) {	/* a mirror's read */
		cvs_note_read(b->dev, b->lower, ktime_get_ns() - b->start_ns,
			      b->timed);
		WRITE_ONCE(b->dev->passed[b->lower], 0);
		atomic_dec(&b->dev->reading[b->lower]);
	}
	/*
	 * Only mirrors choose.  A RELEASE: cvs_drain_leg() lets the leg's
	 * old device go once it reads the count that this leaves.
	 */
	if (b->dev->mode == CVS_MIRROR)
		atomic_dec_return_release(&b->dev->pending[b->lower]);
	if (uptodate)
		set_buffer_uptodate(bh);
	else
		clear_buffer_uptodate(bh);
	cvs_pin_cpu();		/* take what the wake-up left on this CPU */
	unlock_buffer(bh);
	cvs_unpin_cpu_reap();
	cvs_buf_put(b);
}

static enum lev_action cvs_xor_wake(struct lev *lev, void *key)
{
	struct cvs_buf *b = lev->data;

	if (!bh_wake_key_matches(&b->bh, key) || buffer_locked(&b->bh) ||
	    !buffer_uptodate(&b->bh))
		return LEV_CONTINUE;
	return LEV_DEFER;	/* the data is not fit to be seen yet */
}

static void cvs_xor_work(struct lev *lev)
{
	struct cvs_buf *b = lev->data;

	cvs_xor(b, b->dev->key);
	cvs_count(b->dev, CVS_TRANSFORMS, 1);
}

static const struct lev_ops cvs_xor_ops = {
	.wake = cvs_xor_wake,
	.work = cvs_xor_work,
};

/*
 * Private pages for a run of @size bytes, in the bio that will read or
 * write them; false if they are not there without waiting, unless
 * @reserved.  What was added is freed with the buffer.  The bio comes
 * from a set of the device's own for the holder of its reserve lock: the
 * others' would take from its pool without waiting (mempool_alloc()
 * does), and keep what they took as long as a lower read that timed out
 * is stuck.
 */
static bool cvs_buf_add_copy(struct cvs_buf *b, unsigned int size,
			     bool reserved)
{
	gfp_t gfp = reserved ? GFP_NOIO : GFP_NOWAIT | __GFP_NOWARN;
	struct page *page;

	b->copy = bio_alloc_bioset(b->bh.b_bdev, DIV_ROUND_UP(size, PAGE_SIZE),
				   0, gfp, reserved ? &b->dev->res.copy_bios :
							&cvs_copy_bio_set);
	if (!b->copy)
		return false;
	while (size) {
		unsigned int len = min_t(unsigned int, size, PAGE_SIZE);

		if (reserved)
			page = mempool_alloc(&b->dev->res.page_pool, gfp);
		else
			page = alloc_page(gfp);
		if (!page)
			return false;
		__bio_add_page(b->copy, page, len, 0);
		size -= len;
	}
	return true;
}

/*
 * The memory of a buffer: @host's own if it is given, else from the pool
 * (with @reserved, waiting for it there), NULL if it must be waited for.
 * Only the holder of the reserve lock waits on the pools.  A buffer made
 * outside goes to the pool when it is freed, if the pool is short of one.
 * A buffer inside its io holds a reference for the io besides the bio's:
 * cvs_io_free() drops it, and the io's memory goes back with the buffer,
 * when the buffer's lower I/O has ended too.
 */
static struct cvs_buf *cvs_buf_mem(struct cvs_dev *d, struct cvs_io *host,
				   bool reserved)
{
	struct cvs_buf *b;

	if (host) {
		b = &host->buf;
		refcount_set(&b->ref, 2);
	} else {
		if (reserved)
			b = mempool_alloc(&d->res.buf_pool, GFP_NOIO);
		else
			b = kmem_cache_alloc(cvs_buf_cache,
					     GFP_NOWAIT | __GFP_NOWARN);
		if (!b)
			return NULL;
		refcount_set(&b->ref, 1);
	}
	b->host = host;
	return b;
}

/*
 * A lower buffer for the run of @size bytes at @block of @lower, with
 * @copy pages of its own, else without data (a direct run, a flush, a
 * discard); inside @host if it is given (cvs_buf_mem()), else with
 * @reserved from the reserves, else NULL if it must be waited for.  Set
 * up as a whole, whatever it held: a buffer from the pool, or an io's,
 * was used before (its I/O ended and nothing waits on it any more), or
 * never.  Its layer is set up when it has one (cvs_buf_arm()).
 */
static struct cvs_buf *cvs_buf_alloc(struct cvs_dev *d, struct cvs_io *host,
				     int lower, sector_t block,
				     unsigned int size, bool copy,
				     bool reserved)
{
	struct buffer_head *bh;
	struct cvs_buf *b;

	b = cvs_buf_mem(d, host, reserved);
	if (!b)
		return NULL;
	bh = &b->bh;
	memset(bh, 0, sizeof(*bh));
	INIT_LIST_HEAD(&bh->b_assoc_buffers);
	spin_lock_init(&bh->b_uptodate_lock);
	bh->b_size = size;
	bh->b_bdev = file_bdev(d->lower[lower]);
	bh->b_blocknr = block;
	bh->b_end_io = cvs_end_io;
	bh->b_private = b;
	set_buffer_mapped(bh);
	b->copy = NULL;
	b->dev = d;
	b->lower = lower;
	b->status = BLK_STS_OK;
	b->start_ns = 0;
	b->timed = false;
	b->layered = false;
	cev_wait_init(&b->cw, NULL, NULL);
	atomic_inc(&d->nr_bufs);
	if (copy && !cvs_buf_add_copy(b, size, reserved)) {
		cvs_buf_put(b);
		return NULL;
	}
	return b;
}

/* The first block of the bio. */
static sector_t cvs_first_block(struct cvs_io *io)
{
	return io->bio->bi_iter.bi_sector >> (CVS_BLOCK_SHIFT - SECTOR_SHIFT);
}

/*
 * A stripe's bio, counted in bytes from the start of its first chunk:
 * where its data starts, where it ends, and a chunk's size.  Its buffer
 * @c holds its chunks c, c + n, c + 2n... of its n legs, counted from 0,
 * the first: they lie end to end on their leg, the first from where the
 * bio starts in it.
 */
static unsigned int cvs_stripe_start(struct cvs_io *io)
{
	return (cvs_first_block(io) & (io->dev->chunk_blocks - 1)) *
	       CVS_BLOCK_SIZE;
}

static unsigned int cvs_chunk_size(struct cvs_dev *d)
{
	return d->chunk_blocks * CVS_BLOCK_SIZE;
}

/* The chunks a stripe's bio touches. */
static unsigned int cvs_stripe_chunks(struct cvs_io *io)
{
	unsigned int end = cvs_stripe_start(io) + io->bio->bi_iter.bi_size;

	return DIV_ROUND_UP(end, cvs_chunk_size(io->dev));
}

/* The buffers of a stripe's bio: one for each leg its chunks touch. */
static unsigned int cvs_stripe_bufs(struct cvs_io *io)
{
	return min_t(unsigned int, io->dev->nr_lower, cvs_stripe_chunks(io));
}

/* The bytes of a stripe's bio in its buffer @c. */
static unsigned int cvs_stripe_buf_size(struct cvs_io *io, unsigned int c)
{
	unsigned int chunk = cvs_chunk_size(io->dev);
	unsigned int start = cvs_stripe_start(io);
	unsigned int end = start + io->bio->bi_iter.bi_size;
	unsigned int r, size = 0;

	for (r = c * chunk; r < end; r += io->dev->nr_lower * chunk)
		size += min(end, r + chunk) - max(start, r);
	return size;
}

/*
 * Where byte @pos of a stripe's bio is: in the buffer returned, at @off
 * there; @len is cut to what follows it end to end there.
 */
static unsigned int cvs_stripe_at(struct cvs_io *io, unsigned int pos,
				  unsigned int *off, unsigned int *len)
{
	unsigned int chunk = cvs_chunk_size(io->dev);
	unsigned int start = cvs_stripe_start(io);
	unsigned int v = start + pos, r = v / chunk;
	unsigned int c = r % io->dev->nr_lower;

	*off = r / io->dev->nr_lower * chunk + v % chunk - (c ? 0 : start);
	*len = min(*len, chunk - v % chunk);
	return c;
}

/* The bytes of buffer @c of the I/O. */
static unsigned int cvs_buf_size(struct cvs_io *io, unsigned int c)
{
	if (!io->nr_blocks)		/* a flush */
		return 0;
	if (io->dev->mode == CVS_STRIPE)
		return cvs_stripe_buf_size(io, c);
	return io->nr_blocks * CVS_BLOCK_SIZE;
}

/*
 * Where buffer @c of the I/O goes: its lower device, and the block there.
 * A stripe's buffer @c starts at the bio's chunk c.
 */
static void cvs_map(struct cvs_io *io, unsigned int c, int *lower,
		    sector_t *lblock)
{
	struct cvs_dev *d = io->dev;
	sector_t block = cvs_first_block(io);
	u32 in_chunk;

	if (!io->nr_blocks) {		/* a flush */
		*lower = io->legs[c];
		*lblock = 0;
		return;
	}
	switch (d->mode) {
	case CVS_STRIPE:
		in_chunk = sector_div(block, d->chunk_blocks);
		block += c;
		*lower = sector_div(block, d->nr_lower);
		*lblock = block * d->chunk_blocks + (c ? 0 : in_chunk);
		break;
	case CVS_MIRROR:
		*lower = io->legs[c];
		*lblock = block;
		break;
	default:
		*lower = 0;
		*lblock = block;
	}
}

/* A good copy of a read, once the bio has succeeded. */
static struct cvs_buf *cvs_good_copy(struct cvs_io *io)
{
	unsigned int c;

	/* An ACQUIRE: the copy's data and status. */
	for (c = 0; c < io->nr_bufs; c++)
		if (io->bufs[c] && cev_wait_done(&io->bufs[c]->cw) &&
		    !io->bufs[c]->cw.status)
			return io->bufs[c];
	WARN_ON_ONCE(1);	/* the bio succeeded: it has one */
	return NULL;
}

/*
 * Copy @n bytes at @off into the bio between its page at @bv_off and the
 * copy @b, whose pages are whole, from offset 0.
 */
static void cvs_copy_page(struct cvs_buf *b, unsigned int off,
			  struct bio_vec *bv, unsigned int bv_off,
			  unsigned int n, bool to_bio)
{
	struct page *page = b->copy->bi_io_vec[off / PAGE_SIZE].bv_page;

	if (to_bio)
		memcpy_page(bv->bv_page, bv_off, page, offset_in_page(off), n);
	else
		memcpy_page(page, offset_in_page(off), bv->bv_page, bv_off, n);
}

/*
 * Copy the bio's data into its buffers' copies, for a write (every mirror
 * leg's, or the one buffer that holds each piece), or a read's data into
 * the bio (a mirror's good copy, or the buffer that holds each piece).
 */
static void cvs_copy(struct cvs_io *io, bool to_bio)
{
	bool mirror = io->dev->mode == CVS_MIRROR;
	bool stripe = io->dev->mode == CVS_STRIPE;
	struct cvs_buf *good = mirror && to_bio ? cvs_good_copy(io) : NULL;
	struct bvec_iter iter;
	struct bio_vec bv;
	unsigned int pos = 0, c;

	if (mirror && to_bio && !good)
		return;
	bio_for_each_segment(bv, io->bio, iter) {
		unsigned int done = 0;

		while (done < bv.bv_len) {
			unsigned int off = pos, len = bv.bv_len - done;

			c = stripe ? cvs_stripe_at(io, pos, &off, &len) : 0;
			len = min(len, PAGE_SIZE - offset_in_page(off));
			do {
				cvs_copy_page(good ?: io->bufs[c], off, &bv,
					      bv.bv_offset + done, len, to_bio);
			} while (!good && mirror && ++c < io->nr_bufs);
			done += len;
			pos += len;
		}
	}
}

/*
 * A mirror's I/O is a reader of its device's @ios from before it chooses
 * its legs to its end (cvs_drain_leg() waits for it), which comes in
 * another function, often in another context: sparse is told that the
 * section ends here, and begins again there.
 */
static int cvs_ios_enter(struct cvs_dev *d)
{
	int idx = srcu_down_read(&d->ios);

	__release(&d->ios);	/* ends in cvs_ios_exit() */
	return idx;
}

static void cvs_ios_exit(struct cvs_dev *d, int idx)
{
	__acquire(&d->ios);	/* began in cvs_ios_enter() */
	srcu_up_read(&d->ios, idx);
}

/*
 * The io's memory goes back with its own buffer (cvs_buf_put()), once
 * that buffer's lower I/O has ended too, else here; its other buffers may
 * be held longer.  Until then the own buffer holds the device, as the
 * others do: the last buffer put may let a delete free the device, and
 * cvs_exit() destroy the io's cache.  An io of the reserves has no buffer
 * of its own (cvs_io_alloc()) and holds the device itself until it is
 * back in its pool.
 */
static void cvs_io_free(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	bool pooled = io->pooled;
	unsigned int i;

	/* Its buffers, put below, hold the device. */
	if (d->mode == CVS_MIRROR)
		cvs_ios_exit(d, io->ios_idx);
	for (i = 0; i < io->nr_bufs; i++)
		if (io->bufs[i])
			cvs_buf_put(io->bufs[i]);
	if (io->buf.host)
		cvs_buf_put(&io->buf);	/* the io's reference: @io may be gone */
	else
		cvs_io_release(io);
	if (!pooled)
		return;
	/* The reserves' own I/O: the pools stay until it is back. */
	atomic_dec_and_wake_up(&d->nr_bufs);	/* a delete, cvs_exit() may go on */
}

/*
 * d->failed is read without a lock (READ_ONCE, test_bit) when an I/O
 * picks its legs and when it judges its copies: a leg failed meanwhile is
 * seen by the I/O after, as with md's Faulty bit.  It is written with a
 * cmpxchg, by cvs_fail_leg(), so that the last leg in sync is never
 * failed, and by a recovery's start and end.  A leg being recovered is
 * not healthy: it lacks blocks the others have.
 */
static unsigned int cvs_healthy_legs(struct cvs_dev *d)
{
	return d->nr_lower - hweight_long(READ_ONCE(d->failed));
}

/* The legs marked failed, not those being recovered. */
static unsigned long cvs_failed_legs(struct cvs_dev *d)
{
	return READ_ONCE(d->failed) & GENMASK(d->nr_lower - 1, 0);
}

/* Does leg @l have every block: neither failed nor being recovered? */
static bool cvs_in_sync(unsigned long failed, int l)
{
	return !(failed & (BIT(l) | CVS_RECOVERING(l)));
}

/*
 * The last leg in sync failed a write that may have reached a leg being
 * recovered, behind the copy, which will not copy the block again: were
 * the recovery to end, the two would read as in sync with different data
 * there.  It fails the legs being recovered instead; true if it did.
 */
static bool cvs_stop_recovery(struct cvs_dev *d, unsigned long *old)
{
	unsigned long rec = *old & CVS_RECOVERING_ALL;

	if (!try_cmpxchg(&d->failed, old,
			 (*old & ~rec) | (rec >> CVS_MAX_LOWER)))
		return false;
	pr_warn("cevstack: %s: the last leg in sync failed a write: recovery stopped\n",
		d->name);
	return true;
}

/*
 * Leave a mirror leg out from now on; the first time, say so.  The last
 * leg in sync stays, as md's raid1 keeps its last member: its errors go
 * to the bios, and the blocks it can still read stay readable.  A leg
 * being recovered holds no block the others lack: it may always go.
 * @write: a write of data failed on the leg.
 */
static bool cvs_fail_leg(struct cvs_dev *d, int lower, bool write)
{
	unsigned long old = READ_ONCE(d->failed);

	cvs_count(d, CVS_LEG_ERRORS, 1);
	if (d->mode != CVS_MIRROR)
		return false;
	for (;;) {
		if (old & BIT(lower))
			return true;
		if ((old & CVS_RECOVERING(lower)) ||
		    hweight_long(old) + 1 < d->nr_lower) {
			if (try_cmpxchg(&d->failed, &old,
					(old & ~CVS_RECOVERING(lower)) |
					BIT(lower)))
				break;
			continue;
		}
		if (!write || !(old & CVS_RECOVERING_ALL) ||
		    cvs_stop_recovery(d, &old))
			return false;
	}
	pr_warn("cevstack: %s: leg %d (%pg) failed; %u of %d left\n", d->name,
		lower, file_bdev(d->lower[lower]), cvs_healthy_legs(d),
		d->nr_lower);
	/*
	 * The cmpxchg that failed the leg is a full barrier before this
	 * read, as cvs_spare_add()'s smp_mb() is between its store of the
	 * spare and its read of the legs' state: one of the two sees the
	 * other's store.  The work takes cvs_lock and looks again.
	 */
	if (READ_ONCE(d->spare))
		mod_delayed_work(system_long_wq, &d->spare_work, 0);
	return true;
}

/*
 * Did a leg turn the discard down?  As not supported, what
 * submit_bio_noacct() says of a device that takes no discard; or with a
 * target error from a leg that no longer takes any, as SCSI fails one
 * once sd_disable_discard() has taken them away (what dm's clone_endio()
 * looks for).  Then the leg's discards are gone, or may be: a leg whose
 * limit drops later (a cevstack device's own work; dm's, whose
 * disable_discard() leaves the limit the block layer reads) is seen
 * gone at a later discard, or not at all.
 */
static bool cvs_refused(struct cvs_buf *b, bool *gone)
{
	*gone = !bdev_max_discard_sectors(b->bh.b_bdev);
	return b->status == BLK_STS_NOTSUPP ||
	       (b->status == BLK_STS_TARGET && *gone);
}

/*
 * A discard's status from its buffers, all done.  A discard is advice: as
 * md's raid1 does, a mirror takes a leg's failed discard for done, and
 * does not fail the leg for it; but one that every leg refused it turns
 * down, as dm would, where md's raid1 takes even that for done.  A
 * leg that refused it (cvs_refused()) is not in error, and the bio is
 * turned down, not failed; once a leg takes no discard any more (its
 * limits changed since the device was made), the device takes none from
 * then on, as dm's stops taking them.
 */
static int cvs_discard_status(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	unsigned int c, errors = 0, refused = 0;
	bool gone, any_gone = false;

	for (c = 0; c < io->nr_bufs; c++) {
		struct cvs_buf *buf = io->bufs[c];

		if (!buf || !buf->status)
			continue;
		if (cvs_refused(buf, &gone)) {
			refused++;
			any_gone |= gone;
		} else {
			errors++;
		}
	}
	cvs_count(d, CVS_LEG_ERRORS, errors);
	if (any_gone)
		schedule_work(&d->discard_off);
	if (d->mode == CVS_MIRROR)
		return refused == io->nr_bufs ? -EOPNOTSUPP : 0;
	return errors ? -EIO : refused ? -EOPNOTSUPP : 0;
}

/*
 * No discard from now on: from a work of its own, as the update freezes
 * the queue, once, whichever of the discards a leg refused queued it.
 * A discard already past submit_bio_noacct()'s check is turned down in
 * cvs_submit_bio().
 */
static void cvs_discard_off(struct work_struct *work)
{
	struct cvs_dev *d = container_of(work, struct cvs_dev, discard_off);
	struct request_queue *q = d->disk->queue;
	struct queue_limits lim = queue_limits_start_update(q);

	if (!lim.max_hw_discard_sectors) {
		queue_limits_cancel_update(q);
		return;
	}
	lim.max_hw_discard_sectors = 0;
	if (queue_limits_commit_update_frozen(q, &lim))
		pr_warn("cevstack: %s: a leg takes no discard, but the device's limits could not be changed\n",
			d->name);
	else
		pr_warn("cevstack: %s: a leg takes no discard; nor does the device from now on\n",
			d->name);
}

/*
 * The bio's status from its buffers, all done: a mirror's data is good
 * when one copy of it is, whatever the others did; a lower device that
 * failed a buffer is counted, and a mirror leg is left out from then on
 * (not for a discard).
 */
static int cvs_io_status(struct cvs_io *io)
{
	bool read = bio_op(io->bio) == REQ_OP_READ;
	unsigned int c, good = 0;
	unsigned long failed;

	if (io->dropped)
		return -EIO;
	if (io->discard)
		return cvs_discard_status(io);
	/* A mirror read's root sees its any-of, not a copy that failed. */
	if (!io->all.nr_failed && !io->any_of)
		return 0;
	/*
	 * First the failures: a write's copy on a leg failed since, or being
	 * recovered, is no good (it will not be read); a read's good copy is
	 * good.
	 */
	for (c = 0; c < io->nr_bufs; c++) {
		struct cvs_buf *buf = io->bufs[c];

		/* A copy not read, or cancelled, has no result. */
		if (buf && cev_wait_done(&buf->cw) && buf->cw.status &&
		    cvs_fail_leg(io->dev, buf->lower, !read && io->nr_blocks))
			__set_bit(buf->lower, &io->failed_legs);
	}
	/* The legs' state once they failed: one look for every copy. */
	failed = READ_ONCE(io->dev->failed);
	for (c = 0; c < io->nr_bufs; c++) {
		struct cvs_buf *buf = io->bufs[c];

		if (buf && cev_wait_done(&buf->cw) && !buf->cw.status &&
		    (read || cvs_in_sync(failed, buf->lower)))
			good++;
	}
	/* A stripe's flush is one a leg, not copies: all must do. */
	if (!good || (io->dev->mode != CVS_MIRROR && good < io->nr_bufs))
		return -EIO;
	return 0;
}

/*
 * Must a finished I/O go to task context?  A layer's lev_del() sleeps, and
 * an error or a flush before data may start more I/O, which allocates.
 */
static bool cvs_io_needs_task(struct cvs_io *io)
{
	return io->layered || io->all.status ||
	       (!io->nr_blocks && io->bio->bi_iter.bi_size);
}

static void cvs_restart(struct cvs_io *io);
static void cvs_resubmit(struct cvs_io *io);
static void cvs_write_exit(struct cvs_dev *d, unsigned long first,
			   unsigned long last);

/*
 * Hand the result up, detach everything, let go.  Every reference is
 * gone: no timer is queued, and a timer's callback touches the io no more
 * once it dropped or handed on its reference (this may be that callback:
 * neither timer core touches a timer after its callback returns); no
 * hedge runs.  Any context without a lock held, unless
 * cvs_io_needs_task().
 */
static void cvs_io_finish(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	bool read = bio_op(io->bio) == REQ_OP_READ;
	int status = io->all.status;
	unsigned int i;

	if (!io->timed_out)
		status = cvs_io_status(io);
	if (read && !status && !io->direct)
		cvs_copy(io, true);
	cev_finish(&io->all);
	cvs_count(d, CVS_CANCELLED, io->all.nr_cancelled);
	if (io->any_of) {
		/* The copies a good one made unnecessary: the hedge's cost. */
		cvs_count(d, CVS_HEDGE_CANCELLED, cev_finish(&io->any));
		cvs_count(d, CVS_CANCELLED, io->any.nr_cancelled);
	}
	for (i = 0; i < io->nr_bufs; i++)
		if (io->bufs[i] && io->bufs[i]->layered)
			lev_del(&io->bufs[i]->lev);
	/* Every leg flushed: now the data, with no flush of its own. */
	if (!status && !io->nr_blocks && io->bio->bi_iter.bi_size) {
		cvs_resubmit(io);
		return;
	}
	/* Legs failed under a read: try it on the others, if any are left. */
	if (status && read && io->failed_legs) {
		cvs_count(d, CVS_RETRIES, 1);
		cvs_restart(io);
		return;
	}
	if (status) {
		if (status != -EOPNOTSUPP)	/* a refused discard */
			cvs_count(d, CVS_ERRORS, 1);
		io->bio->bi_status = io->timed_out ? BLK_STS_TIMEOUT :
				     errno_to_blk_status(status);
	}
	if (io->counted)
		cvs_write_exit(d, io->first_step, io->last_step);
	bio_endio(io->bio);
	cvs_io_free(io);
}

static void cvs_io_work(struct work_struct *work)
{
	struct cvs_io *io = container_of(work, struct cvs_io, work);

	cvs_count(io->dev, CVS_TASK_FINISHES, 1);
	cvs_io_finish(io);
}

/*
 * Drop a reference; the last one finishes the bio, here if it can be done
 * here.  Never under a lock: not from a wake function (see cvs_io_done()).
 */
static void cvs_io_put(struct cvs_io *io)
{
	if (!atomic_dec_and_test(&io->pending))
		return;
	if (cvs_io_needs_task(io))
		queue_work(io->dev->res.wq, &io->work);
	else
		cvs_io_finish(io);
}

/* A reference put under a lock: the last one finishes on the device's wq. */
static void cvs_io_put_locked(struct cvs_io *io)
{
	if (atomic_dec_and_test(&io->pending))
		queue_work(io->dev->res.wq, &io->work);
}

/*
 * Off its CPU's hedge list, if the hedge timer has not taken it off (and
 * handed its reference to the hedge work): true if it was on.  Never put
 * on one (cvs_run()): false.
 */
static bool cvs_hedge_unwatch(struct cvs_io *io)
{
	/* Set before the I/O or the timer starts; see cvs_run(). */
	struct cvs_hedge_q *q = READ_ONCE(io->hedge_q);
	unsigned long flags;
	bool was_on;

	if (!q)
		return false;
	spin_lock_irqsave(&q->lock, flags);
	was_on = !list_empty(&io->hedge_node);
	list_del_init(&io->hedge_node);
	spin_unlock_irqrestore(&q->lock, flags);
	return was_on;
}

/*
 * The compound completed: drop the reference of the timeout timer and of
 * the hedge list if they will not run now.  A timer whose callback runs or
 * ran drops its own; the hedge timer hands the list's to the hedge work.
 * Called by the completion, and by cvs_run() if the compound completed
 * while it started them: each reference is dropped once.
 */
static void cvs_io_stop_timers(struct cvs_io *io,
			       void (*put)(struct cvs_io *io))
{
	if (io->timeout_ms) {
		/*
		 * The compound's completion before, the timer's pending state
		 * after: pairs with the barrier in cvs_run() or
		 * cvs_io_timeout() between starting the timer and looking at
		 * the compound, which only a mirror read needs (a hedge or a
		 * failover may complete it meanwhile).
		 */
		if (io->any_of)
			smp_mb();	/* pairs with cvs_run()'s, cvs_io_timeout()'s */
		if (timer_delete(&io->timer))
			put(io);
	}
	if (cvs_hedge_unwatch(io))
		put(io);
}

/*
 * Compounds completed on this CPU, waiting for their completion reference
 * to be dropped once the wake-up that completed them has returned: under
 * its queue's lock, cev_finish() would wait for that very wake-up, and the
 * bio's owner may take the same hashed queue's lock in bio_endio().  On
 * PREEMPT_RT, where the waker is only kept on its CPU, another task there
 * may take the list while the wake-up is still running (preempted under
 * its queue's lock, a sleeping lock there): the bio's cev_finish() then
 * sleeps on the compound's lock, and on the queue's while the child is
 * still on it, until the wake-up is done with the compound and the child.
 * Its walk of the hashed queue may go on after that: it touches nothing
 * of the I/O, whose buffer (and io, if it is the io's own) the lower end
 * still holds (cvs_end_io()).
 */
static DEFINE_PER_CPU(struct llist_head, cvs_done);

/*
 * After anything that may complete a compound without a layer, on the CPU
 * it ran on (interrupt or softirq context, or cvs_pin_cpu()).
 */
static struct llist_node *cvs_reap_take(void)
{
	return llist_del_all(this_cpu_ptr(&cvs_done));
}

/* Off the CPU's list: no longer pinned, finished as the context allows. */
static void cvs_reap_list(struct llist_node *list)
{
	struct cvs_io *io, *next;

	llist_for_each_entry_safe(io, next, list, reap) {
		cvs_io_stop_timers(io, cvs_io_put);
		cvs_io_put(io);		/* the completion's */
	}
}

static void cvs_reap(void)
{
	cvs_reap_list(cvs_reap_take());
}

/*
 * The bio's compound completed: its one wake-up, under the lock of the
 * queue whose wake-up completed it, in that waker's context.  Without a
 * layer, that is the lower buffer's end (cvs_end_io()), the timeout timer
 * or the arm in cvs_run(), each of which reaps when the wake-up has
 * returned, on this CPU; a layer completes it later from its work, and
 * the bio is finished on the device's workqueue.
 */
static int cvs_io_done(struct wait_queue_entry *wait, unsigned int mode,
		       int flags, void *key)
{
	struct cvs_io *io = container_of(wait, struct cvs_io, done);

	list_del_init(&wait->entry);
	if (io->start_ns && !io->all.status)
		cvs_note_hedge(io->dev, io->start_ns);
	if (io->layered) {
		cvs_io_stop_timers(io, cvs_io_put_locked);
		cvs_io_put_locked(io);	/* the completion's */
		return 1;
	}
	llist_add(&io->reap, this_cpu_ptr(&cvs_done));
	return 1;
}

static void cvs_hedge_work(struct work_struct *work);

/*
 * Copy @c of a read, if it was submitted and has not ended, and when it
 * started.  0 until it is submitted; unlocked, it has noted its own time.
 */
static struct cvs_buf *cvs_read_in_flight(struct cvs_io *io, unsigned int c,
					  u64 *start_ns)
{
	/* Pairs with cvs_add_copy()'s release: a buffer made anew. */
	struct cvs_buf *b = smp_load_acquire(&io->bufs[c]);

	*start_ns = b ? READ_ONCE(b->start_ns) : 0;
	return *start_ns && buffer_locked(&b->bh) ? b : NULL;
}

/*
 * The legs of a late read's copies in flight take the wait so far into
 * their estimates, so that the reads after it do not go there too while
 * they are still late.  The hedge work may be filling a slot meanwhile.
 */
static void cvs_note_late(struct cvs_io *io)
{
	unsigned int c;
	u64 start_ns;

	for (c = 0; c < io->nr_bufs; c++) {
		struct cvs_buf *b = cvs_read_in_flight(io, c, &start_ns);

		if (b)
			cvs_note_latency(io->dev, b->lower, cvs_since(start_ns));
	}
}

/*
 * A mirror read late by timeout_ms goes to one more leg, unless each leg
 * it may read has a copy due already (or every leg was read at once, or
 * it fails): first the one it is hedged to, then, each time it is late
 * again, one of those left.  The hedge work adds the copies due.  It
 * takes the hedge list's reference if the read is still on the list (the
 * hedge timer then adds no copy of its own), else one of its own.
 */
static bool cvs_fail_over(struct cvs_io *io)
{
	/* Done: the completion is taking the read off the list, if it was. */
	if (!io->any_of || io->read_all || io->dropped || cev_done(&io->any))
		return false;
	if (cvs_hedge_unwatch(io)) {
		atomic_inc(&io->copies_due);	/* 2: the hedge's */
	} else {
		/*
		 * Off the list: never on it (not hedged), or the hedge timer
		 * took it, and made its copy due under the list's lock,
		 * which this took after it.
		 */
		if (!atomic_add_unless(&io->copies_due, 1, io->nr_bufs))
			return false;
		atomic_inc(&io->pending);	/* the hedge work's */
	}
	cvs_note_late(io);
	/*
	 * Pending already (queued by the hedge timer or a failover before,
	 * so only after atomic_add_unless()), the queued run has not started
	 * (an earlier one may still be running): it sees the copy due.  The
	 * fully ordered atomic_add_unless() (and the test_and_set_bit() of
	 * PENDING that failed) pairs with the smp_mb() in
	 * set_work_pool_and_clear_pending(), between clearing PENDING and
	 * calling the function.  One reference is dropped for both runs;
	 * never the last, the timer holds its own.
	 */
	if (!queue_work(io->dev->res.wq, &io->hedge_work))
		cvs_io_put(io);
	return true;
}

/*
 * The read timed out: it fails over, and the timer is started again for
 * timeout_ms more, with a reference of its own; or it is cancelled.  The
 * expiry's reference is dropped last: once the timer is pending, a
 * completion may take the timer's.  Started again, the timer looks at
 * the compound, which the other leg may have completed before the timer
 * was pending, as cvs_run() does.
 */
static void cvs_io_timeout(struct timer_list *t)
{
	struct cvs_io *io = from_timer(io, t, timer);

	if (cvs_fail_over(io)) {
		cvs_count(io->dev, CVS_FAILOVERS, 1);
		atomic_inc(&io->pending);	/* the timer's, started again */
		mod_timer(&io->timer,
			  jiffies + msecs_to_jiffies(io->timeout_ms));
		smp_mb();	/* pairs with cvs_io_stop_timers()'s */
		if (cev_done(&io->all) && timer_delete(&io->timer))
			cvs_io_put(io);
		cvs_io_put(io);		/* this expiry's */
		return;
	}
	if (cev_cancel(&io->all) == 0) {
		io->timed_out = true;
		cvs_count(io->dev, CVS_TIMEOUTS, 1);
	}
	cvs_reap();
	cvs_io_put(io);
}

/*
 * The legs an I/O goes to: a mirror's healthy ones, or every device.  A
 * mirror leg being recovered is written, not read.
 */
static unsigned int cvs_pick_legs(struct cvs_dev *d, u8 *legs, bool read)
{
	/*
	 * An ACQUIRE: a leg seen being recovered is seen with the device a
	 * replace put there before (cvs_recover_start()'s cmpxchg).
	 */
	unsigned long failed = smp_load_acquire(&d->failed);
	unsigned int n = 0;
	int i;

	for (i = 0; i < d->nr_lower; i++)
		if (d->mode != CVS_MIRROR ||
		    (read ? cvs_in_sync(failed, i) : !test_bit(i, &failed)))
			legs[n++] = i;
	return n;
}

/*
 * A leg's estimate moves only when the leg is read: one slow once would
 * never be read again, and a stall that ended would leave the reads on
 * the other legs for good.  Each leg passed over forgets a little of its
 * estimate, a 1/CVS_LAT_FORGET a read, so that it is tried again after a
 * number of reads that grows with the log of how much slower it was (a
 * leg that took 50 ms where another takes 100 us: about every 1060).
 * Not a leg with reads pending: its estimate moves when they end, and a
 * stalled leg's only sign is its reads that do not.
 *
 * A leg chosen after being passed over that many reads or more since its
 * last read ended is probed: were it still slow, the read would wait for
 * it, or for the hedge delay.  A hedged read that probes reads every leg
 * at once, and so does every read that chooses the leg until one of its
 * reads ends.
 */
#define CVS_LAT_FORGET	256

static bool cvs_forget_latency(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	unsigned int c;

	for (c = 0; c < io->nr_bufs; c++) {
		int l = io->legs[c];
		unsigned long lat = READ_ONCE(d->lat_ns[l]);

		if (c == io->first)
			continue;
		WRITE_ONCE(d->passed[l], READ_ONCE(d->passed[l]) + 1);
		if (!atomic_read(&d->reading[l]))
			WRITE_ONCE(d->lat_ns[l], lat - lat / CVS_LAT_FORGET);
	}
	return READ_ONCE(d->passed[io->legs[io->first]]) >= CVS_LAT_FORGET;
}

/*
 * A read's expected wait on leg @l: the reads pending there times the
 * leg's recent latency (never taken as under 1 us, so that the pending
 * count tells apart legs not yet measured).
 */
static u64 cvs_expected_wait(struct cvs_dev *d, int l)
{
	return (u64)(atomic_read(&d->pending[l]) + 1) *
	       (READ_ONCE(d->lat_ns[l]) + NSEC_PER_USEC);
}

/*
 * The copy to read first, and the one to hedge to: the legs with the
 * least expected wait.  True if the read probes its first leg.
 */
static bool cvs_choose(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	u64 best = U64_MAX, second = U64_MAX;
	unsigned int c;

	io->first = 0;
	io->hedge = 1;
	for (c = 0; c < io->nr_bufs; c++) {
		u64 wait = cvs_expected_wait(d, io->legs[c]);

		if (wait < best) {
			second = best;
			io->hedge = io->first;
			best = wait;
			io->first = c;
		} else if (wait < second) {
			second = wait;
			io->hedge = c;
		}
	}
	return cvs_forget_latency(io);
}

/*
 * Is a mirror read of @bio hedged if it is late, should its leg be one
 * whose reads are hedged (cvs_leg_late())?  Not above hedge_max_kib:
 * a hedged read is copied (a late copy must not land in pages handed
 * back), and the larger the read, the more the copy costs every read
 * while what a hedge saves, a leg's stall, stays the same.  From a
 * ramdisk a hedged 128 KiB read took two and a half times as long as one
 * straight into the bio.
 */
static bool cvs_hedgeable(struct bio *bio)
{
	unsigned int max_kib = READ_ONCE(hedge_max_kib);

	return READ_ONCE(hedge) &&
	       (!max_kib || bio->bi_iter.bi_size <= (u64)max_kib * SZ_1K);
}

/* Is buffer @c read, or written, from the start? */
static bool cvs_reads_at_once(struct cvs_io *io, unsigned int c)
{
	return !io->any_of || io->read_all || c == io->first;
}

/* Is the read hedged if it is late?  Fixed when the io is allocated. */
static bool cvs_may_hedge(struct cvs_io *io)
{
	return io->hedged && !cvs_reads_at_once(io, io->hedge);
}

static struct cvs_io *cvs_io_get(struct cvs_dev *d, bool pooled, gfp_t gfp)
{
	struct cvs_io *io;

	if (pooled)
		io = mempool_alloc(&d->res.io_pool, gfp);
	else
		io = kmem_cache_alloc(cvs_io_cache, gfp);
	if (!io)
		return NULL;
	memset(io, 0, offsetof(struct cvs_io, all));
	io->buf.host = NULL;	/* no buffer yet: see cvs_io_free() */
	if (pooled) {
		io->pooled = true;
		atomic_inc(&d->nr_bufs);	/* see cvs_io_free() */
	}
	return io;
}

/*
 * Is the I/O a stripe's with more chunks than legs, each buffer's lower
 * bio its pieces of the bio gathered, were it to go straight through the
 * bio's pages?  With a chunk a leg at most, each is a clone, trimmed.
 */
static bool cvs_gathers(struct cvs_io *io)
{
	return io->dev->mode == CVS_STRIPE &&
	       cvs_stripe_chunks(io) > cvs_stripe_bufs(io);
}

/*
 * Does the I/O need no copy of its data?  Not with a key, which
 * transforms it, nor for a read that may end before its lower I/O does:
 * one a timeout may give up on, or one a hedge may answer.  Nor if the
 * pieces gathered for a leg might be more than a bio holds: the bio's
 * vectors, each cut at most at every block, are no more than its
 * segments and blocks.  (Only sub-page segments make a bio of at most
 * CVS_MAX_BLOCKS blocks that many: such a bio is copied.)
 */
static bool cvs_goes_direct(struct cvs_io *io, bool read)
{
	if (io->discard)	/* no data to copy */
		return true;
	return io->nr_blocks && !io->dev->key &&
	       (!read || (!io->timeout_ms && !io->hedged)) &&
	       (!cvs_gathers(io) ||
		bio_segments(io->bio) + io->nr_blocks <= BIO_MAX_VECS);
}

static void cvs_lower_end_io(struct bio *bio);

/*
 * How long a read may take: timeout_ms, but for a read of a cevstack
 * device above, whose own timer, started before this one, runs for the
 * same time.  Were this one to run too, the read would end here first, if
 * its timer expired first, in an error that fails its leg up there: the
 * leg is late, not faulty.  (Through dm or md in between, both timers
 * run, and a read timed out below still fails the leg above.)
 */
static unsigned int cvs_read_timeout(struct bio *bio)
{
	if (bio->bi_end_io == cvs_lower_end_io)
		return 0;
	return READ_ONCE(timeout_ms);
}

/*
 * The I/O of @bio over the legs healthy now: for a flush, a buffer a leg;
 * else a buffer on each leg the bio goes to, over all of it: a mirror's
 * every leg for a write, the one to read first for a read (a hedge
 * allocates its own), a stripe's each leg its chunks touch, a linear
 * device's one; a discard's as a write's, with no data.  A write with
 * REQ_PREFLUSH flushes every
 * leg before any of its data goes down, not only the legs it writes to:
 * the data then follows from cvs_io_finish().
 *
 * NULL if the memory is not there without waiting, unless @reserved: then
 * it comes from the device's reserves, under their lock, and cannot fail.
 * ERR_PTR(-EIO) if no leg is left.
 */
static struct cvs_io *cvs_io_alloc(struct cvs_dev *d, struct bio *bio,
				   bool reserved)
{
	bool read = bio_op(bio) == REQ_OP_READ;
	bool flush = !read && (bio->bi_opf & REQ_PREFLUSH);
	unsigned int timeout = read ? cvs_read_timeout(bio) : 0;
	gfp_t gfp = reserved ? GFP_NOIO : GFP_NOWAIT | __GFP_NOWARN;
	unsigned int nr_legs, c;
	u8 legs[CVS_MAX_LOWER];
	struct cvs_io *io = NULL;
	int idx = 0;

	/* Before the legs are chosen: cvs_replace_leg() waits for it. */
	if (d->mode == CVS_MIRROR)
		idx = cvs_ios_enter(d);
	nr_legs = cvs_pick_legs(d, legs, read);
	if (nr_legs)
		io = cvs_io_get(d, reserved, gfp);
	if (!nr_legs || !io) {
		if (d->mode == CVS_MIRROR)
			cvs_ios_exit(d, idx);
		/* -EIO if every leg of the mirror failed */
		return nr_legs ? NULL : ERR_PTR(-EIO);
	}
	io->ios_idx = idx;
	io->dev = d;
	io->bio = bio;
	io->timeout_ms = timeout;
	io->nr_blocks = flush ? 0 : bio->bi_iter.bi_size >> CVS_BLOCK_SHIFT;
	io->nr_bufs = d->mode == CVS_MIRROR || flush ? nr_legs : 1;
	if (d->mode == CVS_STRIPE && io->nr_blocks)
		io->nr_bufs = cvs_stripe_bufs(io);
	io->layered = read && d->key;	/* fixed: cvs_io_done() reads it */
	io->discard = bio_op(bio) == REQ_OP_DISCARD;
	memcpy(io->legs, legs, nr_legs);
	if (read && d->mode == CVS_MIRROR && io->nr_bufs > 1) {
		bool probe = cvs_choose(io);

		io->any_of = true;
		/* Read once: a change now must not make a hedge of a copy. */
		io->timed = cvs_hedgeable(bio);
		/* A probe too: it tries a leg that was slow. */
		io->hedged = io->timed &&
			     (probe || cvs_leg_late(d, io->legs[io->first]));
		io->probe = probe && io->hedged;
		io->read_all = io->probe || (io->hedged && !READ_ONCE(hedge_us));
	}
	io->direct = cvs_goes_direct(io, read);
	for (c = 0; c < io->nr_bufs; c++) {
		sector_t lblock;
		int lower;

		if (!cvs_reads_at_once(io, c))
			continue;
		cvs_map(io, c, &lower, &lblock);
		/*
		 * The first inside the io, an allocation fewer, but for an io
		 * of the reserves: the buffer would keep the io from its pool
		 * until its lower I/O ended, a late one after its bio did.
		 */
		io->bufs[c] = cvs_buf_alloc(d, reserved || io->buf.host ?
					    NULL : io,
					    lower, lblock, cvs_buf_size(io, c),
					    io->nr_blocks && !io->direct,
					    reserved);
		if (!io->bufs[c])
			goto fail;
	}
	INIT_WORK(&io->work, cvs_io_work);
	INIT_WORK(&io->hedge_work, cvs_hedge_work);
	INIT_LIST_HEAD(&io->hedge_node);
	atomic_set(&io->copies_due, 1);
	atomic_set(&io->pending, 2);
	timer_setup(&io->timer, cvs_io_timeout, 0);
	init_waitqueue_func_entry(&io->done, cvs_io_done);
	return io;
fail:
	cvs_io_free(io);
	return NULL;
}

/*
 * Queue the layer and the child of one buffer, lock it for I/O.  An error
 * (the parent completed or was cancelled) says not to start the I/O.
 */
static int cvs_buf_arm(struct cvs_io *io, struct cvs_buf *b,
		       struct cev *parent, bool read)
{
	lock_buffer(&b->bh);
	if (read && io->dev->key) {
		lev_init(&b->lev, &cvs_xor_ops, b);
		b->lev.wq = cvs_layer_wq;	/* bios wait on it: reclaim-safe */
		b->layered = !bh_lev_add(&b->lev, &b->bh);
	} else if (!read) {
		set_buffer_uptodate(&b->bh);
		/* Neither a flush nor a discard has data. */
		if (io->dev->key && io->nr_blocks && !io->discard)
			cvs_xor(b, io->dev->key);
	}
	return bh_cev_add(parent, &b->cw, &b->bh);
}

/*
 * Arm a buffer of a compound not yet armed, which cannot refuse it; if it
 * did, the buffer would not be waited for, and a direct read could land
 * in the bio's pages after its end: drop it, and its block has no copy.
 */
static void cvs_buf_arm_or_drop(struct cvs_io *io, struct cvs_buf **slot,
				struct cev *parent, bool read)
{
	if (!WARN_ON_ONCE(cvs_buf_arm(io, *slot, parent, read)))
		return;
	if ((*slot)->layered)
		lev_del(&(*slot)->lev);
	unlock_buffer(&(*slot)->bh);
	cvs_buf_put(*slot);
	*slot = NULL;
	io->dropped = true;
}

/* A lower bio ended: end its buffer head, whose wake-up drives the rest. */
static void cvs_lower_end_io(struct bio *bio)
{
	struct buffer_head *bh = bio->bi_private;
	struct cvs_buf *b = bh->b_private;
	int uptodate = !bio->bi_status;

	/*
	 * Read once the bio's compound completed (cvs_discard_status()):
	 * unlock_buffer()'s release, and the fully ordered completion after
	 * it, order it before.
	 */
	b->status = bio->bi_status;
	bio_put(bio);	/* first: the buffer's end may free the device, the module */
	bh->b_end_io(bh, uptodate);
}

/* Does the I/O go straight through the bio's pages, as a clone of it? */
static bool cvs_clones(struct cvs_io *io)
{
	return io->direct && !io->discard && !cvs_gathers(io);
}

/*
 * A clone of a stripe's bio for buffer @c, which holds one chunk of it:
 * trimmed to the part of the bio in that chunk.
 */
static void cvs_stripe_trim(struct cvs_io *io, unsigned int c,
			    struct bio *clone)
{
	unsigned int skip = c ? c * cvs_chunk_size(io->dev) -
				cvs_stripe_start(io) : 0;

	bio_trim(clone, skip >> SECTOR_SHIFT,
		 cvs_buf_size(io, c) >> SECTOR_SHIFT);
}

/*
 * The pieces of a stripe's bio that buffer @c holds, its chunks' parts of
 * the bio's (multi-page) vectors, in their order there: counted, and
 * added to @lower unless it is NULL.
 */
static unsigned short cvs_gather(struct cvs_io *io, unsigned int c,
				 struct bio *lower)
{
	unsigned int chunk = cvs_chunk_size(io->dev);
	unsigned int v = cvs_stripe_start(io);
	unsigned short n = 0;
	struct bvec_iter iter;
	struct bio_vec bv;

	bio_for_each_bvec(bv, io->bio, iter) {
		unsigned int done = 0;

		while (done < bv.bv_len) {
			unsigned int len = min(bv.bv_len - done,
					       chunk - v % chunk);
			unsigned int off = bv.bv_offset + done;
			struct page *page = nth_page(bv.bv_page,
						     off >> PAGE_SHIFT);

			if (v / chunk % io->dev->nr_lower == c) {
				if (lower)
					__bio_add_page(lower, page, len,
						       offset_in_page(off));
				n++;
			}
			done += len;
			v += len;
		}
	}
	return n;
}

/*
 * The lower bio of buffer @c: a clone of the upper bio (a stripe's
 * trimmed to its chunk on the leg); a flush; a discard of the buffer's
 * range; a stripe's pieces on its leg gathered from the upper bio's
 * pages; or the copy's own, which the buffer keeps past its end, for its
 * pages.  All but the last from the device's bio_set, whose rescuer lets
 * them wait for memory even here, in the upper bio's ->submit_bio() with
 * the lower bios not yet sent down.  The pieces gathered are no more than
 * BIO_MAX_VECS (cvs_goes_direct()).
 */
static struct bio *cvs_lower_bio(struct cvs_io *io, unsigned int c,
				 blk_opf_t opf)
{
	struct cvs_buf *b = io->bufs[c];
	struct buffer_head *bh = &b->bh;
	struct bio *bio;

	if (cvs_clones(io)) {
		bio = bio_alloc_clone(bh->b_bdev, io->bio, GFP_NOIO,
				      &io->dev->res.bios);
		if (!bio)
			return NULL;
		if (io->dev->mode == CVS_STRIPE)
			cvs_stripe_trim(io, c, bio);
		bio->bi_opf = opf;
		bio->bi_iter.bi_sector = bh->b_blocknr * CVS_SECTORS_PER_BLOCK;
		return bio;
	}
	if (!io->nr_blocks) {
		bio = bio_alloc_bioset(bh->b_bdev, 0,
				       REQ_OP_WRITE | REQ_PREFLUSH | REQ_SYNC,
				       GFP_NOIO, &io->dev->res.bios);
	} else if (io->discard) {	/* the buffer's range on its leg */
		bio = bio_alloc_bioset(bh->b_bdev, 0, opf, GFP_NOIO,
				       &io->dev->res.bios);
		bio->bi_iter.bi_sector = bh->b_blocknr * CVS_SECTORS_PER_BLOCK;
		bio->bi_iter.bi_size = bh->b_size;
	} else {
		if (io->direct) {
			bio = bio_alloc_bioset(bh->b_bdev,
					       cvs_gather(io, c, NULL), opf,
					       GFP_NOIO, &io->dev->res.bios);
			cvs_gather(io, c, bio);
		} else {
			bio = b->copy;
			bio_get(bio);	/* cvs_lower_end_io() puts one */
			bio->bi_opf = opf;
		}
		bio->bi_iter.bi_sector = bh->b_blocknr * CVS_SECTORS_PER_BLOCK;
	}
	/* What a clone inherits: the cgroup, the priority, the hint. */
	bio_clone_blkg_association(bio, io->bio);
	bio->bi_ioprio = io->bio->bi_ioprio;
	bio->bi_write_hint = io->bio->bi_write_hint;
	return bio;
}

/*
 * The bio's flags that go down with each lower I/O, FUA among them.  Not
 * a preflush, which went to every leg before; nor the flags of how the
 * bio itself was made or is to be treated, which are not the lower bio's:
 * REQ_ALLOC_CACHE (io_uring's bios come from the block layer's per-CPU
 * cache; a lower bio so marked would be put to a cache its bio_set has
 * not), REQ_DRV and REQ_FS_PRIVATE (the submitter's), REQ_FAILFAST_*
 * (a transient error would fail a mirror leg for good).  REQ_INTEGRITY,
 * REQ_ATOMIC, REQ_NOWAIT and REQ_POLLED do not come in: no integrity
 * profile, atomic write limits, nowait or poll feature is offered.
 */
#define CVS_PASS_DOWN	(REQ_SYNC | REQ_META | REQ_PRIO | REQ_FUA | REQ_IDLE | \
			 REQ_BACKGROUND | REQ_RAHEAD | REQ_NOMERGE | REQ_SWAP)

static void cvs_submit_buf(struct cvs_io *io, unsigned int c, bool read)
{
	struct cvs_buf *b = io->bufs[c];
	blk_opf_t opf = (read ? REQ_OP_READ :
			 io->discard ? REQ_OP_DISCARD : REQ_OP_WRITE) |
			(io->bio->bi_opf & CVS_PASS_DOWN);
	struct bio *bio;

	/*
	 * A lower device may fail a readahead at its first error, or on
	 * purpose, and a mirror leaves a leg whose read failed out for
	 * good: its legs get plain reads.
	 */
	if (io->dev->mode == CVS_MIRROR)
		opf &= ~REQ_RAHEAD;

	refcount_inc(&b->ref);	/* the I/O's */
	if (b->copy)
		cvs_count(io->dev, CVS_COPIES, 1);
	if (io->dev->mode == CVS_MIRROR) {	/* only mirrors choose */
		atomic_inc(&io->dev->pending[b->lower]);
		if (read) {
			atomic_inc(&io->dev->reading[b->lower]);
			b->timed = io->timed;
			/* cvs_fail_over() reads it, cvs_end_io() too */
			WRITE_ONCE(b->start_ns, ktime_get_ns());
		}
	}
	bio = cvs_lower_bio(io, c, opf);
	if (WARN_ON_ONCE(!bio)) {	/* only a clone's integrity, which no bio has */
		b->status = BLK_STS_RESOURCE;
		cvs_end_io(&b->bh, 0);
		return;
	}
	bio->bi_private = &b->bh;
	bio->bi_end_io = cvs_lower_end_io;
	submit_bio(bio);
}

static void cvs_submit(struct cvs_io *io, bool read)
{
	unsigned int c, n = 0;

	for (c = 0; c < io->nr_bufs; c++) {
		/* The other slots are the hedge work's, which may run already. */
		if (!cvs_reads_at_once(io, c))
			continue;
		if (!io->bufs[c])	/* dropped at arm: cvs_buf_arm_or_drop() */
			continue;
		cvs_submit_buf(io, c, read);
		n++;
	}
	cvs_count(io->dev, io->nr_blocks ? CVS_BUFFERS : CVS_FLUSHES, n);
}

/* How many copies of a mirror read there are, read or being added. */
static unsigned int cvs_copies(struct cvs_io *io)
{
	unsigned int c, n = 0;

	for (c = 0; c < io->nr_bufs; c++)
		n += !!io->bufs[c];
	return n;
}

/*
 * The copy to add to a late read: the one it is hedged to, then the one
 * left with the least expected wait (cvs_expected_wait()), on a
 * leg not failed since the read started if there is one.
 */
static unsigned int cvs_next_copy(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	unsigned long failed = READ_ONCE(d->failed);
	unsigned int c, next = io->hedge;
	u64 best = U64_MAX;

	if (!io->bufs[next])
		return next;
	for (c = 0; c < io->nr_bufs; c++) {
		int l = io->legs[c];
		u64 wait = test_bit(l, &failed) ? U64_MAX - 1 :
			   cvs_expected_wait(d, l);

		if (!io->bufs[c] && wait < best) {
			best = wait;
			next = c;
		}
	}
	return next;
}

/*
 * Read copy @c too, one more child of the read's any-of; false if it was
 * not.  If the read completed meanwhile, the any-of refuses the child;
 * its buffer is kept unread, for cev_finish() to detach if need be.
 * Adding a child whose buffer is locked completes nothing; its lower end
 * does, and takes what its wake-up leaves on its CPU (cvs_end_io()).
 */
static bool cvs_add_copy(struct cvs_io *io, unsigned int c)
{
	struct cvs_buf *buf;
	sector_t lblock;
	int lower;

	if (WARN_ON_ONCE(io->bufs[c]))
		return false;
	cvs_map(io, c, &lower, &lblock);
	/*
	 * An extra, mostly: it does not wait for memory.  Without it the copy
	 * is not due after all, and a later failover may try again.
	 */
	buf = cvs_buf_alloc(io->dev, NULL, lower, lblock, cvs_buf_size(io, c),
			    true, false);
	if (!buf) {
		atomic_dec(&io->copies_due);
		return false;
	}
	/* Initialised before it is seen: cvs_note_late() reads it. */
	smp_store_release(&io->bufs[c], buf);
	if (cvs_buf_arm(io, buf, &io->any, true)) {
		unlock_buffer(&buf->bh);
		return false;
	}
	cvs_submit_buf(io, c, true);
	/* Hedges count blocks read again (a hedge's, a failover's copy). */
	cvs_count(io->dev, CVS_HEDGES, io->nr_blocks);
	cvs_count(io->dev, CVS_BUFFERS, 1);
	return true;
}

/*
 * Task context (lock_buffer() may sleep): the read is late; add the
 * copies now due (a hedge's, a failover's), each from a leg of its own.
 * Only this work fills the slots the submitter left empty, one run at a
 * time; queued again while it runs, it runs again.
 */
static void cvs_hedge_work(struct work_struct *work)
{
	struct cvs_io *io = container_of(work, struct cvs_io, hedge_work);
	unsigned int c;
	u64 start_ns;

	/*
	 * The legs it waits on are late now, not only once their reads end:
	 * a stall keeps its leg's reads hedged while it lasts.
	 */
	for (c = 0; c < io->nr_bufs; c++) {
		struct cvs_buf *b = cvs_read_in_flight(io, c, &start_ns);

		if (b)
			cvs_leg_now_late(io->dev, b->lower);
	}
	while (!cev_done(&io->any) &&
	       cvs_copies(io) < atomic_read(&io->copies_due) &&
	       cvs_add_copy(io, cvs_next_copy(io)))
		;
	cvs_io_put(io);		/* the hedge list's, or a failover's */
}

/*
 * The hedge timer of @q is to expire between @at and @by, or earlier;
 * under @q->lock.  The timer may be queued, or its callback running
 * (which is how it starts itself again): hrtimer_start_range_ns() moves
 * it, or queues it again.  Queued already, it is left alone unless it
 * would expire after @by; one that expires before @at finds the read not
 * late, and is started again.  Pinned, it stays on the CPU that starts
 * it, mostly @q's own.
 */
static void cvs_hedge_timer_at(struct cvs_hedge_q *q, u64 at, u64 by)
{
	u64 soft;

	if (hrtimer_is_queued(&q->timer)) {
		if (ktime_to_ns(hrtimer_get_expires(&q->timer)) <= by)
			return;
		soft = ktime_to_ns(hrtimer_get_softexpires(&q->timer));
		at = min(at, soft);
	}
	hrtimer_start_range_ns(&q->timer, ns_to_ktime(at), by - at,
			       HRTIMER_MODE_ABS_PINNED);
}

/*
 * The reads late by now go to the hedge work, in task context, each with
 * the reference it held on the list; the timer is started again for the
 * earliest window of the others.  The list is not in deadline order (devices
 * differ in hedge delay), and is as long as the reads in flight from
 * this CPU.
 */
static enum hrtimer_restart cvs_hedge_due(struct hrtimer *t)
{
	struct cvs_hedge_q *q = container_of(t, struct cvs_hedge_q, timer);
	u64 now, next = U64_MAX, next_by = U64_MAX;
	struct cvs_io *io, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	/* Read under the lock: no deadline passes while it is waited for. */
	now = ktime_get_ns();
	list_for_each_entry_safe(io, tmp, &q->reads, hedge_node) {
		if (io->hedge_at <= now) {
			list_del_init(&io->hedge_node);
			atomic_inc(&io->copies_due);	/* 2: see cvs_fail_over() */
			queue_work(io->dev->res.wq, &io->hedge_work);
		} else {
			next = min(next, io->hedge_at);
			next_by = min(next_by, io->hedge_by);
		}
	}
	if (next != U64_MAX)
		cvs_hedge_timer_at(q, next, next_by);
	spin_unlock_irqrestore(&q->lock, flags);
	return HRTIMER_NORESTART;
}

/*
 * A read a hedge may answer: on this CPU's hedge list, with a reference,
 * until it is late (io->hedge_at; hedged by io->hedge_by at the latest).
 * Should the submitter move to another CPU after choosing the list, the
 * list is still the one the read is taken off again.
 */
static void cvs_hedge_watch(struct cvs_io *io)
{
	struct cvs_hedge_q *q = raw_cpu_ptr(&cvs_hedge_qs);
	unsigned long flags;

	atomic_inc(&io->pending);
	WRITE_ONCE(io->hedge_q, q);	/* cvs_run() may read it back */
	spin_lock_irqsave(&q->lock, flags);
	list_add_tail(&io->hedge_node, &q->reads);
	cvs_hedge_timer_at(q, io->hedge_at, io->hedge_by);
	spin_unlock_irqrestore(&q->lock, flags);
}

/* Start the I/O allocated for its bio. */
static void cvs_run(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	bool read = bio_op(io->bio) == REQ_OP_READ;
	struct cev *parent = &io->all;
	unsigned int c;

	if (!read && io->nr_blocks && !io->direct)
		cvs_copy(io, false);
	if (io->probe)
		cvs_count(d, CVS_PROBES, 1);

	cev_init(&io->all, &cev_all, 0);
	/* Nothing can wake a compound with no child yet: no lock to take. */
	__add_wait_queue(&io->all.wq, &io->done);
	if (io->any_of) {	/* a mirror read: the first good copy */
		parent = &io->any;
		cev_init(parent, &cev_any, 0);
	}
	for (c = 0; c < io->nr_bufs; c++)
		if (io->bufs[c])
			cvs_buf_arm_or_drop(io, &io->bufs[c], parent, read);
	if (io->any_of) {
		cev_wait_init(&io->link, NULL, NULL);
		WARN_ON_ONCE(cev_add_cev(&io->all, &io->link, parent));
		WARN_ON_ONCE(cev_arm(parent));
	}
	/*
	 * Armed first: every child's buffer is locked and not submitted, so
	 * nothing completes the compound before its arm, and no timer can
	 * cancel it before it is armed.  Only the arm itself may complete it
	 * in the submitter, if no buffer could be armed: pinned to this CPU
	 * until what its wake-up left there is taken (unless a lower end on
	 * this CPU took it first).  From then on a lower end, the timeout
	 * timer or a hedge's lower end completes it, each taking what its
	 * wake-up leaves on its own CPU.
	 */
	cvs_pin_cpu();
	WARN_ON_ONCE(cev_arm(&io->all));
	/*
	 * The estimate's start, but not a read of every leg at once, whose
	 * time is its fastest leg's.  Stored before the buffers are
	 * submitted: their ends, and so the completion that reads it, come
	 * after submit_bio().
	 */
	if (io->timed && !io->read_all && !io->dropped)
		io->start_ns = ktime_get_ns();
	/*
	 * The timers hold a reference each and are started before the I/O:
	 * one started after a completion would keep the bio to its end.  A
	 * write that cannot be withdrawn must not be given up on.  Not the
	 * hedge of a read whose buffer could not be armed: it fails, and it
	 * may have completed at its arm already, with nothing to keep the
	 * device (a buffer) for it.
	 */
	if (cvs_may_hedge(io) && !io->dropped) {
		u64 at, by;

		cvs_hedge_delay(d, &at, &by);
		io->hedge_at = io->start_ns + at;
		io->hedge_by = io->start_ns + by;
		cvs_hedge_watch(io);
	}
	if (io->timeout_ms) {
		atomic_inc(&io->pending);
		mod_timer(&io->timer, jiffies + msecs_to_jiffies(io->timeout_ms));
	}
	/*
	 * The compound may have completed before the timer was started (at
	 * its arm, or by a hedge whose read came back), and its completion
	 * then found no timer to stop: stop it here.  The barrier pairs with
	 * the one in cvs_io_stop_timers(): either the completion sees the
	 * timer pending, or this sees the compound complete.  Each reference
	 * is dropped once, by whoever takes the timer or the list entry, and
	 * none of them is the last: the submitter holds its own, so that
	 * nothing is finished (lev_del() sleeps) with the CPU pinned.
	 */
	if (io->timeout_ms) {
		smp_mb();	/* pairs with cvs_io_stop_timers()'s */
		if (cev_done(&io->all))
			cvs_io_stop_timers(io, cvs_io_put);
	}
	cvs_unpin_cpu_reap();
	/* A lower end, here or later, takes what its wake-up leaves. */
	cvs_submit(io, read);
	cvs_io_put(io);		/* the bio may be finished from here on */
}

/*
 * From the reserves: one I/O at a time, so that the one waiting always
 * finds enough there once the I/O in flight gives its memory back.
 */
static struct cvs_io *cvs_io_alloc_reserved(struct cvs_dev *d,
					    struct bio *bio)
{
	struct cvs_io *io;

	cvs_count(d, CVS_RESERVED, 1);
	mutex_lock(&d->res.lock);
	io = cvs_io_alloc(d, bio, true);
	mutex_unlock(&d->res.lock);
	return io;
}

/*
 * A recovery's step and the mirror's writes keep out of each other's way,
 * as md's resync barrier and its writes do: a write or discard counts
 * itself in the slot of each step it covers (writing[], hashed), then
 * looks at the step being copied, and waits for it to be done if it is
 * in one of its slots; a recovery makes a step the one being copied,
 * then waits for its slot's count to drop to zero.
 * The full barriers between each side's store and its load pair with
 * each other: either the write sees the step taken and waits, or the
 * recovery sees the write counted and waits for it to end, every lower
 * write of it ended (cvs_io_finish()).  Without them, a write could land
 * on every leg between the copy's read of its step and its write to the
 * recovered leg, which would keep the older data.
 */
static void cvs_count_steps(struct cvs_dev *d, unsigned long first,
			    unsigned long last, bool up)
{
	unsigned long n = min_t(unsigned long, last - first + 1, CVS_STEP_HASH);
	unsigned long i;

	for (i = 0; i < n; i++) {
		atomic_t *w = &d->writing[(first + i) % CVS_STEP_HASH];

		/*
		 * The last write out wakes a recovery only if one has taken a
		 * step: the fully ordered decrement before the look at the
		 * step pairs with cvs_step_take()'s smp_mb(), between its
		 * store of the step and its look at the count.
		 */
		if (up)
			atomic_inc(w);
		else if (atomic_dec_and_test(w) &&
			 READ_ONCE(d->step) != CVS_NO_STEP)
			wake_up_var(w);
	}
}

/*
 * Is the step being copied in one of the slots of steps @first to @last?
 * A write waits for any step of its slots, so that the count a recovery
 * waits for cannot be kept up by writes elsewhere.
 */
static bool cvs_step_blocks(unsigned long step, unsigned long first,
			    unsigned long last)
{
	if (step == CVS_NO_STEP)
		return false;
	return last - first + 1 >= CVS_STEP_HASH ||
	       (step - first) % CVS_STEP_HASH <= last - first;
}

/* A mirror's write or discard of data is counted until its bio ends. */
static bool cvs_write_counts(struct cvs_dev *d, struct bio *bio)
{
	return d->mode == CVS_MIRROR && op_is_write(bio_op(bio)) &&
	       !(bio->bi_opf & REQ_PREFLUSH) && bio->bi_iter.bi_size;
}

/*
 * The step being copied.  An ACQUIRE: a write let in after a step was
 * done lands on the recovered leg after the step's copy did.
 */
static unsigned long cvs_step_now(struct cvs_dev *d)
{
	return smp_load_acquire(&d->step);	/* pairs with cvs_step_done() */
}

/*
 * May sleep: in the submitter, or the restart work (where the reads to
 * start again wait behind it).  A write held back is let in before the
 * recovery takes the step after next (d->held): one over many steps, a
 * long discard, waits for two steps at most, not for a chance.
 */
static void cvs_write_enter(struct cvs_dev *d, struct bio *bio,
			    unsigned long *first, unsigned long *last)
{
	bool held = false;

	*first = bio->bi_iter.bi_sector / CVS_STEP_SECTORS;
	*last = (bio_end_sector(bio) - 1) / CVS_STEP_SECTORS;
	for (;;) {
		cvs_count_steps(d, *first, *last, true);
		smp_mb__after_atomic();	/* pairs with cvs_step_take()'s */
		if (!cvs_step_blocks(cvs_step_now(d), *first, *last))
			break;
		if (!held)
			atomic_inc(&d->held);
		held = true;
		cvs_count_steps(d, *first, *last, false);
		wait_var_event(&d->step,
			       !cvs_step_blocks(cvs_step_now(d), *first, *last));
	}
	if (held)
		atomic_dec_and_wake_up(&d->held);	/* cvs_step_take() waits */
}

static void cvs_write_exit(struct cvs_dev *d, unsigned long first,
			   unsigned long last)
{
	cvs_count_steps(d, first, last, false);
}

/* Read, write or discard a bio through the legs healthy now. */
static void cvs_start(struct cvs_dev *d, struct bio *bio)
{
	bool counts = cvs_write_counts(d, bio);
	unsigned long first = 0, last = 0;
	struct cvs_io *io;

	if (counts)
		cvs_write_enter(d, bio, &first, &last);
	io = cvs_io_alloc(d, bio, false);
	if (!io)
		io = cvs_io_alloc_reserved(d, bio);
	if (IS_ERR(io)) {
		if (counts)
			cvs_write_exit(d, first, last);
		bio_io_error(bio);
		return;
	}
	io->counted = counts;
	io->first_step = first;
	io->last_step = last;
	cvs_run(io);
}

/*
 * Bios to start again whose I/O could not get memory without waiting on
 * the device's wq, and flushed bios whose data is to be submitted again
 * (which may wait for memory in cvs_submit_bio()), on its restart_wq:
 * waiting on the wq could hold up the I/O that would give the memory
 * back.  The device stays until the work returns: cvs_reserve_exit()
 * destroys the workqueue first.
 */
static void cvs_restart_work(struct work_struct *work)
{
	struct cvs_dev *d = container_of(work, struct cvs_dev,
					 res.restart_work);
	struct bio *bio;
	bool start;

	for (;;) {
		spin_lock(&d->res.restart_lock);
		start = !bio_list_empty(&d->res.restarts);
		bio = bio_list_pop(start ? &d->res.restarts :
				   &d->res.resubmits);
		spin_unlock(&d->res.restart_lock);
		if (!bio)
			return;
		if (start)
			cvs_start(d, bio);
		else
			submit_bio_noacct(bio);
		/* The hold cvs_restart() or cvs_resubmit() took: a delete may go on. */
		atomic_dec_and_wake_up(&d->nr_bufs);
	}
}

/*
 * Start the bio again, its I/O done, on the device's wq: its memory goes back
 * first, for the new I/O may need it (but for what the buffers' lower ends
 * still hold, their own references).  A buffer's count keeps the device
 * from a delete until the bio has been started again.
 */
static void cvs_restart(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	struct bio *bio = io->bio;

	atomic_inc(&d->nr_bufs);
	cvs_io_free(io);
	io = cvs_io_alloc(d, bio, false);
	if (!io) {
		/*
		 * Queued under the lock the work pops under: once it is
		 * dropped, the work may start the bio, drop the hold, and a
		 * delete free the device.
		 */
		spin_lock(&d->res.restart_lock);
		bio_list_add(&d->res.restarts, bio);
		queue_work(d->res.restart_wq, &d->res.restart_work);
		spin_unlock(&d->res.restart_lock);
		return;
	}
	if (IS_ERR(io))
		bio_io_error(bio);
	else
		cvs_run(io);
	atomic_dec_and_wake_up(&d->nr_bufs);
}

/*
 * Every leg is flushed: the data goes down again, without the flush, and
 * is split to the queue's limits like any bio; from the restart_wq, as it
 * may wait for memory.  A buffer's count keeps the device from a delete
 * until the bio is in.
 */
static void cvs_resubmit(struct cvs_io *io)
{
	struct cvs_dev *d = io->dev;
	struct bio *bio = io->bio;

	atomic_inc(&d->nr_bufs);
	cvs_io_free(io);
	bio->bi_opf &= ~REQ_PREFLUSH;
	spin_lock(&d->res.restart_lock);	/* see cvs_restart() */
	bio_list_add(&d->res.resubmits, bio);
	queue_work(d->res.restart_wq, &d->res.restart_work);
	spin_unlock(&d->res.restart_lock);
}

static void cvs_submit_bio(struct bio *bio)
{
	struct cvs_dev *d = bio->bi_bdev->bd_disk->private_data;

	if (bio_op(bio) != REQ_OP_READ && bio_op(bio) != REQ_OP_WRITE &&
	    bio_op(bio) != REQ_OP_DISCARD) {
		bio_io_error(bio);
		return;
	}
	/*
	 * A flush goes to every leg before the data is split, as dm's does,
	 * not once a piece: the data follows from cvs_resubmit().
	 */
	if (bio_op(bio) == REQ_OP_WRITE && (bio->bi_opf & REQ_PREFLUSH)) {
		cvs_start(d, bio);
		return;
	}
	bio = bio_split_to_limits(bio);
	if (!bio)
		return;
	/*
	 * A discard the split did not bring within the limit comes here
	 * whole: one that passed submit_bio_noacct()'s check before the
	 * device stopped taking them (cvs_discard_off(), or a write of 0 to
	 * its discard_max_bytes), or one under a limit that sysfs took and
	 * the split rounds down to no granule (a granularity not a power of
	 * two).  Turn it down, as dm does a discard its target no longer
	 * takes: a stripe's sizes, in unsigned int, hold only a discard
	 * within the limit (cvs_discard_limits()).  The limits read here are
	 * those the split used, in the queue's usage count, which an update
	 * waits for.
	 */
	if (bio_op(bio) == REQ_OP_DISCARD &&
	    bio_sectors(bio) > bdev_max_discard_sectors(bio->bi_bdev)) {
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		return;
	}
	if (!bio->bi_iter.bi_size) {
		bio_endio(bio);		/* nothing to do */
		return;
	}
	/* Whole blocks only: a discard of none would pass for a flush. */
	if (bio_op(bio) == REQ_OP_DISCARD &&
	    ((bio->bi_iter.bi_sector | bio_sectors(bio)) &
	     (CVS_SECTORS_PER_BLOCK - 1))) {
		bio_io_error(bio);
		return;
	}
	/* Counted once, not at each retry. */
	cvs_count(d, bio_op(bio) == REQ_OP_READ ? CVS_READS :
		     bio_op(bio) == REQ_OP_DISCARD ? CVS_DISCARDS : CVS_WRITES, 1);
	cvs_start(d, bio);
}

/* Under disk->open_mutex, as the check of a delete. */
static int cvs_open(struct gendisk *disk, blk_mode_t mode)
{
	struct cvs_dev *d = disk->private_data;

	return d->deleting ? -ENXIO : 0;
}

static const struct block_device_operations cvs_fops = {
	.owner = THIS_MODULE,
	.open = cvs_open,
	.submit_bio = cvs_submit_bio,
};

static int cvs_stats_show(struct seq_file *m, void *unused)
{
	struct cvs_dev *d = m->private;
	struct file *spare;
	int i;

	seq_printf(m, "mode %s\nkey %u\nlower %d\n", cvs_mode_names[d->mode],
		   d->key, d->nr_lower);
	if (d->mode == CVS_STRIPE)
		seq_printf(m, "chunk_kib %lu\n",
			   d->chunk_blocks * CVS_BLOCK_SIZE / SZ_1K);
	for (i = 0; i < d->nr_lower; i++) {
		unsigned long failed = READ_ONCE(d->failed);

		/* A replace puts the file it replaced a grace period after. */
		rcu_read_lock();
		seq_printf(m, "leg%d %pg %s\n", i,
			   file_bdev(READ_ONCE(d->lower[i])),
			   test_bit(i, &failed) ? "failed" :
			   failed & CVS_RECOVERING(i) ? "recovering" : "ok");
		rcu_read_unlock();
	}
	rcu_read_lock();	/* cvs_spare_drop() puts it a grace period after */
	spare = READ_ONCE(d->spare);
	if (spare)
		seq_printf(m, "spare %pg\n", file_bdev(spare));
	rcu_read_unlock();
	if (d->mode == CVS_MIRROR) {
		seq_printf(m, "hedge_estimate_us %lu\nlate_legs",
			   READ_ONCE(d->hedge_ns) / NSEC_PER_USEC);
		for (i = 0; i < d->nr_lower; i++)
			if (cvs_leg_late(d, i))
				seq_printf(m, " %d", i);
		seq_putc(m, '\n');
	}
	if (test_bit(CVS_RECOVERY_RUNNING, &d->recovery))
		seq_printf(m, "recovery %lu of %lu steps copied\n",
			   READ_ONCE(d->recover_at), READ_ONCE(d->recover_steps));
	for (i = 0; i < CVS_NR_STATS; i++) {
		u64 n = 0;
		int cpu;

		for_each_possible_cpu(cpu)	/* see struct cvs_stats */
			n += data_race(per_cpu_ptr(d->stats, cpu)->n[i]);
		seq_printf(m, "%s %llu\n", cvs_stat_names[i], n);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cvs_stats);

/*
 * The pages of copies the largest I/O takes: a mirror's, a keyed write's
 * or a read of every leg at once, a copy of the bio on each leg; a
 * stripe's, the bio's blocks over its buffers, each buffer's rounded up
 * to a page.
 */
static unsigned int cvs_reserve_pages(struct cvs_dev *d)
{
	unsigned int bio_pages = DIV_ROUND_UP(CVS_MAX_BLOCKS * CVS_BLOCK_SIZE,
					      PAGE_SIZE);

	if (d->mode == CVS_MIRROR)
		return bio_pages * d->nr_lower;
	return bio_pages + d->nr_lower - 1;
}

/*
 * The reserves of a device, sized for its largest I/O (cvs_io_alloc()):
 * one io, a buffer and a copy's bio a leg, cvs_reserve_pages(); and its
 * workqueues.
 */
static int cvs_reserve_init(struct cvs_dev *d)
{
	struct cvs_reserve *res = &d->res;
	int nr_lower = d->nr_lower;

	mutex_init(&res->lock);
	spin_lock_init(&res->restart_lock);
	bio_list_init(&res->restarts);
	bio_list_init(&res->resubmits);
	INIT_WORK(&res->restart_work, cvs_restart_work);
	if (mempool_init_slab_pool(&res->io_pool, 1, cvs_io_cache) ||
	    mempool_init_slab_pool(&res->buf_pool, nr_lower, cvs_buf_cache) ||
	    mempool_init_page_pool(&res->page_pool, cvs_reserve_pages(d), 0) ||
	    /*
	     * No rescuer for copies: they are allocated before any bio of
	     * their I/O is submitted, and the bios of earlier I/O have gone
	     * down by then (__submit_bio_noacct() sends lower bios first).
	     */
	    bioset_init(&res->copy_bios, nr_lower, 0, BIOSET_NEED_BVECS) ||
	    bioset_init(&res->bios, BIO_POOL_SIZE, 0,
			BIOSET_NEED_BVECS | BIOSET_NEED_RESCUER))
		return -ENOMEM;
	res->wq = alloc_workqueue("cevstack/%s", WQ_MEM_RECLAIM, 0, d->name);
	res->restart_wq = alloc_workqueue("cevstack_mem/%s", WQ_MEM_RECLAIM, 0,
					  d->name);
	return res->wq && res->restart_wq ? 0 : -ENOMEM;
}

/*
 * Safe on reserves set up in part, or not at all (zeroed).  With no
 * buffer of the device left, no I/O of it is left to queue work: what
 * the workqueues still run is the end of work that dropped its hold.
 */
static void cvs_reserve_exit(struct cvs_reserve *res)
{
	if (res->wq)
		destroy_workqueue(res->wq);
	if (res->restart_wq)
		destroy_workqueue(res->restart_wq);
	bioset_exit(&res->bios);
	bioset_exit(&res->copy_bios);
	mempool_exit(&res->page_pool);
	mempool_exit(&res->buf_pool);
	mempool_exit(&res->io_pool);
	mutex_destroy(&res->lock);
}

static void cvs_dev_free(struct cvs_dev *d)
{
	if (!d)
		return;
	cvs_reserve_exit(&d->res);
	/*
	 * A replace, or a spare's wait, that gave up may have left a grace
	 * period running.
	 */
	if (d->ios_polled)
		synchronize_srcu(&d->ios);
	cleanup_srcu_struct(&d->ios);
	free_percpu(d->stats);
	kfree(d);
}

static void cvs_put_lower(struct cvs_dev *d)
{
	if (d->spare)
		bdev_fput(d->spare);
	d->spare = NULL;
	while (d->nr_lower)
		bdev_fput(d->lower[--d->nr_lower]);
}

static sector_t cvs_capacity(struct cvs_dev *d)
{
	sector_t min = ULLONG_MAX;
	int i;

	for (i = 0; i < d->nr_lower; i++)
		min = min(min, bdev_nr_sectors(file_bdev(d->lower[i])));
	if (d->mode != CVS_STRIPE)
		return round_down(min, CVS_SECTORS_PER_BLOCK);
	/* Whole chunks, as many on each leg. */
	return round_down(min, d->chunk_blocks * CVS_SECTORS_PER_BLOCK) *
	       d->nr_lower;
}

/*
 * The limits on a bio's size and segments are not stacked.  A lower
 * device splits a bio to its own (blk-mq, md), or remaps it to devices
 * that do (dm, which relies on the same for its normal I/O), or takes a
 * bio of any size (brd, zram, pmem); a bio-based driver that had limits
 * and did not split to them would not be a lower device for cevstack.
 * Stacked, the block layer's placeholder that brd and null_blk leave
 * (255 sectors) would split every 128 KiB bio in two here, one of 4 KiB.  Only
 * CVS_MAX_BLOCKS a bio is the driver's own.
 */
static void cvs_own_size_limits(struct queue_limits *lim)
{
	lim->max_hw_sectors = CVS_MAX_BLOCKS * CVS_SECTORS_PER_BLOCK;
	lim->max_dev_sectors = 0;
	lim->max_user_sectors = 0;
	lim->max_segments = USHRT_MAX;
	lim->max_segment_size = UINT_MAX;
	lim->seg_boundary_mask = BLK_SEG_BOUNDARY_MASK;
	lim->virt_boundary_mask = 0;
}

/*
 * Discard, if every lower device has it (stacking skips a device without:
 * a mirror leg without would keep what the others forget, a stripe leg
 * fail every discard).  A discard goes down as one range a leg it covers
 * (a mirror's every healthy leg), a buffer head with no data.  In whole
 * blocks: the granularity is a multiple of a block and the alignment
 * offset none (a lower device's means nothing through a stripe's mapping,
 * and would split a discard off the block grid).  On a stripe, in
 * granules, no more than CVS_DISCARD_CHUNKS chunks a leg, which
 * cvs_stripe_buf_size() walks, or one granule: of at most
 * CVS_MAX_DISCARD_GRANULE, else no discard.
 */
#define CVS_DISCARD_CHUNKS	256
#define CVS_MAX_DISCARD_GRANULE	SZ_1G

static void cvs_discard_limits(struct cvs_dev *d, struct queue_limits *lim)
{
	unsigned int granule = max(lim->discard_granularity, CVS_BLOCK_SIZE);
	unsigned int max = lim->max_hw_discard_sectors, cap;
	int i;

	for (i = 0; i < d->nr_lower; i++)
		if (!bdev_max_discard_sectors(file_bdev(d->lower[i])))
			max = 0;
	if (granule > CVS_MAX_DISCARD_GRANULE)
		max = 0;
	granule = round_up(granule, CVS_BLOCK_SIZE) >> SECTOR_SHIFT;
	if (d->mode == CVS_STRIPE) {
		cap = CVS_DISCARD_CHUNKS * d->nr_lower * d->chunk_blocks *
		      CVS_SECTORS_PER_BLOCK;
		max = min(max, max(rounddown(cap, granule), granule));
	}
	lim->max_hw_discard_sectors = rounddown(max, granule);
	lim->discard_granularity = granule << SECTOR_SHIFT;
	lim->discard_alignment = 0;
}

/*
 * The lower devices' limits, their write cache and FUA among them, within
 * what the driver does: 4 KiB blocks, CVS_MAX_BLOCKS of them a bio,
 * discard if they have it, no write-zeroes or secure erase.
 */
static void cvs_stack_limits(struct cvs_dev *d, struct queue_limits *lim)
{
	int i;

	blk_set_stacking_limits(lim);
	for (i = 0; i < d->nr_lower; i++)
		queue_limits_stack_bdev(lim, file_bdev(d->lower[i]), 0, d->name);
	lim->logical_block_size = CVS_BLOCK_SIZE;
	lim->physical_block_size = max(lim->physical_block_size, CVS_BLOCK_SIZE);
	lim->io_min = max(lim->io_min, CVS_BLOCK_SIZE);
	/* Below, a lower device splits at its own; a stripe's bio is not. */
	lim->chunk_sectors = 0;
	if (d->mode == CVS_STRIPE) {
		lim->io_min = max(lim->io_min, d->chunk_blocks * CVS_BLOCK_SIZE);
		lim->io_opt = d->chunk_blocks * CVS_BLOCK_SIZE * d->nr_lower;
	}
	/*
	 * A mirror's legs are written from the same pages, each at its own
	 * time: a page changed meanwhile would leave them different.
	 */
	if (d->mode == CVS_MIRROR)
		lim->features |= BLK_FEAT_STABLE_WRITES;
	/*
	 * Direct I/O hands the bio's own pages down, in a clone or a
	 * stripe's pieces gathered: the lower devices' DMA alignment and
	 * their need of stable pages hold for them as stacked; a lower bio
	 * may have gaps, at its chunks' ends or in the bio, that a lower
	 * device's virtual boundary, or its segment limits, make it split
	 * there.  Their alignment offset does hold: block b of a linear or
	 * mirror device is block b below.
	 */
	cvs_own_size_limits(lim);
	cvs_discard_limits(d, lim);
	lim->max_write_zeroes_sectors = 0;
	lim->max_secure_erase_sectors = 0;
}

/* The lower devices show the device among their holders, as dm's do. */
static int cvs_link_holders(struct cvs_dev *d)
{
	int i, err;

	for (i = 0; i < d->nr_lower; i++) {
		err = bd_link_disk_holder(file_bdev(d->lower[i]), d->disk);
		if (err) {
			while (i--)
				bd_unlink_disk_holder(file_bdev(d->lower[i]),
						      d->disk);
			return err;
		}
	}
	return 0;
}

static void cvs_unlink_holders(struct cvs_dev *d)
{
	int i;

	for (i = 0; i < d->nr_lower; i++)
		bd_unlink_disk_holder(file_bdev(d->lower[i]), d->disk);
	if (d->spare)
		bd_unlink_disk_holder(file_bdev(d->spare), d->disk);
}

/*
 * Recovery of a failed mirror leg, taken back by writing "NAME LEG" to
 * recover: from then on the leg is written by every write and read by
 * none, while cvs_recover_work() copies the device to it a step at a
 * time from a leg in sync (cvs_count_steps() keeps the mirror's writes
 * off the step being copied); then reads use it again.  Each step is one
 * bio read and one written, through pages of the recovery's own, so that
 * it takes nothing from the device's reserves.  As with a leg's failure,
 * nothing of it is kept across a delete or a boot.
 */
static void cvs_step_take(struct cvs_dev *d, unsigned long step)
{
	atomic_t *w = &d->writing[step % CVS_STEP_HASH];

	/* The writes the last step held back first. */
	wait_var_event(&d->held, !atomic_read(&d->held));
	/*
	 * A RELEASE: a write let in over a step copied before lands on the
	 * leg after the copy.
	 */
	smp_store_release(&d->step, step);
	smp_mb();	/* pairs with cvs_write_enter()'s, cvs_count_steps()'s */
	/*
	 * An ACQUIRE: the step is read from its source after every write
	 * counted on it ended, its data on every leg (the decrement is fully
	 * ordered after the write's end).
	 */
	wait_var_event(w, !atomic_read_acquire(w));
}

/* A RELEASE: the step's copy on the leg before a write let in after it. */
static void cvs_step_done(struct cvs_dev *d)
{
	store_release_wake_up(&d->step, CVS_NO_STEP);
}

/* Synchronous: writes are held back meanwhile, throttling would hold them. */
static int cvs_step_io(struct cvs_dev *d, int leg, sector_t sector,
		       unsigned int sectors, blk_opf_t opf)
{
	struct cvs_recovery *rec = d->rec;
	unsigned int i, len = sectors << SECTOR_SHIFT;
	struct bio bio;
	int err;

	bio_init(&bio, file_bdev(d->lower[leg]), rec->bvecs, CVS_STEP_PAGES,
		 opf | REQ_SYNC);
	bio.bi_iter.bi_sector = sector;
	for (i = 0; len; i++) {
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE);

		__bio_add_page(&bio, rec->pages[i], n, 0);
		len -= n;
	}
	err = submit_bio_wait(&bio);
	bio_uninit(&bio);
	return err;
}

/*
 * Copy step @step to leg @leg from a leg in sync, trying each; a leg that
 * fails is failed, as a read or write through the mirror would fail it.
 */
static int cvs_recover_step(struct cvs_dev *d, int leg, unsigned long step,
			    sector_t capacity)
{
	sector_t sector = (sector_t)step * CVS_STEP_SECTORS;
	unsigned int sectors = min_t(sector_t, CVS_STEP_SECTORS,
				     capacity - sector);
	int i, err = -EIO;

	for (i = 0; i < d->nr_lower; i++) {
		if (!cvs_in_sync(READ_ONCE(d->failed), i))
			continue;
		err = cvs_step_io(d, i, sector, sectors, REQ_OP_READ);
		if (!err)
			break;
		cvs_fail_leg(d, i, false);
	}
	if (err)
		return err;
	err = cvs_step_io(d, leg, sector, sectors, REQ_OP_WRITE);
	if (err) {
		cvs_fail_leg(d, leg, true);
		return err;
	}
	cvs_count(d, CVS_RECOVERED_KIB, sectors >> 1);
	return 0;
}

/* The leg is in sync, or failed again; unless it failed meanwhile. */
static void cvs_recover_end(struct cvs_dev *d, int leg, int err)
{
	unsigned long old = READ_ONCE(d->failed), new;

	do {
		if (!(old & CVS_RECOVERING(leg)))
			return;		/* cvs_fail_leg() said so */
		new = old & ~CVS_RECOVERING(leg);
		if (err)
			new |= BIT(leg);
	} while (!try_cmpxchg(&d->failed, &old, new));
	if (err && !READ_ONCE(d->recover_stop))
		pr_warn("cevstack: %s: leg %d (%pg) not recovered: %d\n",
			d->name, leg, file_bdev(d->lower[leg]), err);
	else if (!err)
		pr_info("cevstack: %s: leg %d (%pg) recovered\n", d->name,
			leg, file_bdev(d->lower[leg]));
}

/*
 * Hold a recovery to recovery_max_kib KiB/s: a step of @kib KiB, begun at
 * *@mark, ends no sooner than that rate allows, the wait outside the step,
 * with the mirror's writes let through.  The next step is timed from
 * when this one was due to end, or from a tick before it did end if that
 * was later: a wait a little late (a timer's lateness) takes nothing from
 * the rate, and a step slower than the rate gives the next at most a
 * tick.  So from its start a recovery never copies more than a step over
 * the rate.
 * The rate is read again about once a second of waiting; a delete, or the
 * leg failing again, ends the wait.
 */
static void cvs_recover_pace(struct cvs_dev *d, int leg, u64 *mark,
			     unsigned int kib)
{
	u64 due, now = ktime_get_ns();
	unsigned int rate;

	for (;;) {
		rate = READ_ONCE(recovery_max_kib);
		if (!rate) {
			*mark = now;
			return;
		}
		due = *mark + div_u64((u64)kib * NSEC_PER_SEC, rate);
		if (now >= due)
			break;
		/*
		 * A jiffy more than the rest, rounded down, so that the wait
		 * is never of none.  The wait's prepare_to_wait_event() and
		 * set_current_state() before it reads the flag pair with the
		 * smp_mb() in cvs_remove()'s store_release_wake_up(), between
		 * its store and its look for waiters: one of the two sees
		 * the other.  A leg failing again wakes no one: seen at the
		 * next look, within the second.
		 */
		if (wait_var_event_timeout(&d->recover_stop,
					   READ_ONCE(d->recover_stop) ||
					   !(READ_ONCE(d->failed) &
					     CVS_RECOVERING(leg)),
					   nsecs_to_jiffies(min_t(u64, due - now,
								  NSEC_PER_SEC)) + 1)) {
			*mark = now;
			return;
		}
		now = ktime_get_ns();
	}
	*mark = max(due, now - min_t(u64, now, TICK_NSEC));
}

static int cvs_recover_copy(struct cvs_dev *d, int leg)
{
	sector_t capacity = get_capacity(d->disk);
	unsigned long step, steps = DIV_ROUND_UP_SECTOR_T(capacity,
							   CVS_STEP_SECTORS);
	u64 mark = ktime_get_ns();
	int err;

	for (step = 0; step < steps; step++) {
		/* Failed again (a write it missed), or deleted: stop. */
		if (READ_ONCE(d->recover_stop) ||
		    !(READ_ONCE(d->failed) & CVS_RECOVERING(leg)))
			return -EINTR;
		cvs_step_take(d, step);
		err = cvs_recover_step(d, leg, step, capacity);
		cvs_step_done(d);
		if (err)
			return err;
		WRITE_ONCE(d->recover_at, step + 1);
		if (step + 1 < steps)	/* the last ends the recovery at once */
			cvs_recover_pace(d, leg, &mark, CVS_STEP_SECTORS >> 1);
		cond_resched();
	}
	/* In sync once its cache is on it, as a write of the mirror would be. */
	return blkdev_issue_flush(file_bdev(d->lower[leg]));
}

static void cvs_recovery_free(struct cvs_recovery *rec)
{
	int i;

	for (i = 0; i < CVS_STEP_PAGES; i++)
		if (rec->pages[i])
			__free_page(rec->pages[i]);
	kfree(rec);
}

/*
 * One recovery at a time, from its start to the end of its work: one
 * that is stopping (its leg failed again) must not go on with the next,
 * from where it was, past the blocks the leg missed meanwhile.
 */
static void cvs_recover_work(struct work_struct *work)
{
	struct cvs_dev *d = container_of(work, struct cvs_dev, recover);
	struct cvs_recovery *rec = d->rec;

	cvs_recover_end(d, rec->leg, cvs_recover_copy(d, rec->leg));
	d->rec = NULL;
	cvs_recovery_free(rec);
	clear_bit_unlock(CVS_RECOVERY_RUNNING, &d->recovery);
	/*
	 * A spare given while this ran found the bit taken: it may take a
	 * leg failed meanwhile now.  The barrier pairs with cvs_spare_add()'s
	 * smp_mb(), between its store of the spare and its test of the bit.
	 */
	smp_mb__after_atomic();
	if (READ_ONCE(d->spare) && cvs_failed_legs(d))
		mod_delayed_work(system_long_wq, &d->spare_work, 0);
}

/*
 * A lower device must take 4 KiB blocks anywhere.  It may be a cevstack
 * device (a mirror of stripes, say): each device has reserves and
 * workqueues of its own, and a lower device ends a bio, and with it the
 * buffer of the device above, holding no lock: from its reaping, once
 * it has taken its CPU's list and let the CPU go, from its work, its
 * timer's last reference, or its ->submit_bio().  Each level nests one
 * completion in the one below, as stacked dm devices do.
 */
static bool cvs_lower_ok(struct block_device *bdev, const char *path)
{
	if (bdev_logical_block_size(bdev) > CVS_BLOCK_SIZE ||
	    bdev_is_zoned(bdev)) {
		pr_err("cevstack: %s is zoned or has blocks over 4 KiB\n",
		       path);
		return false;
	}
	return true;
}

/*
 * The leg of @d that @bdev is already, but leg @skip, or -1.  The same
 * holder may open a device twice: a stripe over it twice would lay two
 * chunks on the same blocks.
 */
static int cvs_leg_of(struct cvs_dev *d, struct block_device *bdev,
		      int skip)
{
	int i;

	for (i = 0; i < d->nr_lower; i++)
		if (i != skip && file_bdev(d->lower[i]) == bdev)
			return i;
	return -1;
}

static struct cvs_recovery *cvs_recovery_alloc(int leg)
{
	struct cvs_recovery *rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	int i;

	for (i = 0; rec && i < CVS_STEP_PAGES; i++) {
		rec->pages[i] = alloc_page(GFP_KERNEL);
		if (!rec->pages[i]) {
			cvs_recovery_free(rec);
			return NULL;
		}
	}
	if (rec)
		rec->leg = leg;
	return rec;
}

/*
 * The queue limits stacked again over the legs, one replaced, as dm
 * stacks a table's again; but what was set through sysfs stays: the
 * size a bio may have, the write cache turned off, I/O statistics,
 * entropy, and rotational if it was (a rotational leg added makes it
 * so, as md's does).  The freeze waits, unkillably, for the bios being
 * submitted: one waiting on the reserves, behind a leg that hung since
 * the drain, holds the replace up as it would hold a dm suspend.
 */
static int cvs_restack_limits(struct cvs_dev *d)
{
	const blk_features_t user = BLK_FEAT_IO_STAT | BLK_FEAT_ADD_RANDOM;
	struct request_queue *q = d->disk->queue;
	struct queue_limits lim = queue_limits_start_update(q);
	struct queue_limits old = lim;

	cvs_stack_limits(d, &lim);
	lim.max_user_sectors = old.max_user_sectors;
	lim.max_user_discard_sectors = old.max_user_discard_sectors;
	lim.flags |= old.flags & BLK_FLAG_WRITE_CACHE_DISABLED;
	lim.features = (lim.features & ~user) | (old.features & user);
	lim.features |= old.features & BLK_FEAT_ROTATIONAL;
	return queue_limits_commit_update_frozen(q, &lim);
}

/*
 * Is @disk @d's, or a cevstack device's over it (not through dm or md),
 * or in too deep a stack of them to tell?  A spare counts as the leg it
 * is to be.  Each device holds its legs and its spare, none two of the
 * same, so the walk sees each device under @disk once.
 */
#define CVS_MAX_DEPTH	16

static bool cvs_stacked_on(struct gendisk *disk, struct cvs_dev *d,
			   int depth)
{
	struct cvs_dev *above = disk->private_data;
	int i;

	if (disk == d->disk)
		return true;
	/* Under cvs_lock: the devices and their legs stay as they are. */
	if (disk->fops != &cvs_fops)
		return false;
	if (depth > CVS_MAX_DEPTH)
		return true;
	for (i = 0; i < above->nr_lower; i++)
		if (cvs_stacked_on(file_bdev(above->lower[i])->bd_disk, d,
				   depth + 1))
			return true;
	/* Its spare is a leg to be: two mirrors each other's spares, too. */
	return above->spare &&
	       cvs_stacked_on(file_bdev(above->spare)->bd_disk, d, depth + 1);
}

/* Can @bdev, at @path, replace leg @leg of @d? */
static int cvs_replacement_ok(struct cvs_dev *d, int leg, struct file *f,
			      const char *path)
{
	struct block_device *bdev = file_bdev(f);
	int other = cvs_leg_of(d, bdev, leg);

	if (!cvs_lower_ok(bdev, path))
		return -EINVAL;
	if (bdev_nr_sectors(bdev) < get_capacity(d->disk)) {
		pr_err("cevstack: %s: %s is smaller than the mirror\n",
		       d->name, path);
		return -EINVAL;
	}
	if (other >= 0) {
		pr_err("cevstack: %s: %s is leg %d already\n", d->name, path,
		       other);
		return -EBUSY;
	}
	/* Opened again by its holder: the spare is for the next failure. */
	if (d->spare && d->spare != f && file_bdev(d->spare) == bdev) {
		pr_err("cevstack: %s: %s is the spare\n", d->name, path);
		return -EBUSY;
	}
	/*
	 * The mirror itself, or a device over it: the recovery's writes to
	 * the leg would come back to the mirror, and wait for the step the
	 * recovery holds.
	 */
	if (cvs_stacked_on(bdev->bd_disk, d, 0)) {
		pr_err("cevstack: %s: %s is stacked on it, or too deep a stack to tell\n",
		       d->name, path);
		return -EINVAL;
	}
	return 0;
}

/*
 * The I/Os that chose their legs while @leg was in use may still use it
 * (a late read's hedge or failover may read a leg failed since it
 * started): wait for each, a mirror's I/O being a reader of @d->ios from
 * before it chooses its legs to its end; and for the lower I/O left on
 * the leg, of the buffers that outlive their I/O (a read given up on).
 * An I/O that began after the grace period began saw the leg failed,
 * and chooses it for nothing.
 *
 * The writer of the parameter holds cvs_lock and the module's parameter
 * lock, and an I/O of the device may hang (a lower device that queues
 * its I/O until a path comes back): killable, and given up with -EBUSY
 * after CVS_DRAIN_SECS, to be tried again, as md refuses to remove a
 * member with I/O pending.  The grace period waits for the I/O on every
 * leg, not only this one's: a leg in a long error recovery makes the
 * replace wait too.  Polled: an I/O may end in any context, and wakes
 * nobody.
 */
#define CVS_DRAIN_SECS	10

static bool cvs_leg_drained(struct cvs_dev *d, int leg, unsigned long cookie)
{
	/*
	 * The ACQUIRE pairs with cvs_end_io()'s RELEASE: the old device is
	 * let go after the leg's last lower I/O ended.  The grace period's
	 * end is a full barrier after the readers' accesses.
	 */
	return poll_state_synchronize_srcu(&d->ios, cookie) &&
	       !atomic_read_acquire(&d->pending[leg]);
}

static int cvs_drain_leg(struct cvs_dev *d, int leg)
{
	unsigned long cookie = start_poll_synchronize_srcu(&d->ios);
	unsigned long end = jiffies + CVS_DRAIN_SECS * HZ;

	while (!cvs_leg_drained(d, leg, cookie)) {
		if (fatal_signal_pending(current) || time_after(jiffies, end)) {
			WRITE_ONCE(d->ios_polled, true); /* cvs_dev_free() */
			return fatal_signal_pending(current) ? -EINTR : -EBUSY;
		}
		schedule_timeout_killable(HZ / 50);
	}
	return 0;
}

/*
 * Under cvs_lock, the recovery bit held: failed leg @leg of @d goes over
 * to @f, opened, checked (cvs_replacement_ok()) and linked as a holder,
 * to be recovered, as a member added to md's raid1 in a faulty one's
 * place is.  Once nothing can use the leg's device any more
 * (cvs_drain_leg()), the new one takes its place, the queue limits
 * follow (or, if they cannot take it, the old one is put back: the leg
 * is failed, nothing reads it), and the one let go is unlinked and put a
 * grace period after: debugfs reads the leg's device under RCU.  An
 * error leaves @f to the caller.
 */
static int cvs_replace_leg(struct cvs_dev *d, int leg, struct file *f)
{
	struct file *old = d->lower[leg];
	int err;

	err = cvs_drain_leg(d, leg);
	if (err)
		return err;
	/* Published whole: debugfs reads it under RCU, with no lock. */
	smp_store_release(&d->lower[leg], f);
	err = cvs_restack_limits(d);
	if (err) {
		pr_err("cevstack: %s: the queue limits cannot take %pg: %d\n",
		       d->name, file_bdev(f), err);
		WRITE_ONCE(d->lower[leg], old);
		synchronize_rcu();
		return err;
	}
	bd_unlink_disk_holder(file_bdev(old), d->disk);
	WRITE_ONCE(d->lat_ns[leg], CVS_HEDGE_INIT_NS);	/* not measured */
	WRITE_ONCE(d->late_at[leg], 0);
	WRITE_ONCE(d->passed[leg], 0);
	pr_info("cevstack: %s: leg %d: %pg replaced by %pg\n", d->name, leg,
		file_bdev(old), file_bdev(f));
	synchronize_rcu();
	bdev_fput(old);
	return 0;
}

/*
 * Under cvs_lock: take failed leg @leg of @d back, once it is recovered;
 * with @f, replaced by that device, which is the leg's once this
 * returns 0, and still the caller's if it fails.
 */
static int cvs_recover_start(struct cvs_dev *d, unsigned int leg,
			     struct file *f)
{
	unsigned long old = READ_ONCE(d->failed);
	struct cvs_recovery *rec;
	int err;

	if (d->mode != CVS_MIRROR || leg >= d->nr_lower)
		return -EINVAL;
	if (!(old & BIT(leg)))
		return -EINVAL;
	if (test_and_set_bit_lock(CVS_RECOVERY_RUNNING, &d->recovery))
		return -EBUSY;
	/* debugfs shows the progress from now on, a replace's wait first. */
	WRITE_ONCE(d->recover_at, 0);
	WRITE_ONCE(d->recover_steps,
		   DIV_ROUND_UP_SECTOR_T(get_capacity(d->disk),
					 CVS_STEP_SECTORS));
	rec = cvs_recovery_alloc(leg);
	err = rec ? 0 : -ENOMEM;
	if (rec && f)
		err = cvs_replace_leg(d, leg, f);
	if (err) {
		if (rec)
			cvs_recovery_free(rec);
		clear_bit_unlock(CVS_RECOVERY_RUNNING, &d->recovery);
		return err;
	}
	d->rec = rec;
	/*
	 * The leg stays failed till here: only a start, under cvs_lock,
	 * takes a failure back; cvs_fail_leg() and the ends of recoveries
	 * only set it.
	 */
	do {
		WARN_ON_ONCE(!(old & BIT(leg)));
	} while (!try_cmpxchg(&d->failed, &old,
			      (old & ~BIT(leg)) | CVS_RECOVERING(leg)));
	pr_info("cevstack: %s: recovering leg %u (%pg)\n", d->name, leg,
		file_bdev(d->lower[leg]));
	queue_work(system_long_wq, &d->recover);
	return 0;
}

/*
 * Under cvs_lock: the device at @path, opened for @d, checked as a
 * replacement of leg @leg (-1: of any leg, a spare) and linked as a
 * holder; or an ERR_PTR.
 */
static struct file *cvs_open_replacement(struct cvs_dev *d, int leg,
					 const char *path)
{
	struct file *f;
	int err;

	f = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE, d,
				   NULL);
	if (IS_ERR(f)) {
		pr_err("cevstack: %s: cannot open %s: %ld\n", d->name, path,
		       PTR_ERR(f));
		return f;
	}
	err = cvs_replacement_ok(d, leg, f, path);
	if (!err)
		err = bd_link_disk_holder(file_bdev(f), d->disk);
	if (err) {
		bdev_fput(f);
		return ERR_PTR(err);
	}
	return f;
}

/* Under cvs_lock: let a device of cvs_open_replacement() go. */
static void cvs_put_replacement(struct cvs_dev *d, struct file *f)
{
	bd_unlink_disk_holder(file_bdev(f), d->disk);
	bdev_fput(f);
}

/*
 * Under cvs_lock: "NAME LEG" written to recover, or "NAME LEG DEVICE",
 * the device at @path opened and checked first.
 */
static int cvs_recover_with(struct cvs_dev *d, unsigned int leg,
			    const char *path)
{
	struct file *f;
	int err;

	if (!path)
		return cvs_recover_start(d, leg, NULL);
	f = cvs_open_replacement(d, leg, path);
	if (IS_ERR(f))
		return PTR_ERR(f);
	err = cvs_recover_start(d, leg, f);
	if (err)
		cvs_put_replacement(d, f);
	return err;
}

#define CVS_SPARE_RETRY_MAX	(60 * HZ)
#define CVS_SPARE_POLL_MAX	HZ

/*
 * Under cvs_lock: the spare takes the place of failed leg @leg, and is
 * recovered, as md's spare is.  Checked again: a device over the mirror
 * may have been made since, through the spare's own legs being
 * replaced.  With a recovery running, it waits for its end, which
 * queues the work again (cvs_recover_work()).  The drain given up on
 * (I/O on another leg in a long error handling: the grace period waits
 * for every leg's) and a want of memory are tried again, a second
 * later, then twice as long each time up to a minute: each try holds
 * cvs_lock for up to CVS_DRAIN_SECS.  No other error is.
 */
static void cvs_spare_take(struct cvs_dev *d, int leg)
{
	struct file *f = d->spare;
	int err;

	if (!f || d->deleting || !(cvs_failed_legs(d) & BIT(leg)) ||
	    test_bit(CVS_RECOVERY_RUNNING, &d->recovery))
		return;
	err = cvs_replacement_ok(d, leg, f, "the spare");
	if (!err)
		err = cvs_recover_start(d, leg, f);
	if (!err) {
		WRITE_ONCE(d->spare, NULL);
		return;
	}
	if (err != -EBUSY && err != -ENOMEM) {
		pr_warn("cevstack: %s: the spare %pg cannot take leg %d: %d\n",
			d->name, file_bdev(f), leg, err);
		return;
	}
	d->spare_retry = clamp(2 * d->spare_retry, HZ, CVS_SPARE_RETRY_MAX);
	pr_warn_ratelimited("cevstack: %s: the spare %pg did not take leg %d: %d; again in %lu s\n",
			    d->name, file_bdev(f), leg, err,
			    d->spare_retry / HZ);
	/* Not mod_delayed_work(): a failure's run, queued now, stays. */
	queue_delayed_work(system_long_wq, &d->spare_work, d->spare_retry);
}

/*
 * A leg failed, or a spare came: the first failed leg's I/O is waited
 * for first, without cvs_lock, for as long as it takes (a dying disk's
 * error handling may take minutes), so that the take's own wait, under
 * cvs_lock, finds it done.  It stops early if the spare went, or the leg
 * was taken back: a grace period it polled for may then be left
 * running, which cvs_dev_free() waits for.  A delete, or rmmod, waits
 * for the device's I/O and then for this.
 */
static void cvs_spare_work(struct work_struct *work)
{
	struct cvs_dev *d = container_of(to_delayed_work(work),
					 struct cvs_dev, spare_work);
	unsigned long failed = cvs_failed_legs(d), cookie;
	long wait = HZ / 50;
	int leg;

	/* A recovery running queues this again as it ends. */
	if (!failed || !READ_ONCE(d->spare) ||
	    test_bit(CVS_RECOVERY_RUNNING, &d->recovery))
		return;
	leg = __ffs(failed);
	cookie = start_poll_synchronize_srcu(&d->ios);
	while (!cvs_leg_drained(d, leg, cookie)) {
		if (!READ_ONCE(d->spare) || !(cvs_failed_legs(d) & BIT(leg))) {
			WRITE_ONCE(d->ios_polled, true);
			return;
		}
		schedule_timeout_idle(wait);
		wait = min(2 * wait, CVS_SPARE_POLL_MAX);
	}
	mutex_lock(&cvs_lock);
	cvs_spare_take(d, leg);
	mutex_unlock(&cvs_lock);
}

/* Under cvs_lock: the device at @path becomes @d's spare. */
static int cvs_spare_add(struct cvs_dev *d, const char *path)
{
	struct file *f;

	if (d->mode != CVS_MIRROR)
		return -EINVAL;
	if (d->spare)
		return -EBUSY;
	f = cvs_open_replacement(d, -1, path);
	if (IS_ERR(f))
		return PTR_ERR(f);
	/* Published whole: debugfs reads it under RCU, with no lock. */
	smp_store_release(&d->spare, f);
	d->spare_retry = 0;
	pr_info("cevstack: %s: spare %pg\n", d->name, file_bdev(f));
	/*
	 * Pairs with the full barriers of cvs_fail_leg() and of
	 * cvs_recover_work()'s end, each between its store (a leg failed,
	 * the recovery bit clear) and its read of the spare: either that
	 * queued the work, or the work queued here, which reads the legs'
	 * state after this barrier, sees the leg failed, the bit clear.
	 */
	smp_mb();
	mod_delayed_work(system_long_wq, &d->spare_work, 0);
	return 0;
}

/* Under cvs_lock: let @d's spare go. */
static int cvs_spare_drop(struct cvs_dev *d)
{
	struct file *f = d->spare;

	if (!f)
		return -ENOENT;
	WRITE_ONCE(d->spare, NULL);
	bd_unlink_disk_holder(file_bdev(f), d->disk);
	synchronize_rcu();	/* debugfs */
	bdev_fput(f);
	return 0;
}

/*
 * Wait for the lower I/O of a device whose disk was deleted, the lower
 * I/O of a read given up on included, and for what that I/O queued.
 */
static void cvs_drain(struct cvs_dev *d)
{
	wait_var_event(&d->nr_bufs, !atomic_read(&d->nr_bufs));
	cancel_work_sync(&d->discard_off);
}

static int cvs_add_disk(struct cvs_dev *d)
{
	struct queue_limits lim;
	struct gendisk *disk;
	int err;

	cvs_stack_limits(d, &lim);
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
	/* Set before the disk is seen: cvs_discard_off() may run from then. */
	d->disk = disk;
	err = add_disk(disk);
	if (err) {
		cvs_drain(d);
		put_disk(disk);
		d->disk = NULL;
		return err;
	}
	err = cvs_link_holders(d);
	if (err) {
		/* The disk was seen: udev may have read it already. */
		del_gendisk(disk);
		cvs_drain(d);
		put_disk(disk);
		d->disk = NULL;
	}
	return err;
}

/*
 * Take a device away: no bio comes in once its disk is deleted, and those
 * in flight end before their buffers are freed, the lower I/O of a read
 * given up on included; only then may the lower devices and @d go.
 */
static void cvs_remove(struct cvs_dev *d)
{
	/* A recovery waiting out its rate stops now. */
	store_release_wake_up(&d->recover_stop, true);
	cancel_work_sync(&d->recover);
	/* Cancelled before it ran: the device goes, with its legs' state. */
	if (d->rec)
		cvs_recovery_free(d->rec);
	cvs_unlink_holders(d);
	del_gendisk(d->disk);
	debugfs_remove(d->debugfs);	/* waits out its readers */
	cvs_drain(d);
	/*
	 * Queued by a leg's failure, or a recovery's end, since @d was
	 * marked deleting: it sees that under cvs_lock, and does nothing.
	 * It re-arms itself only after a take it tried, and the cancel
	 * drops what it re-arms meanwhile.
	 */
	cancel_delayed_work_sync(&d->spare_work);
	put_disk(d->disk);
	cvs_put_lower(d);
	cvs_dev_free(d);
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

#define CVS_MAX_CHUNK_KIB	SZ_1K

/*
 * MODE, and a stripe's chunk: "stripe:KIB" (a power of two, from the
 * block size up), "stripe" for one block.
 */
static int cvs_parse_mode(struct cvs_dev *d, char *word)
{
	char *chunk = strchr(word, ':');
	unsigned int kib = CVS_BLOCK_SIZE / SZ_1K;
	int i;

	if (chunk)
		*chunk++ = '\0';
	i = match_string(cvs_mode_names, ARRAY_SIZE(cvs_mode_names), word);
	if (i < 0) {
		pr_err("cevstack: create: unknown mode \"%s\"\n", word);
		return -EINVAL;
	}
	d->mode = i;
	if (chunk && (d->mode != CVS_STRIPE || kstrtouint(chunk, 10, &kib) ||
		      !is_power_of_2(kib) || kib < CVS_BLOCK_SIZE / SZ_1K ||
		      kib > CVS_MAX_CHUNK_KIB)) {
		pr_err("cevstack: create: bad chunk \"%s\" (stripe:KIB, KIB a power of two, %lu to %u)\n",
		       chunk, CVS_BLOCK_SIZE / SZ_1K, CVS_MAX_CHUNK_KIB);
		return -EINVAL;
	}
	d->chunk_blocks = kib * SZ_1K / CVS_BLOCK_SIZE;
	return 0;
}

/* "NAME MODE KEY DEVICE...": the checks on the words, one message each. */
static int cvs_parse(struct cvs_dev *d, char **argv, int argc)
{
	int min, max, i, err;
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
	err = cvs_parse_mode(d, argv[1]);
	if (err)
		return err;
	if (kstrtou8(argv[2], 0, &key)) {
		pr_err("cevstack: create: bad key \"%s\" (0..255)\n", argv[2]);
		return -EINVAL;
	}
	d->key = key;
	d->hedge_ns = CVS_HEDGE_INIT_NS;
	for (i = 0; i < CVS_MAX_LOWER; i++)	/* not measured: not fast */
		d->lat_ns[i] = CVS_HEDGE_INIT_NS;
	min = d->mode == CVS_LINEAR ? 1 : 2;
	max = d->mode == CVS_LINEAR ? 1 : CVS_MAX_LOWER;
	if (argc - 3 < min || argc - 3 > max) {
		pr_err("cevstack: create: %s takes %d to %d devices, not %d\n",
		       cvs_mode_names[d->mode], min, max, argc - 3);
		return -EINVAL;
	}
	return 0;
}

static bool cvs_given_twice(struct cvs_dev *d, struct block_device *bdev,
			    const char *path)
{
	if (cvs_leg_of(d, bdev, -1) < 0)
		return false;
	pr_err("cevstack: create: %s is given twice\n", path);
	return true;
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
		if (!cvs_lower_ok(file_bdev(f), paths[i]) ||
		    cvs_given_twice(d, file_bdev(f), paths[i])) {
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
	int argc, err;

	argv = argv_split(GFP_KERNEL, val, &argc);
	if (!argv)
		return -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (d && init_srcu_struct(&d->ios)) {	/* cvs_dev_free() cleans it up */
		kfree(d);
		d = NULL;
	}
	if (d) {
		d->stats = alloc_percpu(struct cvs_stats);
		INIT_WORK(&d->discard_off, cvs_discard_off);
		INIT_WORK(&d->recover, cvs_recover_work);
		INIT_DELAYED_WORK(&d->spare_work, cvs_spare_work);
		d->step = CVS_NO_STEP;
	}
	err = d && d->stats ? cvs_parse(d, argv, argc) : -ENOMEM;
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
	if (!cvs_capacity(d)) {
		pr_err("cevstack: create: %s: a device is smaller than a block or chunk\n",
		       d->name);
		cvs_put_lower(d);
		err = -EINVAL;
		goto unlock;
	}
	err = cvs_reserve_init(d);
	if (!err)
		err = cvs_add_disk(d);
	if (err) {
		cvs_put_lower(d);
		goto unlock;
	}
	list_add_tail(&d->list, &cvs_devs);
	d->debugfs = debugfs_create_file(d->name, 0444, cvs_debugfs, d,
					 &cvs_stats_fops);
	pr_info("cevstack: %s: %s over %d devices, key %#x, %llu sectors\n",
		d->name, cvs_mode_names[d->mode], d->nr_lower, d->key,
		(unsigned long long)get_capacity(d->disk));
	d = NULL;
unlock:
	mutex_unlock(&cvs_lock);
out:
	cvs_dev_free(d);
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
	err = cvs_layer_wq ? cvs_create(val) : -EAGAIN;
	module_put(THIS_MODULE);
	return err;
}

static const struct kernel_param_ops cvs_create_ops = {
	.set = cvs_create_set,
};
module_param_cb(create, &cvs_create_ops, NULL, 0200);
MODULE_PARM_DESC(create, "create a device: \"NAME MODE KEY DEVICE...\"");

/* Under cvs_lock: a device nobody has open leaves the list, or -EBUSY. */
static struct cvs_dev *cvs_unlist(const char *name)
{
	struct cvs_dev *d;

	list_for_each_entry(d, &cvs_devs, list) {
		if (strcmp(d->name, name))
			continue;
		/* The lock cvs_open() runs under: no open slips in between. */
		mutex_lock(&d->disk->open_mutex);
		if (!disk_openers(d->disk))
			d->deleting = true;
		mutex_unlock(&d->disk->open_mutex);
		if (!d->deleting)
			return ERR_PTR(-EBUSY);
		list_del(&d->list);
		return d;
	}
	return ERR_PTR(-ENOENT);
}

static int cvs_delete_set(const char *val, const struct kernel_param *kp)
{
	char name[CVS_NAME_LEN + 1];	/* and echo's newline */
	struct cvs_dev *d;

	if (strscpy(name, skip_spaces(val), sizeof(name)) < 0)
		return -EINVAL;
	strim(name);
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	mutex_lock(&cvs_lock);
	d = cvs_layer_wq ? cvs_unlist(name) : ERR_PTR(-EAGAIN);
	mutex_unlock(&cvs_lock);
	if (!IS_ERR(d)) {
		pr_info("cevstack: %s: deleted\n", d->name);
		cvs_remove(d);
	}
	module_put(THIS_MODULE);
	return PTR_ERR_OR_ZERO(d);
}

static const struct kernel_param_ops cvs_delete_ops = {
	.set = cvs_delete_set,
};
module_param_cb(delete, &cvs_delete_ops, NULL, 0200);
MODULE_PARM_DESC(delete, "delete a device nobody has open: \"NAME\"");

/* Under cvs_lock: the device named @name. */
static struct cvs_dev *cvs_find(const char *name)
{
	struct cvs_dev *d;

	if (!cvs_layer_wq)
		return ERR_PTR(-EAGAIN);
	list_for_each_entry(d, &cvs_devs, list)
		if (!strcmp(d->name, name))
			return d;
	return ERR_PTR(-ENOENT);
}

/*
 * A command naming a device, then @min to @max words more: @fn runs it,
 * under cvs_lock, with the device found and those words.
 */
static int cvs_command(const char *val, int min, int max,
		       int (*fn)(struct cvs_dev *d, char **argv, int argc))
{
	struct cvs_dev *d;
	char **argv;
	int argc, err;

	argv = argv_split(GFP_KERNEL, val, &argc);
	if (!argv)
		return -ENOMEM;
	err = -EINVAL;
	if (argc < 1 + min || argc > 1 + max)
		goto out;
	err = -ENODEV;
	if (!try_module_get(THIS_MODULE))
		goto out;
	mutex_lock(&cvs_lock);
	d = cvs_find(argv[0]);
	err = IS_ERR(d) ? PTR_ERR(d) : fn(d, argv + 1, argc - 1);
	mutex_unlock(&cvs_lock);
	module_put(THIS_MODULE);
out:
	argv_free(argv);
	return err;
}

/* "LEG [DEVICE]" */
static int cvs_recover_cmd(struct cvs_dev *d, char **argv, int argc)
{
	unsigned int leg;

	if (kstrtouint(argv[0], 0, &leg))
		return -EINVAL;
	return cvs_recover_with(d, leg, argc > 1 ? argv[1] : NULL);
}

static int cvs_recover_set(const char *val, const struct kernel_param *kp)
{
	return cvs_command(val, 1, 2, cvs_recover_cmd);
}

static const struct kernel_param_ops cvs_recover_ops = {
	.set = cvs_recover_set,
};
module_param_cb(recover, &cvs_recover_ops, NULL, 0200);
MODULE_PARM_DESC(recover, "take a failed mirror leg back once its data is copied to it, or another device in its place: \"NAME LEG [DEVICE]\"");

/* "[DEVICE]" */
static int cvs_spare_cmd(struct cvs_dev *d, char **argv, int argc)
{
	return argc ? cvs_spare_add(d, argv[0]) : cvs_spare_drop(d);
}

static int cvs_spare_set(const char *val, const struct kernel_param *kp)
{
	return cvs_command(val, 0, 1, cvs_spare_cmd);
}

/* The spares: "NAME DEVICE", a line a mirror that has one. */
static int cvs_spare_get(char *buf, const struct kernel_param *kp)
{
	struct cvs_dev *d;
	int n = 0;

	mutex_lock(&cvs_lock);
	list_for_each_entry(d, &cvs_devs, list)
		if (d->spare)
			n += sysfs_emit_at(buf, n, "%s %pg\n", d->name,
					   file_bdev(d->spare));
	mutex_unlock(&cvs_lock);
	return n;
}

static const struct kernel_param_ops cvs_spare_ops = {
	.set = cvs_spare_set,
	.get = cvs_spare_get,
};
module_param_cb(spare, &cvs_spare_ops, NULL, 0600);
MODULE_PARM_DESC(spare, "give a mirror a spare, to replace the next leg to fail, or let it go: \"NAME [DEVICE]\"; read: the spares");

static void cvs_free_resources(void)
{
	if (cvs_layer_wq)
		destroy_workqueue(cvs_layer_wq);
	cvs_layer_wq = NULL;
	bioset_exit(&cvs_copy_bio_set);
	kmem_cache_destroy(cvs_buf_cache);
	kmem_cache_destroy(cvs_io_cache);
}

static int cvs_alloc_resources(void)
{
	cvs_io_cache = KMEM_CACHE(cvs_io, 0);
	cvs_buf_cache = KMEM_CACHE(cvs_buf, 0);
	if (!cvs_io_cache || !cvs_buf_cache ||
	    bioset_init(&cvs_copy_bio_set, 0, 0, BIOSET_NEED_BVECS))
		goto fail;
	/* Last: create and delete take a cvs_layer_wq as the module ready. */
	cvs_layer_wq = alloc_workqueue("cevstack_layer",
				       WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (cvs_layer_wq)
		return 0;
fail:
	cvs_free_resources();
	return -ENOMEM;
}

static void cvs_hedge_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct cvs_hedge_q *q = per_cpu_ptr(&cvs_hedge_qs, cpu);

		spin_lock_init(&q->lock);
		INIT_LIST_HEAD(&q->reads);
		hrtimer_init(&q->timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS_PINNED);
		q->timer.function = cvs_hedge_due;
	}
}

/* Every list is empty: only a timer due at a read since completed. */
static void cvs_hedge_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct cvs_hedge_q *q = per_cpu_ptr(&cvs_hedge_qs, cpu);

		spin_lock_irq(&q->lock);
		WARN_ON_ONCE(!list_empty(&q->reads));
		spin_unlock_irq(&q->lock);
		hrtimer_cancel(&q->timer);
	}
}

static int __init cvs_init(void)
{
	int err;

	cvs_hedge_init();
	cvs_major = register_blkdev(0, "cevstack");
	if (cvs_major < 0)
		return cvs_major;
	err = cvs_alloc_resources();
	if (err) {
		unregister_blkdev(cvs_major, "cevstack");
		return err;
	}
	cvs_debugfs = debugfs_create_dir("cevstack", NULL);
	return 0;
}

/*
 * No device is open, but bios may still be finishing on their devices'
 * workqueues and the lower reads of timed-out bios may still be in
 * flight, their b_end_io in this module: take the disks away so that no
 * bio comes in, wait for every buffer to end and be freed, drain the work
 * that still refers to the devices, and only then free the devices.  A
 * lower device that never ends a read keeps rmmod waiting, as it keeps
 * the bio's owner waiting.
 */
static void __exit cvs_exit(void)
{
	struct cvs_dev *d, *tmp;

	/* No opener (each holds the module), and no spare taken from now. */
	mutex_lock(&cvs_lock);
	list_for_each_entry(d, &cvs_devs, list) {
		mutex_lock(&d->disk->open_mutex);
		d->deleting = true;
		mutex_unlock(&d->disk->open_mutex);
	}
	mutex_unlock(&cvs_lock);
	/*
	 * In any order: a device over another holds the module, so there is
	 * none now.
	 */
	list_for_each_entry_safe(d, tmp, &cvs_devs, list) {
		list_del(&d->list);
		cvs_remove(d);
	}
	/* Each device's removal waited for its buffers: none is left. */
	debugfs_remove_recursive(cvs_debugfs);
	cvs_hedge_exit();
	cvs_free_resources();
	unregister_blkdev(cvs_major, "cevstack");
}

module_init(cvs_init);
module_exit(cvs_exit);
MODULE_DESCRIPTION("Stacking block driver completing through layered and compound events");
MODULE_LICENSE("GPL");
