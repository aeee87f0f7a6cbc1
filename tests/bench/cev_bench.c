// SPDX-License-Identifier: GPL-2.0
/*
 * cev_bench: the in-kernel half of make bench.
 *
 * An out-of-tree module, built against the patched kernel and against the
 * same tree without the series (there CONFIG_CEV is unset and only the
 * "wake" part exists).  Loading it runs the parts named by parts= in a
 * kthread bound to one CPU and prints one line a figure:
 *
 *   cev-bench: case=C n=N metric=M median=X min=X max=X rounds=R
 *
 * Values are printed with three decimals; times are nanoseconds.  A round
 * lasts at least ROUND_NS or completes at least ROUND_WORK children, so
 * that the clock's granularity does not matter; one warm-up round before
 * the counted ones is thrown away; the median and the spread are over the
 * rounds.  Nothing here judges a figure: scripts/bench-report.py puts them
 * side by side.  What is
 * checked is that each mechanism did its job (every compound completed
 * exactly once, with every child counted), so that a fast wrong figure is
 * an error, not a result.
 */
#define pr_fmt(fmt) "cev-bench: " fmt

#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/buffer_head.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>
#ifdef CONFIG_CEV
#include <linux/cev.h>
#endif

static char *parts = "wake,compound,cancel,layer";
module_param(parts, charp, 0444);
MODULE_PARM_DESC(parts, "comma-separated: wake, compound, cancel, layer");

static unsigned int rounds = 7;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds per figure (median and spread over them)");

static unsigned int max_n = 1048576;
module_param(max_n, uint, 0444);
MODULE_PARM_DESC(max_n, "largest number of children per compound");

#define MAX_ROUNDS	64
/* Children timed per round at least, for small compounds. */
#define ROUND_WORK	65536
/* A round of a short operation lasts this long at least. */
#define ROUND_NS	(20 * NSEC_PER_MSEC)
#define OP_BATCH	64

static int bench_errors;

/* One figure: a sample per round, in thousandths of the unit. */
struct figure {
	u64 v[MAX_ROUNDS];
	unsigned int nr;
};

static void figure_add(struct figure *f, u64 milli)
{
	if (f->nr < MAX_ROUNDS)
		f->v[f->nr++] = milli;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The median and the spread, each as a whole and thousandths. */
static void figure_print(const char *name, unsigned int n, const char *metric,
			 struct figure *f)
{
	u32 med_frac, min_frac, max_frac;
	u64 med, min, max;

	if (!f->nr)
		return;
	sort(f->v, f->nr, sizeof(f->v[0]), cmp_u64, NULL);
	med = div_u64_rem(f->v[f->nr / 2], 1000, &med_frac);
	min = div_u64_rem(f->v[0], 1000, &min_frac);
	max = div_u64_rem(f->v[f->nr - 1], 1000, &max_frac);
	pr_info("case=%s n=%u metric=%s median=%llu.%03u min=%llu.%03u max=%llu.%03u rounds=%u\n",
		name, n, metric, med, med_frac, min, min_frac, max, max_frac,
		f->nr);
}

/* Nanoseconds a unit, in thousandths: @ns spent on @units. */
static u64 per_unit(u64 ns, u64 units)
{
	return div64_u64(ns * 1000, units ?: 1);
}

static void bench_error(const char *what, const char *name, unsigned int n)
{
	pr_err("error: %s: %s (n=%u)\n", name, what, n);
	bench_errors++;
}

/*
 * Time @op, repeated in batches until a round has lasted ROUND_NS, for
 * one round more than asked: the first is not counted (cold caches and,
 * in QEMU's TCG, code not yet translated).  Returns the calls made.
 */
static u64 time_op(struct figure *f, void (*op)(void *arg), void *arg)
{
	unsigned int r, i;
	u64 calls = 0;

	for (r = 0; r <= rounds; r++) {
		u64 t0 = ktime_get_ns(), t, done = 0;

		do {
			for (i = 0; i < OP_BATCH; i++)
				op(arg);
			done += OP_BATCH;
			t = ktime_get_ns() - t0;
		} while (t < ROUND_NS);
		if (r)
			figure_add(f, per_unit(t, done));
		calls += done;
	}
	return calls;
}

/* ---------------------------------------------------------------------------
 * Part 1: ordinary waiters.  The same code runs on the stock kernel.
 */

/*
 * wake_up() on a queue of @n ordinary, non-exclusive entries whose task is
 * the running bench thread: the whole walk and a try_to_wake_up() per
 * entry, without the scheduler's cost of really waking n tasks.
 */
static void wake_up_op(void *head)
{
	wake_up(head);
}

static void bench_wake_up(unsigned int n)
{
	struct wait_queue_entry *ents;
	struct wait_queue_head head;
	struct figure f = {};
	unsigned int i;

	ents = kcalloc(n, sizeof(*ents), GFP_KERNEL);
	if (!ents) {
		bench_error("out of memory", "wake_up", n);
		return;
	}
	init_waitqueue_head(&head);
	for (i = 0; i < n; i++) {
		init_waitqueue_entry(&ents[i], current);
		add_wait_queue(&head, &ents[i]);
	}
	time_op(&f, wake_up_op, &head);
	for (i = 0; i < n; i++)
		remove_wait_queue(&head, &ents[i]);
	kfree(ents);
	figure_print("wake_up", n, "ns_per_wakeup", &f);
}

/*
 * lock_buffer() + unlock_buffer() with no waiter: the fast path of every
 * buffer unlock.
 */
static void unlock_buffer_op(void *bh)
{
	lock_buffer(bh);
	unlock_buffer(bh);
}

/*
 * The same with one waiter on the buffer's bit wait queue, queued each
 * time as wait_on_bit() queues it, and woken by unlock_buffer().
 */
static void unlock_buffer_waiter_op(void *arg)
{
	struct buffer_head *bh = arg;
	DEFINE_WAIT_BIT(wbq, &bh->b_state, BH_Lock);
	struct wait_queue_head *wq = bit_waitqueue(&bh->b_state, BH_Lock);

	lock_buffer(bh);
	/* Not to sleep: unlock_buffer() wakes us before we would. */
	prepare_to_wait(wq, &wbq.wq_entry, TASK_UNINTERRUPTIBLE);
	unlock_buffer(bh);
	if (!list_empty_careful(&wbq.wq_entry.entry))
		bench_error("waiter not woken", "unlock_buffer", 1);
	finish_wait(wq, &wbq.wq_entry);
}

static void bench_unlock_buffer(unsigned int n)
{
	struct buffer_head *bh;
	struct figure f = {};

	bh = alloc_buffer_head(GFP_KERNEL);
	if (!bh) {
		bench_error("out of memory", "unlock_buffer", n);
		return;
	}
	time_op(&f, n ? unlock_buffer_waiter_op : unlock_buffer_op, bh);
	free_buffer_head(bh);
	figure_print("unlock_buffer", n, "ns_per_unlock", &f);
}

static void part_wake(void)
{
	bench_wake_up(1);
	bench_wake_up(16);
	bench_wake_up(256);
	bench_unlock_buffer(0);
	bench_unlock_buffer(1);
}

#ifdef CONFIG_CEV
/* A wait entry that counts its wake-ups and wakes nobody. */
struct counter_wait {
	struct wait_queue_entry wait;
	atomic_t calls;
};

static int counter_wake(struct wait_queue_entry *wait, unsigned int mode,
			int sync, void *key)
{
	struct counter_wait *cw = container_of(wait, struct counter_wait, wait);

	atomic_inc(&cw->calls);
	return 0;
}

static void counter_wait_add(struct wait_queue_head *head,
			     struct counter_wait *cw)
{
	init_waitqueue_func_entry(&cw->wait, counter_wake);
	atomic_set(&cw->calls, 0);
	add_wait_queue(head, &cw->wait);
}

/* ---------------------------------------------------------------------------
 * Part 2: N children completing into one parent, five ways.
 *
 * A run sets up @nr_par compounds of @n children (untimed, except as the
 * setup figure), completes every child in the bench thread (timed), and
 * checks that every compound completed once with all its children.  In
 * the threaded run a second kthread on another CPU completes the children
 * while the bench thread really waits for the compound, and the waiting
 * task's voluntary context switches count its wake-ups.
 */
struct run {
	unsigned int n;		/* children a compound */
	unsigned int nr_par;	/* compounds a round */
	void *children;
	void *parents;
	atomic_t notified;	/* calls that woke a parent's waiters */
};

struct way {
	const char *name;
	size_t child_size;
	size_t parent_size;
	int (*setup)(struct run *run);
	/* Complete children @lo to @hi - 1 of compound @par. */
	void (*fire)(struct run *run, unsigned int par, unsigned int lo,
		     unsigned int hi);
	void (*wait)(struct run *run, unsigned int par);
	bool (*check)(struct run *run, unsigned int par);
	void (*teardown)(struct run *run);
};

static void *run_child(struct run *run, const struct way *way,
		       unsigned int par, unsigned int i)
{
	return run->children + ((size_t)par * run->n + i) * way->child_size;
}

static void *run_parent(struct run *run, const struct way *way,
			unsigned int par)
{
	return run->parents + (size_t)par * way->parent_size;
}

/* cev: each child a cev_wait on its own wait queue, the parent cev_all. */
struct cev_child {
	struct wait_queue_head wq;
	struct cev_wait cw;
};

struct cev_parent {
	struct cev cev;
	struct counter_wait waiter;
};

static const struct cev_wait_ops cev_bench_child_ops = {};

static const struct way way_cev;

static int cev_setup(struct run *run, const struct cev_wait_ops *ops)
{
	unsigned int par, i;

	for (par = 0; par < run->nr_par; par++) {
		struct cev_parent *p = run_parent(run, &way_cev, par);

		cev_init(&p->cev, &cev_all, 0);
		counter_wait_add(&p->cev.wq, &p->waiter);
		for (i = 0; i < run->n; i++) {
			struct cev_child *c = run_child(run, &way_cev, par, i);

			init_waitqueue_head(&c->wq);
			cev_wait_init(&c->cw, ops, NULL);
			if (cev_add(&p->cev, &c->cw, &c->wq))
				return -EINVAL;
		}
		if (cev_arm(&p->cev))
			return -EINVAL;
	}
	return 0;
}

static int cev_way_setup(struct run *run)
{
	return cev_setup(run, &cev_bench_child_ops);
}

static void cev_way_fire(struct run *run, unsigned int par,
			 unsigned int lo, unsigned int hi)
{
	unsigned int i;

	for (i = lo; i < hi; i++) {
		struct cev_child *c = run_child(run, &way_cev, par, i);

		wake_up(&c->wq);
	}
}

static void cev_way_wait(struct run *run, unsigned int par)
{
	struct cev_parent *p = run_parent(run, &way_cev, par);

	wait_for_cev(&p->cev);
}

static bool cev_way_check(struct run *run, unsigned int par)
{
	struct cev_parent *p = run_parent(run, &way_cev, par);

	atomic_add(atomic_read(&p->waiter.calls), &run->notified);
	return cev_done(&p->cev) && p->cev.status == 0 &&
	       p->cev.nr_done == run->n && !p->cev.nr_cancelled;
}

static void cev_way_teardown(struct run *run)
{
	unsigned int par;

	for (par = 0; par < run->nr_par; par++) {
		struct cev_parent *p = run_parent(run, &way_cev, par);

		cev_finish(&p->cev);
		remove_wait_queue(&p->cev.wq, &p->waiter.wait);
	}
}

static const struct way way_cev = {
	.name = "cev",
	.child_size = sizeof(struct cev_child),
	.parent_size = sizeof(struct cev_parent),
	.setup = cev_way_setup,
	.fire = cev_way_fire,
	.wait = cev_way_wait,
	.check = cev_way_check,
	.teardown = cev_way_teardown,
};

/* bio_chain(): children chained to a parent bio, ended with bio_endio(). */
struct bio_parent {
	struct bio *bio;
	struct completion done;
	atomic_t ended;
};

static const struct way way_bio_chain;

static void bio_way_parent_end(struct bio *bio)
{
	struct bio_parent *p = bio->bi_private;

	atomic_inc(&p->ended);
	complete(&p->done);
}

static int bio_way_setup(struct run *run)
{
	unsigned int par, i;

	for (par = 0; par < run->nr_par; par++) {
		struct bio_parent *p = run_parent(run, &way_bio_chain, par);

		init_completion(&p->done);
		atomic_set(&p->ended, 0);
		p->bio = bio_alloc_bioset(NULL, 0, REQ_OP_READ, GFP_KERNEL,
					  &fs_bio_set);
		p->bio->bi_end_io = bio_way_parent_end;
		p->bio->bi_private = p;
		for (i = 0; i < run->n; i++) {
			struct bio **c = run_child(run, &way_bio_chain, par, i);

			*c = bio_alloc_bioset(NULL, 0, REQ_OP_READ, GFP_KERNEL,
					      &fs_bio_set);
			bio_chain(*c, p->bio);
		}
		/* The parent's own I/O ends first; the children end it. */
		bio_endio(p->bio);
	}
	return 0;
}

static void bio_way_fire(struct run *run, unsigned int par,
			 unsigned int lo, unsigned int hi)
{
	unsigned int i;

	for (i = lo; i < hi; i++) {
		struct bio **c = run_child(run, &way_bio_chain, par, i);

		bio_endio(*c);	/* puts the child */
	}
}

static void bio_way_wait(struct run *run, unsigned int par)
{
	struct bio_parent *p = run_parent(run, &way_bio_chain, par);

	wait_for_completion(&p->done);
}

static bool bio_way_check(struct run *run, unsigned int par)
{
	struct bio_parent *p = run_parent(run, &way_bio_chain, par);

	atomic_add(atomic_read(&p->ended), &run->notified);
	return atomic_read(&p->ended) == 1 && !p->bio->bi_status;
}

static void bio_way_teardown(struct run *run)
{
	unsigned int par;

	for (par = 0; par < run->nr_par; par++) {
		struct bio_parent *p = run_parent(run, &way_bio_chain, par);

		bio_put(p->bio);
	}
}

static const struct way way_bio_chain = {
	.name = "bio_chain",
	.child_size = sizeof(struct bio *),
	.parent_size = sizeof(struct bio_parent),
	.setup = bio_way_setup,
	.fire = bio_way_fire,
	.wait = bio_way_wait,
	.check = bio_way_check,
	.teardown = bio_way_teardown,
};

/* The hand-written idiom: an atomic_t countdown and one complete(). */
struct countdown_parent {
	atomic_t left;
	atomic_t completes;
	struct completion done;
};

struct countdown_child {
	struct countdown_parent *parent;
};

static const struct way way_countdown;

static struct countdown_parent *countdown_parent_init(struct run *run,
						      unsigned int par)
{
	struct countdown_parent *p = run_parent(run, &way_countdown, par);

	atomic_set(&p->left, run->n);
	atomic_set(&p->completes, 0);
	init_completion(&p->done);
	return p;
}

static int countdown_way_setup(struct run *run)
{
	unsigned int par, i;

	for (par = 0; par < run->nr_par; par++) {
		struct countdown_parent *p = countdown_parent_init(run, par);

		for (i = 0; i < run->n; i++) {
			struct countdown_child *c;

			c = run_child(run, &way_countdown, par, i);
			c->parent = p;
		}
	}
	return 0;
}

static void countdown_parent_done(struct countdown_parent *p)
{
	if (atomic_dec_and_test(&p->left)) {
		atomic_inc(&p->completes);
		complete(&p->done);
	}
}

static noinline void countdown_child_done(struct countdown_child *c)
{
	countdown_parent_done(c->parent);
}

static void countdown_way_fire(struct run *run, unsigned int par,
			       unsigned int lo, unsigned int hi)
{
	unsigned int i;

	for (i = lo; i < hi; i++)
		countdown_child_done(run_child(run, &way_countdown, par, i));
}

static void countdown_way_wait(struct run *run, unsigned int par)
{
	struct countdown_parent *p = run_parent(run, &way_countdown, par);

	wait_for_completion(&p->done);
}

static bool countdown_way_check(struct run *run, unsigned int par)
{
	struct countdown_parent *p = run_parent(run, &way_countdown, par);

	/* The parent's wait has consumed the completion. */
	atomic_add(atomic_read(&p->completes), &run->notified);
	return atomic_read(&p->completes) == 1 && !atomic_read(&p->left);
}

static const struct way way_countdown = {
	.name = "countdown",
	.child_size = sizeof(struct countdown_child),
	.parent_size = sizeof(struct countdown_parent),
	.setup = countdown_way_setup,
	.fire = countdown_way_fire,
	.wait = countdown_way_wait,
	.check = countdown_way_check,
};

/*
 * Not one of upstream's answers but the floor under any child that is an
 * event on a wait queue: the countdown, run by a wake function that takes
 * itself off the child's queue.  cev's cost above it is cev's own.
 */
struct wq_countdown_child {
	struct wait_queue_head wq;
	struct wait_queue_entry wait;
	struct countdown_parent *parent;
};

static const struct way way_wq_countdown;

static int wq_countdown_wake(struct wait_queue_entry *wait, unsigned int mode,
			     int sync, void *key)
{
	struct wq_countdown_child *c;

	c = container_of(wait, struct wq_countdown_child, wait);
	list_del_init(&wait->entry);
	countdown_parent_done(c->parent);
	return 1;
}

static int wq_countdown_way_setup(struct run *run)
{
	unsigned int par, i;

	for (par = 0; par < run->nr_par; par++) {
		struct countdown_parent *p = countdown_parent_init(run, par);

		for (i = 0; i < run->n; i++) {
			struct wq_countdown_child *c;

			c = run_child(run, &way_wq_countdown, par, i);
			init_waitqueue_head(&c->wq);
			init_waitqueue_func_entry(&c->wait, wq_countdown_wake);
			c->parent = p;
			add_wait_queue(&c->wq, &c->wait);
		}
	}
	return 0;
}

static void wq_countdown_way_fire(struct run *run, unsigned int par,
				  unsigned int lo, unsigned int hi)
{
	unsigned int i;

	for (i = lo; i < hi; i++) {
		struct wq_countdown_child *c;

		c = run_child(run, &way_wq_countdown, par, i);
		wake_up(&c->wq);
	}
}

/* It shares the countdown's parent, and with it its wait and check. */
static const struct way way_wq_countdown = {
	.name = "wq_countdown",
	.child_size = sizeof(struct wq_countdown_child),
	.parent_size = sizeof(struct countdown_parent),
	.setup = wq_countdown_way_setup,
	.fire = wq_countdown_way_fire,
	.wait = countdown_way_wait,
	.check = countdown_way_check,
};

/* N struct completion, the parent waiting for each in turn. */
struct completions_parent {
	atomic_t completes;
};

static const struct way way_completions;

static int completions_way_setup(struct run *run)
{
	unsigned int par, i;

	for (par = 0; par < run->nr_par; par++) {
		struct completions_parent *p;

		p = run_parent(run, &way_completions, par);
		atomic_set(&p->completes, 0);
		for (i = 0; i < run->n; i++)
			init_completion(run_child(run, &way_completions, par, i));
	}
	return 0;
}

static void completions_way_fire(struct run *run, unsigned int par,
				 unsigned int lo, unsigned int hi)
{
	struct completions_parent *p = run_parent(run, &way_completions, par);
	unsigned int i;

	for (i = lo; i < hi; i++) {
		atomic_inc(&p->completes);
		complete(run_child(run, &way_completions, par, i));
	}
}

static void completions_way_wait(struct run *run, unsigned int par)
{
	unsigned int i;

	for (i = 0; i < run->n; i++)
		wait_for_completion(run_child(run, &way_completions, par, i));
}

/* Each wait has returned, and consumed its completion. */
static bool completions_way_check(struct run *run, unsigned int par)
{
	struct completions_parent *p = run_parent(run, &way_completions, par);
	unsigned int i;

	atomic_add(atomic_read(&p->completes), &run->notified);
	for (i = 0; i < run->n; i++)
		if (completion_done(run_child(run, &way_completions, par, i)))
			return false;
	return atomic_read(&p->completes) == run->n;
}

static const struct way way_completions = {
	.name = "completions",
	.child_size = sizeof(struct completion),
	.parent_size = sizeof(struct completions_parent),
	.setup = completions_way_setup,
	.fire = completions_way_fire,
	.wait = completions_way_wait,
	.check = completions_way_check,
};

/*
 * The epoll way: a callback on each child's wait queue takes the parent's
 * lock, records the event and wakes the parent's queue, every time, as
 * ep_poll_callback() does for each ready file.
 */
struct epoll_parent {
	spinlock_t lock;	/* protects ready */
	unsigned int ready;
	struct wait_queue_head wq;
	struct counter_wait waiter;
};

struct epoll_child {
	struct wait_queue_head wq;
	struct wait_queue_entry wait;
	struct epoll_parent *parent;
	bool ready;
};

static const struct way way_epoll;

static int epoll_child_wake(struct wait_queue_entry *wait, unsigned int mode,
			    int sync, void *key)
{
	struct epoll_child *c = container_of(wait, struct epoll_child, wait);
	struct epoll_parent *p = c->parent;
	unsigned long flags;

	spin_lock_irqsave(&p->lock, flags);
	if (!c->ready) {
		c->ready = true;
		p->ready++;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	wake_up(&p->wq);
	return 1;
}

static int epoll_way_setup(struct run *run)
{
	unsigned int par, i;

	for (par = 0; par < run->nr_par; par++) {
		struct epoll_parent *p = run_parent(run, &way_epoll, par);

		spin_lock_init(&p->lock);
		p->ready = 0;
		init_waitqueue_head(&p->wq);
		counter_wait_add(&p->wq, &p->waiter);
		for (i = 0; i < run->n; i++) {
			struct epoll_child *c = run_child(run, &way_epoll, par, i);

			init_waitqueue_head(&c->wq);
			init_waitqueue_func_entry(&c->wait, epoll_child_wake);
			c->parent = p;
			c->ready = false;
			add_wait_queue(&c->wq, &c->wait);
		}
	}
	return 0;
}

static void epoll_way_fire(struct run *run, unsigned int par,
			   unsigned int lo, unsigned int hi)
{
	unsigned int i;

	for (i = lo; i < hi; i++) {
		struct epoll_child *c = run_child(run, &way_epoll, par, i);

		wake_up(&c->wq);
	}
}

static bool epoll_all_ready(struct epoll_parent *p, unsigned int n)
{
	unsigned long flags;
	bool all;

	spin_lock_irqsave(&p->lock, flags);
	all = p->ready == n;
	spin_unlock_irqrestore(&p->lock, flags);
	return all;
}

static void epoll_way_wait(struct run *run, unsigned int par)
{
	struct epoll_parent *p = run_parent(run, &way_epoll, par);

	wait_event(p->wq, epoll_all_ready(p, run->n));
}

static bool epoll_way_check(struct run *run, unsigned int par)
{
	struct epoll_parent *p = run_parent(run, &way_epoll, par);

	atomic_add(atomic_read(&p->waiter.calls), &run->notified);
	return p->ready == run->n;
}

static void epoll_way_teardown(struct run *run)
{
	unsigned int par, i;

	for (par = 0; par < run->nr_par; par++) {
		struct epoll_parent *p = run_parent(run, &way_epoll, par);

		remove_wait_queue(&p->wq, &p->waiter.wait);
		for (i = 0; i < run->n; i++) {
			struct epoll_child *c = run_child(run, &way_epoll, par, i);

			remove_wait_queue(&c->wq, &c->wait);
		}
	}
}

static const struct way way_epoll = {
	.name = "epoll",
	.child_size = sizeof(struct epoll_child),
	.parent_size = sizeof(struct epoll_parent),
	.setup = epoll_way_setup,
	.fire = epoll_way_fire,
	.wait = epoll_way_wait,
	.check = epoll_way_check,
	.teardown = epoll_way_teardown,
};

static const struct way *const ways[] = {
	&way_cev, &way_bio_chain, &way_countdown, &way_completions, &way_epoll,
	&way_wq_countdown,
};

static int run_alloc(struct run *run, const struct way *way, unsigned int n,
		     unsigned int nr_par)
{
	run->n = n;
	run->nr_par = nr_par;
	run->children = kvcalloc((size_t)n * nr_par, way->child_size,
				 GFP_KERNEL);
	run->parents = kvcalloc(nr_par, way->parent_size, GFP_KERNEL);
	if (run->children && run->parents)
		return 0;
	kvfree(run->children);
	kvfree(run->parents);
	return -ENOMEM;
}

static void run_free(struct run *run)
{
	kvfree(run->children);
	kvfree(run->parents);
}

static void run_teardown(struct run *run, const struct way *way)
{
	if (way->teardown)
		way->teardown(run);
}

/* Every compound completed once with all its children, or an error. */
static void run_check(struct run *run, const struct way *way)
{
	unsigned int par;

	for (par = 0; par < run->nr_par; par++) {
		if (!way->check(run, par)) {
			bench_error("compound did not complete as it should",
				    way->name, run->n);
			return;
		}
	}
}

/* Compounds a round: enough children for a sample of useful length. */
static unsigned int batch_of(unsigned int n)
{
	return max(1U, ROUND_WORK / n);
}

static void bench_compound_sync(const struct way *way, unsigned int n,
				struct figure *fire, struct figure *setup,
				struct figure *notify)
{
	unsigned int nr_par = batch_of(n), r, par;
	struct run run = {};

	if (run_alloc(&run, way, n, nr_par)) {
		bench_error("out of memory", way->name, n);
		return;
	}
	for (r = 0; r <= rounds; r++) {		/* round 0 warms up */
		u64 t0 = ktime_get_ns(), t1, t2;

		atomic_set(&run.notified, 0);
		if (way->setup(&run)) {
			bench_error("setup failed", way->name, n);
			break;
		}
		t1 = ktime_get_ns();
		for (par = 0; par < nr_par; par++)
			way->fire(&run, par, 0, n);
		/* Nothing sleeps here, but the parent's wait is its cost. */
		for (par = 0; par < nr_par; par++)
			way->wait(&run, par);
		t2 = ktime_get_ns();
		run_check(&run, way);
		if (r) {
			figure_add(fire, per_unit(t2 - t1, (u64)n * nr_par));
			figure_add(setup, per_unit(t1 - t0, (u64)n * nr_par));
			figure_add(notify,
				   div_u64(atomic_read(&run.notified) * 1000ULL,
					   nr_par));
		}
		run_teardown(&run, way);
	}
	run_free(&run);
}

struct completer {
	struct run *run;
	const struct way *way;
	struct completion go;
};

static int completer_fn(void *arg)
{
	struct completer *c = arg;

	wait_for_completion(&c->go);
	c->way->fire(c->run, 0, 0, c->run->n);
	return 0;
}

/*
 * One compound, its children completed by a kthread on another CPU while
 * this thread waits: wall time a child, and how often the waiting task
 * was woken (its voluntary context switches while it waited).
 */
static void bench_compound_threaded(const struct way *way, unsigned int n,
				    struct figure *wall, struct figure *wakeups)
{
	unsigned int cpu = cpumask_next(raw_smp_processor_id(),
					cpu_online_mask);
	struct completer c = { .way = way };
	struct run run = {};
	unsigned int r;

	if (cpu >= nr_cpu_ids)
		return;		/* one CPU: no threaded figures */
	if (run_alloc(&run, way, n, 1)) {
		bench_error("out of memory", way->name, n);
		return;
	}
	c.run = &run;
	for (r = 0; r <= rounds; r++) {		/* round 0 warms up */
		struct task_struct *t;
		unsigned long nvcsw;
		u64 t0;

		if (way->setup(&run)) {
			bench_error("setup failed", way->name, n);
			break;
		}
		init_completion(&c.go);
		t = kthread_create(completer_fn, &c, "cev_bench_completer");
		if (IS_ERR(t)) {
			bench_error("no kthread", way->name, n);
			run_teardown(&run, way);
			break;
		}
		kthread_bind(t, cpu);
		get_task_struct(t);
		wake_up_process(t);
		nvcsw = current->nvcsw;
		t0 = ktime_get_ns();
		complete(&c.go);
		way->wait(&run, 0);
		t0 = ktime_get_ns() - t0;
		/* complete(&c.go) cannot put us to sleep; the wait can. */
		nvcsw = current->nvcsw - nvcsw;
		if (r) {
			figure_add(wall, per_unit(t0, n));
			figure_add(wakeups, nvcsw * 1000ULL);
		}
		kthread_stop(t);
		put_task_struct(t);
		run_check(&run, way);
		run_teardown(&run, way);
	}
	run_free(&run);
}

/* Children completed from this many CPUs at once. */
#define SPREAD_CPUS	4

struct spreader {
	struct run *run;
	const struct way *way;
	struct completion *go;
	atomic_t *ready;
	unsigned int lo, hi;
};

static int spreader_fn(void *arg)
{
	struct spreader *s = arg;

	atomic_inc(s->ready);
	wait_for_completion(s->go);
	s->way->fire(s->run, 0, s->lo, s->hi);
	return 0;
}

/*
 * One compound, its children completed by SPREAD_CPUS kthreads on as many
 * CPUs at once, a quarter each, while this thread waits: wall time a
 * child, from the go to the compound's completion seen by its waiter.
 */
static void bench_compound_spread(const struct way *way, unsigned int n,
				  struct figure *wall)
{
	struct task_struct *t[SPREAD_CPUS];
	struct spreader sp[SPREAD_CPUS];
	struct completion go;
	struct run run = {};
	atomic_t ready;
	unsigned int r, k, cpu;

	if (num_online_cpus() < SPREAD_CPUS || n < SPREAD_CPUS)
		return;
	if (run_alloc(&run, way, n, 1)) {
		bench_error("out of memory", way->name, n);
		return;
	}
	for (r = 0; r <= rounds; r++) {		/* round 0 warms up */
		u64 t0;

		if (way->setup(&run)) {
			bench_error("setup failed", way->name, n);
			break;
		}
		init_completion(&go);
		atomic_set(&ready, 0);
		cpu = cpumask_first(cpu_online_mask);
		for (k = 0; k < SPREAD_CPUS; k++) {
			sp[k] = (struct spreader){
				.run = &run, .way = way, .go = &go,
				.ready = &ready, .lo = n / SPREAD_CPUS * k,
				.hi = k == SPREAD_CPUS - 1 ? n :
				      n / SPREAD_CPUS * (k + 1),
			};
			t[k] = kthread_create(spreader_fn, &sp[k],
					      "cev_bench_spread/%u", k);
			if (IS_ERR(t[k]))
				break;
			kthread_bind(t[k], cpu);
			get_task_struct(t[k]);
			wake_up_process(t[k]);
			cpu = cpumask_next(cpu, cpu_online_mask);
		}
		if (k < SPREAD_CPUS) {
			bench_error("no kthread", way->name, n);
			/* Complete the rest here; the ones started need a go. */
			way->fire(&run, 0, sp[k].lo, n);
			complete_all(&go);
			while (k--) {
				kthread_stop(t[k]);
				put_task_struct(t[k]);
			}
			way->wait(&run, 0);
			run_teardown(&run, way);
			break;
		}
		while (atomic_read(&ready) < SPREAD_CPUS)
			usleep_range(100, 200);
		t0 = ktime_get_ns();
		complete_all(&go);
		way->wait(&run, 0);
		t0 = ktime_get_ns() - t0;
		if (r)
			figure_add(wall, per_unit(t0, n));
		for (k = 0; k < SPREAD_CPUS; k++) {
			kthread_stop(t[k]);
			put_task_struct(t[k]);
		}
		run_check(&run, way);
		run_teardown(&run, way);
	}
	run_free(&run);
}

static const unsigned int compound_ns[] = { 1, 16, 1024, 65536, 1048576 };

struct compound_figures {
	struct figure fire, setup, notify, wall, wakeups, spread;
};

static void bench_compound(const struct way *way, unsigned int n,
			   struct compound_figures *f)
{
	memset(f, 0, sizeof(*f));
	bench_compound_sync(way, n, &f->fire, &f->setup, &f->notify);
	bench_compound_threaded(way, n, &f->wall, &f->wakeups);
	bench_compound_spread(way, n, &f->spread);
	figure_print(way->name, n, "ns_per_child", &f->fire);
	figure_print(way->name, n, "setup_ns_per_child", &f->setup);
	figure_print(way->name, n, "parent_notifications", &f->notify);
	figure_print(way->name, n, "threaded_ns_per_child", &f->wall);
	figure_print(way->name, n, "parent_wakeups", &f->wakeups);
	figure_print(way->name, n, "spread_ns_per_child", &f->spread);
}

/* A size in bytes, in the figures' format, read by bench-report.py. */
static void size_print(const char *name, size_t size)
{
	pr_info("case=sizeof n=0 metric=%s median=%zu.000 min=%zu.000 max=%zu.000 rounds=1\n",
		name, size, size, size);
}

static void part_compound(void)
{
	struct compound_figures *f;
	unsigned int i, w;

	size_print("struct_cev", sizeof(struct cev));
	size_print("struct_cev_wait", sizeof(struct cev_wait));
	size_print("struct_lev", sizeof(struct lev));
	size_print("struct_completion", sizeof(struct completion));
	size_print("struct_wait_queue_entry", sizeof(struct wait_queue_entry));

	f = kmalloc(sizeof(*f), GFP_KERNEL);
	if (!f) {
		bench_error("out of memory", "compound", 0);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(compound_ns); i++) {
		if (compound_ns[i] > max_n)
			break;
		for (w = 0; w < ARRAY_SIZE(ways); w++) {
			bench_compound(ways[w], compound_ns[i], f);
			cond_resched();
		}
	}
	kfree(f);
}

/* ---------------------------------------------------------------------------
 * Part 3: cancelling N pending children.
 */
static atomic_t cancel_calls;

static void cancel_bench_cancel(struct cev_wait *cw)
{
	atomic_inc(&cancel_calls);
}

static const struct cev_wait_ops cancel_bench_child_ops = {
	.cancel = cancel_bench_cancel,
};

static void bench_cancel(unsigned int n)
{
	unsigned int nr_par = batch_of(n), r, par;
	struct figure f = {};
	struct run run = {};

	if (run_alloc(&run, &way_cev, n, nr_par)) {
		bench_error("out of memory", "cev_cancel", n);
		return;
	}
	for (r = 0; r <= rounds; r++) {		/* round 0 warms up */
		bool ok = true;
		u64 t0;

		atomic_set(&cancel_calls, 0);
		if (cev_setup(&run, &cancel_bench_child_ops)) {
			bench_error("setup failed", "cev_cancel", n);
			break;
		}
		t0 = ktime_get_ns();
		for (par = 0; par < nr_par; par++) {
			struct cev_parent *p = run_parent(&run, &way_cev, par);

			cev_cancel(&p->cev);
		}
		t0 = ktime_get_ns() - t0;
		if (r)
			figure_add(&f, per_unit(t0, (u64)n * nr_par));
		for (par = 0; par < nr_par; par++) {
			struct cev_parent *p = run_parent(&run, &way_cev, par);

			ok &= p->cev.nr_cancelled == n &&
			      p->cev.status == -ECANCELED &&
			      atomic_read(&p->waiter.calls) == 1;
		}
		if (!ok || atomic_read(&cancel_calls) != n * nr_par)
			bench_error("cancel did not cancel every child",
				    "cev_cancel", n);
		cev_way_teardown(&run);
	}
	run_free(&run);
	figure_print("cev_cancel", n, "ns_per_child", &f);
}

static void part_cancel(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(compound_ns); i++) {
		if (compound_ns[i] > max_n)
			break;
		bench_cancel(compound_ns[i]);
	}
}

/* ---------------------------------------------------------------------------
 * Part 4: what stacked layers add to a wake-up.
 */
static enum lev_action bench_layer_pass(struct lev *lev, void *key)
{
	return LEV_CONTINUE;
}

static enum lev_action bench_layer_defer(struct lev *lev, void *key)
{
	return LEV_DEFER;
}

static void bench_layer_work(struct lev *lev)
{
}

static const struct lev_ops bench_pass_ops = { .wake = bench_layer_pass };
static const struct lev_ops bench_defer_ops = {
	.wake = bench_layer_defer,
	.work = bench_layer_work,
};

/* The ordinary waiter behind the layers: counts, and signals deferrals. */
struct layered_waiter {
	struct wait_queue_entry wait;
	unsigned long calls;
	struct completion done;
	bool signal;
};

static int layered_waiter_wake(struct wait_queue_entry *wait,
			       unsigned int mode, int sync, void *key)
{
	struct layered_waiter *w;

	w = container_of(wait, struct layered_waiter, wait);
	w->calls++;
	if (w->signal)
		complete(&w->done);
	return 1;
}

/* wake_up() on a queue of one waiter behind @nr inline layers. */
static void bench_layers(unsigned int nr)
{
	struct layered_waiter w = {};
	struct wait_queue_head head;
	struct figure f = {};
	unsigned int i;
	struct lev *l;
	u64 calls;

	l = kcalloc(max(nr, 1U), sizeof(*l), GFP_KERNEL);
	if (!l) {
		bench_error("out of memory", "layers", nr);
		return;
	}
	init_waitqueue_head(&head);
	init_waitqueue_func_entry(&w.wait, layered_waiter_wake);
	add_wait_queue(&head, &w.wait);
	for (i = 0; i < nr; i++) {
		lev_init(&l[i], &bench_pass_ops, NULL);
		lev_add(&head, &l[i]);
	}
	calls = time_op(&f, wake_up_op, &head);
	for (i = 0; i < nr; i++)
		lev_del(&l[i]);
	kfree(l);
	remove_wait_queue(&head, &w.wait);
	if (w.calls != calls)
		bench_error("waiter missed wake-ups", "layers", nr);
	figure_print("layers", nr, "ns_per_wakeup", &f);
}

/*
 * One layer that defers to task context (its ->work runs on system_wq):
 * from wake_up() until the waiter behind it is woken.
 */
static void layer_deferred_op(void *arg)
{
	struct layered_waiter *w = arg;

	wake_up(w->wait.private);
	wait_for_completion(&w->done);
}

static void bench_layer_deferred(void)
{
	struct layered_waiter w = { .signal = true };
	struct wait_queue_head head;
	struct figure f = {};
	struct lev *l;
	u64 calls;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l) {
		bench_error("out of memory", "layer_deferred", 1);
		return;
	}

	init_waitqueue_head(&head);
	init_completion(&w.done);
	init_waitqueue_func_entry(&w.wait, layered_waiter_wake);
	w.wait.private = &head;		/* the op's way to the queue */
	add_wait_queue(&head, &w.wait);
	lev_init(l, &bench_defer_ops, NULL);
	lev_add(&head, l);
	calls = time_op(&f, layer_deferred_op, &w);
	lev_del(l);
	kfree(l);
	remove_wait_queue(&head, &w.wait);
	if (w.calls != calls)
		bench_error("waiter missed wake-ups", "layer_deferred", 1);
	figure_print("layer_deferred", 1, "ns_per_wakeup", &f);
}

static void part_layer(void)
{
	bench_layers(0);
	bench_layers(1);
	bench_layers(2);
	bench_layers(4);
	bench_layer_deferred();
}
#endif /* CONFIG_CEV */

static bool part_wanted(const char *name)
{
	const char *p = parts;
	size_t len = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == parts || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0' || p[len] == '\n'))
			return true;
		p += len;
	}
	return false;
}

static int bench_thread(void *arg)
{
	struct completion *done = arg;

	if (part_wanted("wake"))
		part_wake();
#ifdef CONFIG_CEV
	if (part_wanted("compound"))
		part_compound();
	if (part_wanted("cancel"))
		part_cancel();
	if (part_wanted("layer"))
		part_layer();
#endif
	pr_info("done errors=%d\n", bench_errors);
	complete(done);
	return 0;
}

static int __init cev_bench_init(void)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct task_struct *t;

	if (!rounds || rounds > MAX_ROUNDS) {
		pr_err("rounds must be 1..%d\n", MAX_ROUNDS);
		return -EINVAL;
	}
	t = kthread_create(bench_thread, &done, "cev_bench");
	if (IS_ERR(t))
		return PTR_ERR(t);
	/* One CPU for the bench, another for the threaded runs' completer. */
	kthread_bind(t, cpumask_first(cpu_online_mask));
	wake_up_process(t);
	wait_for_completion(&done);
	return 0;
}
module_init(cev_bench_init);

static void __exit cev_bench_exit(void)
{
}
module_exit(cev_bench_exit);

MODULE_DESCRIPTION("cev benchmarks for make bench");
MODULE_LICENSE("GPL");
