// SPDX-License-Identifier: GPL-2.0
/*
 * Torture test for layered and compound events, in the manner of
 * kernel/locking/locktorture.c.
 *
 * Every thread builds random trees of compounds (depth 1 to max_depth,
 * fan-out 1 to max_fanout, every policy), with layers on some leaves, and
 * has the leaves completed from hardirq (hrtimers), softirq (timers),
 * workqueues and itself, while cancellations (of the root, or of a nested
 * compound) from this task, hardirq and a workqueue and timed waits race
 * them.  In some rounds fresh leaves are added to the armed tree, from the
 * thread or a workqueue, while a cancellation races the adds.  Some layers
 * defer through ->work(), others are released by a timer, an hrtimer or a
 * workqueue, and the round's teardown takes them off while those releases
 * race it.  Each round checks, for every compound, with its results as
 * they were when cev_done() first became true (read at its one wake-up):
 *
 *  - it completed exactly once (one wake-up of its queue);
 *  - its status is the one its policy gives for the children it counted:
 *    0 for any-of (whatever need said) and k-of-n with enough successes,
 *    else the first error it counted (as far as the counting order can be
 *    seen: see child_peek()); -ECANCELED when a cev_cancel() of it
 *    returned 0; -ECANCELED or its policy's status when a cancel may have
 *    reached it through its parent; a compound that was not cancelled met
 *    its policy and counted no cancelled child;
 *  - status, count and the counters did not change from then to after
 *    cev_finish();
 *  - count and nr_failed are those of the children it counted; the
 *    children whose event completed them (counted or late), plus
 *    nr_cancelled, plus what cev_finish() returned, are its children, each
 *    once, and the ->cancel() ops that ran agree;
 *  - a nested compound's link carried its status and count;
 *
 * and for every leaf:
 *
 *  - ->cancel() ran exactly once if its event did not complete it
 *    (cev_wait_done() false), never if it did, and ->event() never ran
 *    after ->cancel() or after it had completed the child;
 *  - an add that was refused (-EINVAL) left the child untouched; one that
 *    a cancel caught before the child was queued (-ECANCELED) left it
 *    attached and counted as cancelled, without ->cancel(), in a compound
 *    that reports -ECANCELED;
 *  - lev_del() returned only after the layer's held wake-up was released
 *    and replayed to the entries behind it;
 *
 * and for the round: no timed wait slept past its bound (plus slack);
 * every misuse tried returned its error and changed no count; nothing
 * allocated was leaked.
 *
 * Start it by writing a duration in seconds to the parameter "run"; read
 * the parameter "state" (idle, running, done) to follow it.  Statistics
 * go to the log every stat_interval seconds, one line each, and a final
 * line ends with "violations=N" and SUCCESS or FAILURE.  Allocations on
 * the setup path may fail (failslab): such a round is abandoned cleanly
 * and counted as an injected fault.
 */

#include <linux/cev.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

static int nthreads = -1;
module_param(nthreads, int, 0444);
MODULE_PARM_DESC(nthreads, "torture threads (-1: one per CPU)");
static int max_depth = 4;
module_param(max_depth, int, 0444);
MODULE_PARM_DESC(max_depth, "deepest tree, 1..4");
static int max_fanout = 64;
module_param(max_fanout, int, 0444);
MODULE_PARM_DESC(max_fanout, "most children of one compound, 1..64");
static int stat_interval = 10;
module_param(stat_interval, int, 0644);
MODULE_PARM_DESC(stat_interval, "seconds between statistics lines");

#define TORTURE_MAX_LEAVES	256	/* per tree, as built */
#define TORTURE_MAX_ADDED	32	/* leaves added to the armed tree */
#define TORTURE_MAX_CHILDREN	(64 + TORTURE_MAX_ADDED)  /* per compound */
#define TORTURE_WAIT_MS		20	/* the timed wait's bound */
#define TORTURE_SLACK_MS	2000	/* TCG and debug kernels are slow */
/*
 * A failing leaf reports -(TORTURE_ERR_BASE + its index in the round), an
 * error of its own, so that a compound's status names the child it came
 * from.  Above the errno range, so that none is -ECANCELED.
 */
#define TORTURE_ERR_BASE	4096

enum src { SRC_HARDIRQ, SRC_SOFTIRQ, SRC_WORK, SRC_TASK, SRC_NEVER, SRC_NR };

/*
 * SRC_HARDIRQ is an hrtimer's expiry: in hardirq context, but on
 * PREEMPT_RT, where a wake-up's queue lock sleeps and the hrtimers not
 * marked hard expire in softirq context; there it is another softirq
 * source, and a pestering cancel preempts the adds rather than
 * interrupting them.
 */

/* A leaf's layer: none, one that defers to ->work(), or one released by us. */
enum layer { LAYER_NONE, LAYER_WORK, LAYER_MANUAL };

enum {
	ST_ROUNDS, ST_CHILDREN, ST_DONE, ST_CANCELS, ST_TIMEOUTS, ST_FAULTS,
	ST_MISUSE, ST_LAYERS, ST_ADDED, ST_REFUSED, ST_CAUGHT, ST_RELEASES,
	ST_VIOLATIONS, ST_NR,
};

/*
 * children: leaves attached; completed: those their event completed;
 * cancellations: cancel() ops; layers: ->work() ops; added: leaves added
 * to an armed tree; refused: adds refused as the compound had completed;
 * caught: adds a cancel caught before the child was queued (-ECANCELED);
 * releases: lev_release() calls from a timer, an hrtimer or a workqueue
 */
static const char * const st_names[] = {
	"rounds", "children", "completed", "cancellations", "timeouts",
	"faults", "misuse", "layers", "added", "refused", "caught",
	"releases", "violations",
};

static atomic64_t stats[ST_NR];
static atomic_t allocs;		/* allocations not yet freed */

struct tnode;

/*
 * What a child saw of its parent just before the core counted it; see
 * child_peek().  @seq is 0 until the child reported.
 */
struct tpeek {
	unsigned int seq;	/* order of the peeks at the parent */
	unsigned int failed;	/* the parent's nr_failed then */
};

struct tleaf {
	struct wait_queue_head head;
	struct cev_wait cw;
	struct tnode *parent;
	struct tpeek peek;
	enum src src;
	int status;
	u64 count;
	bool fired;
	bool attached;			/* cev_add() returned 0 or -ECANCELED */
	bool caught;			/* -ECANCELED: attached, never queued */
	bool refused;			/* cev_add() returned -EINVAL */
	atomic_t cancels;
	struct hrtimer hrt;
	struct timer_list timer;
	struct work_struct work;
	/* The layer, and what checks that lev_del() waits for its release. */
	enum layer layer;
	struct lev lev;
	struct wait_queue_entry marker;	/* queued behind the layer */
	unsigned int layer_calls;	/* ->wake() ops; under head.lock */
	unsigned int layer_defers;	/* of those, LEV_DEFER; under head.lock */
	unsigned int marker_wakes;	/* under head.lock */
	enum src rel_src;		/* where a LAYER_MANUAL is released */
	atomic_t releases;
	struct hrtimer rel_hrt;
	struct timer_list rel_timer;
	struct work_struct rel_work;
};

/* A compound's results, as read under its lock. */
struct tsnap {
	int status;
	u64 count;
	unsigned int nr_children, nr_done, nr_failed, nr_cancelled;
};

struct tnode {
	struct cev cev;
	struct cev_wait link;		/* in the parent, unless the root */
	struct tnode *up;		/* the parent, or NULL */
	struct tpeek peek;		/* of @link, at @up */
	struct wait_queue_entry wake;	/* sees the completion */
	int wakes;			/* under cev.wq.lock */
	struct tsnap snap;		/* at the first wake-up */
	unsigned int snap_seq;		/* peeks at @cev before it completed */
	unsigned int seq;		/* peeks at @cev; under cev.wq.lock */
	unsigned int need;		/* k of k-of-n */
	unsigned int finished;		/* what cev_finish() returned */
	bool cancel_tried;		/* a cev_cancel() of it ran */
	bool cancel_won;		/* and returned 0 */
	bool unfinished;		/* not done when cev_finish() began */
	int nr;				/* children */
	struct tnode *sub[TORTURE_MAX_CHILDREN];
	struct tleaf *leaf[TORTURE_MAX_CHILDREN];
};

struct tround {
	struct hrtimer cancel_hrt;	/* cancels the target from hardirq */
	struct work_struct cancel_work;	/* and from a workqueue */
	struct work_struct add_work;	/* adds leaves from a workqueue */
	bool adding;			/* round_add() has begun */
	bool added;			/* and ended */
	struct tnode *adding_to;	/* where round_add() adds now */
	bool pester;			/* cancel_hrt cancels where it adds */
	int pesters;			/* its expiries left */
	struct tnode *root;
	struct tnode *target;		/* what the racing cancel cancels */
	struct tleaf *leaves[TORTURE_MAX_LEAVES + TORTURE_MAX_ADDED];
	struct tnode *nodes[TORTURE_MAX_LEAVES];
	int nr_leaves, nr_nodes;
	int budget;
};

static void violation(const char *what)
{
	atomic64_inc(&stats[ST_VIOLATIONS]);
	pr_err("cev_torture: VIOLATION: %s\n", what);
}

/*
 * Trees come from caches of their own, so that failslab can be aimed at
 * them alone: /sys/kernel/slab/cev_torture_leaf/failslab and _node.
 */
static struct kmem_cache *leaf_cache, *node_cache;

static void *t_alloc(struct kmem_cache *cache)
{
	void *p = kmem_cache_zalloc(cache, GFP_KERNEL | __GFP_NOWARN);

	if (p)
		atomic_inc(&allocs);
	return p;
}

static void t_free(struct kmem_cache *cache, void *p)
{
	if (p) {
		atomic_dec(&allocs);
		kmem_cache_free(cache, p);
	}
}

/*
 * A child is about to be counted by @parent: note, under the parent's lock
 * and in the order of such peeks, how many failures the parent had counted.
 * The caller holds the child's queue lock (a wake function, ->event(),
 * ->ready()), which comes before the parent's in the lock order of
 * kernel/cev.c, and the core collates the child right after, in the same
 * hold of that lock.  So every sibling counted before the peek is in
 * @pk->failed, the child itself is not, and the peek comes before its
 * count.  Siblings on other queues may be counted between the peek and the
 * count: the peeks bound the counting order, they do not give it, and the
 * oracle relies on the bound alone.  A child that peeked after its parent
 * completed was not counted; the first error counted is that of a child
 * whose peek saw no failure counted.
 */
static void child_peek(struct tnode *parent, struct tpeek *pk)
{
	unsigned long flags;

	spin_lock_irqsave_nested(&parent->cev.wq.lock, flags,
				 READ_ONCE(parent->cev.level));
	pk->seq = ++parent->seq;
	pk->failed = parent->cev.nr_failed;
	spin_unlock_irqrestore(&parent->cev.wq.lock, flags);
}

/* The leaf's event happens: any context. */
static void leaf_fire(struct tleaf *l)
{
	WRITE_ONCE(l->fired, true);
	wake_up(&l->head);
}

static enum hrtimer_restart leaf_hrt(struct hrtimer *t)
{
	leaf_fire(container_of(t, struct tleaf, hrt));
	return HRTIMER_NORESTART;
}

static void leaf_timer(struct timer_list *t)
{
	leaf_fire(container_of(t, struct tleaf, timer));
}

static void leaf_work(struct work_struct *w)
{
	leaf_fire(container_of(w, struct tleaf, work));
}

static enum cev_result leaf_event(struct cev_wait *cw, void *key)
{
	struct tleaf *l = cw->data;

	if (!READ_ONCE(l->fired))
		return CEV_IGNORE;
	if (l->peek.seq)
		violation("event() ran for a child it had completed");
	if (atomic_read(&l->cancels))
		violation("event() ran for a child whose cancel() had run");
	cw->status = l->status;
	cw->count = l->count;
	child_peek(l->parent, &l->peek);
	return CEV_DETACH;
}

static bool leaf_ready(struct cev_wait *cw)
{
	return leaf_event(cw, NULL) == CEV_DETACH;
}

static void leaf_cancel(struct cev_wait *cw)
{
	struct tleaf *l = cw->data;

	atomic_inc(&l->cancels);
	atomic64_inc(&stats[ST_CANCELS]);
}

static const struct cev_wait_ops leaf_ops = {
	.event = leaf_event,
	.ready = leaf_ready,
	.cancel = leaf_cancel,
};

/* A layer that finishes inline or in task context, at random. */
static enum lev_action layer_wake(struct lev *lev, void *key)
{
	struct tleaf *l = lev->data;

	l->layer_calls++;
	if (!READ_ONCE(l->fired))
		return LEV_CONTINUE;
	return (get_random_u32() & 1) ? LEV_DEFER : LEV_CONTINUE;
}

static void layer_work(struct lev *lev)
{
	atomic64_inc(&stats[ST_LAYERS]);
}

static const struct lev_ops layer_ops = {
	.wake = layer_wake,
	.work = layer_work,
};

/*
 * The release of a layer without ->work().  Counted before lev_release(),
 * so that lev_del() returning proves the release had begun.  The timer,
 * hrtimer or work item it runs from is synced before the leaf is freed.
 */
static void layer_release(struct tleaf *l)
{
	atomic_inc(&l->releases);
	atomic64_inc(&stats[ST_RELEASES]);
	lev_release(&l->lev);
}

static enum hrtimer_restart release_hrt(struct hrtimer *t)
{
	layer_release(container_of(t, struct tleaf, rel_hrt));
	return HRTIMER_NORESTART;
}

static void release_timer(struct timer_list *t)
{
	layer_release(container_of(t, struct tleaf, rel_timer));
}

static void release_work(struct work_struct *w)
{
	layer_release(container_of(w, struct tleaf, rel_work));
}

/* Have the held wake-up released from hardirq, softirq or a workqueue. */
static void release_start(struct tleaf *l)
{
	u64 ns = get_random_u32_below(50 * NSEC_PER_USEC);

	switch (l->rel_src) {
	case SRC_HARDIRQ:
		hrtimer_start(&l->rel_hrt, ns_to_ktime(ns), HRTIMER_MODE_REL);
		break;
	case SRC_SOFTIRQ:
		mod_timer(&l->rel_timer, jiffies + get_random_u32_below(2));
		break;
	default:
		queue_work(system_unbound_wq, &l->rel_work);
		break;
	}
}

/* A layer without ->work() that defers at random and is released later. */
static enum lev_action manual_wake(struct lev *lev, void *key)
{
	struct tleaf *l = lev->data;

	l->layer_calls++;
	if (get_random_u32() & 1)
		return LEV_CONTINUE;
	l->layer_defers++;
	release_start(l);
	return LEV_DEFER;
}

static const struct lev_ops manual_layer_ops = {
	.wake = manual_wake,
};

/* Behind the layer: every wake-up the layer let through or replayed. */
static int marker_wake(struct wait_queue_entry *wait, unsigned int mode,
		       int flags, void *key)
{
	container_of(wait, struct tleaf, marker)->marker_wakes++;
	return 0;
}

/* A quarter of the leaves get a ->work() layer, a quarter a manual one. */
static void leaf_layer(struct tleaf *l)
{
	switch (get_random_u32_below(4)) {
	case 0:
		lev_init(&l->lev, &layer_ops, l);
		l->layer = LAYER_WORK;
		break;
	case 1:
		lev_init(&l->lev, &manual_layer_ops, l);
		l->layer = LAYER_MANUAL;
		l->rel_src = get_random_u32_below(SRC_TASK);
		hrtimer_init(&l->rel_hrt, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		l->rel_hrt.function = release_hrt;
		timer_setup(&l->rel_timer, release_timer, 0);
		INIT_WORK(&l->rel_work, release_work);
		break;
	default:
		return;
	}
	if (lev_add(&l->head, &l->lev)) {
		l->layer = LAYER_NONE;
		return;
	}
	init_waitqueue_func_entry(&l->marker, marker_wake);
	add_wait_queue(&l->head, &l->marker);
}

/* Custom policy: complete once half of the children (rounded up) did. */
static bool half_complete(struct cev *cev)
{
	return 2 * cev->nr_done >= cev->nr_children;
}

static const struct cev_ops half_policy = { .complete = half_complete };

static void node_read(const struct cev *cev, struct tsnap *s)
{
	s->status = cev->status;
	s->count = cev->count;
	s->nr_children = cev->nr_children;
	s->nr_done = cev->nr_done;
	s->nr_failed = cev->nr_failed;
	s->nr_cancelled = cev->nr_cancelled;
}

/*
 * The compound's queue is woken once, at completion, under its lock, right
 * after cev_done() became true: take its results there.  Queued as a
 * priority entry, so that it runs before the link of the enclosing
 * compound queued here later, and can peek at the parent before the link
 * is counted.
 */
static int node_wake(struct wait_queue_entry *wait, unsigned int mode,
		     int flags, void *key)
{
	struct tnode *n = container_of(wait, struct tnode, wake);

	if (n->wakes++)
		return 0;
	node_read(&n->cev, &n->snap);
	n->snap_seq = n->seq;
	if (n->up)
		child_peek(n->up, &n->peek);
	return 0;
}

static struct tleaf *leaf_new(struct tround *r, struct tnode *parent)
{
	struct tleaf *l = t_alloc(leaf_cache);
	int i = r->nr_leaves;

	if (!l)
		return NULL;
	init_waitqueue_head(&l->head);
	cev_wait_init(&l->cw, &leaf_ops, l);
	l->parent = parent;
	atomic_set(&l->cancels, 0);
	atomic_set(&l->releases, 0);
	l->src = get_random_u32_below(SRC_NR);
	l->status = get_random_u32_below(8) ? 0 : -(TORTURE_ERR_BASE + i);
	l->count = 1 + get_random_u32_below(8);
	hrtimer_init(&l->hrt, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	l->hrt.function = leaf_hrt;
	timer_setup(&l->timer, leaf_timer, 0);
	INIT_WORK(&l->work, leaf_work);
	leaf_layer(l);
	r->leaves[r->nr_leaves++] = l;
	return l;
}

/* The need of k-of-n; any-of gets one too, which it must ignore. */
static const struct cev_ops *random_policy(unsigned int *need, int nr)
{
	switch (get_random_u32_below(4)) {
	case 0:
		return &cev_all;
	case 1:
		*need = 1 + get_random_u32_below(nr);
		return &cev_any;
	case 2:
		*need = 1 + get_random_u32_below(nr);
		return &cev_k_of_n;
	default:
		return &half_policy;
	}
}

/* Nest @sub in @n; a sub with no children completed at arm already. */
static void node_nest(struct tnode *n, struct tnode *sub)
{
	sub->up = n;
	cev_wait_init(&sub->link, NULL, NULL);
	/* Its link is counted in cev_add_cev(), with no wake-up to peek. */
	if (cev_done(&sub->cev))
		child_peek(n, &sub->peek);
	if (cev_add_cev(&n->cev, &sub->link, &sub->cev))
		violation("cev_add_cev of a fresh nested compound failed");
	n->sub[n->nr++] = sub;
}

/* Build a compound of random shape from the leaves up; NULL if no memory. */
static struct tnode *node_build(struct tround *r, int depth)
{
	struct tnode *n = t_alloc(node_cache);
	unsigned int need = 0;
	const struct cev_ops *ops;
	int i, want;

	if (!n)
		return NULL;
	want = min_t(int, 1 + get_random_u32_below(max_fanout), r->budget);
	ops = random_policy(&need, max(want, 1));
	cev_init(&n->cev, ops, need);
	n->need = need;
	r->nodes[r->nr_nodes++] = n;
	init_waitqueue_func_entry(&n->wake, node_wake);
	add_wait_queue_priority(&n->cev.wq, &n->wake);
	for (i = 0; i < want && r->budget > 0; i++) {
		r->budget--;
		if (depth < max_depth && r->nr_nodes < TORTURE_MAX_LEAVES / 4 &&
		    !get_random_u32_below(4)) {
			struct tnode *sub = node_build(r, depth + 1);

			if (!sub)
				return NULL;
			node_nest(n, sub);
		} else {
			struct tleaf *l = leaf_new(r, n);

			if (!l)
				return NULL;
			if (cev_add(&n->cev, &l->cw, &l->head))
				violation("cev_add of a fresh child failed");
			else
				l->attached = true;
			n->leaf[n->nr++] = l;
		}
	}
	if (!n->nr) {
		n->cev.ops = &cev_all;		/* all of nothing: done at arm */
	} else if (ops == &cev_k_of_n && n->need > n->nr) {
		n->need = n->nr;
		n->cev.need = n->need;
	}
	if (cev_arm(&n->cev))
		violation("cev_arm of a fresh compound failed");
	return n;
}

static void leaf_start(struct tleaf *l)
{
	u64 ns = get_random_u32_below(200 * NSEC_PER_USEC);

	switch (l->src) {
	case SRC_HARDIRQ:
		hrtimer_start(&l->hrt, ns_to_ktime(ns), HRTIMER_MODE_REL);
		break;
	case SRC_SOFTIRQ:
		mod_timer(&l->timer, jiffies + get_random_u32_below(2));
		break;
	case SRC_WORK:
		queue_work(system_unbound_wq, &l->work);
		break;
	case SRC_TASK:
		leaf_fire(l);
		break;
	default:	/* never: only a cancellation ends it */
		break;
	}
}

static void leaf_stop(struct tleaf *l)
{
	hrtimer_cancel(&l->hrt);
	timer_delete_sync(&l->timer);
	cancel_work_sync(&l->work);
}

/* Misuse the API at random; each must be refused and change nothing. */
static void try_misuse(struct tround *r)
{
	struct tnode *n = r->nodes[get_random_u32_below(r->nr_nodes)];
	unsigned int before = READ_ONCE(n->cev.nr_children);
	struct tleaf *l;
	int ret = 0;

	switch (get_random_u32_below(3)) {
	case 0:		/* re-arm */
		ret = cev_arm(&n->cev) == -EBUSY ? 0 : -1;
		break;
	case 1:		/* add a child that is attached already */
		if (!r->nr_leaves)
			return;
		l = r->leaves[get_random_u32_below(r->nr_leaves)];
		ret = cev_add(&n->cev, &l->cw, &l->head) == -EBUSY ? 0 : -1;
		break;
	default:	/* queue a layer twice */
		if (!r->nr_leaves)
			return;
		l = r->leaves[get_random_u32_below(r->nr_leaves)];
		if (l->layer == LAYER_NONE)
			return;
		ret = lev_add(&l->head, &l->lev) == -EBUSY ? 0 : -1;
		break;
	}
	atomic64_inc(&stats[ST_MISUSE]);
	if (ret)
		violation("a misuse was not refused");
	if (READ_ONCE(n->cev.nr_children) != before)
		violation("a refused misuse changed a count");
}

/* ---- racing the tree: cancels and adds ---- */

/* Cancel @n as the racers do, and note what cev_cancel() said. */
static void node_cancel(struct tnode *n)
{
	WRITE_ONCE(n->cancel_tried, true);
	if (!cev_cancel(&n->cev))
		WRITE_ONCE(n->cancel_won, true);
}

/*
 * Pestering, it expires every few microseconds while round_add() runs on
 * this CPU, and cancels the compound being added to: now and then it
 * interrupts cev_add() between the link of a child and its queueing, and
 * the cancel finds the child still being queued.
 */
static enum hrtimer_restart cancel_hrt_fn(struct hrtimer *t)
{
	struct tround *r = container_of(t, struct tround, cancel_hrt);
	struct tnode *n;
	u64 ns;

	if (!r->pester) {
		node_cancel(r->target);
		return HRTIMER_NORESTART;
	}
	n = READ_ONCE(r->adding_to);
	if (n)
		node_cancel(n);
	if (READ_ONCE(r->added) || !--r->pesters)
		return HRTIMER_NORESTART;
	ns = NSEC_PER_USEC + get_random_u32_below(10 * NSEC_PER_USEC);
	hrtimer_forward_now(t, ns_to_ktime(ns));
	return HRTIMER_RESTART;
}

static void cancel_work_fn(struct work_struct *w)
{
	struct tround *r = container_of(w, struct tround, cancel_work);

	udelay(get_random_u32_below(100));
	node_cancel(r->target);
}

/*
 * Add the fresh leaf @l to @n, which is armed and may be completing or
 * being cancelled.  Its event may come before it is queued (->ready() must
 * see it) or after.  Either the add is refused with -EINVAL and the leaf is
 * left alone, or it is attached and checked with the others: queued (0),
 * or caught by a cancel before it was (-ECANCELED).
 */
static int add_leaf(struct tround *r, struct tnode *n, struct tleaf *l)
{
	bool early = get_random_u32_below(2);
	int ret;

	if (n->nr == TORTURE_MAX_CHILDREN)
		return -ENOSPC;
	l->parent = n;
	if (early)
		leaf_start(l);
	WRITE_ONCE(r->adding_to, n);
	ret = cev_add(&n->cev, &l->cw, &l->head);
	if (!ret) {
		l->attached = true;
		n->leaf[n->nr] = l;
		n->sub[n->nr++] = NULL;
		atomic64_inc(&stats[ST_ADDED]);
		atomic64_inc(&stats[ST_CHILDREN]);
		if (!early)
			leaf_start(l);
	} else if (ret == -ECANCELED) {
		l->attached = true;
		l->caught = true;
		n->leaf[n->nr] = l;
		n->sub[n->nr++] = NULL;
		atomic64_inc(&stats[ST_CAUGHT]);
		atomic64_inc(&stats[ST_CHILDREN]);
	} else if (ret == -EINVAL) {
		l->refused = true;
		atomic64_inc(&stats[ST_REFUSED]);
	} else {
		violation("cev_add to an armed compound failed other than -EINVAL");
	}
	return ret;
}

/*
 * Add fresh leaves to random compounds of the tree until some adds are
 * refused.  The leaves are allocated first, so that the adds come close
 * together; those left over stay unattached.
 */
static void round_add(struct tround *r)
{
	int i, first = r->nr_leaves, refused = 0;
	int end = min_t(int, first + TORTURE_MAX_ADDED, ARRAY_SIZE(r->leaves));
	u64 ns = get_random_u32_below(10 * NSEC_PER_USEC);

	while (r->nr_leaves < end) {
		if (!leaf_new(r, NULL)) {
			atomic64_inc(&stats[ST_FAULTS]);
			break;
		}
	}
	WRITE_ONCE(r->adding, true);
	if (r->pester)	/* on this CPU, to interrupt the adds */
		hrtimer_start(&r->cancel_hrt, ns_to_ktime(ns),
			      HRTIMER_MODE_REL_PINNED);
	for (i = first; i < r->nr_leaves && refused < 8; i++) {
		struct tnode *n = r->nodes[get_random_u32_below(r->nr_nodes)];

		refused += add_leaf(r, n, r->leaves[i]) == -EINVAL;
		udelay(get_random_u32_below(10));
	}
	WRITE_ONCE(r->adding_to, NULL);
	WRITE_ONCE(r->added, true);
}

static void add_work_fn(struct work_struct *w)
{
	round_add(container_of(w, struct tround, add_work));
}

/* The cancel is to race the adds from the workqueue, not to precede them. */
static void wait_for_adds(struct tround *r)
{
	int i;

	for (i = 0; i < 1000 && !READ_ONCE(r->adding); i++)
		usleep_range(10, 20);
}

/*
 * Race a cancel of the root (now and then of a nested compound) from this
 * task, hardirq or a workqueue against the leaves, and in a third of the
 * rounds against leaves added to the armed tree from a workqueue (when
 * this task cancels) or this task (when hardirq, a workqueue or nothing
 * does; then, half the time, hardirq also pesters the adds: see
 * cancel_hrt_fn()).
 */
static void round_race(struct tround *r)
{
	unsigned int how = get_random_u32_below(6);
	bool adds = !get_random_u32_below(3);
	u64 ns = get_random_u32_below(100 * NSEC_PER_USEC);

	r->pester = adds && how >= 2 && get_random_u32_below(2);
	r->pesters = 100;
	r->target = r->root;
	if (!get_random_u32_below(4))
		r->target = r->nodes[get_random_u32_below(r->nr_nodes)];
	if (adds && how < 2) {
		queue_work(system_unbound_wq, &r->add_work);
		wait_for_adds(r);
	}
	switch (how) {
	case 0:
	case 1:		/* from this task */
		udelay(get_random_u32_below(100));
		node_cancel(r->target);
		break;
	case 2:		/* from hardirq, unless it pesters */
		if (!r->pester)
			hrtimer_start(&r->cancel_hrt, ns_to_ktime(ns),
				      HRTIMER_MODE_REL);
		break;
	case 3:		/* from a workqueue */
		queue_work(system_unbound_wq, &r->cancel_work);
		break;
	default:
		break;
	}
	if (adds && how >= 2)
		round_add(r);
}

/* Wait for the root, for a bounded time, then cancel it. */
static void round_wait(struct tround *r)
{
	unsigned long t0 = jiffies;
	long left;

	left = wait_for_cev_timeout(&r->root->cev,
				    msecs_to_jiffies(TORTURE_WAIT_MS));
	if (left)
		return;
	if (time_after(jiffies, t0 + msecs_to_jiffies(TORTURE_WAIT_MS +
						     TORTURE_SLACK_MS)))
		violation("a timed wait slept past its bound");
	atomic64_inc(&stats[ST_TIMEOUTS]);
	node_cancel(r->root);
	wait_for_cev(&r->root->cev);
}

/* Stop everything that may still cancel, add or fire. */
static void round_quiesce(struct tround *r)
{
	int i;

	hrtimer_cancel(&r->cancel_hrt);
	flush_work(&r->cancel_work);
	flush_work(&r->add_work);
	for (i = 0; i < r->nr_leaves; i++)
		leaf_stop(r->leaves[i]);
}

/* ---- teardown ---- */

/*
 * lev_del() must wait until the layer released the wake-up it holds and
 * replayed it to the entries behind it: the marker there has seen every
 * wake-up that the layer's ->wake() let through or deferred.
 */
static void leaf_del_layer(struct tleaf *l)
{
	lev_del(&l->lev);
	/* Written under the queue's lock, which lev_del() took last. */
	if (l->marker_wakes != l->layer_calls)
		violation("lev_del() returned before the held wake-up was replayed");
	if (l->layer == LAYER_MANUAL) {
		if (atomic_read(&l->releases) != l->layer_defers)
			violation("lev_del() returned before the layer was released");
		hrtimer_cancel(&l->rel_hrt);
		timer_delete_sync(&l->rel_timer);
		cancel_work_sync(&l->rel_work);
	}
	remove_wait_queue(&l->head, &l->marker);
}

/*
 * Wake every layered leaf once more, so that some layers hold a wake-up
 * and their releases race the lev_del() calls that follow.
 */
static void round_del_layers(struct tround *r)
{
	int i;

	for (i = 0; i < r->nr_leaves; i++)
		if (r->leaves[i]->layer != LAYER_NONE)
			wake_up(&r->leaves[i]->head);
	for (i = 0; i < r->nr_leaves; i++)
		if (r->leaves[i]->layer != LAYER_NONE)
			leaf_del_layer(r->leaves[i]);
}

static void round_teardown(struct tround *r)
{
	struct tnode *n;
	int i;

	for (i = 0; i < r->nr_leaves; i++)
		leaf_stop(r->leaves[i]);
	/* Parents first: their finish cancels what is left below. */
	for (i = 0; i < r->nr_nodes; i++) {
		n = r->nodes[i];
		n->unfinished = !cev_done(&n->cev);
		n->finished = cev_finish(&n->cev);
	}
	for (i = 0; i < r->nr_nodes; i++)
		remove_wait_queue(&r->nodes[i]->cev.wq, &r->nodes[i]->wake);
	round_del_layers(r);
}

static void round_free(struct tround *r)
{
	int i;

	for (i = 0; i < r->nr_leaves; i++)
		t_free(leaf_cache, r->leaves[i]);
	for (i = 0; i < r->nr_nodes; i++)
		t_free(node_cache, r->nodes[i]);
}

/* ---- the oracle ---- */

/* Before cev_finish(): a done child was never cancelled, none twice. */
static void round_check_leaves(struct tround *r)
{
	int i;

	for (i = 0; i < r->nr_leaves; i++) {
		struct tleaf *l = r->leaves[i];
		int cancels = atomic_read(&l->cancels);

		if (cev_wait_done(&l->cw) && cancels)
			violation("cancel() ran for a child that had completed");
		if (cancels > 1)
			violation("a cancel() op ran twice");
	}
}

/* After cev_finish(): each attached leaf either completed or was cancelled. */
static void check_leaf(struct tleaf *l)
{
	bool done = cev_wait_done(&l->cw);
	int cancels = atomic_read(&l->cancels);

	if (l->refused) {
		if (done || cancels || l->peek.seq || cev_wait_attached(&l->cw))
			violation("a child whose add was refused was touched");
		return;
	}
	if (!l->attached)
		return;
	if (l->caught) {
		if (done || cancels || l->peek.seq)
			violation("a child a cancel caught while queueing was touched");
		if (l->parent->snap.status != -ECANCELED)
			violation("cev_add() returned -ECANCELED for a compound not cancelled");
		return;
	}
	if (done && !l->peek.seq)
		violation("a child completed without its event() completing it");
	if (!done && cancels != 1)
		violation("a child its event did not complete was not cancelled once");
	if (done && cancels)
		violation("cancel() ran for a child its event had completed");
	if (done)
		atomic64_inc(&stats[ST_DONE]);
}

/* What the children of a compound say its results must be. */
struct tsum {
	unsigned int done;	/* children whose event completed them */
	unsigned int early;	/* of those, peeked before it completed */
	unsigned int early_failed;
	u64 early_count, min_count, max_count;
	unsigned int cancels;	/* ->cancel() ops, adds caught, links cancelled */
	bool first;		/* its status may be the first it counted */
};

static void sum_child(const struct tnode *n, const struct cev_wait *cw,
		      const struct tpeek *pk, unsigned int cancels,
		      struct tsum *sum)
{
	if (!cev_wait_done(cw)) {
		sum->cancels += cancels;
		return;
	}
	sum->done++;
	/* Peeked after the compound completed: reported late, not counted. */
	if (!pk->seq || pk->seq > n->snap_seq)
		return;
	sum->early++;
	sum->early_count += cw->count;
	sum->min_count = min(sum->min_count, cw->count);
	sum->max_count = max(sum->max_count, cw->count);
	if (!cw->status)
		return;
	sum->early_failed++;
	/* The first error counted: no failure was counted before its peek. */
	if (!pk->failed && cw->status == n->snap.status)
		sum->first = true;
}

static void sum_children(const struct tnode *n, struct tsum *sum)
{
	int i;

	memset(sum, 0, sizeof(*sum));
	sum->min_count = U64_MAX;
	for (i = 0; i < n->nr; i++) {
		const struct tnode *sub = n->sub[i];
		const struct tleaf *l = n->leaf[i];

		if (sub)
			sum_child(n, &sub->link, &sub->peek, 1, sum);
		else
			sum_child(n, &l->cw, &l->peek,
				  atomic_read(&l->cancels) + l->caught, sum);
	}
}

/* A compound's results once cev_finish() ran are those it completed with. */
static void check_frozen(const struct tnode *n)
{
	const struct tsnap *s = &n->snap;
	struct tsnap now;

	node_read(&n->cev, &now);
	if (now.status != s->status)
		violation("status changed after the compound completed");
	if (now.count != s->count)
		violation("count changed after the compound completed");
	if (now.nr_done != s->nr_done)
		violation("nr_done changed after the compound completed");
	if (now.nr_failed != s->nr_failed)
		violation("nr_failed changed after the compound completed");
	if (now.nr_cancelled != s->nr_cancelled)
		violation("nr_cancelled changed after the compound completed");
	if (now.nr_children != s->nr_children)
		violation("nr_children changed after the compound completed");
}

/*
 * Count and nr_failed are those of the children counted before completion.
 * Those are the children that peeked before it, but for the few (@w) whose
 * count a sibling's completing count overtook: then only bounds hold.
 */
static void check_sums(const struct tnode *n, const struct tsum *sum)
{
	const struct tsnap *s = &n->snap;
	unsigned int w = sum->early - s->nr_done;
	u64 missing = sum->early_count - s->count;

	if (!w) {
		if (s->count != sum->early_count)
			violation("count is not the sum of the counted children's");
		if (s->nr_failed != sum->early_failed)
			violation("nr_failed is not the number of counted failures");
		return;
	}
	if (s->count > sum->early_count || missing < w * sum->min_count ||
	    missing > w * sum->max_count)
		violation("count is out of the bounds the children's reports allow");
	if (s->nr_failed > sum->early_failed || s->nr_failed + w < sum->early_failed)
		violation("nr_failed is out of the bounds the children's reports allow");
}

/* Each child counted once: done (now or late), cancelled, or finished. */
static void check_counts(const struct tnode *n, const struct tsum *sum)
{
	const struct tsnap *s = &n->snap;

	if (s->nr_children != n->nr)
		violation("nr_children is not the number of children attached");
	if (s->nr_done > sum->early) {
		violation("a compound counted more children than reported before it completed");
		return;
	}
	if (sum->done + s->nr_cancelled + n->finished != s->nr_children)
		violation("a child was counted other than once");
	if (sum->cancels != s->nr_cancelled + n->finished)
		violation("cancel() ops disagree with nr_cancelled and cev_finish()");
	check_sums(n, sum);
}

/* The successes the policy needs; 0 for a policy that counts failures. */
static unsigned int policy_need(const struct tnode *n)
{
	if (n->cev.ops == &cev_any)
		return 1;		/* any means one, whatever need said */
	if (n->cev.ops == &cev_k_of_n)
		return n->need;
	return 0;
}

static bool policy_met(const struct tnode *n, const struct tsnap *s)
{
	unsigned int k = policy_need(n);

	if (k)
		return (int)(s->nr_done - s->nr_failed) >= (int)k ||
		       (int)(s->nr_children - s->nr_failed) < (int)k;
	if (n->cev.ops == &half_policy)
		return 2 * s->nr_done >= s->nr_children;
	return s->nr_done == s->nr_children;
}

/* Does the policy say the compound succeeded, with status 0? */
static bool policy_success(const struct tnode *n, const struct tsnap *s)
{
	unsigned int k = policy_need(n);

	if (k)
		return (int)(s->nr_done - s->nr_failed) >= (int)k;
	return !s->nr_failed;
}

/*
 * A compound that a cev_cancel() of it cancelled reports -ECANCELED.  One
 * that a cancel may have reached (its own, or its parent's through its
 * link) reports -ECANCELED or what its policy gives, if the policy got
 * there first.  Any other reports what its policy gives: 0 on success,
 * else the first error it counted (all-of, half, k-of-n out of reach).
 */
static void check_status(const struct tnode *n, const struct tsum *sum)
{
	const struct tsnap *s = &n->snap;
	bool may_cancel = n->cancel_tried || n->unfinished ||
			  (n->up && !cev_wait_done(&n->link));

	if (n->cancel_won && s->status != -ECANCELED)
		violation("a compound cev_cancel() cancelled did not report -ECANCELED");
	if (s->status == -ECANCELED && may_cancel)
		return;
	if (!policy_met(n, s)) {
		violation("a compound completed before its policy was met");
		return;
	}
	if (s->nr_cancelled)
		violation("a compound its policy completed counted cancelled children");
	if (policy_success(n, s)) {
		if (s->status)
			violation("a compound whose policy succeeded reported an error");
	} else if (!sum->first) {
		violation("a compound did not report the first error it counted");
	}
}

/* A nested compound's link reported what the compound completed with. */
static void check_link(const struct tnode *n)
{
	if (!n->up || !cev_wait_done(&n->link))
		return;
	if (n->link.status != n->snap.status || n->link.count != n->snap.count)
		violation("a nested compound's link did not carry its result");
}

static void check_node(const struct tnode *n)
{
	struct tsum sum;

	if (n->wakes != 1)
		violation("a compound completed other than once");
	if (!n->wakes)
		return;
	check_frozen(n);
	check_link(n);
	sum_children(n, &sum);
	check_counts(n, &sum);
	check_status(n, &sum);
}

static void round_check(struct tround *r)
{
	int i;

	for (i = 0; i < r->nr_nodes; i++)
		check_node(r->nodes[i]);
	for (i = 0; i < r->nr_leaves; i++)
		check_leaf(r->leaves[i]);
}

static void round_init(struct tround *r)
{
	memset(r, 0, sizeof(*r));
	hrtimer_init(&r->cancel_hrt, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	r->cancel_hrt.function = cancel_hrt_fn;
	INIT_WORK(&r->cancel_work, cancel_work_fn);
	INIT_WORK(&r->add_work, add_work_fn);
	r->budget = TORTURE_MAX_LEAVES - 1;
}

static void torture_round(struct tround *r)
{
	int i;

	round_init(r);
	r->root = node_build(r, 1);
	atomic64_add(r->nr_leaves, &stats[ST_CHILDREN]);
	if (!r->root) {		/* an allocation failed: abandon cleanly */
		atomic64_inc(&stats[ST_FAULTS]);
		round_teardown(r);
		round_free(r);
		return;
	}
	for (i = 0; i < r->nr_leaves; i++)
		leaf_start(r->leaves[i]);
	if (!get_random_u32_below(8))
		try_misuse(r);
	round_race(r);
	round_wait(r);
	round_quiesce(r);
	round_check_leaves(r);
	round_teardown(r);
	round_check(r);
	round_free(r);
	atomic64_inc(&stats[ST_ROUNDS]);
}

/* ---- threads, statistics, control ---- */

static unsigned long run_until;		/* jiffies */
static unsigned long run_start;
static struct task_struct **threads;
static int nr_threads;
static struct task_struct *stats_task;
static atomic_t running;
static DEFINE_MUTEX(control_lock);
static const char *state = "idle";

static int torture_thread(void *arg)
{
	struct tround *r = kzalloc(sizeof(*r), GFP_KERNEL);

	/*
	 * Until the CRNG is ready every get_random_u32() takes its slow path,
	 * and the rounds run at a fifteenth of their speed: wait for it.
	 */
	wait_for_random_bytes();

	while (r && !kthread_should_stop() && time_before(jiffies, run_until)) {
		torture_round(r);
		cond_resched();
	}
	kfree(r);
	if (!r)
		atomic64_inc(&stats[ST_FAULTS]);
	atomic_dec(&running);
	while (!kthread_should_stop())
		schedule_timeout_idle(HZ / 10);
	return 0;
}

static void print_stats(const char *tag)
{
	char line[256];
	int i, n = 0;

	for (i = 0; i < ST_NR; i++)
		n += scnprintf(line + n, sizeof(line) - n, " %s=%lld",
			       st_names[i],
			       (long long)atomic64_read(&stats[i]));
	pr_info("cev_torture: %s:%s elapsed=%lus\n", tag, line,
		(jiffies - run_start) / HZ);
}

static int stats_thread(void *arg)
{
	int i;

	while (atomic_read(&running)) {
		schedule_timeout_idle(max(stat_interval, 1) * HZ);
		if (atomic_read(&running))
			print_stats("stats");
	}
	for (i = 0; i < nr_threads; i++)
		kthread_stop(threads[i]);
	kfree(threads);
	if (atomic_read(&allocs))
		violation("allocations leaked");
	print_stats("end");
	pr_info("cev_torture: end: leaked=%d violations=%lld: %s\n",
		atomic_read(&allocs),
		(long long)atomic64_read(&stats[ST_VIOLATIONS]),
		atomic64_read(&stats[ST_VIOLATIONS]) ? "FAILURE" : "SUCCESS");
	mutex_lock(&control_lock);
	state = "done";
	mutex_unlock(&control_lock);
	while (!kthread_should_stop())
		schedule_timeout_idle(HZ);
	return 0;
}

static int torture_start(unsigned int seconds)
{
	int i;

	nr_threads = nthreads > 0 ? nthreads : num_online_cpus();
	threads = kcalloc(nr_threads, sizeof(*threads), GFP_KERNEL);
	if (!threads)
		return -ENOMEM;
	for (i = 0; i < ST_NR; i++)
		atomic64_set(&stats[i], 0);
	atomic_set(&allocs, 0);
	run_start = jiffies;
	run_until = jiffies + seconds * HZ;
	atomic_set(&running, nr_threads);
	pr_info("cev_torture: start: threads=%d duration=%us max_depth=%d max_fanout=%d\n",
		nr_threads, seconds, max_depth, max_fanout);
	for (i = 0; i < nr_threads; i++) {
		threads[i] = kthread_run(torture_thread, NULL, "cev_torture/%d", i);
		if (IS_ERR(threads[i])) {
			threads[i] = kthread_run(torture_thread, NULL,
						 "cev_torture/%d", i);
			if (IS_ERR(threads[i]))
				return PTR_ERR(threads[i]);	/* at boot: no */
		}
	}
	stats_task = kthread_run(stats_thread, NULL, "cev_torture_stats");
	return PTR_ERR_OR_ZERO(stats_task);
}

/* "run": seconds to run, 1..86400; refused while running or malformed. */
static int run_set(const char *val, const struct kernel_param *kp)
{
	unsigned int seconds;
	int ret;

	ret = kstrtouint(val, 0, &seconds);
	if (ret || !seconds || seconds > 86400) {
		pr_err("cev_torture: run: want seconds, 1..86400, not \"%.*s\"\n",
		       (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	if (max_depth < 1 || max_depth > 4 || max_fanout < 1 ||
	    max_fanout > 64) {
		pr_err("cev_torture: run: max_depth 1..4, max_fanout 1..64\n");
		return -EINVAL;
	}
	mutex_lock(&control_lock);
	if (strcmp(state, "running") == 0) {
		mutex_unlock(&control_lock);
		pr_err("cev_torture: run: already running\n");
		return -EBUSY;
	}
	if (stats_task) {
		kthread_stop(stats_task);
		stats_task = NULL;
	}
	ret = torture_start(seconds);
	if (!ret)
		state = "running";
	mutex_unlock(&control_lock);
	return ret;
}

static const struct kernel_param_ops run_ops = { .set = run_set };
module_param_cb(run, &run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "start a run of this many seconds");

static int state_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&control_lock);
	n = sysfs_emit(buf, "%s\n", state);
	mutex_unlock(&control_lock);
	return n;
}

static const struct kernel_param_ops state_ops = { .get = state_get };
module_param_cb(state, &state_ops, NULL, 0444);
MODULE_PARM_DESC(state, "idle, running or done");

static int __init cev_torture_init(void)
{
	leaf_cache = kmem_cache_create("cev_torture_leaf", sizeof(struct tleaf),
				       0, SLAB_NO_MERGE, NULL);
	node_cache = kmem_cache_create("cev_torture_node", sizeof(struct tnode),
				       0, SLAB_NO_MERGE, NULL);
	if (!leaf_cache || !node_cache) {
		kmem_cache_destroy(leaf_cache);
		kmem_cache_destroy(node_cache);
		return -ENOMEM;
	}
	return 0;
}

static void __exit cev_torture_exit(void)
{
	mutex_lock(&control_lock);
	if (stats_task)
		kthread_stop(stats_task);	/* after its run ended */
	mutex_unlock(&control_lock);
	kmem_cache_destroy(leaf_cache);
	kmem_cache_destroy(node_cache);
}

module_init(cev_torture_init);
module_exit(cev_torture_exit);
MODULE_DESCRIPTION("Torture test for layered and compound events");
MODULE_LICENSE("GPL");
