// SPDX-License-Identifier: GPL-2.0
/*
 * Layered events and compound events on wait queues.
 *
 * An I/O object already has a wait queue head, and it completes by waking
 * it.  This file lets other code hang work on that wake-up without changing
 * the object: a *layer* (struct lev) runs before the object's ordinary
 * waiters and may hold them back until it has finished; a *child*
 * (struct cev_wait) reports the event to a *compound* (struct cev), which
 * collates its children and completes when its policy says so.  A compound
 * is itself an event with a wait queue head, so compounds nest and can
 * carry layers of their own.  The design is the 2001 "compound event
 * wait/notify" RFC for 2.4's wait_queue_t; see
 * Documentation/core-api/cev.rst.
 *
 *   object A ---wq_head---> [lev L2] [lev L1] [child a] [task] [task] ...
 *   object B ---wq_head---> [child b] [task] ...
 *   compound P ---wq---> [child p of Q] [task waiting on P] ...
 *              `-children: a <-> b
 *   compound Q ---wq---> [task waiting on Q]
 *              `-children: p
 *
 * Layers are queued at the very front of the list and flagged
 * WQ_FLAG_PRIORITY, so that __add_wait_queue() queues every later ordinary
 * or priority entry behind them; the layer added last runs first.  A layer
 * that defers returns a negative value from its wake function, which stops
 * __wake_up_common(); lev_release() replays the wake-up from the entry after
 * the layer with __wake_up_locked_after().
 *
 * The life of a child:
 *
 *   IDLE --cev_add()--> QUEUEING --queued--> PENDING --event/ready()--> DONE
 *                           |                   |
 *                           `-------------------+--cancel/finish--> CANCELLED
 *
 * cev_add() links the child to its parent as QUEUEING under the parent's
 * lock, then queues it and makes it PENDING under its queue's lock.  Every
 * transition out of QUEUEING and PENDING is made under the child's queue
 * lock, by the waker (to DONE), the adder (to PENDING) or the canceller (to
 * CANCELLED), so the three are serialised by that lock and no other
 * ordering is needed between them (a canceller lets a child that is DONE
 * and off its queue go without the lock; see the barriers below):
 *
 * - ->event() runs only on a PENDING child, and its CEV_DETACH makes the
 *   child DONE in the same hold of the lock: a child whose ->event() said
 *   it is complete is never cancelled, and a cancelled child sees no more
 *   ->event() calls.  ->event() and ->cancel() exclude each other.
 * - A canceller that finds a child still QUEUEING marks it CANCELLED and
 *   counts it; the adder then finds it so, does not queue it, and returns
 *   -ECANCELED: the child's operation has not been started, so there is
 *   nothing to withdraw and its ->cancel() is not called.
 *
 * A DONE child leaves its wait queue in its own wake function (or, done
 * at once by ->ready(), in cev_add()), as the last thing done with it
 * there; a CANCELLED one is taken off by the canceller.  Either way it
 * stays on its parent's
 * children list until cev_finish(), and keeps its state afterwards, so that
 * cev_wait_done() still answers.
 *
 * The parent's "collation" is cev_report(), called by the child in its wake
 * function, not an entry on the parent's queue: the parent's waiters and layers
 * see one wake-up per compound, at completion, instead of one per child.  A
 * report takes the parent's lock (cev_collate()), except that a successful
 * child of a cev_all compound is counted without it, in &cev.remaining as
 * bio_chain() counts in __bi_remaining, and only the report that takes the
 * count to zero takes the lock to complete it.  The results are frozen at
 * completion: a child that completes after its parent did (the rest of an
 * any-of or k-of-n) keeps its result to itself and moves nothing, so that
 * status, count and the counters read once cev_done() is true never change
 * again.
 *
 * The trace events (include/trace/events/cev.h) are emitted where the
 * state they report changes, under the lock that orders it: a child's
 * attachment and report and a compound's arming, cancellation and
 * completion under the compound's lock, a layer's hold and release under
 * its queue's lock.  A child's report to a cev_all compound that takes no
 * lock is traced under its own queue's lock, before it is counted.  A
 * child's cancellation is traced just after its queue's lock is dropped,
 * before its ->cancel() runs.
 *
 * A child that is not attached has a NULL wait.private; an attached one
 * points there to its parent, and is linked on &cev.children by
 * cev_wait.next under the parent's lock.
 *
 * Locks and their order:
 *
 *   child's wait queue head lock          (any class; held by the waker)
 *     -> cev->wq.lock, subclass cev->level
 *       -> enclosing cev->wq.lock, subclass of a higher level ...
 *         -> scheduler locks (try_to_wake_up() of the parent's waiters)
 *
 * A child reports to its parent inside the wake-up of its own queue, so
 * the child's queue lock is always taken before the parent's.  A nested
 * compound's lock is taken as a child queue lock of its parent, so the lock
 * order follows the tree from the leaves to the root; cev->level (one more
 * than the highest compound nested below, at most CEV_MAX_LEVEL) is the
 * lockdep subclass that keeps the nesting of this one lock class legal.
 * cev_cancel() and cev_finish() call no op and take no child queue lock with
 * a cev lock held: a ->cancel() op may complete its I/O, and so wake the
 * child's queue, synchronously.
 *
 * Barriers, each with what it pairs with:
 *
 * - A lockless report of a cev_all child adds its count to
 *   &cev.count_sum and then decrements &cev.remaining in cev_all_put(),
 *   a fully ordered atomic_dec_and_test(); the locked reports and
 *   cev_arm()'s drop of the arm bias decrement it the same way.  Whoever
 *   completes the compound has seen zero there, by its own decrement or
 *   by atomic_read_acquire() in cev_all_complete(), and so reads the sum
 *   (cev_complete_locked()) after every decrement before it in the
 *   counter's modification order, and after the count each of those
 *   decrements follows.  Counts of locked reports go to &cev.count under
 *   the lock, which the completer holds.  Zero is final: cev_link_child()
 *   attaches a child only with atomic_inc_not_zero(), so a compound
 *   whose count reached zero takes no new child.  cev_cancel() completes
 *   a compound whose count never reaches zero: it reads the sum after
 *   taking the queue lock of every child, or seeing it DONE and off its
 *   queue (below), and every report runs under its child's queue lock before
 *   the child leaves the queue, so every report has been made by then.
 * - cev_complete_locked() sets CEV_DONE with smp_store_release() after the
 *   results are written, and nothing writes them afterwards;
 *   cev_done() reads CEV_DONE with smp_load_acquire().  The waits read
 *   the status after cev_done() in ___wait_event()'s condition.
 * - cev_child_done_locked() sets a child DONE with atomic_set_release()
 *   after ->event() or ->ready() wrote its status and count;
 *   cev_wait_done() reads the state with atomic_read_acquire().
 * - cev_child_done_locked() takes the child off its queue last, after its
 *   report, with list_del_init_careful() (a RELEASE); cev_child_cancel()
 *   (for cev_cancel() and cev_finish()) reads DONE with
 *   atomic_read_acquire() and then the entry with list_empty_careful()
 *   (an ACQUIRE), and if it finds both takes no lock: the wake function
 *   is done with the child, its report made, as finish_wait() relies on
 *   after autoremove_wake_function().  DONE is read first because an
 *   entry is empty before it is queued too: a child becomes DONE only
 *   once queued (atomic_set_release() after __add_wait_queue(), in the
 *   same hold of the lock or a later one), and the DONE read is of the
 *   child's present use: cev_link_child() stores QUEUEING under the
 *   parent's lock, cev_cancel() walks only the children linked before
 *   it took that lock, and cev_finish() runs once every cev_add() has
 *   returned.  The waker may still be walking the child's queue when
 *   cev_finish() returns, as after finish_wait(): the queue's head must
 *   outlive its own wake-ups, as any wait queue's must.
 * - cev_queue_child() queues a child and runs ->ready() in one hold of the
 *   queue's lock with an smp_mb() between them (none without ->ready():
 *   then the adder loads nothing the barrier would order).  It pairs with
 *   the waker's full barrier between making its event visible and looking
 *   at the queue without its lock (wq_has_sleeper();
 *   smp_mb__after_atomic() in unlock_buffer() before wake_up_bit()'s
 *   waitqueue_active()): either the waker sees the child queued, or
 *   ->ready() sees the event.  This is prepare_to_wait() with a
 *   condition.  A waker that takes the queue's lock before looking needs
 *   no barrier: the lock orders it.
 * - lev_release() clears LEV_HELD with test_and_clear_bit(), a fully
 *   ordered RMW, before wake_up_var() looks at the hashed queue with
 *   waitqueue_active() and no lock (spin_unlock() alone would not order
 *   that load after the store).  It pairs with set_current_state() in
 *   prepare_to_wait_event() in lev_del()'s wait_var_event(), which queues
 *   the waiter before it tests LEV_HELD: either the waker sees the waiter,
 *   or the waiter sees the bit clear.
 * - LEV_HELD is set and tested under the queue's lock everywhere else;
 *   LEV_QUEUED is the owner's (lev_add() and lev_del() do not race).
 */

#include <linux/cev.h>
#include <linux/debugobjects.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/spinlock.h>
#include <linux/wait_bit.h>

#define CREATE_TRACE_POINTS
#include <trace/events/cev.h>

/*
 * Misuse of the API: an error return and one line that names it.  WARN is
 * kept for states that can only come from a bug in this file.
 */
#define cev_misuse(fmt, ...) \
	pr_err_ratelimited("cev: misuse: " fmt "\n", ##__VA_ARGS__)

/* ---------------------------------------------------------------------------
 * Layered events
 */

enum {
	LEV_QUEUED,	/* on lev->head */
	LEV_HELD,	/* holding back the entries queued after it */
};

/*
 * The key of a held wake-up is replayed after the waker has returned, and
 * keys may live in the waker's stack frame (wake_up_bit()'s and
 * folio_wake_bit()'s do): keep a copy of those.  Copied and compared
 * field by field: the padding of a struct on the waker's stack is
 * whatever was there.  A folio layer's key is known before any wake-up:
 * lev_add_folio() recorded its folio and bit.
 */
static void *lev_save_key(struct lev *lev, void *key)
{
	const struct wait_bit_key *bk = key;

	if (!key)
		return NULL;
	switch (lev->key_type) {
	case LEV_KEY_WAIT_BIT:
		lev->key_copy.bit.flags = bk->flags;
		lev->key_copy.bit.bit_nr = bk->bit_nr;
		lev->key_copy.bit.timeout = bk->timeout;
		return &lev->key_copy.bit;
	case LEV_KEY_WAIT_PAGE:
		lev->key_copy.page.page_match = 0;
		return &lev->key_copy.page;
	default:
		return key;
	}
}

/* Is @key the wake-up @lev holds?  Same word (or folio) and bit if copied. */
static bool lev_held_key(struct lev *lev, void *key)
{
	const struct wait_bit_key *bk = key;
	const struct wait_page_key *pk = key;

	if (!key || !lev->key)
		return key == lev->key;
	switch (lev->key_type) {
	case LEV_KEY_WAIT_BIT:
		return bk->flags == lev->key_copy.bit.flags &&
		       bk->bit_nr == lev->key_copy.bit.bit_nr;
	case LEV_KEY_WAIT_PAGE:
		return pk->folio == lev->key_copy.page.folio &&
		       pk->bit_nr == lev->key_copy.page.bit_nr;
	default:
		return key == lev->key;
	}
}

/*
 * A folio layer sees the wake-ups of its folio's bit only.  For every
 * wake-up of its folio, whichever bit, it sets page_match, as
 * wake_page_match() does for a sleeping waiter: folio_wake_bit() clears
 * PG_waiters when its walk met no waiter of the folio, and then neither
 * the layer nor the waiters it holds back would be woken again.  Called
 * with the queue's lock held, on the waker's key.
 */
static bool lev_folio_wake(struct lev *lev, void *key)
{
	struct wait_page_key *pk = key;

	if (!pk || pk->folio != lev->key_copy.page.folio)
		return false;
	pk->page_match = 1;
	return pk->bit_nr == lev->key_copy.page.bit_nr;
}

static int lev_wake_function(struct wait_queue_entry *wait, unsigned int mode,
			     int wake_flags, void *key)
{
	struct lev *lev = container_of(wait, struct lev, wait);

	if (lev->key_type == LEV_KEY_WAIT_PAGE && !lev_folio_wake(lev, key))
		return 0;

	/* The replay of the held wake-up will cover this one too. */
	if (test_bit(LEV_HELD, &lev->flags) && lev_held_key(lev, key))
		return -1;

	if (lev->ops->wake(lev, key) == LEV_CONTINUE)
		return 0;

	/* A layer holds one wake-up at a time: two means a broken ->wake(). */
	if (WARN_ON_ONCE(test_bit(LEV_HELD, &lev->flags)))
		return 0;

	lev->mode = mode;
	lev->wake_flags = wake_flags;
	lev->key = lev_save_key(lev, key);
	set_bit(LEV_HELD, &lev->flags);
	trace_lev_defer(lev);
	if (lev->ops->work)
		queue_work(lev->wq, &lev->work);
	return -1;
}

static void lev_workfn(struct work_struct *work)
{
	struct lev *lev = container_of(work, struct lev, work);

	lev->ops->work(lev);
	lev_release(lev);
}

/**
 * lev_init - initialise a layered event
 * @lev: the layer
 * @ops: its operations; ->wake is required
 * @data: private data, in @lev->data
 *
 * Any context.
 */
void lev_init(struct lev *lev, const struct lev_ops *ops, void *data)
{
	init_waitqueue_func_entry(&lev->wait, lev_wake_function);
	lev->wait.flags = WQ_FLAG_PRIORITY;
	lev->data = data;
	lev->ops = ops;
	lev->head = NULL;
	lev->flags = 0;
	lev->key = NULL;
	lev->key_type = LEV_KEY_VALUE;
	lev->wq = system_wq;
	INIT_WORK(&lev->work, lev_workfn);
}
EXPORT_SYMBOL_GPL(lev_init);

/* Claim @lev for a queue: it has a ->wake op and is not queued yet. */
static int lev_claim(struct lev *lev)
{
	if (!lev->ops || !lev->ops->wake) {
		cev_misuse("layer %p has no wake op", lev);
		return -EINVAL;
	}
	if (test_and_set_bit(LEV_QUEUED, &lev->flags)) {
		cev_misuse("layer %p is already queued", lev);
		return -EBUSY;
	}
	return 0;
}

static void lev_queue(struct wait_queue_head *head, struct lev *lev)
{
	unsigned long flags;

	lev->head = head;
	spin_lock_irqsave(&head->lock, flags);
	list_add(&lev->wait.entry, &head->head);
	spin_unlock_irqrestore(&head->lock, flags);
}

/**
 * lev_add - put a layer on a wait queue
 * @head: the wait queue head of the object to layer on
 * @lev: an initialised layer that is not queued
 *
 * The layer runs on every wake-up of @head before every entry that is
 * queued there when it is added or later, other than layers added later:
 * the layer added last runs first, as in a driver stack.  Any context, but
 * not with @head's lock held.  A layer on a folio's queue is added with
 * folio_lev_add().
 *
 * Return: 0; -EINVAL if @lev has no ->wake op or a key_type other than
 * %LEV_KEY_VALUE and %LEV_KEY_WAIT_BIT; -EBUSY if @lev is queued.
 */
int lev_add(struct wait_queue_head *head, struct lev *lev)
{
	int ret;

	if (lev->key_type != LEV_KEY_VALUE && lev->key_type != LEV_KEY_WAIT_BIT) {
		cev_misuse("layer %p has key type %d", lev, lev->key_type);
		return -EINVAL;
	}
	ret = lev_claim(lev);
	if (ret)
		return ret;
	lev_queue(head, lev);
	return 0;
}
EXPORT_SYMBOL_GPL(lev_add);

/**
 * lev_add_folio - put a layer on a folio's wait queue, for one of its bits
 * @head: the folio's queue, which mm/filemap.c alone can find
 * @lev: an initialised layer that is not queued
 * @folio: the folio
 * @bit_nr: the bit whose clearing the layer sees
 *
 * For folio_lev_add(), which documents it; nothing else should call it.
 * The layer's ->wake op sees the wake-ups of @folio's @bit_nr only, with
 * their &struct wait_page_key.  Any context, but not with @head's lock
 * held.
 *
 * Return: 0; -EINVAL if @lev has no ->wake op; -EBUSY if @lev is queued.
 */
int lev_add_folio(struct wait_queue_head *head, struct lev *lev,
		  struct folio *folio, int bit_nr)
{
	int ret = lev_claim(lev);

	if (ret)
		return ret;
	lev->key_type = LEV_KEY_WAIT_PAGE;
	lev->key_copy.page.folio = folio;
	lev->key_copy.page.bit_nr = bit_nr;
	lev->key_copy.page.page_match = 0;
	lev_queue(head, lev);
	return 0;
}
EXPORT_SYMBOL_GPL(lev_add_folio);

/**
 * lev_release - wake the waiters a layer held back
 * @lev: a layer whose ->wake returned %LEV_DEFER
 *
 * Replays the held wake-up to the entries queued after @lev, lower layers
 * first.  Called by the core after ->work, or by a layer without ->work
 * when its deferred work is done.  Any context; must not be called with
 * the queue's lock held.  Exclusive waiters behind a held layer are all
 * woken: the walk that was stopped does not say how many it still owed.
 */
void lev_release(struct lev *lev)
{
	struct wait_queue_head *head = lev->head;
	unsigned long flags;
	bool held;

	spin_lock_irqsave(&head->lock, flags);
	/*
	 * Fully ordered: the bit is clear before wake_up_var() looks for
	 * lev_del() without a lock.  Pairs with set_current_state() in its
	 * wait_var_event().
	 */
	held = test_and_clear_bit(LEV_HELD, &lev->flags);
	if (held) {
		trace_lev_release(lev);
		__wake_up_locked_after(head, &lev->wait, lev->mode,
				       lev->wake_flags, lev->key);
	}
	spin_unlock_irqrestore(&head->lock, flags);
	if (!held) {
		cev_misuse("layer %p released but not holding", lev);
		return;
	}
	wake_up_var(&lev->flags);
}
EXPORT_SYMBOL_GPL(lev_release);

/* Take @lev off its queue unless it holds waiters back; true if taken. */
static bool lev_try_unqueue(struct lev *lev)
{
	struct wait_queue_head *head = lev->head;
	unsigned long flags;
	bool held;

	spin_lock_irqsave(&head->lock, flags);
	held = test_bit(LEV_HELD, &lev->flags);
	if (!held)
		list_del_init(&lev->wait.entry);
	spin_unlock_irqrestore(&head->lock, flags);
	return !held;
}

/**
 * lev_del - take a layer off its wait queue
 * @lev: a queued layer
 *
 * Waits until the layer holds nothing back (its deferred work done and the
 * waiters behind it released), then unqueues it.  When it returns, no op
 * of @lev runs any more and @lev may be freed.  Task context; may sleep.
 */
void lev_del(struct lev *lev)
{
	might_sleep();
	if (!test_bit(LEV_QUEUED, &lev->flags)) {
		cev_misuse("layer %p is not queued", lev);
		return;
	}
	while (!lev_try_unqueue(lev))
		wait_var_event(&lev->flags, !test_bit(LEV_HELD, &lev->flags));
	flush_work(&lev->work);
	clear_bit(LEV_QUEUED, &lev->flags);
}
EXPORT_SYMBOL_GPL(lev_del);

/* ---------------------------------------------------------------------------
 * Compound events
 */

/* A child's state: &cev_wait.state. */
enum {
	CEV_CHILD_IDLE,		/* initialised, never added */
	CEV_CHILD_QUEUEING,	/* linked to its parent, not yet queued */
	CEV_CHILD_PENDING,	/* queued, waiting for its event */
	CEV_CHILD_DONE,		/* its event completed it */
	CEV_CHILD_CANCELLED,	/* cancelled before its event */
};

static const struct cev_wait_ops cev_sub_ops;

static const struct debug_obj_descr cev_debug_descr = { .name = "cev" };
static const struct debug_obj_descr cev_wait_debug_descr = {
	.name = "cev_wait",
};

/* Compounds and children may live on the stack, like completions. */
static void cev_debug_init(void *addr, const struct debug_obj_descr *descr)
{
	if (object_is_on_stack(addr))
		debug_object_init_on_stack(addr, descr);
	else
		debug_object_init(addr, descr);
}

/* Detached: the object may be freed; forget one whose frame is going. */
static void cev_debug_release(void *addr, const struct debug_obj_descr *descr)
{
	debug_object_deactivate(addr, descr);
	if (object_is_on_stack(addr))
		debug_object_free(addr, descr);
}

static unsigned long cev_lock(struct cev *cev)
	__acquires(&cev->wq.lock)
{
	unsigned long flags;

	spin_lock_irqsave_nested(&cev->wq.lock, flags, READ_ONCE(cev->level));
	return flags;
}

static void cev_unlock(struct cev *cev, unsigned long flags)
	__releases(&cev->wq.lock)
{
	spin_unlock_irqrestore(&cev->wq.lock, flags);
}

static void cev_set_state_locked(struct cev *cev, unsigned long bits)
{
	WRITE_ONCE(cev->state, cev->state | bits);
}

/* The compound a child is attached to. */
static struct cev *cev_of(const struct cev_wait *cw)
{
	return cw->wait.private;
}

/*
 * cev_all counts its children's successes without its lock, as a bio
 * counts its chained children in __bi_remaining: &cev.remaining counts
 * one for each child that has not reported its final result, plus one
 * until the compound is armed, and whoever takes it to zero completes the
 * compound.
 * The other policies may complete on any report, and a custom one reads
 * the counters as they change: they take the lock for every report.
 */
static bool cev_lockless(const struct cev *cev)
{
	return cev->ops == &cev_all;
}

/*
 * One child of a cev_all compound reported its final result, or the arm
 * bias is dropped: true if that was the last.  Fully ordered, as every
 * decrement of &cev.remaining is: a child adds its count to
 * &cev.count_sum before it, and whoever sees zero, here or in
 * cev_all_complete(), reads the sum after it.
 */
static bool cev_all_put(struct cev *cev)
{
	return atomic_dec_and_test(&cev->remaining);
}

/*
 * cev_all's children that reported their final result: those neither
 * still pending nor cancelled.  Exact with the lock held once no child can
 * report any more (at completion); a snapshot otherwise.
 */
static void cev_settle_done_locked(struct cev *cev)
{
	unsigned int bias = !(cev->state & CEV_ARMED);

	if (cev_lockless(cev))
		cev->nr_done = cev->nr_children -
			       (atomic_read(&cev->remaining) - bias);
}

/* Deliver the compound: its results first, then CEV_DONE, then its waiters. */
static void cev_complete_locked(struct cev *cev)
{
	lockdep_assert_held(&cev->wq.lock);
	if (cev_lockless(cev)) {
		/*
		 * Every report reached &cev.remaining before its last
		 * decrement, which was fully ordered before this: the sum is
		 * complete.
		 */
		cev->count += atomic64_read(&cev->count_sum);
		cev_settle_done_locked(cev);
	}
	/* Pairs with smp_load_acquire() in cev_done(): results first. */
	smp_store_release(&cev->state, cev->state | CEV_DONE);
	trace_cev_complete(cev);
	wake_up_all_locked(&cev->wq);
}

static void cev_evaluate_locked(struct cev *cev)
{
	if ((cev->state & (CEV_ARMED | CEV_CANCELLED | CEV_DONE)) != CEV_ARMED)
		return;
	if (cev->ops->complete(cev))
		cev_complete_locked(cev);
}

/*
 * Move a child's result to its parent: the parent's half of the wake-up.
 * Nothing moves once the parent has completed: its results are final.
 * Out of line: the wake functions inline cev_report()'s lockless case.
 */
static noinline void cev_collate(struct cev *cev, struct cev_wait *cw,
				 enum cev_result res)
{
	unsigned long flags = cev_lock(cev);
	bool counted = !(cev->state & CEV_DONE);

	trace_cev_child_report(cev, cw, res == CEV_DETACH, counted);
	if (counted) {
		if (res == CEV_DETACH) {
			/* cev_evaluate_locked() reads the count again. */
			if (cev_lockless(cev))
				cev_all_put(cev);
			else
				cev->nr_done++;
			if (cw->status)
				cev->nr_failed++;
		}
		if (cw->status && !cev->status)
			cev->status = cw->status;
		cev->count += cw->count;
		cev_evaluate_locked(cev);
	}
	cev_unlock(cev, flags);
}

/* Under the compound's lock: the last report of a cev_all compound. */
static void cev_evaluate(struct cev *cev)
{
	unsigned long flags = cev_lock(cev);

	cev_evaluate_locked(cev);
	cev_unlock(cev, flags);
}

/*
 * Move a child's result to its parent.  A successful child of a cev_all
 * compound takes no lock unless it is the last: its count goes to
 * &cev.count_sum before its fully ordered decrement of &cev.remaining, so
 * whoever takes that to zero sees every count.  It cannot come after the
 * compound completed: cev_all completes only once every child reported.
 * After the decrement only the report that took it to zero uses @cev;
 * that one is safe because it runs in @cw's wake function, before @cw
 * leaves its queue: cev_finish() takes @cw's queue lock, or sees it off
 * the queue (an ACQUIRE that pairs with list_del_init_careful()), and
 * then @cev's own lock, before @cev may be freed.  A report made
 * anywhere else would need its own guarantee.
 */
static __always_inline void cev_report(struct cev *cev, struct cev_wait *cw,
				       enum cev_result res)
{
	if (!cev_lockless(cev) || cw->status) {
		cev_collate(cev, cw, res);
		return;
	}
	trace_cev_child_report(cev, cw, res == CEV_DETACH, true);
	if (cw->count)
		atomic64_add(cw->count, &cev->count_sum);
	if (res == CEV_DETACH && cev_all_put(cev))
		cev_evaluate(cev);
}

/*
 * A PENDING child's event completed it; its queue's lock is held.  Taking
 * it off the queue is the last thing done with it, and a RELEASE, as in
 * autoremove_wake_function(): cev_child_cancel() lets a child it finds off
 * its queue and DONE go without taking the queue's lock.
 */
static void cev_child_done_locked(struct cev_wait *cw)
{
	lockdep_assert_held(&cw->head->lock);
	/* Pairs with atomic_read_acquire() in cev_wait_done(). */
	atomic_set_release(&cw->state, CEV_CHILD_DONE);
	cev_report(cev_of(cw), cw, CEV_DETACH);
	/* Pairs with list_empty_careful() in cev_child_cancel(). */
	list_del_init_careful(&cw->wait.entry);
}

/* Only a PENDING child is here: the queue's lock keeps it so. */
static int cev_child_wake(struct wait_queue_entry *wait, unsigned int mode,
			  int wake_flags, void *key)
{
	struct cev_wait *cw = container_of(wait, struct cev_wait, wait);
	enum cev_result res = CEV_DETACH;

	if (WARN_ON_ONCE(atomic_read(&cw->state) != CEV_CHILD_PENDING))
		return 0;
	if (cw->ops->event)
		res = cw->ops->event(cw, key);
	if (res == CEV_DETACH)
		cev_child_done_locked(cw);
	else if (res == CEV_KEEP)
		cev_report(cev_of(cw), cw, CEV_KEEP);
	return 0;
}

/*
 * Cancel @cw unless its event completed it: 1 if it was cancelled.  Takes
 * the child off its queue in any case, and so waits out a wake function
 * running on it.  ->cancel() runs here for a queued child; one still being
 * queued has not started, and its cev_add() returns -ECANCELED.
 *
 * A child whose wake function is done with it needs no lock: DONE, then
 * off its queue.  DONE first, an ACQUIRE: a child is DONE only once
 * queued, so an empty entry seen after it was taken off by
 * cev_child_done_locked(), not one still being queued by cev_add().
 */
static unsigned int cev_child_cancel(struct cev *cev, struct cev_wait *cw)
{
	struct wait_queue_head *head = cw->head;
	unsigned long flags;
	bool cancelled;
	int state;

	if (atomic_read_acquire(&cw->state) == CEV_CHILD_DONE &&
	    list_empty_careful(&cw->wait.entry))
		return 0;
	spin_lock_irqsave(&head->lock, flags);
	state = atomic_read(&cw->state);
	cancelled = state == CEV_CHILD_PENDING || state == CEV_CHILD_QUEUEING;
	if (cancelled)
		atomic_set(&cw->state, CEV_CHILD_CANCELLED);
	list_del_init(&cw->wait.entry);
	spin_unlock_irqrestore(&head->lock, flags);

	if (!cancelled)
		return 0;
	trace_cev_child_cancel(cev, cw, state == CEV_CHILD_PENDING);
	if (state == CEV_CHILD_PENDING && cw->ops->cancel)
		cw->ops->cancel(cw);
	return 1;
}

static bool cev_k_succeeded(struct cev *cev, unsigned int k)
{
	if (cev->nr_done - cev->nr_failed >= k) {
		cev->status = 0;	/* k good results outweigh the errors */
		return true;
	}
	/* Give up as soon as k successes are out of reach. */
	return cev->nr_children - cev->nr_failed < k;
}

static bool cev_all_complete(struct cev *cev)
{
	/* A custom policy may call this: it counts under the lock. */
	if (!cev_lockless(cev))
		return cev->nr_done == cev->nr_children;
	/* See cev_all_put(). */
	return !atomic_read_acquire(&cev->remaining);
}

static bool cev_any_complete(struct cev *cev)
{
	return cev_k_succeeded(cev, 1);
}

static bool cev_k_of_n_complete(struct cev *cev)
{
	return cev_k_succeeded(cev, cev->need);
}

/*
 * cev_all - complete when every child has reported; status: first error
 */
const struct cev_ops cev_all = { .complete = cev_all_complete };
EXPORT_SYMBOL_GPL(cev_all);

/*
 * cev_any - complete on the first child that succeeds; when all failed,
 * with the first error.  cev_k_of_n with k = 1.
 */
const struct cev_ops cev_any = { .complete = cev_any_complete };
EXPORT_SYMBOL_GPL(cev_any);

/*
 * cev_k_of_n - complete when &cev.need children succeeded (status 0), or
 * as soon as that is out of reach (status: first error)
 */
const struct cev_ops cev_k_of_n = { .complete = cev_k_of_n_complete };
EXPORT_SYMBOL_GPL(cev_k_of_n);

static bool cev_counts_successes(const struct cev *cev)
{
	return cev->ops == &cev_any || cev->ops == &cev_k_of_n;
}

/**
 * cev_init - initialise a compound event
 * @cev: the compound
 * @ops: its completion policy: &cev_all, &cev_any, &cev_k_of_n or custom
 * @need: for &cev_k_of_n, the successes it needs; 0 means 1.  &cev_all
 *	and &cev_any ignore it (any means one).  Custom policies may use it
 *	as they like.
 *
 * A compound that was initialised must be finished with cev_finish()
 * before it is freed or initialised again.  Any context.
 */
void cev_init(struct cev *cev, const struct cev_ops *ops, unsigned int need)
{
	cev_debug_init(cev, &cev_debug_descr);
	init_waitqueue_head(&cev->wq);
	cev->ops = ops;
	cev->state = 0;
	atomic_set(&cev->remaining, 1);
	cev->need = ops == &cev_any ? 1 : need ?: 1;
	cev->nr_children = 0;
	cev->nr_done = 0;
	cev->nr_failed = 0;
	cev->nr_cancelled = 0;
	cev->status = 0;
	cev->count = 0;
	atomic64_set(&cev->count_sum, 0);
	cev->level = 0;
	cev->nr_up = 0;
	cev->children = NULL;
	cev->tail = &cev->children;
	cev->data = NULL;
	debug_object_activate(cev, &cev_debug_descr);
}
EXPORT_SYMBOL_GPL(cev_init);

/**
 * cev_wait_init - initialise a child event
 * @cw: the child
 * @ops: its operations; every op may be %NULL, @ops may not
 * @data: private data, in @cw->data
 *
 * Any context.
 */
void cev_wait_init(struct cev_wait *cw, const struct cev_wait_ops *ops,
		   void *data)
{
	cev_debug_init(cw, &cev_wait_debug_descr);
	init_waitqueue_func_entry(&cw->wait, cev_child_wake);
	INIT_LIST_HEAD(&cw->wait.entry);
	cw->ops = ops;
	cw->head = NULL;
	cw->next = NULL;
	atomic_set(&cw->state, CEV_CHILD_IDLE);
	cw->status = 0;
	cw->count = 0;
	cw->data = data;
}
EXPORT_SYMBOL_GPL(cev_wait_init);

/*
 * Link @cw to @cev as QUEUEING.  The children list is frozen once @cev is
 * cancelled: a canceller walks it without the lock.  A cev_all compound
 * whose &cev.remaining is zero has completed but for taking its lock.
 */
static int cev_link_child(struct cev *cev, struct cev_wait *cw,
			  struct wait_queue_head *head)
{
	unsigned long flags;

	debug_object_activate(cw, &cev_wait_debug_descr);
	flags = cev_lock(cev);
	if ((cev->state & (CEV_CANCELLED | CEV_DONE)) ||
	    (cev_lockless(cev) && !atomic_inc_not_zero(&cev->remaining))) {
		cev_unlock(cev, flags);
		debug_object_deactivate(cw, &cev_wait_debug_descr);
		return -EINVAL;
	}
	WRITE_ONCE(cw->wait.private, cev);
	cw->head = head;
	cw->status = 0;
	cw->count = 0;
	atomic_set(&cw->state, CEV_CHILD_QUEUEING);
	cw->next = NULL;
	*cev->tail = cw;
	cev->tail = &cw->next;
	cev->nr_children++;
	trace_cev_add(cev, cw, head,
		      cw->ops == &cev_sub_ops ? cw->data : NULL);
	cev_unlock(cev, flags);
	return 0;
}

/*
 * Queue @cw on its head, or report it at once if ->ready() says it is done.
 * If a canceller got to it first, it is not queued: -ECANCELED.
 */
static int cev_queue_child(struct cev_wait *cw)
{
	struct wait_queue_head *head = cw->head;
	unsigned long flags;
	int ret = -ECANCELED;

	spin_lock_irqsave(&head->lock, flags);
	if (atomic_read(&cw->state) == CEV_CHILD_QUEUEING) {
		__add_wait_queue(head, &cw->wait);
		atomic_set(&cw->state, CEV_CHILD_PENDING);
		if (cw->ops->ready) {
			/* Pairs with the waker's barrier before it looks. */
			smp_mb();
			if (cw->ops->ready(cw))
				cev_child_done_locked(cw);
		}
		ret = 0;
	}
	spin_unlock_irqrestore(&head->lock, flags);
	return ret;
}

/**
 * cev_add - attach a child event to a compound and queue it
 * @cev: the compound; armed or not, but not completed or cancelled
 * @cw: an initialised child, not attached to any compound
 * @head: the wait queue head of the child's event
 *
 * Queues @cw on @head behind any layers there.  If @cw->ops->ready says the
 * event has already happened, the child is reported at once, so an event
 * that came before the child was queued is not lost.
 *
 * A child may be added to an armed compound, and while another CPU
 * completes or cancels it.  Add the child before starting its operation:
 * an error says not to start it.  cev_finish() must not run until every
 * cev_add() on @cev has returned.  Any context, but not with @head's lock
 * or @cev's held (so not from a wake function on @head).  To nest a
 * compound, use cev_add_cev().
 *
 * Return: 0 if @cw is attached and queued; -ECANCELED if @cev was
 * cancelled while @cw was being added: @cw is attached and counted in
 * &cev.nr_cancelled, but not queued, and its ->cancel() is not called;
 * -EINVAL if @cw has no ops, or @cev had completed or been cancelled
 * before (@cw is not attached; an armed &cev_all compound whose last child
 * has reported counts as completed, though cev_done() may not say so yet);
 * -EBUSY if @cw is attached already.  Either way an attached child is
 * detached by cev_finish().
 */
int cev_add(struct cev *cev, struct cev_wait *cw, struct wait_queue_head *head)
{
	int ret;

	if (!cw->ops) {
		cev_misuse("child %p has no ops", cw);
		return -EINVAL;
	}
	if (atomic_read(&cw->state) == CEV_CHILD_PENDING ||
	    atomic_read(&cw->state) == CEV_CHILD_QUEUEING) {
		cev_misuse("child %p is pending already", cw);
		return -EBUSY;
	}
	if (cev_wait_attached(cw)) {
		cev_misuse("child %p is attached to compound %p", cw,
			   cev_of(cw));
		return -EBUSY;
	}
	ret = cev_link_child(cev, cw, head);
	if (ret)
		return ret;
	return cev_queue_child(cw);
}
EXPORT_SYMBOL_GPL(cev_add);

/**
 * cev_wait_done - did a child's own event complete it?
 * @cw: a child
 *
 * True once ->event() returned %CEV_DETACH or ->ready() returned true for
 * @cw, whether or not its parent counted the result (a child that
 * completes after its parent has is not counted); false while it is
 * pending and if it was cancelled.  The answer stays after cev_finish(),
 * until @cw is added again.  Lockless; any context.  An ACQUIRE: once it
 * returned true, @cw->status and @cw->count may be read.
 *
 * Return: true if @cw's event completed it.
 */
bool cev_wait_done(const struct cev_wait *cw)
{
	/* Pairs with atomic_set_release() in cev_child_done_locked(). */
	return atomic_read_acquire(&cw->state) == CEV_CHILD_DONE;
}
EXPORT_SYMBOL_GPL(cev_wait_done);

/*
 * @sub is nested in one more or one fewer compound.  Under its lock: the
 * enclosing compounds may belong to different tasks.
 */
static void cev_count_up(struct cev *sub, int delta)
{
	unsigned long flags = cev_lock(sub);

	WRITE_ONCE(sub->nr_up, sub->nr_up + delta);
	cev_unlock(sub, flags);
}

static enum cev_result cev_sub_event(struct cev_wait *cw, void *key)
{
	struct cev *sub = cw->data;

	if (!cev_done(sub))
		return CEV_IGNORE;
	cw->status = sub->status;
	cw->count = sub->count;
	return CEV_DETACH;
}

static bool cev_sub_ready(struct cev_wait *cw)
{
	return cev_sub_event(cw, NULL) == CEV_DETACH;
}

static void cev_sub_cancel(struct cev_wait *cw)
{
	cev_cancel(cw->data);
}

static const struct cev_wait_ops cev_sub_ops = {
	.event = cev_sub_event,
	.ready = cev_sub_ready,
	.cancel = cev_sub_cancel,
};

/**
 * cev_add_cev - nest a compound as a child of another
 * @cev: the enclosing compound
 * @cw: a child initialised by cev_wait_init(), not attached to any
 *	compound; its ops and data are replaced
 * @sub: the nested compound
 *
 * @cw reports @sub's status and count to @cev when @sub completes, and
 * cancelling @cev cancels @sub.  Build trees from the leaves up: @cev's
 * lock level must be raised above @sub's before @cev is nested itself.
 * Tear them down from the root: @sub must not be finished or freed before
 * @cev is finished.  Any context.
 *
 * Return: as cev_add(), but on -ECANCELED @sub is cancelled here; -ELOOP
 * if @sub is @cev; -EMLINK if the tree would be deeper than
 * %CEV_MAX_LEVEL; -EBUSY if @cev, already nested, would have to change
 * level.
 */
int cev_add_cev(struct cev *cev, struct cev_wait *cw, struct cev *sub)
{
	unsigned int level = READ_ONCE(sub->level) + 1;
	int ret;

	if (sub == cev) {
		cev_misuse("compound %p nested in itself", cev);
		return -ELOOP;
	}
	if (level > CEV_MAX_LEVEL) {
		cev_misuse("compounds nested deeper than %d", CEV_MAX_LEVEL);
		return -EMLINK;
	}
	if (level > READ_ONCE(cev->level)) {
		if (READ_ONCE(cev->nr_up)) {
			cev_misuse("compound %p is nested already; build from the leaves up",
				   cev);
			return -EBUSY;
		}
		WRITE_ONCE(cev->level, level);
	}
	if (!cev_wait_attached(cw)) {
		cw->ops = &cev_sub_ops;
		cw->data = sub;
	}
	ret = cev_add(cev, cw, &sub->wq);
	if (ret != -EINVAL && ret != -EBUSY)
		cev_count_up(sub, 1);
	/* @cev was cancelled meanwhile: @sub has started, so cancel it. */
	if (ret == -ECANCELED)
		cev_cancel(sub);
	return ret;
}
EXPORT_SYMBOL_GPL(cev_add_cev);

/**
 * cev_arm - let a compound complete
 * @cev: the compound
 *
 * Until it is armed a compound counts its children's results but does not
 * complete, so that all children can be attached first.  If the policy is
 * met already, the compound completes here.  Any context.
 *
 * Return: 0; -EINVAL if the policy has no complete() op, asks for more
 * successes than there are children, or @cev completed (it was cancelled);
 * -EBUSY if @cev is armed already.
 */
int cev_arm(struct cev *cev)
{
	unsigned long flags;

	if (!cev->ops || !cev->ops->complete) {
		cev_misuse("compound %p has no complete op", cev);
		return -EINVAL;
	}
	flags = cev_lock(cev);
	if (cev->state & (CEV_ARMED | CEV_DONE)) {
		bool armed = cev->state & CEV_ARMED;

		cev_unlock(cev, flags);
		cev_misuse("compound %p is %s already", cev,
			   armed ? "armed" : "complete");
		return armed ? -EBUSY : -EINVAL;
	}
	if (cev_counts_successes(cev) && cev->need > cev->nr_children) {
		unsigned int n = cev->nr_children;

		cev_unlock(cev, flags);
		cev_misuse("compound %p needs %u of %u children", cev,
			   cev->need, n);
		return -EINVAL;
	}
	cev_set_state_locked(cev, CEV_ARMED);
	/* cev_all: the last report can complete it from now on. */
	if (cev_lockless(cev))
		cev_all_put(cev);	/* read again by the policy */
	trace_cev_arm(cev);
	cev_evaluate_locked(cev);
	cev_unlock(cev, flags);
	return 0;
}
EXPORT_SYMBOL_GPL(cev_arm);

/**
 * cev_cancel - cancel a compound and its pending children
 * @cev: the compound
 *
 * Marks @cev cancelled, so that it attaches no more children and does not
 * complete by its policy; calls ->cancel() once for every child that has
 * not completed, nested compounds included; then completes @cev with
 * status -ECANCELED, waking its waiters.  A child that completes while
 * this runs is counted as done or as cancelled, never both, and only one
 * of its ->event() returning %CEV_DETACH and its ->cancel() happens.  The
 * ->cancel() of a child that a concurrent cev_add() has not yet queued
 * is not called: that cev_add() returns -ECANCELED.  Any context, but not
 * under @cev's lock (a wake function on @cev->wq, a ->complete op) nor the
 * wait queue lock of a child of @cev or of a compound nested in it.
 *
 * Return: 0 if @cev was cancelled; -EALREADY if it had completed or was
 * being cancelled already, in which case nothing is done.
 */
int cev_cancel(struct cev *cev)
{
	struct cev_wait *cw;
	unsigned int cancelled = 0;
	unsigned long flags;

	lockdep_assert_not_held(&cev->wq.lock);
	flags = cev_lock(cev);
	if (cev->state & (CEV_CANCELLED | CEV_DONE)) {
		cev_unlock(cev, flags);
		return -EALREADY;
	}
	cev_set_state_locked(cev, CEV_CANCELLED);
	cev_settle_done_locked(cev);	/* for the event: done so far */
	trace_cev_cancel(cev);
	cev_unlock(cev, flags);

	for (cw = cev->children; cw; cw = cw->next)
		cancelled += cev_child_cancel(cev, cw);

	flags = cev_lock(cev);
	cev->nr_cancelled += cancelled;
	cev->status = -ECANCELED;
	cev_complete_locked(cev);
	cev_unlock(cev, flags);
	return 0;
}
EXPORT_SYMBOL_GPL(cev_cancel);

/**
 * cev_finish - detach every child of a compound
 * @cev: the compound
 *
 * Cancels @cev if it has not completed; cancels the children still pending
 * after it completed (the rest of an any-of or k-of-n compound); takes every
 * child off its wait queue and its parent, waiting out a wake function
 * running on it.
 * Afterwards no op of @cev or its children runs, the children may be added
 * again, and both may be freed or initialised again.  @cev's results are
 * those it completed with: the children cancelled here are not in
 * &cev.nr_cancelled.  cev_wait_done() still tells which children's events
 * completed them.  A child on the stack is initialised again with
 * cev_wait_init() before it is added again.
 *
 * Every wait queue head the children were queued on must still exist, and
 * must outlive the wake-up that completed a child: a child its event
 * completed is let go without its queue's lock, as finish_wait() lets an
 * entry go that autoremove_wake_function() took off, and the waker may
 * still be walking that queue.  A compound nested in others is finished
 * after them (cev_add_cev()).  The
 * ->cancel() of a child cancelled here may run while the wake-up that
 * completed @cev is still waking @cev's waiters; no op runs once this
 * returns.
 * Must not run concurrently with cev_cancel() or cev_add() on @cev.  Any
 * context, but not under the locks cev_cancel() must not run under.
 *
 * Return: the number of children cancelled after @cev completed.
 */
unsigned int cev_finish(struct cev *cev)
{
	struct cev_wait *cw, *next;
	unsigned int cancelled = 0;
	unsigned long flags;

	if (READ_ONCE(cev->nr_up))
		cev_misuse("compound %p finished while nested in %u others",
			   cev, READ_ONCE(cev->nr_up));
	/* Completed, the usual case: nothing to cancel, no lock to take. */
	if (!cev_done(cev))
		cev_cancel(cev);
	for (cw = cev->children; cw; cw = next) {
		next = cw->next;
		cancelled += cev_child_cancel(cev, cw);
		if (cw->ops == &cev_sub_ops)
			cev_count_up(cw->data, -1);
		cw->next = NULL;
		WRITE_ONCE(cw->wait.private, NULL);
		cev_debug_release(cw, &cev_wait_debug_descr);
	}
	cev->children = NULL;
	cev->tail = &cev->children;
	/* Waits out the wake-up of @cev's own waiters. */
	flags = cev_lock(cev);
	cev_unlock(cev, flags);
	cev_debug_release(cev, &cev_debug_descr);
	return cancelled;
}
EXPORT_SYMBOL_GPL(cev_finish);

static long cev_schedule(long timeout, bool io)
{
	return io ? io_schedule_timeout(timeout) : schedule_timeout(timeout);
}

/* One wait serves every variant, as in kernel/sched/completion.c. */
static long cev_wait_common(struct cev *cev, unsigned int state, long timeout,
			    bool io)
{
	long ret = timeout;

	might_sleep();
	/*
	 * The completing wake-up may still be walking @cev->wq when this
	 * returns: cev_finish(), due before @cev is freed, waits it out.
	 */
	if (!cev_done(cev))
		ret = ___wait_event(cev->wq, ___wait_cond_timeout(cev_done(cev)),
				    state, 0, timeout,
				    __ret = cev_schedule(__ret, io));
	return ret;
}

/**
 * wait_for_cev - wait for a compound to complete
 * @cev: the compound
 *
 * Sleeps uninterruptibly until @cev completes or is cancelled.  Task
 * context.  Implies the ACQUIRE of cev_done().  Unlike a completion, @cev
 * may not be freed or go out of scope when this returns: the wake-up that
 * completed it may still be running, and cev_finish() waits it out.  So do
 * the other waits.
 *
 * Return: @cev's status.
 */
int wait_for_cev(struct cev *cev)
{
	cev_wait_common(cev, TASK_UNINTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT, false);
	return cev->status;
}
EXPORT_SYMBOL_GPL(wait_for_cev);

/**
 * wait_for_cev_io - wait for a compound of I/O
 * @cev: the compound
 *
 * As wait_for_cev(), but the wait counts as waiting for I/O (iowait), as
 * wait_on_buffer() and wait_for_completion_io() do.  Task context.
 *
 * Return: @cev's status.
 */
int wait_for_cev_io(struct cev *cev)
{
	cev_wait_common(cev, TASK_UNINTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT, true);
	return cev->status;
}
EXPORT_SYMBOL_GPL(wait_for_cev_io);

/**
 * wait_for_cev_killable - wait for a compound, unless killed
 * @cev: the compound
 *
 * As wait_for_cev(), but a fatal signal ends the wait.  Task context.
 *
 * Return: -ERESTARTSYS if killed, else @cev's status.
 */
int wait_for_cev_killable(struct cev *cev)
{
	long ret = cev_wait_common(cev, TASK_KILLABLE, MAX_SCHEDULE_TIMEOUT,
				   false);

	return ret < 0 ? ret : cev->status;
}
EXPORT_SYMBOL_GPL(wait_for_cev_killable);

/**
 * wait_for_cev_timeout - wait for a compound, for at most a time
 * @cev: the compound
 * @timeout: in jiffies
 *
 * Sleeps uninterruptibly until @cev completes or @timeout elapses; the
 * compound is not cancelled on timeout.  Task context.
 *
 * Return: 0 on timeout, else the jiffies left (at least 1).
 */
long wait_for_cev_timeout(struct cev *cev, long timeout)
{
	return cev_wait_common(cev, TASK_UNINTERRUPTIBLE, timeout, false);
}
EXPORT_SYMBOL_GPL(wait_for_cev_timeout);
