/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of layered and compound events (kernel/cev.c).
 *
 * A stuck I/O is a compound that never completed: these events show when
 * it was armed and with how many children, which children reported and
 * whether their parent still counted them, which were cancelled, how the
 * compound completed, and which layers held a wake-up back and when they
 * let it go.  Objects are named by their (hashed) addresses, the same in
 * every event of one boot while they live: cev_add names each child with
 * its parent, the queue it waits on and, for a nested compound, the
 * compound, so that a tree can be followed from its leaves to its root
 * and a child that never reported still has an event.  The tracefs option
 * hash-ptr=0 prints the addresses themselves.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM cev

#if !defined(_TRACE_CEV_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_CEV_H

#include <linux/cev.h>
#include <linux/tracepoint.h>

/*
 * cev_add - a child is attached to a compound, about to be queued
 * @cev: the compound
 * @cw: the child
 * @wq: the wait queue it is queued on
 * @sub: the compound nested through @cw (cev_add_cev()), or %NULL
 */
TRACE_EVENT(cev_add,
	    TP_PROTO(const struct cev *cev, const struct cev_wait *cw,
		     const struct wait_queue_head *wq, const struct cev *sub),
	    TP_ARGS(cev, cw, wq, sub),
	    TP_STRUCT__entry(__field(const void *, cev)
			     __field(const void *, child)
			     __field(const void *, head)
			     __field(const void *, sub)),
	    TP_fast_assign(__entry->cev = cev;
			   __entry->child = cw;
			   __entry->head = wq;
			   __entry->sub = sub;),
	    TP_printk("cev=%p child=%p head=%p sub=%p",
		      __entry->cev, __entry->child, __entry->head,
		      __entry->sub)
);

/*
 * cev_arm - a compound may complete from now on
 * @cev: the compound, with the children attached so far
 */
TRACE_EVENT(cev_arm,
	    TP_PROTO(const struct cev *cev),
	    TP_ARGS(cev),
	    TP_STRUCT__entry(__field(const void *, cev)
			     __field(unsigned int, nr_children)
			     __field(unsigned int, need)
			     __field(unsigned int, level)),
	    TP_fast_assign(__entry->cev = cev;
			   __entry->nr_children = cev->nr_children;
			   __entry->need = cev->need;
			   __entry->level = READ_ONCE(cev->level);),
	    TP_printk("cev=%p children=%u need=%u level=%u",
		      __entry->cev, __entry->nr_children, __entry->need,
		      __entry->level)
);

/*
 * cev_complete - a compound completed, by its policy or cancelled
 * @cev: the compound, its results final
 */
TRACE_EVENT(cev_complete,
	    TP_PROTO(const struct cev *cev),
	    TP_ARGS(cev),
	    TP_STRUCT__entry(__field(const void *, cev)
			     __field(int, status)
			     __field(u64, count)
			     __field(unsigned int, nr_children)
			     __field(unsigned int, nr_done)
			     __field(unsigned int, nr_failed)
			     __field(unsigned int, nr_cancelled)),
	    TP_fast_assign(__entry->cev = cev;
			   __entry->status = cev->status;
			   __entry->count = cev->count;
			   __entry->nr_children = cev->nr_children;
			   __entry->nr_done = cev->nr_done;
			   __entry->nr_failed = cev->nr_failed;
			   __entry->nr_cancelled = cev->nr_cancelled;),
	    TP_printk("cev=%p status=%d count=%llu children=%u done=%u failed=%u cancelled=%u",
		      __entry->cev, __entry->status, __entry->count,
		      __entry->nr_children, __entry->nr_done,
		      __entry->nr_failed, __entry->nr_cancelled)
);

/*
 * cev_cancel - a compound is being cancelled; its pending children follow
 * @cev: the compound
 */
TRACE_EVENT(cev_cancel,
	    TP_PROTO(const struct cev *cev),
	    TP_ARGS(cev),
	    TP_STRUCT__entry(__field(const void *, cev)
			     __field(unsigned int, nr_children)
			     __field(unsigned int, nr_done)),
	    TP_fast_assign(__entry->cev = cev;
			   __entry->nr_children = cev->nr_children;
			   __entry->nr_done = cev->nr_done;),
	    TP_printk("cev=%p children=%u done=%u",
		      __entry->cev, __entry->nr_children, __entry->nr_done)
);

/*
 * cev_child_report - a child's event reported to its parent
 * @cev: the parent
 * @cw: the child, its status and count filled by its ->event or ->ready
 * @done: the child completed (false: progress, CEV_KEEP)
 * @counted: the parent took the result (false: it had completed already)
 */
TRACE_EVENT(cev_child_report,
	    TP_PROTO(const struct cev *cev, const struct cev_wait *cw,
		     bool done, bool counted),
	    TP_ARGS(cev, cw, done, counted),
	    TP_STRUCT__entry(__field(const void *, cev)
			     __field(const void *, child)
			     __field(int, status)
			     __field(u64, count)
			     __field(bool, done)
			     __field(bool, counted)),
	    TP_fast_assign(__entry->cev = cev;
			   __entry->child = cw;
			   __entry->status = cw->status;
			   __entry->count = cw->count;
			   __entry->done = done;
			   __entry->counted = counted;),
	    TP_printk("cev=%p child=%p status=%d count=%llu done=%d counted=%d",
		      __entry->cev, __entry->child, __entry->status,
		      __entry->count, __entry->done, __entry->counted)
);

/*
 * cev_child_cancel - a child was cancelled before its event completed it
 * @cev: the parent
 * @cw: the child
 * @queued: it was on its wait queue, so its ->cancel() runs; false: a
 *	cev_add() still queueing it will return -ECANCELED
 */
TRACE_EVENT(cev_child_cancel,
	    TP_PROTO(const struct cev *cev, const struct cev_wait *cw,
		     bool queued),
	    TP_ARGS(cev, cw, queued),
	    TP_STRUCT__entry(__field(const void *, cev)
			     __field(const void *, child)
			     __field(bool, queued)),
	    TP_fast_assign(__entry->cev = cev;
			   __entry->child = cw;
			   __entry->queued = queued;),
	    TP_printk("cev=%p child=%p queued=%d",
		      __entry->cev, __entry->child, __entry->queued)
);

#ifndef _TRACE_CEV_KEY
#define _TRACE_CEV_KEY
/*
 * The held wake-up's key: for a bit wait queue, the word and the bit it
 * is for; for a folio's, the folio and the bit; else the key itself
 * (often a poll mask, or NULL) and bit -1.
 */
static inline const void *lev_trace_key(const struct lev *lev)
{
	if (!lev->key)
		return NULL;
	switch (lev->key_type) {
	case LEV_KEY_WAIT_BIT:
		return lev->key_copy.bit.flags;
	case LEV_KEY_WAIT_PAGE:
		return lev->key_copy.page.folio;
	default:
		return lev->key;
	}
}

static inline int lev_trace_bit(const struct lev *lev)
{
	if (!lev->key)
		return -1;
	switch (lev->key_type) {
	case LEV_KEY_WAIT_BIT:
		return lev->key_copy.bit.bit_nr;
	case LEV_KEY_WAIT_PAGE:
		return lev->key_copy.page.bit_nr;
	default:
		return -1;
	}
}
#endif

DECLARE_EVENT_CLASS(lev_class,
		    TP_PROTO(const struct lev *lev),
		    TP_ARGS(lev),
		    TP_STRUCT__entry(__field(const void *, lev)
				     __field(const void *, head)
				     __field(const void *, key)
				     __field(int, bit)),
		    TP_fast_assign(__entry->lev = lev;
				   __entry->head = lev->head;
				   __entry->key = lev_trace_key(lev);
				   __entry->bit = lev_trace_bit(lev);),
		    TP_printk("lev=%p head=%p key=%p bit=%d",
			      __entry->lev, __entry->head, __entry->key,
			      __entry->bit)
);

/*
 * lev_defer - a layer holds back a wake-up of its queue
 * @lev: the layer, with the held wake-up's key: the word and bit of a
 *	bit wait queue's, else the key
 */
DEFINE_EVENT(lev_class, lev_defer,
	     TP_PROTO(const struct lev *lev),
	     TP_ARGS(lev)
);

/*
 * lev_release - a layer lets the wake-up it held go on to the entries
 * queued behind it
 * @lev: the layer
 */
DEFINE_EVENT(lev_class, lev_release,
	     TP_PROTO(const struct lev *lev),
	     TP_ARGS(lev)
);

#endif /* _TRACE_CEV_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
