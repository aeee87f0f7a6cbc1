// SPDX-License-Identifier: GPL-2.0
/*
 * Torture test for layered and compound events, in the manner of
 * kernel/locking/locktorture.c.
 *
 * Every thread builds random trees of compounds (depth 1 to max_depth,
 * fan-out 1 to max_fanout, every policy), with layers on some leaves, and
 * has the leaves completed from hardirq (hrtimers), softirq (timers),
 * workqueues and itself, while cancellations and timed waits race them.
 * Each round checks:
 *
 *  - every child was counted exactly once, done or cancelled;
 *  - every compound completed exactly once (one wake-up of its queue);
 *  - every ->cancel() ran at most once, and only for a child that had not
 *    completed;
 *  - no timed wait slept past its bound (plus slack);
 *  - every misuse tried returned its error and changed no count;
 *  - nothing allocated was leaked.
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

#define TORTURE_MAX_LEAVES	256	/* per tree */
#define TORTURE_WAIT_MS		20	/* the timed wait's bound */
#define TORTURE_SLACK_MS	2000	/* TCG and debug kernels are slow */

enum src { SRC_HARDIRQ, SRC_SOFTIRQ, SRC_WORK, SRC_TASK, SRC_NEVER, SRC_NR };

enum {
	ST_ROUNDS, ST_CHILDREN, ST_DONE, ST_CANCELS, ST_TIMEOUTS, ST_FAULTS,
	ST_MISUSE, ST_LAYERS, ST_VIOLATIONS, ST_NR,
};

/* children: leaves built; completed: leaves done; cancellations: cancel() ops */
static const char * const st_names[] = {
	"rounds", "children", "completed", "cancellations", "timeouts",
	"faults", "misuse", "layers", "violations",
};

static atomic64_t stats[ST_NR];
static atomic_t allocs;		/* allocations not yet freed */

struct tleaf {
	struct wait_queue_head head;
	struct cev_wait cw;
	struct lev lev;
	bool layered;
	enum src src;
	int status;
	bool fired;
	atomic_t cancels;
	struct hrtimer hrt;
	struct timer_list timer;
	struct work_struct work;
};

struct tnode {
	struct cev cev;
	struct cev_wait link;		/* in the parent, unless the root */
	struct wait_queue_entry wake;	/* counts the compound's wake-ups */
	int wakes;
	int nr;				/* children */
	struct tnode *sub[TORTURE_MAX_LEAVES];
	struct tleaf *leaf[TORTURE_MAX_LEAVES];
};

struct tround {
	struct hrtimer cancel_hrt;	/* cancels the root from hardirq */
	struct tnode *root;
	struct tleaf *leaves[TORTURE_MAX_LEAVES];
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
	cw->status = l->status;
	cw->count = 1;
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

/* Custom policy: complete once half of the children (rounded up) did. */
static bool half_complete(struct cev *cev)
{
	return 2 * cev->nr_done >= cev->nr_children;
}

static const struct cev_ops half_policy = { .complete = half_complete };

static int node_wake(struct wait_queue_entry *wait, unsigned int mode,
		     int flags, void *key)
{
	container_of(wait, struct tnode, wake)->wakes++;
	return 0;
}

static struct tleaf *leaf_new(struct tround *r)
{
	struct tleaf *l = t_alloc(leaf_cache);

	if (!l)
		return NULL;
	init_waitqueue_head(&l->head);
	cev_wait_init(&l->cw, &leaf_ops, l);
	atomic_set(&l->cancels, 0);
	l->src = get_random_u32_below(SRC_NR);
	l->status = get_random_u32_below(8) ? 0 : -EIO;
	hrtimer_init(&l->hrt, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	l->hrt.function = leaf_hrt;
	timer_setup(&l->timer, leaf_timer, 0);
	INIT_WORK(&l->work, leaf_work);
	if (!get_random_u32_below(4)) {
		lev_init(&l->lev, &layer_ops, l);
		l->layered = !lev_add(&l->head, &l->lev);
	}
	r->leaves[r->nr_leaves++] = l;
	return l;
}

static const struct cev_ops *random_policy(unsigned int *need, int nr)
{
	switch (get_random_u32_below(4)) {
	case 0:
		return &cev_all;
	case 1:
		*need = 1;
		return &cev_any;
	case 2:
		*need = 1 + get_random_u32_below(nr);
		return &cev_k_of_n;
	default:
		return &half_policy;
	}
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
	r->nodes[r->nr_nodes++] = n;
	init_waitqueue_func_entry(&n->wake, node_wake);
	add_wait_queue(&n->cev.wq, &n->wake);
	for (i = 0; i < want && r->budget > 0; i++) {
		r->budget--;
		if (depth < max_depth && r->nr_nodes < TORTURE_MAX_LEAVES / 4 &&
		    !get_random_u32_below(4)) {
			struct tnode *sub = node_build(r, depth + 1);

			if (!sub)
				return NULL;
			cev_wait_init(&sub->link, NULL, NULL);
			if (cev_add_cev(&n->cev, &sub->link, &sub->cev))
				violation("cev_add_cev of a fresh nested compound failed");
			n->sub[n->nr++] = sub;
		} else {
			struct tleaf *l = leaf_new(r);

			if (!l)
				return NULL;
			if (cev_add(&n->cev, &l->cw, &l->head))
				violation("cev_add of a fresh child failed");
			n->leaf[n->nr++] = l;
		}
	}
	if (!n->nr)
		n->cev.ops = &cev_all;		/* all of nothing: done at arm */
	else if (n->cev.need > n->nr)
		n->cev.need = n->nr;
	if (cev_arm(&n->cev))
		violation("cev_arm of a fresh compound failed");
	return n;
}

static void leaf_start(struct tleaf *l)
{
	u64 ns = get_random_u32_below(200 * NSEC_PER_USEC);

	switch (l->src) {
	case SRC_HARDIRQ:
		hrtimer_start(&l->hrt, ns_to_ktime(ns), HRTIMER_MODE_REL_HARD);
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
		if (!l->layered)
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

static void round_check_node(struct tnode *n)
{
	int i;

	if (n->wakes != 1)
		violation("a compound completed other than once");
	if (n->cev.nr_done + n->cev.nr_cancelled != n->cev.nr_children)
		violation("a child was counted other than once");
	for (i = 0; i < n->nr; i++) {
		struct tleaf *l = n->leaf[i];

		if (l && atomic_read(&l->cancels) > 1)
			violation("a cancel() op ran twice");
	}
}

/* Before cev_finish(): a done child was never cancelled, and vice versa. */
static void round_check_leaves(struct tround *r)
{
	int i;

	for (i = 0; i < r->nr_leaves; i++) {
		struct tleaf *l = r->leaves[i];
		int state = atomic_read(&l->cw.state);
		int cancels = atomic_read(&l->cancels);

		if (state == CEV_CHILD_DONE && cancels)
			violation("cancel() ran for a child that had completed");
		if (state == CEV_CHILD_CANCELLED && cancels != 1)
			violation("a cancelled child's cancel() did not run once");
		if (state == CEV_CHILD_DONE)
			atomic64_inc(&stats[ST_DONE]);
	}
}

static void round_teardown(struct tround *r)
{
	int i;

	for (i = 0; i < r->nr_leaves; i++)
		leaf_stop(r->leaves[i]);
	/* Parents first: their finish cancels what is left below. */
	for (i = 0; i < r->nr_nodes; i++)
		cev_finish(&r->nodes[i]->cev);
	for (i = 0; i < r->nr_nodes; i++)
		remove_wait_queue(&r->nodes[i]->cev.wq, &r->nodes[i]->wake);
	for (i = 0; i < r->nr_leaves; i++)
		if (r->leaves[i]->layered)
			lev_del(&r->leaves[i]->lev);
}

static void round_free(struct tround *r)
{
	int i;

	for (i = 0; i < r->nr_leaves; i++)
		t_free(leaf_cache, r->leaves[i]);
	for (i = 0; i < r->nr_nodes; i++)
		t_free(node_cache, r->nodes[i]);
}

static enum hrtimer_restart cancel_hrt_fn(struct hrtimer *t)
{
	struct tround *r = container_of(t, struct tround, cancel_hrt);

	cev_cancel(&r->root->cev);
	return HRTIMER_NORESTART;
}

static void torture_round(struct tround *r)
{
	unsigned long t0;
	long left;
	int i;

	memset(r, 0, sizeof(*r));
	hrtimer_init(&r->cancel_hrt, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	r->cancel_hrt.function = cancel_hrt_fn;
	r->budget = TORTURE_MAX_LEAVES - 1;
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
	switch (get_random_u32_below(6)) {
	case 0:
	case 1:		/* from this task */
		udelay(get_random_u32_below(100));
		cev_cancel(&r->root->cev);
		break;
	case 2:		/* from hardirq */
		hrtimer_start(&r->cancel_hrt,
			      ns_to_ktime(get_random_u32_below(100 * NSEC_PER_USEC)),
			      HRTIMER_MODE_REL_HARD);
		break;
	default:
		break;
	}
	t0 = jiffies;
	left = wait_for_cev_timeout(&r->root->cev,
				    msecs_to_jiffies(TORTURE_WAIT_MS));
	if (!left) {
		if (time_after(jiffies, t0 + msecs_to_jiffies(TORTURE_WAIT_MS +
							     TORTURE_SLACK_MS)))
			violation("a timed wait slept past its bound");
		atomic64_inc(&stats[ST_TIMEOUTS]);
		cev_cancel(&r->root->cev);
		wait_for_cev(&r->root->cev);
	}
	hrtimer_cancel(&r->cancel_hrt);
	for (i = 0; i < r->nr_leaves; i++)
		leaf_stop(r->leaves[i]);
	round_check_leaves(r);
	round_teardown(r);
	for (i = 0; i < r->nr_nodes; i++)
		round_check_node(r->nodes[i]);
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
