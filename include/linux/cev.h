/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layered events and compound events on wait queues.
 *
 * See Documentation/core-api/cev.rst and the header of kernel/cev.c.
 */
#ifndef _LINUX_CEV_H
#define _LINUX_CEV_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/pagemap.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

struct lev;
struct cev;
struct cev_wait;

/**
 * enum lev_action - what a layer's ->wake() op did with a wake-up
 * @LEV_CONTINUE: the layer is done (or the wake-up is not its business);
 *	the entries queued after it are woken now.
 * @LEV_DEFER: the layer has work left; the entries queued after it are held
 *	back until lev_release().  With a ->work() op the core runs it in task
 *	context and releases; without one the layer calls lev_release() itself.
 */
enum lev_action {
	LEV_CONTINUE,
	LEV_DEFER,
};

/**
 * enum lev_key_type - what the wake-up keys of a layer's queue are
 * @LEV_KEY_VALUE: values that outlive the wake-up (%NULL, poll masks, a
 *	pointer to the object): a held key is kept as it is and matched by
 *	value.
 * @LEV_KEY_WAIT_BIT: &struct wait_bit_key in the waker's stack frame, as
 *	wake_up_bit() and wake_up_var() pass: a held key is copied, and
 *	matched by word and bit.
 * @LEV_KEY_WAIT_PAGE: &struct wait_page_key in the waker's stack frame, as
 *	folio_wake_bit() passes; set by folio_lev_add(), not by hand.  The
 *	layer's ->wake sees the wake-ups of its folio's bit only; for every
 *	wake-up of its folio the core sets page_match, so that the waker
 *	keeps PG_waiters for the layer and the waiters held behind it.
 */
enum lev_key_type {
	LEV_KEY_VALUE,
	LEV_KEY_WAIT_BIT,
	LEV_KEY_WAIT_PAGE,
};

/**
 * struct lev_ops - operations of a layered event
 * @wake: called in the waker's context (any context, hardirq included) with
 *	the wait queue head's lock held, for every wake-up of the queue.  Must
 *	not sleep, allocate or take the head's lock.
 * @work: optional; called in task context (&lev.wq) after @wake returned
 *	%LEV_DEFER.  The held waiters are woken when it returns.
 */
struct lev_ops {
	enum lev_action (*wake)(struct lev *lev, void *key);
	void (*work)(struct lev *lev);
};

/**
 * struct lev - a layered event: a callback on someone else's wait queue
 * @wait: the entry queued on @head
 * @data: the layer's private data
 * @ops: the layer's operations
 * @head: the wait queue head the layer is queued on, or %NULL
 * @flags: %LEV_QUEUED, %LEV_HELD (internal)
 * @mode: @wake_flags: @key: the held wake-up, replayed by lev_release()
 * @wake_flags: see @mode
 * @key: see @mode
 * @key_type: set before lev_add() to %LEV_KEY_WAIT_BIT on a bit wait
 *	queue (bh_lev_add() does); %LEV_KEY_WAIT_PAGE is set by
 *	lev_add_folio(); %LEV_KEY_VALUE by default
 * @key_copy: the copy of a held wait-bit key; a folio layer's folio and
 *	bit, and its held key
 * @wq: where @work runs: system_wq unless set before lev_add().  A layer
 *	in an I/O path that memory reclaim may wait on needs a workqueue
 *	with WQ_MEM_RECLAIM.
 * @work: runs @ops->work
 */
struct lev {
	struct wait_queue_entry wait;
	void *data;
	const struct lev_ops *ops;
	struct wait_queue_head *head;
	unsigned long flags;
	unsigned int mode;
	int wake_flags;
	void *key;
	enum lev_key_type key_type;
	union {
		struct wait_bit_key bit;
		struct wait_page_key page;
	} key_copy;
	struct workqueue_struct *wq;
	struct work_struct work;
};

void lev_init(struct lev *lev, const struct lev_ops *ops, void *data);
int lev_add(struct wait_queue_head *head, struct lev *lev);
int lev_add_folio(struct wait_queue_head *head, struct lev *lev,
		  struct folio *folio, int bit_nr);
void lev_del(struct lev *lev);
void lev_release(struct lev *lev);

/**
 * struct cev_ops - completion policy of a compound event
 * @complete: called with the parent's lock held whenever a child reports,
 *	once the parent is armed (&cev_all's own policy is called only for
 *	the last report, a failed one and cev_arm()).  Returns true when the
 *	compound is complete.
 *	It may rewrite @cev->status (the core keeps the first error).  Runs in
 *	any context; must not sleep.
 *
 * cev_all, cev_any and cev_k_of_n are the built-in policies.
 */
struct cev_ops {
	bool (*complete)(struct cev *cev);
};

extern const struct cev_ops cev_all;
extern const struct cev_ops cev_any;
extern const struct cev_ops cev_k_of_n;

/**
 * struct cev - a compound event: the parent of child events
 * @wq: the compound as an event: tasks wait here, layers and the children
 *	of enclosing compounds queue here.  Woken once, at completion.
 * @ops: completion policy
 * @state: %CEV_ARMED, %CEV_CANCELLED, %CEV_DONE (internal; see cev_done())
 * @remaining: internal, &cev_all only: the children that have not reported
 *	their final result, plus one until the compound is armed.  Children
 *	that were cancelled are never taken off.
 * @need: children that must succeed (k of k-of-n; 1 for any)
 * @nr_children: children attached
 * @nr_done: children that reported their final result before completion
 *	(&cev_all counts them at completion)
 * @nr_failed: those of @nr_done that reported an error
 * @nr_cancelled: children cancelled by the cancellation of the compound
 *	(cev_finish() returns those it cancelled after completion)
 * @status: the compound's result: 0, the first child error, or -ECANCELED
 * @count: sum of the counts (bytes, items) the children reported before
 *	completion; final at completion (before it, &cev_all's holds only
 *	its failed children's)
 * @count_sum: internal, &cev_all only: the counts its children reported
 *	without the lock, added to @count at completion
 * @level: lockdep subclass of @wq.lock; one more than the highest nested
 *	compound below
 * @nr_up: number of enclosing compounds this one is a child of
 * @children: the first child; the others are linked by &cev_wait.next
 * @tail: where the next child is linked
 * @data: the owner's private data
 *
 * Fields from @nr_children to @count are written under @wq.lock until the
 * compound completes and never afterwards (&cev_all counts @nr_done and
 * the successful children's counts without the lock, and settles the two
 * fields at completion): they are stable to read once
 * cev_done() returned true, and stay so after cev_finish().  A child that
 * completes after its compound did (a loser of an any-of) keeps its result
 * in its own &cev_wait.status and &cev_wait.count; see cev_wait_done().
 */
struct cev {
	struct wait_queue_head wq;
	const struct cev_ops *ops;
	unsigned long state;
	atomic_t remaining;
	unsigned int need;
	unsigned int nr_children;
	unsigned int nr_done;
	unsigned int nr_failed;
	unsigned int nr_cancelled;
	int status;
	u64 count;
	atomic64_t count_sum;
	unsigned int level;
	unsigned int nr_up;
	struct cev_wait *children;
	struct cev_wait **tail;
	void *data;
};

/**
 * enum cev_result - what a child's ->event() op made of a wake-up
 * @CEV_IGNORE: not this child's event; nothing moves to the parent
 * @CEV_KEEP: move @status and @count to the parent, stay attached (progress)
 * @CEV_DETACH: the child is complete: move its result and detach
 */
enum cev_result {
	CEV_IGNORE,
	CEV_KEEP,
	CEV_DETACH,
};

/**
 * struct cev_wait_ops - operations of a child event
 * @event: called for each wake-up of the child's wait queue while the
 *	child is pending, in the waker's context with the queue's lock held.
 *	Fills &cev_wait.status and &cev_wait.count and says what to do.
 *	Once it returned %CEV_DETACH the child is complete: it is not
 *	called again and @cancel is never called.  %NULL: every wake-up
 *	completes the child with status 0.
 * @ready: called once the child is queued, in the caller of cev_add(), with
 *	the queue's lock held: has the event already happened?  If so it
 *	fills status and count like @event and returns true, with the same
 *	effect as %CEV_DETACH.  %NULL: never.
 * @cancel: called at most once, without any lock held, when the parent is
 *	cancelled or finished before the child's event completed it; cancels
 *	the underlying operation where it can.  The child is already off its
 *	wait queue, and @event will not be called again.  @event and @cancel
 *	exclude each other: a child is released by whichever of @event
 *	returning %CEV_DETACH (or @ready returning true) and @cancel runs.
 *	%NULL: nothing to withdraw.
 */
struct cev_wait_ops {
	enum cev_result (*event)(struct cev_wait *cw, void *key);
	bool (*ready)(struct cev_wait *cw);
	void (*cancel)(struct cev_wait *cw);
};

/**
 * struct cev_wait - a child event: ties an event on some wait queue to a parent
 * @wait: the entry queued on @head; its private field points to the
 *	compound the child is attached to, %NULL when it is not attached
 * @ops: the child's operations
 * @head: the wait queue the child is or was queued on
 * @next: the next child of the same compound
 * @state: internal; see cev_wait_done()
 * @status: result of the child's event, moved to the parent
 * @count: count of the child's event, moved to (and added to) the parent
 * @data: the owner's private data
 */
struct cev_wait {
	struct wait_queue_entry wait;
	const struct cev_wait_ops *ops;
	struct wait_queue_head *head;
	struct cev_wait *next;
	atomic_t state;
	int status;
	u64 count;
	void *data;
};

/* Deepest nesting: one lockdep subclass per level. */
#define CEV_MAX_LEVEL	7

void cev_init(struct cev *cev, const struct cev_ops *ops, unsigned int need);
void cev_wait_init(struct cev_wait *cw, const struct cev_wait_ops *ops,
		   void *data);
int cev_add(struct cev *cev, struct cev_wait *cw, struct wait_queue_head *head);
int cev_add_cev(struct cev *cev, struct cev_wait *cw, struct cev *sub);
bool cev_wait_done(const struct cev_wait *cw);
int cev_arm(struct cev *cev);
int cev_cancel(struct cev *cev);
unsigned int cev_finish(struct cev *cev);
int wait_for_cev(struct cev *cev);
int wait_for_cev_io(struct cev *cev);
int wait_for_cev_killable(struct cev *cev);
long wait_for_cev_timeout(struct cev *cev, long timeout);

/*
 * Page cache folios (mm/filemap.c).  Declared here rather than in
 * <linux/pagemap.h>, which nearly every file includes, for the few that
 * wait for folios with compound events or layer on them; only with
 * CONFIG_CEV, so that a caller without it fails to compile rather than to
 * link.
 */
#ifdef CONFIG_CEV
int folio_cev_add(struct cev *cev, struct cev_wait *cw, struct folio *folio,
		  int bit_nr);
int folio_lev_add(struct lev *lev, struct folio *folio, int bit_nr);
#endif

/**
 * cev_wait_attached - is a child attached to a compound?
 * @cw: an initialised child
 *
 * Return: true from cev_add() until cev_finish() detaches @cw.
 */
static inline bool cev_wait_attached(const struct cev_wait *cw)
{
	return !!READ_ONCE(cw->wait.private);
}

#define CEV_ARMED	BIT(0)
#define CEV_CANCELLED	BIT(1)
#define CEV_DONE	BIT(2)

/**
 * cev_done - has the compound completed?
 * @cev: the compound
 *
 * Lockless; any context.  An ACQUIRE: once it returned true the
 * compound's result fields may be read.  Pairs with the RELEASE in the
 * completion path.
 *
 * Return: true once the compound completed or was cancelled.
 */
static inline bool cev_done(const struct cev *cev)
{
	/* Pairs with smp_store_release() in cev_complete_locked(). */
	return smp_load_acquire(&cev->state) & CEV_DONE;
}

#endif /* _LINUX_CEV_H */
