// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for layered and compound events (kernel/cev.c).
 *
 * Events are plain wait queue heads woken by the test; a "recorder" entry
 * logs the order in which entries run.  The race cases drive children,
 * cancellation and timed waits from several kthreads and hrtimers at once
 * and check exact counts every round.
 */
#include <kunit/test.h>
#include <linux/cev.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#define LOG_MAX 16

struct order_log {
	int ids[LOG_MAX];
	int n;
};

static void log_id(struct order_log *log, int id)
{
	if (log->n < LOG_MAX)
		log->ids[log->n] = id;
	log->n++;
}

/* An ordinary wait queue entry that logs its id when woken. */
struct recorder {
	struct wait_queue_entry wait;
	struct order_log *log;
	int id;
	int woken;
	int saw;		/* *watch when woken */
	int *watch;
};

static int recorder_wake(struct wait_queue_entry *wait, unsigned int mode,
			 int flags, void *key)
{
	struct recorder *r = container_of(wait, struct recorder, wait);

	log_id(r->log, r->id);
	r->woken++;
	if (r->watch)
		r->saw = READ_ONCE(*r->watch);
	return 1;
}

static void recorder_init(struct recorder *r, struct order_log *log, int id)
{
	memset(r, 0, sizeof(*r));
	init_waitqueue_func_entry(&r->wait, recorder_wake);
	r->log = log;
	r->id = id;
}

/* A layer that logs, and defers when told to. */
struct tlayer {
	struct lev lev;
	struct order_log *log;
	int id;
	enum lev_action action;
	void *only_key;		/* defer only for this key, if set */
	int wakes;
	int works;
	bool work_in_task;
	int *transform;		/* set to 1 by the work */
};

static enum lev_action tlayer_wake(struct lev *lev, void *key)
{
	struct tlayer *t = lev->data;

	t->wakes++;
	log_id(t->log, t->id);
	if (t->only_key && key != t->only_key)
		return LEV_CONTINUE;
	return t->action;
}

static void tlayer_work(struct lev *lev)
{
	struct tlayer *t = lev->data;

	t->works++;
	t->work_in_task = in_task();
	if (t->transform)
		WRITE_ONCE(*t->transform, 1);
}

static const struct lev_ops tlayer_ops = { .wake = tlayer_wake };
static const struct lev_ops tlayer_work_ops = {
	.wake = tlayer_wake,
	.work = tlayer_work,
};

/* Layers embed a work_struct: on the heap, for debugobjects. */
static struct tlayer *tlayer_new(struct kunit *test, const struct lev_ops *ops,
				 struct order_log *log, int id,
				 enum lev_action action)
{
	struct tlayer *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->log = log;
	t->id = id;
	t->action = action;
	lev_init(&t->lev, ops, t);
	return t;
}

static void lev_test_runs_before_ordinary_waiters(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct recorder a, b, x;
	struct tlayer *l;

	recorder_init(&a, &log, 1);
	recorder_init(&b, &log, 2);
	recorder_init(&x, &log, 3);
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_CONTINUE);
	add_wait_queue(&head, &a.wait);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	/* Queued after the layer, at the front and at the tail. */
	add_wait_queue(&head, &b.wait);
	add_wait_queue_exclusive(&head, &x.wait);
	wake_up(&head);
	KUNIT_ASSERT_EQ(test, log.n, 4);
	KUNIT_EXPECT_EQ(test, log.ids[0], 10);
	KUNIT_EXPECT_EQ(test, x.woken, 1);
	lev_del(&l->lev);
}

static void lev_test_layers_run_last_added_first(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct tlayer *l[3];
	struct recorder r;
	int i;

	recorder_init(&r, &log, 99);
	add_wait_queue(&head, &r.wait);
	for (i = 0; i < 3; i++) {
		l[i] = tlayer_new(test, &tlayer_ops, &log, i, LEV_CONTINUE);
		KUNIT_ASSERT_EQ(test, lev_add(&head, &l[i]->lev), 0);
	}
	wake_up(&head);
	KUNIT_ASSERT_EQ(test, log.n, 4);
	KUNIT_EXPECT_EQ(test, log.ids[0], 2);
	KUNIT_EXPECT_EQ(test, log.ids[1], 1);
	KUNIT_EXPECT_EQ(test, log.ids[2], 0);
	KUNIT_EXPECT_EQ(test, log.ids[3], 99);
	for (i = 0; i < 3; i++)
		lev_del(&l[i]->lev);
}

static void lev_test_runs_before_priority_waiters(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct recorder prio, late;
	struct tlayer *l;

	recorder_init(&prio, &log, 1);
	recorder_init(&late, &log, 2);
	add_wait_queue_priority(&head, &prio.wait);
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_CONTINUE);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	add_wait_queue(&head, &late.wait);
	/* The priority waiter is exclusive and consumes a wake_up(). */
	wake_up_all(&head);
	KUNIT_ASSERT_EQ(test, log.n, 3);
	KUNIT_EXPECT_EQ(test, log.ids[0], 10);
	KUNIT_EXPECT_EQ(test, log.ids[1], 1);
	KUNIT_EXPECT_EQ(test, log.ids[2], 2);
	lev_del(&l->lev);
}

static void lev_test_defer_holds_waiters_until_release(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct recorder r;
	struct tlayer *l;

	recorder_init(&r, &log, 1);
	add_wait_queue(&head, &r.wait);
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	wake_up(&head);
	KUNIT_EXPECT_EQ(test, r.woken, 0);
	lev_release(&l->lev);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	KUNIT_EXPECT_EQ(test, l->wakes, 1);
	lev_del(&l->lev);
}

/*
 * As in an interrupt handler: interrupts off; on PREEMPT_RT, whose
 * handlers are threads and whose wait queue locks sleep, bottom halves
 * off, as irq_forced_thread_fn() runs a handler there.
 */
static void irq_context_enter(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		local_bh_disable();
	else
		local_irq_disable();
}

static void irq_context_exit(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		local_bh_enable();
	else
		local_irq_enable();
}

static void lev_test_deferred_work_runs_in_task_before_waiters(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	int transformed = 0;
	struct recorder r;
	struct tlayer *l;

	recorder_init(&r, &log, 1);
	r.watch = &transformed;
	add_wait_queue(&head, &r.wait);
	l = tlayer_new(test, &tlayer_work_ops, &log, 10, LEV_DEFER);
	l->transform = &transformed;
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	irq_context_enter();
	wake_up(&head);		/* as from an interrupt handler */
	irq_context_exit();
	flush_work(&l->lev.work);
	KUNIT_EXPECT_EQ(test, l->works, 1);
	KUNIT_EXPECT_TRUE(test, l->work_in_task);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	KUNIT_EXPECT_EQ(test, r.saw, 1);	/* never saw it untransformed */
	lev_del(&l->lev);
}

static void lev_test_release_resumes_lower_layers(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct tlayer *lower, *upper;
	struct recorder r;

	recorder_init(&r, &log, 99);
	add_wait_queue(&head, &r.wait);
	lower = tlayer_new(test, &tlayer_ops, &log, 1, LEV_DEFER);
	upper = tlayer_new(test, &tlayer_ops, &log, 2, LEV_DEFER);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &lower->lev), 0);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &upper->lev), 0);
	wake_up(&head);
	KUNIT_EXPECT_EQ(test, upper->wakes, 1);
	KUNIT_EXPECT_EQ(test, lower->wakes, 0);
	lev_release(&upper->lev);
	KUNIT_EXPECT_EQ(test, lower->wakes, 1);
	KUNIT_EXPECT_EQ(test, r.woken, 0);
	lev_release(&lower->lev);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	KUNIT_ASSERT_EQ(test, log.n, 3);
	KUNIT_EXPECT_EQ(test, log.ids[0], 2);
	KUNIT_EXPECT_EQ(test, log.ids[1], 1);
	KUNIT_EXPECT_EQ(test, log.ids[2], 99);
	lev_del(&upper->lev);
	lev_del(&lower->lev);
}

static void lev_test_held_layer_absorbs_repeated_wakeups(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct recorder r;
	struct tlayer *l;

	recorder_init(&r, &log, 1);
	add_wait_queue(&head, &r.wait);
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	wake_up(&head);
	wake_up(&head);
	wake_up(&head);
	KUNIT_EXPECT_EQ(test, l->wakes, 1);
	KUNIT_EXPECT_EQ(test, r.woken, 0);
	lev_release(&l->lev);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	lev_del(&l->lev);
}

static void lev_test_other_key_passes_held_layer_by(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	int mine, other;
	struct recorder r;
	struct tlayer *l;

	recorder_init(&r, &log, 1);
	add_wait_queue(&head, &r.wait);
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);
	l->only_key = &mine;
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	__wake_up(&head, TASK_NORMAL, 1, &other);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	__wake_up(&head, TASK_NORMAL, 1, &mine);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	__wake_up(&head, TASK_NORMAL, 1, &other);	/* while held */
	KUNIT_EXPECT_EQ(test, r.woken, 2);
	lev_release(&l->lev);
	KUNIT_EXPECT_EQ(test, r.woken, 3);
	lev_del(&l->lev);
}

static void lev_test_release_wakes_all_exclusive_waiters(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct recorder x[3];
	struct tlayer *l;
	int i;

	for (i = 0; i < 3; i++) {
		recorder_init(&x[i], &log, i);
		add_wait_queue_exclusive(&head, &x[i].wait);
	}
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	wake_up(&head);
	lev_release(&l->lev);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, x[i].woken, 1);
	lev_del(&l->lev);
}

static void lev_test_ordinary_queue_keeps_exclusive_semantics(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct recorder x[3], shared;
	int i;

	recorder_init(&shared, &log, 9);
	add_wait_queue(&head, &shared.wait);
	for (i = 0; i < 3; i++) {
		recorder_init(&x[i], &log, i);
		add_wait_queue_exclusive(&head, &x[i].wait);
	}
	wake_up(&head);
	KUNIT_EXPECT_EQ(test, shared.woken, 1);
	KUNIT_EXPECT_EQ(test, x[0].woken, 1);
	KUNIT_EXPECT_EQ(test, x[1].woken, 0);
	KUNIT_EXPECT_EQ(test, x[2].woken, 0);
	wake_up_all(&head);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_GE(test, x[i].woken, 1);
}

static void lev_test_wake_up_locked_after_skips_entries_before(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct recorder r[3];
	int i;

	for (i = 0; i < 3; i++) {
		recorder_init(&r[i], &log, i);
		list_add_tail(&r[i].wait.entry, &head.head);
	}
	spin_lock_irq(&head.lock);
	__wake_up_locked_after(&head, &r[0].wait, TASK_NORMAL, 0, NULL);
	spin_unlock_irq(&head.lock);
	KUNIT_EXPECT_EQ(test, r[0].woken, 0);
	KUNIT_EXPECT_EQ(test, r[1].woken, 1);
	KUNIT_EXPECT_EQ(test, r[2].woken, 1);
	spin_lock_irq(&head.lock);
	__wake_up_locked_after(&head, &r[2].wait, TASK_NORMAL, 0, NULL);
	spin_unlock_irq(&head.lock);
	KUNIT_EXPECT_EQ(test, log.n, 2);
}

struct key_checker {
	struct wait_queue_entry wait;
	struct wait_bit_key seen;
	int woken;
};

static int key_checker_wake(struct wait_queue_entry *wait, unsigned int mode,
			    int flags, void *key)
{
	struct key_checker *k = container_of(wait, struct key_checker, wait);

	k->seen = *(struct wait_bit_key *)key;
	k->woken++;
	return 0;
}

/* A waker whose key dies with its frame, as wake_up_bit()'s does. */
static noinline void wake_with_stack_key(struct wait_queue_head *head,
					 unsigned long *word)
{
	struct wait_bit_key key = __WAIT_BIT_KEY_INITIALIZER(word, 3);

	__wake_up(head, TASK_NORMAL, 1, &key);
}

static noinline void scribble_stack(void)
{
	char junk[256];

	memset(junk, 0xa5, sizeof(junk));
	barrier_data(junk);
}

static void lev_test_replays_copy_of_stack_key(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct key_checker k = {};
	unsigned long word = 0;
	struct tlayer *l;

	init_waitqueue_func_entry(&k.wait, key_checker_wake);
	add_wait_queue(&head, &k.wait);
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);
	l->lev.key_type = LEV_KEY_WAIT_BIT;
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	wake_with_stack_key(&head, &word);
	scribble_stack();
	KUNIT_EXPECT_EQ(test, k.woken, 0);
	lev_release(&l->lev);
	KUNIT_EXPECT_EQ(test, k.woken, 1);
	KUNIT_EXPECT_PTR_EQ(test, k.seen.flags, (void *)&word);
	KUNIT_EXPECT_EQ(test, k.seen.bit_nr, 3);
	lev_del(&l->lev);
}

/* Two wait-bit keys with equal fields and different padding bytes. */
union padded_bit_key {
	struct wait_bit_key key;
	unsigned char raw[sizeof(struct wait_bit_key)];
};

static void padded_bit_key_init(union padded_bit_key *k, unsigned long *word,
				int bit, unsigned char fill)
{
	memset(k->raw, fill, sizeof(k->raw));
	k->key.flags = word;
	k->key.bit_nr = bit;
	k->key.timeout = 0;
}

static void lev_test_held_bit_key_matches_by_fields(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	union padded_bit_key a, b;
	struct order_log log = {};
	unsigned long word = 0;
	struct recorder r;
	struct tlayer *l;

	recorder_init(&r, &log, 1);
	add_wait_queue(&head, &r.wait);
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);
	l->lev.key_type = LEV_KEY_WAIT_BIT;
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	padded_bit_key_init(&a, &word, 3, 0xaa);
	padded_bit_key_init(&b, &word, 3, 0x55);
	__wake_up(&head, TASK_NORMAL, 1, &a.key);
	/* The same bit again while held: covered by the replay. */
	__wake_up(&head, TASK_NORMAL, 1, &b.key);
	KUNIT_EXPECT_EQ(test, l->wakes, 1);
	KUNIT_EXPECT_EQ(test, r.woken, 0);
	lev_release(&l->lev);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	lev_del(&l->lev);
}

static void lev_test_unknown_key_type_rejected(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct tlayer *l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);

	/* A folio's key type only through folio_lev_add(), and no other. */
	l->lev.key_type = LEV_KEY_WAIT_PAGE;
	KUNIT_EXPECT_EQ(test, lev_add(&head, &l->lev), -EINVAL);
	l->lev.key_type = LEV_KEY_WAIT_PAGE + 1;
	KUNIT_EXPECT_EQ(test, lev_add(&head, &l->lev), -EINVAL);
	KUNIT_EXPECT_TRUE(test, list_empty(&head.head));
}

static void lev_test_del_stops_callbacks(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct tlayer *l;

	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_CONTINUE);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	wake_up(&head);
	lev_del(&l->lev);
	wake_up(&head);
	KUNIT_EXPECT_EQ(test, l->wakes, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&head.head));
}

static void lev_test_del_waits_for_deferred_work(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	struct order_log log = {};
	struct recorder r;
	struct tlayer *l;

	recorder_init(&r, &log, 1);
	add_wait_queue(&head, &r.wait);
	l = tlayer_new(test, &tlayer_work_ops, &log, 10, LEV_DEFER);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	wake_up(&head);
	lev_del(&l->lev);
	KUNIT_EXPECT_EQ(test, l->works, 1);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	remove_wait_queue(&head, &r.wait);
	KUNIT_EXPECT_TRUE(test, list_empty(&head.head));
}

static void lev_test_double_add_rejected(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(other);
	struct order_log log = {};
	struct tlayer *l;

	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_CONTINUE);
	KUNIT_ASSERT_EQ(test, lev_add(&head, &l->lev), 0);
	KUNIT_EXPECT_EQ(test, lev_add(&other, &l->lev), -EBUSY);
	KUNIT_EXPECT_TRUE(test, list_empty(&other.head));
	wake_up(&head);
	KUNIT_EXPECT_EQ(test, l->wakes, 1);
	lev_del(&l->lev);
}

static void lev_test_missing_wake_op_rejected(struct kunit *test)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	static const struct lev_ops no_wake = {};
	struct lev *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	lev_init(l, &no_wake, NULL);
	KUNIT_EXPECT_EQ(test, lev_add(&head, l), -EINVAL);
	lev_init(l, NULL, NULL);
	KUNIT_EXPECT_EQ(test, lev_add(&head, l), -EINVAL);
	KUNIT_EXPECT_TRUE(test, list_empty(&head.head));
}

static struct kunit_case cev_layer_cases[] = {
	KUNIT_CASE(lev_test_runs_before_ordinary_waiters),
	KUNIT_CASE(lev_test_layers_run_last_added_first),
	KUNIT_CASE(lev_test_runs_before_priority_waiters),
	KUNIT_CASE(lev_test_defer_holds_waiters_until_release),
	KUNIT_CASE(lev_test_deferred_work_runs_in_task_before_waiters),
	KUNIT_CASE(lev_test_release_resumes_lower_layers),
	KUNIT_CASE(lev_test_held_layer_absorbs_repeated_wakeups),
	KUNIT_CASE(lev_test_other_key_passes_held_layer_by),
	KUNIT_CASE(lev_test_release_wakes_all_exclusive_waiters),
	KUNIT_CASE(lev_test_ordinary_queue_keeps_exclusive_semantics),
	KUNIT_CASE(lev_test_wake_up_locked_after_skips_entries_before),
	KUNIT_CASE(lev_test_del_stops_callbacks),
	KUNIT_CASE(lev_test_del_waits_for_deferred_work),
	KUNIT_CASE(lev_test_double_add_rejected),
	KUNIT_CASE(lev_test_missing_wake_op_rejected),
	KUNIT_CASE(lev_test_replays_copy_of_stack_key),
	KUNIT_CASE(lev_test_held_bit_key_matches_by_fields),
	KUNIT_CASE(lev_test_unknown_key_type_rejected),
	{}
};

static struct kunit_suite cev_layer_suite = {
	.name = "cev_layer",
	.test_cases = cev_layer_cases,
};

/* ------------------------------------------------------------------------
 * Compound events.  A test event: a wait queue head and what it reports.
 */

struct tev {
	struct wait_queue_head head;
	struct cev_wait cw;
	int status;
	u64 bytes;
	bool done;		/* the event happened: what ->ready() sees */
	bool keep;		/* report progress, stay attached */
	void *key;		/* only wake-ups with this key count */
	atomic_t cancels;
	bool cancel_completes;	/* ->cancel() ends the I/O synchronously */
};

static enum cev_result tev_event(struct cev_wait *cw, void *key)
{
	struct tev *e = cw->data;

	if (e->key && key != e->key)
		return CEV_IGNORE;
	cw->status = e->status;
	cw->count = e->bytes;
	return e->keep ? CEV_KEEP : CEV_DETACH;
}

static bool tev_ready(struct cev_wait *cw)
{
	struct tev *e = cw->data;

	if (!READ_ONCE(e->done))
		return false;
	cw->status = e->status;
	cw->count = e->bytes;
	return true;
}

static void tev_cancel(struct cev_wait *cw)
{
	struct tev *e = cw->data;

	atomic_inc(&e->cancels);
	if (e->cancel_completes) {
		WRITE_ONCE(e->done, true);
		wake_up(&e->head);
	}
}

static const struct cev_wait_ops tev_ops = {
	.event = tev_event,
	.ready = tev_ready,
	.cancel = tev_cancel,
};

static struct tev *tevs_alloc(struct kunit *test, int n)
{
	struct tev *e = kunit_kcalloc(test, n, sizeof(*e), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, e);
	for (i = 0; i < n; i++) {
		init_waitqueue_head(&e[i].head);
		atomic_set(&e[i].cancels, 0);
		cev_wait_init(&e[i].cw, &tev_ops, &e[i]);
	}
	return e;
}

static struct cev *cev_alloc(struct kunit *test)
{
	struct cev *cev = kunit_kzalloc(test, sizeof(*cev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cev);
	return cev;
}

/* Children are tracked by debugobjects: on the heap. */
static struct cev_wait *cev_wait_alloc(struct kunit *test)
{
	struct cev_wait *cw = kunit_kzalloc(test, sizeof(*cw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cw);
	cev_wait_init(cw, &tev_ops, NULL);
	return cw;
}

/* Init @cev, attach @n children of @e, arm. */
static void cev_setup(struct kunit *test, struct cev *cev,
		      const struct cev_ops *ops, unsigned int need,
		      struct tev *e, int n)
{
	int i;

	cev_init(cev, ops, need);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, cev_add(cev, &e[i].cw, &e[i].head), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
}

static void tev_fire(struct tev *e, int status, u64 bytes)
{
	e->status = status;
	e->bytes = bytes;
	WRITE_ONCE(e->done, true);
	wake_up(&e->head);
}

static void cev_test_all_completes_after_last_child(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 4);
	struct cev *cev = cev_alloc(test);
	int i;

	cev_setup(test, cev, &cev_all, 0, e, 4);
	for (i = 0; i < 3; i++) {
		tev_fire(&e[i], 0, 512);
		KUNIT_EXPECT_FALSE(test, cev_done(cev));
	}
	tev_fire(&e[3], 0, 512);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev->nr_done, 4);
	KUNIT_EXPECT_EQ(test, cev->count, 2048);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 0);
}

static void cev_test_all_first_error_wins(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 3);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_all, 0, e, 3);
	tev_fire(&e[1], -EIO, 0);
	tev_fire(&e[0], -ENOSPC, 0);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	tev_fire(&e[2], 0, 10);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, -EIO);
	KUNIT_EXPECT_EQ(test, cev->nr_failed, 2);
	cev_finish(cev);
}

static void cev_test_any_completes_on_first_success(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 3);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_any, 0, e, 3);
	tev_fire(&e[0], -EIO, 0);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	tev_fire(&e[2], 0, 4096);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev->count, 4096);
	/* e[1] is still pending: finishing cancels it, once. */
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[1].cancels), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[0].cancels), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&e[1].head.head));
}

static void cev_test_any_all_failed_reports_first_error(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_any, 0, e, 2);
	tev_fire(&e[1], -ENODEV, 0);
	tev_fire(&e[0], -EIO, 0);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, -ENODEV);
	cev_finish(cev);
}

static void cev_test_k_of_n_completes_at_k(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 5);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_k_of_n, 3, e, 5);
	tev_fire(&e[0], 0, 1);
	tev_fire(&e[1], -EIO, 1);
	tev_fire(&e[2], 0, 1);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	tev_fire(&e[3], 0, 1);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 1);
}

static void cev_test_k_of_n_fails_once_out_of_reach(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 4);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_k_of_n, 3, e, 4);
	tev_fire(&e[0], -EIO, 0);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	tev_fire(&e[1], -EREMOTEIO, 0);	/* 2 left, 3 needed */
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, -EIO);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 2);
}

/* Custom policy: complete once 1000 bytes have arrived. */
static bool cev_test_bytes_complete(struct cev *cev)
{
	return cev->count >= cev->need;
}

static const struct cev_ops bytes_policy = {
	.complete = cev_test_bytes_complete,
};

static void cev_test_custom_complete_op_decides(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	e[0].keep = true;
	cev_setup(test, cev, &bytes_policy, 1000, e, 2);
	tev_fire(&e[0], 0, 400);
	tev_fire(&e[0], 0, 400);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->count, 800);
	KUNIT_EXPECT_EQ(test, cev->nr_done, 0);	/* progress is not done */
	tev_fire(&e[0], 0, 400);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->count, 1200);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 2);
}

/* Custom policy built on a built-in one: all, and at least 100 bytes. */
static bool cev_test_all_and_bytes_complete(struct cev *cev)
{
	return cev_all.complete(cev) && cev->count >= 100;
}

static const struct cev_ops all_and_bytes_policy = {
	.complete = cev_test_all_and_bytes_complete,
};

static void cev_test_custom_policy_calls_builtin(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &all_and_bytes_policy, 0, e, 2);
	tev_fire(&e[0], 0, 60);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	tev_fire(&e[1], 0, 60);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->nr_done, 2);
	KUNIT_EXPECT_EQ(test, cev->count, 120);
	cev_finish(cev);
}

static void cev_test_keep_stays_queued_until_detach(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);

	e[0].keep = true;
	cev_setup(test, cev, &cev_all, 0, e, 1);
	tev_fire(&e[0], 0, 1);
	tev_fire(&e[0], 0, 1);
	KUNIT_EXPECT_FALSE(test, list_empty(&e[0].head.head));
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	e[0].keep = false;
	tev_fire(&e[0], 0, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&e[0].head.head));
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->count, 3);
	cev_finish(cev);
}

static void cev_test_wakeup_with_other_key_ignored(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);
	int mine, other;

	e[0].key = &mine;
	cev_setup(test, cev, &cev_all, 0, e, 1);
	__wake_up(&e[0].head, TASK_NORMAL, 1, &other);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	__wake_up(&e[0].head, TASK_NORMAL, 1, &mine);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	cev_finish(cev);
}

static void cev_test_parent_waiters_woken_once(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 8);
	struct cev *cev = cev_alloc(test);
	struct order_log log = {};
	struct recorder r;
	int i;

	recorder_init(&r, &log, 1);
	cev_init(cev, &cev_all, 0);
	add_wait_queue(&cev->wq, &r.wait);
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, cev_add(cev, &e[i].cw, &e[i].head), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	for (i = 0; i < 8; i++)
		tev_fire(&e[i], 0, 0);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	remove_wait_queue(&cev->wq, &r.wait);
	cev_finish(cev);
}

static void cev_test_layer_on_parent_runs_before_waiters(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);
	struct order_log log = {};
	struct recorder r;
	struct tlayer *l;

	recorder_init(&r, &log, 1);
	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);
	cev_init(cev, &cev_all, 0);
	add_wait_queue(&cev->wq, &r.wait);
	KUNIT_ASSERT_EQ(test, lev_add(&cev->wq, &l->lev), 0);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[0].cw, &e[0].head), 0);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[1].cw, &e[1].head), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	tev_fire(&e[0], 0, 0);
	KUNIT_EXPECT_EQ(test, l->wakes, 0);	/* one wake-up: at completion */
	tev_fire(&e[1], 0, 0);
	KUNIT_EXPECT_EQ(test, l->wakes, 1);
	KUNIT_EXPECT_EQ(test, r.woken, 0);
	lev_release(&l->lev);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	lev_del(&l->lev);
	remove_wait_queue(&cev->wq, &r.wait);
	cev_finish(cev);
}

static void cev_test_child_behind_layer_reports_after_release(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);
	struct order_log log = {};
	struct tlayer *l;

	l = tlayer_new(test, &tlayer_ops, &log, 10, LEV_DEFER);
	KUNIT_ASSERT_EQ(test, lev_add(&e[0].head, &l->lev), 0);
	cev_setup(test, cev, &cev_all, 0, e, 1);
	tev_fire(&e[0], 0, 0);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	lev_release(&l->lev);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	lev_del(&l->lev);
	cev_finish(cev);
}

static void cev_test_arm_after_children_done_completes(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	cev_init(cev, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[0].cw, &e[0].head), 0);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[1].cw, &e[1].head), 0);
	tev_fire(&e[0], 0, 5);
	tev_fire(&e[1], 0, 5);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));	/* not armed */
	KUNIT_EXPECT_TRUE(test, cev_wait_done(&e[0].cw));
	KUNIT_EXPECT_TRUE(test, cev_wait_done(&e[1].cw));
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	/* The counters are final, and to be read, once it completed. */
	KUNIT_EXPECT_EQ(test, cev->nr_done, 2);
	KUNIT_EXPECT_EQ(test, cev->count, 10);
	cev_finish(cev);
}

static void cev_test_all_of_nothing_completes_at_arm(struct kunit *test)
{
	struct cev *cev = cev_alloc(test);

	cev_init(cev, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 0);
}

static void cev_test_ready_closes_race_with_early_event(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	e[0].done = true;	/* happened before the child was queued */
	e[0].bytes = 7;
	cev_setup(test, cev, &cev_all, 0, e, 2);
	KUNIT_EXPECT_TRUE(test, cev_wait_done(&e[0].cw));
	KUNIT_EXPECT_FALSE(test, cev_wait_done(&e[1].cw));
	KUNIT_EXPECT_TRUE(test, list_empty(&e[0].head.head));
	KUNIT_EXPECT_FALSE(test, list_empty(&e[1].head.head));
	tev_fire(&e[1], 0, 3);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->nr_done, 2);
	KUNIT_EXPECT_EQ(test, cev->count, 10);
	cev_finish(cev);
}

static void cev_test_finish_detaches_every_child(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 3);
	struct cev *cev = cev_alloc(test);
	int i;

	cev_setup(test, cev, &cev_all, 0, e, 3);
	tev_fire(&e[0], 0, 0);
	cev_finish(cev);
	KUNIT_EXPECT_NULL(test, cev->children);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_TRUE(test, list_empty(&e[i].head.head));
		KUNIT_EXPECT_FALSE(test, cev_wait_attached(&e[i].cw));
	}
	/* Wake-ups after finish reach nothing. */
	tev_fire(&e[1], 0, 100);
	KUNIT_EXPECT_EQ(test, cev->count, 0);
}

/*
 * A kthread the test joins with test_thread_join(): one that wakes a queue
 * of the test's must be done with it before the test frees it, as after
 * cev_finish() a waker may still be walking a done child's queue.
 */
static struct task_struct *test_thread_start(int (*fn)(void *), void *arg,
					     const char *name)
{
	struct task_struct *t = kthread_create(fn, arg, "%s", name);

	if (!IS_ERR(t)) {
		get_task_struct(t);
		wake_up_process(t);
	}
	return t;
}

/* Wait for it to return, if it has not. */
static void test_thread_join(struct task_struct *t)
{
	kthread_stop(t);
	put_task_struct(t);
}

/*
 * Holds a lock, on another CPU, until told to let go, or 2 s after the
 * test said it was about to take it (30 s at most, should it never say).
 */
struct lock_holder {
	spinlock_t *lock;	/* the queue lock to hold */
	struct completion held;
	atomic_t finishing;	/* the test is in cev_finish() */
	atomic_t release;
	bool gave_up;
	bool gave_up_early;	/* before the test got to cev_finish() */
};

static int lock_holder_fn(void *data)
{
	struct lock_holder *h = data;
	u64 now = ktime_get_ns(), until = now + 30 * NSEC_PER_SEC;
	bool finishing = false;

	spin_lock_irq(h->lock);
	complete(&h->held);
	while (!atomic_read(&h->release) && now < until) {
		if (!finishing && atomic_read(&h->finishing)) {
			finishing = true;
			until = now + 2 * NSEC_PER_SEC;
		}
		cpu_relax();
		now = ktime_get_ns();
	}
	h->gave_up = !atomic_read(&h->release);
	h->gave_up_early = h->gave_up && !finishing;
	spin_unlock_irq(h->lock);
	return 0;
}

/*
 * Run @fn(@cev) while another CPU holds @lock; true if @fn did not return
 * within 2 s of being called (the holder gave up).  Skips the test if
 * this thread did not get to call it within 30 s.
 */
static bool run_under_held_lock(struct kunit *test, spinlock_t *lock,
				int (*fn)(struct cev *), struct cev *cev,
				int *ret)
{
	struct lock_holder h = { .lock = lock };
	struct task_struct *t;
	unsigned int cpu;

	init_completion(&h.held);
	atomic_set(&h.finishing, 0);
	atomic_set(&h.release, 0);
	t = kthread_create(lock_holder_fn, &h, "cev-test-holder");
	if (IS_ERR(t)) {
		*ret = fn(cev);
		KUNIT_FAIL(test, "no thread to hold the lock");
		return false;
	}
	get_task_struct(t);
	/*
	 * Another CPU than the one this thread waits on, which stays: the
	 * holder spins there (with irqs off, but on PREEMPT_RT).
	 */
	migrate_disable();
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	kthread_bind(t, cpu);
	wake_up_process(t);
	wait_for_completion(&h.held);
	atomic_set(&h.finishing, 1);
	*ret = fn(cev);
	atomic_set(&h.release, 1);
	migrate_enable();
	test_thread_join(t);
	if (h.gave_up_early)
		kunit_skip(test, "this thread did not get to the call in 30 s");
	return h.gave_up;
}

static int finish_fn(struct cev *cev)
{
	return cev_finish(cev);
}

/*
 * For the tests of a done child's lock, held by another CPU: an armed
 * all-of over @e[0] and @e[1], @e[0] fired with @count bytes.
 */
static struct cev *cev_of_done_child(struct kunit *test, struct tev *e,
				     u64 count)
{
	struct cev *cev = cev_alloc(test);

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	cev_setup(test, cev, &cev_all, 0, e, 2);
	tev_fire(&e[0], 0, count);
	return cev;
}

/*
 * A child its event completed was taken off its queue by its wake
 * function, which is done with it: cev_finish() lets it go without its
 * queue's lock, here held by another CPU throughout.
 */
static void cev_test_finish_skips_lock_of_done_child(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_of_done_child(test, e, 1);
	bool waited;
	int ret;

	tev_fire(&e[1], 0, 1);
	KUNIT_ASSERT_TRUE(test, cev_done(cev));

	waited = run_under_held_lock(test, &e[0].head.lock, finish_fn, cev, &ret);
	KUNIT_EXPECT_FALSE_MSG(test, waited,
			       "cev_finish() waited for the lock of a DONE child's queue");
	KUNIT_EXPECT_FALSE(test, cev_wait_attached(&e[0].cw));
	KUNIT_EXPECT_TRUE(test, cev_wait_done(&e[0].cw));
}

/*
 * cev_cancel() lets a done child go as cev_finish() does, and cancels the
 * pending one on another queue: the result counts both, and the done
 * child's count, read without its queue's lock.
 */
static void cev_test_cancel_skips_lock_of_done_child(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_of_done_child(test, e, 512);
	bool waited;
	int ret;

	KUNIT_ASSERT_FALSE(test, cev_done(cev));

	waited = run_under_held_lock(test, &e[0].head.lock, cev_cancel, cev, &ret);
	KUNIT_EXPECT_FALSE_MSG(test, waited,
			       "cev_cancel() waited for the lock of a DONE child's queue");
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, cev->nr_done, 1);
	KUNIT_EXPECT_EQ(test, cev->nr_cancelled, 1);
	KUNIT_EXPECT_EQ(test, cev->count, 512);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[0].cancels), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[1].cancels), 1);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 0);
}

static void cev_test_compound_reused_after_finish(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);
	int round;

	for (round = 0; round < 3; round++) {
		e[0].done = false;
		e[1].done = false;
		cev_setup(test, cev, &cev_all, 0, e, 2);
		tev_fire(&e[0], 0, 1);
		tev_fire(&e[1], 0, 1);
		KUNIT_EXPECT_TRUE(test, cev_done(cev));
		KUNIT_EXPECT_EQ(test, cev->count, 2);
		cev_finish(cev);
	}
}

static void cev_test_any_result_frozen_at_completion(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_any, 0, e, 2);
	tev_fire(&e[0], 0, 100);
	KUNIT_ASSERT_TRUE(test, cev_done(cev));
	/* The loser fails after the compound succeeded: nothing moves. */
	tev_fire(&e[1], -EIO, 100);
	KUNIT_EXPECT_EQ(test, wait_for_cev(cev), 0);
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev->count, 100);
	KUNIT_EXPECT_EQ(test, cev->nr_done, 1);
	KUNIT_EXPECT_EQ(test, cev->nr_failed, 0);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 0);
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev->count, 100);
	KUNIT_EXPECT_EQ(test, cev->nr_done, 1);
	KUNIT_EXPECT_EQ(test, cev->nr_cancelled, 0);
	/* The late child kept its own result. */
	KUNIT_EXPECT_TRUE(test, cev_wait_done(&e[0].cw));
	KUNIT_EXPECT_TRUE(test, cev_wait_done(&e[1].cw));
	KUNIT_EXPECT_EQ(test, e[1].cw.status, -EIO);
	KUNIT_EXPECT_EQ(test, e[1].cw.count, 100);
}

static void cev_test_progress_after_completion_not_counted(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	e[1].keep = true;
	cev_setup(test, cev, &bytes_policy, 4096, e, 2);
	tev_fire(&e[0], 0, 4096);
	KUNIT_ASSERT_TRUE(test, cev_done(cev));
	tev_fire(&e[1], -EIO, 512);
	tev_fire(&e[1], -EIO, 512);
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev->count, 4096);
	cev_finish(cev);
}

static void cev_test_any_means_one_whatever_need(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 3);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_any, 3, e, 3);
	tev_fire(&e[1], 0, 1);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 2);
	KUNIT_EXPECT_TRUE(test, cev_wait_done(&e[1].cw));
	KUNIT_EXPECT_FALSE(test, cev_wait_done(&e[0].cw));
	KUNIT_EXPECT_FALSE(test, cev_wait_done(&e[2].cw));
}

/* A kthread that fires an event after a delay. */
struct delayed_fire {
	struct tev *e;
	unsigned int ms;
	int status;
};

static int delayed_fire_fn(void *arg)
{
	struct delayed_fire *d = arg;

	msleep(d->ms);
	tev_fire(d->e, d->status, 0);
	return 0;
}

static void cev_test_wait_returns_status(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);
	struct delayed_fire d = { .e = e, .ms = 20, .status = -EIO };
	struct task_struct *t;

	cev_setup(test, cev, &cev_all, 0, e, 1);
	t = test_thread_start(delayed_fire_fn, &d, "cev-test-fire");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_EQ(test, wait_for_cev(cev), -EIO);
	KUNIT_EXPECT_EQ(test, wait_for_cev_killable(cev), -EIO);
	cev_finish(cev);
	test_thread_join(t);
}

static void cev_test_wait_timeout_expires_then_completes(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_all, 0, e, 1);
	KUNIT_EXPECT_EQ(test, wait_for_cev_timeout(cev, 2), 0);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	tev_fire(&e[0], 0, 0);
	KUNIT_EXPECT_GT(test, wait_for_cev_timeout(cev, 2), 0);
	cev_finish(cev);
}

/* debugobjects must accept compounds and children on the stack. */
static void cev_test_on_stack_compound_and_children(struct kunit *test)
{
	static const struct cev_wait_ops any_wakeup = {};	/* completes */
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(head);
	int round;

	for (round = 0; round < 3; round++) {
		struct cev_wait cw;
		struct cev cev;

		cev_init(&cev, &cev_all, 0);
		cev_wait_init(&cw, &any_wakeup, NULL);
		KUNIT_ASSERT_EQ(test, cev_add(&cev, &cw, &head), 0);
		KUNIT_ASSERT_EQ(test, cev_arm(&cev), 0);
		wake_up(&head);
		KUNIT_EXPECT_EQ(test, wait_for_cev_io(&cev), 0);
		KUNIT_EXPECT_EQ(test, cev.nr_done, 1);
		cev_finish(&cev);
	}
}

static struct kunit_case cev_compound_cases[] = {
	KUNIT_CASE(cev_test_all_completes_after_last_child),
	KUNIT_CASE(cev_test_all_first_error_wins),
	KUNIT_CASE(cev_test_any_completes_on_first_success),
	KUNIT_CASE(cev_test_any_all_failed_reports_first_error),
	KUNIT_CASE(cev_test_k_of_n_completes_at_k),
	KUNIT_CASE(cev_test_k_of_n_fails_once_out_of_reach),
	KUNIT_CASE(cev_test_custom_complete_op_decides),
	KUNIT_CASE(cev_test_custom_policy_calls_builtin),
	KUNIT_CASE(cev_test_any_result_frozen_at_completion),
	KUNIT_CASE(cev_test_progress_after_completion_not_counted),
	KUNIT_CASE(cev_test_any_means_one_whatever_need),
	KUNIT_CASE(cev_test_keep_stays_queued_until_detach),
	KUNIT_CASE(cev_test_wakeup_with_other_key_ignored),
	KUNIT_CASE(cev_test_parent_waiters_woken_once),
	KUNIT_CASE(cev_test_layer_on_parent_runs_before_waiters),
	KUNIT_CASE(cev_test_child_behind_layer_reports_after_release),
	KUNIT_CASE(cev_test_arm_after_children_done_completes),
	KUNIT_CASE(cev_test_all_of_nothing_completes_at_arm),
	KUNIT_CASE(cev_test_ready_closes_race_with_early_event),
	KUNIT_CASE(cev_test_finish_detaches_every_child),
	KUNIT_CASE(cev_test_finish_skips_lock_of_done_child),
	KUNIT_CASE(cev_test_compound_reused_after_finish),
	KUNIT_CASE(cev_test_wait_returns_status),
	KUNIT_CASE(cev_test_wait_timeout_expires_then_completes),
	KUNIT_CASE(cev_test_on_stack_compound_and_children),
	{}
};

static struct kunit_suite cev_compound_suite = {
	.name = "cev_compound",
	.test_cases = cev_compound_cases,
};

/* ------------------------------------------------------------------------
 * Nesting
 */

static void cev_test_nested_completes_up_the_tree(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 4);
	struct cev *inner = cev_alloc(test), *outer = cev_alloc(test);
	struct cev_wait *link = cev_wait_alloc(test);

	cev_setup(test, inner, &cev_all, 0, e, 3);
	cev_init(outer, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add_cev(outer, link, inner), 0);
	KUNIT_ASSERT_EQ(test, cev_add(outer, &e[3].cw, &e[3].head), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(outer), 0);
	KUNIT_EXPECT_EQ(test, outer->level, 1);
	tev_fire(&e[3], 0, 1);
	tev_fire(&e[0], 0, 10);
	tev_fire(&e[1], 0, 10);
	KUNIT_EXPECT_FALSE(test, cev_done(outer));
	tev_fire(&e[2], -EIO, 10);
	KUNIT_EXPECT_TRUE(test, cev_done(inner));
	KUNIT_EXPECT_TRUE(test, cev_done(outer));
	KUNIT_EXPECT_EQ(test, outer->status, -EIO);
	KUNIT_EXPECT_EQ(test, outer->count, 31);
	cev_finish(outer);
	cev_finish(inner);
}

static void cev_test_nested_to_max_level(struct kunit *test)
{
	struct cev *c = kunit_kcalloc(test, CEV_MAX_LEVEL + 2, sizeof(*c),
				      GFP_KERNEL);
	struct cev_wait *links = kunit_kcalloc(test, CEV_MAX_LEVEL + 2,
					       sizeof(*links), GFP_KERNEL);
	struct tev *e = tevs_alloc(test, 1);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, links);
	for (i = 0; i < CEV_MAX_LEVEL + 2; i++)
		cev_wait_init(&links[i], &tev_ops, NULL);
	cev_setup(test, &c[0], &cev_all, 0, e, 1);
	for (i = 1; i <= CEV_MAX_LEVEL; i++) {
		cev_init(&c[i], &cev_all, 0);
		KUNIT_ASSERT_EQ(test, cev_add_cev(&c[i], &links[i], &c[i - 1]), 0);
		KUNIT_ASSERT_EQ(test, cev_arm(&c[i]), 0);
	}
	cev_init(&c[i], &cev_all, 0);
	KUNIT_EXPECT_EQ(test, cev_add_cev(&c[i], &links[i], &c[i - 1]), -EMLINK);
	tev_fire(&e[0], -ENOSPC, 9);
	KUNIT_EXPECT_TRUE(test, cev_done(&c[CEV_MAX_LEVEL]));
	KUNIT_EXPECT_EQ(test, c[CEV_MAX_LEVEL].status, -ENOSPC);
	KUNIT_EXPECT_EQ(test, c[CEV_MAX_LEVEL].count, 9);
	for (i = CEV_MAX_LEVEL + 1; i >= 0; i--)
		cev_finish(&c[i]);
}

static void cev_test_nested_already_complete_reports_at_add(struct kunit *test)
{
	struct cev *inner = cev_alloc(test), *outer = cev_alloc(test);
	struct cev_wait *link = cev_wait_alloc(test);

	cev_init(inner, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_arm(inner), 0);	/* done: no children */
	cev_init(outer, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add_cev(outer, link, inner), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(outer), 0);
	KUNIT_EXPECT_TRUE(test, cev_done(outer));
	cev_finish(outer);
	cev_finish(inner);
}

static void cev_test_nested_must_be_built_bottom_up(struct kunit *test)
{
	struct cev *a = cev_alloc(test), *b = cev_alloc(test);
	struct cev *c = cev_alloc(test), *x = cev_alloc(test);
	struct cev_wait *l1 = cev_wait_alloc(test), *l2 = cev_wait_alloc(test);
	struct cev_wait *l3 = cev_wait_alloc(test);

	cev_init(a, &cev_all, 0);
	cev_init(b, &cev_all, 0);
	cev_init(c, &cev_all, 0);
	cev_init(x, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add_cev(b, l1, a), 0);
	KUNIT_EXPECT_EQ(test, b->level, 1);
	KUNIT_ASSERT_EQ(test, cev_add_cev(c, l2, x), 0);
	/* a is nested in b already: its level cannot rise under b's. */
	KUNIT_EXPECT_EQ(test, cev_add_cev(a, l3, c), -EBUSY);
	KUNIT_EXPECT_EQ(test, a->level, 0);
	KUNIT_EXPECT_EQ(test, a->nr_children, 0);
	KUNIT_EXPECT_EQ(test, cev_add_cev(a, l3, a), -ELOOP);
	cev_finish(b);
	cev_finish(a);
	cev_finish(c);
	cev_finish(x);
}

/*
 * Two parents owned by two threads nest and finish the same compound at
 * once, over and over: its count of enclosing compounds must come back
 * to zero, not lose an update.
 */
#define NEST_RACE_ROUNDS	20000

struct nest_racer {
	struct cev *sub;
	struct completion started;
	atomic_t *go;
};

static int nest_racer_fn(void *arg)
{
	struct nest_racer *n = arg;
	struct cev *parent = kzalloc(sizeof(*parent), GFP_KERNEL);
	struct cev_wait *link = kzalloc(sizeof(*link), GFP_KERNEL);
	int round;

	complete(&n->started);
	while (!atomic_read(n->go))
		cpu_relax();
	for (round = 0; parent && link && round < NEST_RACE_ROUNDS; round++) {
		cev_init(parent, &cev_all, 0);
		cev_wait_init(link, NULL, NULL);
		cev_add_cev(parent, link, n->sub);
		cev_finish(parent);
	}
	kfree(link);
	kfree(parent);
	return 0;
}

static void cev_test_nested_in_two_parents_at_once(struct kunit *test)
{
	struct nest_racer n[2];
	struct task_struct *t[2];
	struct cev *sub = cev_alloc(test);
	atomic_t go = ATOMIC_INIT(0);
	int i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	cev_init(sub, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_arm(sub), 0);	/* all of nothing: done */
	for (i = 0; i < 2; i++) {
		n[i].sub = sub;
		n[i].go = &go;
		init_completion(&n[i].started);
		t[i] = kthread_create(nest_racer_fn, &n[i], "cev-nest-race");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
		get_task_struct(t[i]);
		wake_up_process(t[i]);
		wait_for_completion(&n[i].started);
	}
	atomic_set(&go, 1);
	for (i = 0; i < 2; i++) {
		kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	KUNIT_EXPECT_EQ(test, sub->nr_up, 0);
	cev_finish(sub);
}

static struct kunit_case cev_nest_cases[] = {
	KUNIT_CASE(cev_test_nested_completes_up_the_tree),
	KUNIT_CASE(cev_test_nested_to_max_level),
	KUNIT_CASE(cev_test_nested_already_complete_reports_at_add),
	KUNIT_CASE(cev_test_nested_must_be_built_bottom_up),
	KUNIT_CASE_SLOW(cev_test_nested_in_two_parents_at_once),
	{}
};

static struct kunit_suite cev_nest_suite = {
	.name = "cev_nest",
	.test_cases = cev_nest_cases,
};

/* ------------------------------------------------------------------------
 * Cancellation
 */

static void cev_test_cancel_calls_each_pending_cancel_once(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 4);
	struct cev *cev = cev_alloc(test);
	int i;

	cev_setup(test, cev, &cev_all, 0, e, 4);
	tev_fire(&e[0], 0, 1);
	KUNIT_EXPECT_EQ(test, cev_cancel(cev), 0);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, cev->nr_done, 1);
	KUNIT_EXPECT_EQ(test, cev->nr_cancelled, 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[0].cancels), 0);
	for (i = 1; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&e[i].cancels), 1);
		KUNIT_EXPECT_TRUE(test, list_empty(&e[i].head.head));
	}
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 0);
	for (i = 1; i < 4; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&e[i].cancels), 1);
}

static void cev_test_cancel_of_completed_parent_is_noop(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_all, 0, e, 1);
	tev_fire(&e[0], 0, 1);
	KUNIT_EXPECT_EQ(test, cev_cancel(cev), -EALREADY);
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev->nr_cancelled, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[0].cancels), 0);
	cev_finish(cev);
}

static void cev_test_cancel_twice_cancels_once(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_all, 0, e, 2);
	KUNIT_EXPECT_EQ(test, cev_cancel(cev), 0);
	KUNIT_EXPECT_EQ(test, cev_cancel(cev), -EALREADY);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[0].cancels), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[1].cancels), 1);
	cev_finish(cev);
}

static void cev_test_cancel_wakes_waiter_with_ecanceled(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);
	struct order_log log = {};
	struct recorder r;

	recorder_init(&r, &log, 1);
	cev_setup(test, cev, &cev_all, 0, e, 1);
	add_wait_queue(&cev->wq, &r.wait);
	cev_cancel(cev);
	KUNIT_EXPECT_EQ(test, r.woken, 1);
	KUNIT_EXPECT_EQ(test, wait_for_cev(cev), -ECANCELED);
	remove_wait_queue(&cev->wq, &r.wait);
	cev_finish(cev);
}

static void cev_test_cancel_before_arm_completes(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);

	cev_init(cev, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[0].cw, &e[0].head), 0);
	KUNIT_EXPECT_EQ(test, cev_cancel(cev), 0);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev_arm(cev), -EINVAL);
	cev_finish(cev);
}

static void cev_test_cancel_op_completing_synchronously(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	e[0].cancel_completes = true;
	e[1].cancel_completes = true;
	cev_setup(test, cev, &cev_all, 0, e, 2);
	KUNIT_EXPECT_EQ(test, cev_cancel(cev), 0);
	KUNIT_EXPECT_EQ(test, cev->nr_cancelled, 2);
	KUNIT_EXPECT_EQ(test, cev->nr_done, 0);
	cev_finish(cev);
}

static void cev_test_cancel_reaches_nested_children(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 3);
	struct cev *inner = cev_alloc(test), *outer = cev_alloc(test);
	struct cev_wait *link = cev_wait_alloc(test);

	cev_setup(test, inner, &cev_all, 0, e, 2);
	cev_init(outer, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add_cev(outer, link, inner), 0);
	KUNIT_ASSERT_EQ(test, cev_add(outer, &e[2].cw, &e[2].head), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(outer), 0);
	tev_fire(&e[0], 0, 0);
	KUNIT_EXPECT_EQ(test, cev_cancel(outer), 0);
	KUNIT_EXPECT_TRUE(test, cev_done(inner));
	KUNIT_EXPECT_EQ(test, inner->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[0].cancels), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[1].cancels), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[2].cancels), 1);
	KUNIT_EXPECT_EQ(test, outer->nr_cancelled, 2);
	cev_finish(outer);
	cev_finish(inner);
}

static void cev_test_cancelled_nested_reports_to_parent(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *inner = cev_alloc(test), *outer = cev_alloc(test);
	struct cev_wait *link = cev_wait_alloc(test);

	cev_setup(test, inner, &cev_all, 0, e, 1);
	cev_init(outer, &cev_any, 0);
	KUNIT_ASSERT_EQ(test, cev_add_cev(outer, link, inner), 0);
	KUNIT_ASSERT_EQ(test, cev_add(outer, &e[1].cw, &e[1].head), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(outer), 0);
	KUNIT_EXPECT_EQ(test, cev_cancel(inner), 0);
	KUNIT_EXPECT_FALSE(test, cev_done(outer));
	KUNIT_EXPECT_EQ(test, outer->nr_failed, 1);
	tev_fire(&e[1], 0, 0);
	KUNIT_EXPECT_TRUE(test, cev_done(outer));
	KUNIT_EXPECT_EQ(test, outer->status, 0);
	cev_finish(outer);
	cev_finish(inner);
}

static void cev_test_finish_cancels_unarmed_compound(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	cev_init(cev, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[0].cw, &e[0].head), 0);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[1].cw, &e[1].head), 0);
	KUNIT_EXPECT_EQ(test, cev_finish(cev), 0);
	KUNIT_EXPECT_EQ(test, cev->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, cev->nr_cancelled, 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&e[0].cancels), 1);
}

static struct kunit_case cev_cancel_cases[] = {
	KUNIT_CASE(cev_test_cancel_calls_each_pending_cancel_once),
	KUNIT_CASE(cev_test_cancel_skips_lock_of_done_child),
	KUNIT_CASE(cev_test_cancel_of_completed_parent_is_noop),
	KUNIT_CASE(cev_test_cancel_twice_cancels_once),
	KUNIT_CASE(cev_test_cancel_wakes_waiter_with_ecanceled),
	KUNIT_CASE(cev_test_cancel_before_arm_completes),
	KUNIT_CASE(cev_test_cancel_op_completing_synchronously),
	KUNIT_CASE(cev_test_cancel_reaches_nested_children),
	KUNIT_CASE(cev_test_cancelled_nested_reports_to_parent),
	KUNIT_CASE(cev_test_finish_cancels_unarmed_compound),
	{}
};

static struct kunit_suite cev_cancel_suite = {
	.name = "cev_cancel",
	.test_cases = cev_cancel_cases,
};

/* ------------------------------------------------------------------------
 * Misuse: an error return, and nothing changed.
 */

static void cev_test_misuse_add_pending_child(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *a = cev_alloc(test), *b = cev_alloc(test);

	cev_init(a, &cev_all, 0);
	cev_init(b, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add(a, &e[0].cw, &e[0].head), 0);
	KUNIT_EXPECT_EQ(test, cev_add(a, &e[0].cw, &e[0].head), -EBUSY);
	KUNIT_EXPECT_EQ(test, cev_add(b, &e[0].cw, &e[0].head), -EBUSY);
	KUNIT_EXPECT_EQ(test, a->nr_children, 1);
	KUNIT_EXPECT_EQ(test, b->nr_children, 0);
	cev_finish(a);
	cev_finish(b);
}

static void cev_test_misuse_rearm_done_child_before_finish(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_all, 0, e, 1);
	tev_fire(&e[0], 0, 0);
	/* Done, but still on its parent's list until cev_finish(). */
	KUNIT_EXPECT_EQ(test, cev_add(cev, &e[0].cw, &e[0].head), -EBUSY);
	cev_finish(cev);
}

static void cev_test_misuse_add_to_completed_parent(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_all, 0, e, 1);
	tev_fire(&e[0], 0, 0);
	KUNIT_EXPECT_EQ(test, cev_add(cev, &e[1].cw, &e[1].head), -EINVAL);
	KUNIT_EXPECT_TRUE(test, list_empty(&e[1].head.head));
	KUNIT_EXPECT_EQ(test, cev->nr_children, 1);
	cev_finish(cev);
}

static void cev_test_misuse_arm_twice(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);

	cev_setup(test, cev, &cev_all, 0, e, 1);
	KUNIT_EXPECT_EQ(test, cev_arm(cev), -EBUSY);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	cev_finish(cev);
}

static void cev_test_misuse_missing_ops(struct kunit *test)
{
	static const struct cev_ops no_complete = {};
	struct tev *e = tevs_alloc(test, 1);
	struct cev *cev = cev_alloc(test);
	struct cev_wait *cw = cev_wait_alloc(test);

	cev_init(cev, &no_complete, 0);
	KUNIT_EXPECT_EQ(test, cev_arm(cev), -EINVAL);
	cev_finish(cev);
	cev_init(cev, NULL, 0);
	KUNIT_EXPECT_EQ(test, cev_arm(cev), -EINVAL);
	cev_wait_init(cw, NULL, NULL);
	KUNIT_EXPECT_EQ(test, cev_add(cev, cw, &e[0].head), -EINVAL);
	KUNIT_EXPECT_TRUE(test, list_empty(&e[0].head.head));
	cev_finish(cev);
}

static void cev_test_misuse_k_greater_than_n(struct kunit *test)
{
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);

	cev_init(cev, &cev_k_of_n, 3);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[0].cw, &e[0].head), 0);
	KUNIT_ASSERT_EQ(test, cev_add(cev, &e[1].cw, &e[1].head), 0);
	KUNIT_EXPECT_EQ(test, cev_arm(cev), -EINVAL);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	cev_finish(cev);
	cev_init(cev, &cev_any, 0);
	KUNIT_EXPECT_EQ(test, cev_arm(cev), -EINVAL);	/* any of nothing */
	cev_finish(cev);
}

static struct kunit_case cev_misuse_cases[] = {
	KUNIT_CASE(cev_test_misuse_add_pending_child),
	KUNIT_CASE(cev_test_misuse_rearm_done_child_before_finish),
	KUNIT_CASE(cev_test_misuse_add_to_completed_parent),
	KUNIT_CASE(cev_test_misuse_arm_twice),
	KUNIT_CASE(cev_test_misuse_missing_ops),
	KUNIT_CASE(cev_test_misuse_k_greater_than_n),
	{}
};

static struct kunit_suite cev_misuse_suite = {
	.name = "cev_misuse",
	.test_cases = cev_misuse_cases,
};

/* ------------------------------------------------------------------------
 * Races: children completing from kthreads and hardirq timers while
 * another thread cancels and the test waits with a timeout.
 */

#define RACE_CHILDREN	8
#define RACE_ROUNDS	2000

struct race {
	struct cev cev;
	struct tev *e;
	struct recorder parent_wakes;
	struct order_log log;
	wait_queue_head_t go;
	wait_queue_head_t back;
	int round;
	atomic_t finished;
	int cancel_ret;
	unsigned int mixed;	/* rounds with done and cancelled children */
};

static void race_wait_round(struct race *r, int round)
{
	wait_event(r->go, READ_ONCE(r->round) >= round);
}

static void race_done_round(struct race *r)
{
	/* Pairs with atomic_read_acquire() in the test's wait. */
	smp_mb__before_atomic();
	atomic_inc(&r->finished);
	wake_up(&r->back);
}

static int race_completer(void *arg)
{
	struct race *r = arg;
	int round, i;

	for (round = 1; round <= RACE_ROUNDS; round++) {
		race_wait_round(r, round);
		for (i = 0; i < RACE_CHILDREN; i++)
			tev_fire(&r->e[i], i == 3 ? -EIO : 0, 1);
		race_done_round(r);
	}
	return 0;
}

static int race_canceller(void *arg)
{
	struct race *r = arg;
	int round;

	for (round = 1; round <= RACE_ROUNDS; round++) {
		race_wait_round(r, round);
		udelay(get_random_u32_below(20));
		r->cancel_ret = cev_cancel(&r->cev);
		race_done_round(r);
	}
	return 0;
}

static void race_check_round(struct kunit *test, struct race *r)
{
	unsigned int done = 0, cancelled = 0;
	int i, cancels;

	for (i = 0; i < RACE_CHILDREN; i++) {
		cancels = atomic_read(&r->e[i].cancels);
		if (cev_wait_done(&r->e[i].cw)) {
			done++;
			KUNIT_EXPECT_EQ(test, cancels, 0);
		} else {
			cancelled++;
			KUNIT_EXPECT_EQ(test, cancels, 1);
		}
	}
	KUNIT_EXPECT_EQ(test, r->cev.nr_done, done);
	KUNIT_EXPECT_EQ(test, r->cev.nr_cancelled, cancelled);
	KUNIT_EXPECT_EQ(test, done + cancelled, RACE_CHILDREN);
	if (done && cancelled)
		r->mixed++;
	KUNIT_EXPECT_EQ(test, r->cev.count, done);
	KUNIT_EXPECT_EQ(test, r->parent_wakes.woken, 1);
	if (r->cancel_ret == 0)
		KUNIT_EXPECT_EQ(test, r->cev.status, -ECANCELED);
	else
		KUNIT_EXPECT_EQ(test, r->cev.status, -EIO);
}

static void race_setup_round(struct kunit *test, struct race *r)
{
	int i;

	cev_init(&r->cev, &cev_all, 0);
	recorder_init(&r->parent_wakes, &r->log, 0);
	add_wait_queue(&r->cev.wq, &r->parent_wakes.wait);
	for (i = 0; i < RACE_CHILDREN; i++) {
		r->e[i].done = false;
		atomic_set(&r->e[i].cancels, 0);
		KUNIT_ASSERT_EQ(test, cev_add(&r->cev, &r->e[i].cw,
					      &r->e[i].head), 0);
	}
	KUNIT_ASSERT_EQ(test, cev_arm(&r->cev), 0);
}

static void cev_test_cancel_races_child_completion(struct kunit *test)
{
	struct task_struct *completer, *canceller;
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int round;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->e = tevs_alloc(test, RACE_CHILDREN);
	init_waitqueue_head(&r->go);
	init_waitqueue_head(&r->back);
	atomic_set(&r->finished, 0);
	completer = test_thread_start(race_completer, r, "cev-race-done");
	KUNIT_ASSERT_FALSE(test, IS_ERR(completer));
	canceller = test_thread_start(race_canceller, r, "cev-race-cancel");
	KUNIT_ASSERT_FALSE(test, IS_ERR(canceller));

	for (round = 1; round <= RACE_ROUNDS; round++) {
		race_setup_round(test, r);
		WRITE_ONCE(r->round, round);
		wake_up_all(&r->go);
		/* The third party: a timed wait that must not time out. */
		KUNIT_EXPECT_GT(test, wait_for_cev_timeout(&r->cev, 10 * HZ), 0);
		wait_event(r->back, atomic_read_acquire(&r->finished) == 2 * round);
		race_check_round(test, r);
		remove_wait_queue(&r->cev.wq, &r->parent_wakes.wait);
		cev_finish(&r->cev);
		if (test->status == KUNIT_FAILURE)
			break;
	}
	kunit_info(test, "%d rounds, %u with children both done and cancelled\n",
		   round - 1, r->mixed);
	/* On failure the threads are left to finish their rounds: drain them. */
	while (round++ <= RACE_ROUNDS) {
		race_setup_round(test, r);
		WRITE_ONCE(r->round, round - 1);
		wake_up_all(&r->go);
		wait_event(r->back, atomic_read_acquire(&r->finished) == 2 * (round - 1));
		remove_wait_queue(&r->cev.wq, &r->parent_wakes.wait);
		cev_finish(&r->cev);
	}
	/* Their last wake_up(&r->back) may still run: @r goes after it. */
	test_thread_join(completer);
	test_thread_join(canceller);
}

/*
 * Children completed by hrtimers, in hardirq context; on PREEMPT_RT,
 * where a wake-up's queue lock sleeps and hrtimers not marked hard expire
 * in softirq context (ksoftirqd, or a task's local_bh_enable()), there.
 */
struct irq_child {
	struct hrtimer timer;
	struct tev *e;
};

static enum hrtimer_restart irq_child_fire(struct hrtimer *t)
{
	struct irq_child *c = container_of(t, struct irq_child, timer);

	WARN_ON_ONCE(IS_ENABLED(CONFIG_PREEMPT_RT) ? !in_serving_softirq() :
						    !in_hardirq());
	tev_fire(c->e, 0, 1);
	return HRTIMER_NORESTART;
}

#define IRQ_RACE_ROUNDS	1000

static void cev_test_cancel_races_hardirq_completion(struct kunit *test)
{
	struct irq_child *c = kunit_kcalloc(test, RACE_CHILDREN, sizeof(*c),
					    GFP_KERNEL);
	struct tev *e = tevs_alloc(test, RACE_CHILDREN);
	struct cev *cev = cev_alloc(test);
	int round, i, done, cancelled;
	unsigned int mixed = 0;

	KUNIT_ASSERT_NOT_NULL(test, c);
	for (i = 0; i < RACE_CHILDREN; i++) {
		hrtimer_init(&c[i].timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		c[i].timer.function = irq_child_fire;
		c[i].e = &e[i];
	}
	for (round = 0; round < IRQ_RACE_ROUNDS; round++) {
		for (i = 0; i < RACE_CHILDREN; i++) {
			e[i].done = false;
			atomic_set(&e[i].cancels, 0);
		}
		cev_setup(test, cev, &cev_all, 0, e, RACE_CHILDREN);
		for (i = 0; i < RACE_CHILDREN; i++)
			hrtimer_start(&c[i].timer,
				      ns_to_ktime(get_random_u32_below(40000)),
				      HRTIMER_MODE_REL);
		udelay(get_random_u32_below(40));
		cev_cancel(cev);
		KUNIT_EXPECT_GT(test, wait_for_cev_timeout(cev, 10 * HZ), 0);
		for (i = 0; i < RACE_CHILDREN; i++)
			hrtimer_cancel(&c[i].timer);
		done = 0;
		cancelled = 0;
		for (i = 0; i < RACE_CHILDREN; i++) {
			int cancels = atomic_read(&e[i].cancels);

			if (cev_wait_done(&e[i].cw)) {
				done++;
				KUNIT_EXPECT_EQ(test, cancels, 0);
			} else {
				cancelled++;
				KUNIT_EXPECT_EQ(test, cancels, 1);
			}
		}
		KUNIT_EXPECT_EQ(test, cev->nr_done, done);
		KUNIT_EXPECT_EQ(test, cev->nr_cancelled, cancelled);
		KUNIT_EXPECT_EQ(test, cev->count, done);
		if (done && cancelled)
			mixed++;
		cev_finish(cev);
		if (test->status == KUNIT_FAILURE)
			break;
	}
	kunit_info(test, "%d rounds, %u with children both done and cancelled\n",
		   round, mixed);
}

/*
 * Children added to an armed compound while another CPU cancels it.  Each
 * round's children are zeroed first, as freshly allocated ones are.
 */
#define ADD_RACE_ROUNDS		3000
#define ADD_RACE_CHILDREN	4

struct add_race {
	struct cev cev;
	struct tev *e;
	wait_queue_head_t go;
	wait_queue_head_t back;
	int round;
	atomic_t finished;
};

static int add_race_canceller(void *arg)
{
	struct add_race *r = arg;
	int round;

	for (round = 1; round <= ADD_RACE_ROUNDS; round++) {
		wait_event(r->go, READ_ONCE(r->round) >= round);
		udelay(get_random_u32_below(4));
		cev_cancel(&r->cev);
		/* Pairs with atomic_read_acquire() in the test's wait. */
		smp_mb__before_atomic();
		atomic_inc(&r->finished);
		wake_up(&r->back);
	}
	return 0;
}

static void add_race_check_round(struct kunit *test, struct add_race *r,
				 int *ret)
{
	unsigned int attached = 0;
	int i;

	KUNIT_EXPECT_TRUE(test, cev_done(&r->cev));
	KUNIT_EXPECT_EQ(test, r->cev.status, -ECANCELED);
	for (i = 0; i < ADD_RACE_CHILDREN + 1; i++) {
		int n = atomic_read(&r->e[i].cancels);

		/*
		 * 0: queued, then cancelled once.  -ECANCELED: cancelled while
		 * being added, attached but never queued, nothing to withdraw.
		 * -EINVAL: too late, not attached.
		 */
		KUNIT_EXPECT_TRUE(test, !ret[i] || ret[i] == -ECANCELED ||
				  ret[i] == -EINVAL);
		KUNIT_EXPECT_EQ(test, n, !ret[i]);
		attached += ret[i] != -EINVAL;
		/* A cancelled child is not left on its wait queue. */
		KUNIT_EXPECT_TRUE(test, list_empty(&r->e[i].head.head));
	}
	KUNIT_EXPECT_EQ(test, r->cev.nr_children, attached);
	KUNIT_EXPECT_EQ(test, r->cev.nr_cancelled, attached);
}

static void cev_test_add_races_cancel(struct kunit *test)
{
	struct add_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int ret[ADD_RACE_CHILDREN + 1];
	struct task_struct *canceller;
	int round, i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->e = tevs_alloc(test, ADD_RACE_CHILDREN + 1);
	init_waitqueue_head(&r->go);
	init_waitqueue_head(&r->back);
	atomic_set(&r->finished, 0);
	canceller = test_thread_start(add_race_canceller, r, "cev-add-cancel");
	KUNIT_ASSERT_FALSE(test, IS_ERR(canceller));

	/* Every round runs, so that the canceller ends; checks stop at a failure. */
	for (round = 1; round <= ADD_RACE_ROUNDS; round++) {
		for (i = 0; i < ADD_RACE_CHILDREN + 1; i++) {
			memset(&r->e[i].cw, 0, sizeof(r->e[i].cw));
			cev_wait_init(&r->e[i].cw, &tev_ops, &r->e[i]);
			atomic_set(&r->e[i].cancels, 0);
			r->e[i].done = false;
		}
		cev_init(&r->cev, &cev_all, 0);
		ret[0] = cev_add(&r->cev, &r->e[0].cw, &r->e[0].head);
		KUNIT_EXPECT_EQ(test, cev_arm(&r->cev), 0);
		WRITE_ONCE(r->round, round);
		wake_up_all(&r->go);
		for (i = 1; i < ADD_RACE_CHILDREN + 1; i++)
			ret[i] = cev_add(&r->cev, &r->e[i].cw, &r->e[i].head);
		wait_event(r->back, atomic_read_acquire(&r->finished) == round);
		if (test->status != KUNIT_FAILURE)
			add_race_check_round(test, r, ret);
		cev_finish(&r->cev);
	}
	test_thread_join(canceller);	/* its last wake_up(&r->back) */
}

/*
 * A child's wake-up and its parent's cancellation at once: ->event() says
 * the child is complete while another CPU cancels the parent.  ->event()
 * returning CEV_DETACH and ->cancel() must exclude each other.
 */
struct excl {
	struct tev e;
	struct cev cev;
	atomic_t in_event;
	atomic_t detached;
};

static enum cev_result excl_event(struct cev_wait *cw, void *key)
{
	struct excl *x = container_of(cw, struct excl, e.cw);

	atomic_set(&x->in_event, 1);
	/* Long enough for the canceller on the other CPU to get going. */
	mdelay(50);
	cw->status = 0;
	cw->count = 1;
	atomic_inc(&x->detached);
	return CEV_DETACH;
}

static const struct cev_wait_ops excl_ops = {
	.event = excl_event,
	.cancel = tev_cancel,
};

static int excl_canceller(void *arg)
{
	struct excl *x = arg;

	while (!atomic_read(&x->in_event))
		cpu_relax();
	cev_cancel(&x->cev);
	return 0;
}

static void cev_test_event_and_cancel_exclusive(struct kunit *test)
{
	struct excl *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	struct task_struct *t;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_NOT_NULL(test, x);
	init_waitqueue_head(&x->e.head);
	atomic_set(&x->e.cancels, 0);
	cev_wait_init(&x->e.cw, &excl_ops, &x->e);
	cev_init(&x->cev, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, cev_add(&x->cev, &x->e.cw, &x->e.head), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(&x->cev), 0);
	t = kthread_create(excl_canceller, x, "cev-excl-cancel");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	wake_up_process(t);
	wake_up(&x->e.head);
	KUNIT_EXPECT_GT(test, wait_for_cev_timeout(&x->cev, 10 * HZ), 0);
	/* Its cev_cancel() must be over before cev_finish() and the free. */
	kthread_stop(t);
	put_task_struct(t);
	/* Exactly one of the two ran, and the compound counted that one. */
	KUNIT_EXPECT_EQ(test, atomic_read(&x->detached) +
			      atomic_read(&x->e.cancels), 1);
	KUNIT_EXPECT_EQ(test, x->cev.nr_done, atomic_read(&x->detached));
	KUNIT_EXPECT_EQ(test, x->cev.nr_cancelled, atomic_read(&x->e.cancels));
	cev_finish(&x->cev);
}

/* A kthread that reports one child once it is told to. */
struct lockless_fire {
	struct tev *e;
	struct completion go;
	struct completion done;
	atomic_t started;
	atomic_t fired;
};

static int lockless_fire_fn(void *arg)
{
	struct lockless_fire *f = arg;

	wait_for_completion(&f->go);
	atomic_set(&f->started, 1);
	tev_fire(f->e, 0, 512);
	atomic_set(&f->fired, 1);
	complete(&f->done);
	return 0;
}

/*
 * A successful child of a cev_all compound that is not the last reports
 * without the compound's lock: it gets through while this thread holds
 * the lock.  Any other report takes the lock and waits for it.
 */
static void cev_test_all_success_takes_no_parent_lock(struct kunit *test)
{
	struct lockless_fire *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct tev *e = tevs_alloc(test, 2);
	struct cev *cev = cev_alloc(test);
	struct task_struct *t;
	int waited, fired;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_NOT_NULL(test, f);
	cev_setup(test, cev, &cev_all, 0, e, 2);
	f->e = &e[0];
	init_completion(&f->go);
	init_completion(&f->done);
	t = kthread_create(lockless_fire_fn, f, "cev-test-lockless");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	/* On another CPU than the one that will spin with the lock held. */
	migrate_disable();
	kthread_bind(t, cpumask_any_but(cpu_online_mask, smp_processor_id()));
	wake_up_process(t);
	spin_lock_irq(&cev->wq.lock);
	complete(&f->go);
	/*
	 * The window is counted from the report's start, not from go: under
	 * TCG on a loaded host the thread's vCPU may not run for a while.
	 */
	for (waited = 0; waited < 30000 && !atomic_read(&f->started); waited++)
		mdelay(1);
	for (waited = 0; waited < 1000 && !atomic_read(&f->fired); waited++)
		mdelay(1);
	/* Read before the unlock: afterwards a report could go through. */
	fired = atomic_read(&f->fired);
	spin_unlock_irq(&cev->wq.lock);
	migrate_enable();
	/* Its report is made, through the lock or not, before it is stopped. */
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&f->done, 30 * HZ), 0);
	kthread_stop(t);
	put_task_struct(t);
	KUNIT_EXPECT_EQ(test, fired, 1);
	/* The report was counted all the same. */
	tev_fire(&e[1], 0, 512);
	KUNIT_EXPECT_GT(test, wait_for_cev_timeout(cev, 10 * HZ), 0);
	KUNIT_EXPECT_EQ(test, cev->nr_done, 2);
	KUNIT_EXPECT_EQ(test, cev->count, 1024);
	cev_finish(cev);
}

#define SPREAD_THREADS	4
#define SPREAD_CHILDREN	256	/* a thread */

struct spread {
	struct cev cev;
	struct tev *e;
	struct recorder parent_wakes;
	struct order_log log;
	struct completion go;
	atomic_t ready;
};

struct spread_thread {
	struct spread *s;
	int first;
};

static int spread_fire_fn(void *arg)
{
	struct spread_thread *st = arg;
	int i;

	atomic_inc(&st->s->ready);
	wait_for_completion(&st->s->go);
	for (i = st->first; i < st->first + SPREAD_CHILDREN; i++)
		tev_fire(&st->s->e[i], i % 64 == 7 ? -EIO : 0, i);
	return 0;
}

/*
 * Children of one cev_all compound reported from several CPUs at once,
 * most without its lock and some with (the failures): every count is
 * summed once, every child counted once, the waiters woken once.
 */
static void cev_test_all_children_from_many_cpus(struct kunit *test)
{
	const int n = SPREAD_THREADS * SPREAD_CHILDREN;
	struct task_struct *t[SPREAD_THREADS];
	struct spread_thread *st;
	struct spread *s;
	u64 sum = 0;
	int i, started, failed = 0;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	st = kunit_kcalloc(test, SPREAD_THREADS, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, st);
	s->e = tevs_alloc(test, n);
	init_completion(&s->go);
	cev_setup(test, &s->cev, &cev_all, 0, s->e, n);
	recorder_init(&s->parent_wakes, &s->log, 0);
	add_wait_queue(&s->cev.wq, &s->parent_wakes.wait);
	for (i = 0; i < SPREAD_THREADS; i++) {
		st[i].s = s;
		st[i].first = i * SPREAD_CHILDREN;
		t[i] = kthread_create(spread_fire_fn, &st[i], "cev-spread/%d", i);
		if (IS_ERR(t[i]))
			break;
		get_task_struct(t[i]);
		kthread_bind(t[i], cpumask_nth(i % num_online_cpus(),
					       cpu_online_mask));
		wake_up_process(t[i]);
	}
	started = i;
	while (atomic_read(&s->ready) < started)
		usleep_range(100, 1000);
	/* Fire what a thread that could not start would have. */
	for (i = started * SPREAD_CHILDREN; i < n; i++)
		tev_fire(&s->e[i], i % 64 == 7 ? -EIO : 0, i);
	complete_all(&s->go);
	KUNIT_EXPECT_GT(test, wait_for_cev_timeout(&s->cev, 60 * HZ), 0);
	/* The threads use @s until they return. */
	for (i = 0; i < started; i++) {
		kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	KUNIT_EXPECT_EQ(test, started, SPREAD_THREADS);
	for (i = 0; i < n; i++) {
		sum += i;
		failed += i % 64 == 7;
	}
	KUNIT_EXPECT_EQ(test, s->cev.nr_done, n);
	KUNIT_EXPECT_EQ(test, s->cev.nr_failed, failed);
	KUNIT_EXPECT_EQ(test, s->cev.count, sum);
	KUNIT_EXPECT_EQ(test, s->cev.status, -EIO);
	KUNIT_EXPECT_EQ(test, s->parent_wakes.woken, 1);
	cev_finish(&s->cev);
	remove_wait_queue(&s->cev.wq, &s->parent_wakes.wait);
}

static struct kunit_case cev_race_cases[] = {
	KUNIT_CASE_SLOW(cev_test_cancel_races_child_completion),
	KUNIT_CASE_SLOW(cev_test_cancel_races_hardirq_completion),
	KUNIT_CASE_SLOW(cev_test_add_races_cancel),
	KUNIT_CASE(cev_test_event_and_cancel_exclusive),
	KUNIT_CASE(cev_test_all_success_takes_no_parent_lock),
	KUNIT_CASE_SLOW(cev_test_all_children_from_many_cpus),
	{}
};

static struct kunit_suite cev_race_suite = {
	.name = "cev_race",
	.test_cases = cev_race_cases,
};

kunit_test_suites(&cev_layer_suite, &cev_compound_suite, &cev_nest_suite,
		  &cev_cancel_suite, &cev_misuse_suite, &cev_race_suite);

MODULE_DESCRIPTION("KUnit tests for layered and compound events");
MODULE_LICENSE("GPL");
