// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for folio_cev_add() and folio_lev_add() in mm/filemap.c:
 * compound children and layers on the end of a folio's lock and of its
 * writeback.
 *
 * The folios belong to no file: the test locks them and starts and ends
 * their writeback itself, as a file system and its I/O completion would.
 */
#include <kunit/test.h>
#include <linux/cev.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

static void folio_put_action(void *folio)
{
	folio_put(folio);
}

static struct folio *test_folio(struct kunit *test)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);

	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, folio_put_action, folio), 0);
	return folio;
}

/* A compound of one child on @folio's @bit_nr, armed. */
static struct cev *one_child(struct kunit *test, struct folio *folio,
			     int bit_nr)
{
	struct cev *cev = kunit_kzalloc(test, sizeof(*cev), GFP_KERNEL);
	struct cev_wait *cw = kunit_kzalloc(test, sizeof(*cw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cev);
	KUNIT_ASSERT_NOT_NULL(test, cw);
	cev_init(cev, &cev_all, 0);
	cev_wait_init(cw, NULL, NULL);
	KUNIT_ASSERT_EQ(test, folio_cev_add(cev, cw, folio, bit_nr), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	return cev;
}

static void cev_test_folio_child_completes_on_unlock(struct kunit *test)
{
	struct folio *folio = test_folio(test);
	struct cev *cev;

	folio_lock(folio);
	cev = one_child(test, folio, PG_locked);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	/* Without PG_waiters, folio_unlock() would wake nobody. */
	KUNIT_EXPECT_TRUE(test, folio_test_waiters(folio));
	folio_unlock(folio);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	KUNIT_EXPECT_EQ(test, cev->count, folio_size(folio));
	cev_finish(cev);
}

static void cev_test_folio_unlocked_completes_at_add(struct kunit *test)
{
	struct folio *folio = test_folio(test);
	struct cev *cev = one_child(test, folio, PG_writeback);

	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	cev_finish(cev);
}

/*
 * A wake-up of the folio's other bit, on the same queue, must neither
 * complete the child nor let folio_wake_bit() clear PG_waiters under it:
 * the end of writeback would then wake nobody and the child would hang.
 */
static void cev_test_folio_writeback_child_keeps_waiters(struct kunit *test)
{
	struct folio *folio = test_folio(test);
	struct cev *cev;

	folio_lock(folio);
	folio_start_writeback(folio);
	cev = one_child(test, folio, PG_writeback);
	folio_unlock(folio);		/* wakes the queue for PG_locked */
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	KUNIT_EXPECT_TRUE(test, folio_test_waiters(folio));
	folio_end_writeback(folio);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	cev_finish(cev);
}

static void cev_test_folio_other_bit_is_refused(struct kunit *test)
{
	struct cev *cev = kunit_kzalloc(test, sizeof(*cev), GFP_KERNEL);
	struct cev_wait *cw = kunit_kzalloc(test, sizeof(*cw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cev);
	KUNIT_ASSERT_NOT_NULL(test, cw);
	cev_init(cev, &cev_all, 0);
	cev_wait_init(cw, NULL, NULL);
	KUNIT_EXPECT_EQ(test, folio_cev_add(cev, cw, test_folio(test), PG_dirty),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, cev_wait_attached(cw));
	cev_finish(cev);
}

/* A layer that holds back the waiters of the end of a folio's writeback. */
struct wb_layer {
	struct lev lev;
	struct folio *folio;
	struct cev *behind;	/* a compound whose child is queued behind */
	int wakes;
	int works;
	bool behind_done_in_work;
};

static enum lev_action wb_layer_wake(struct lev *lev, void *key)
{
	struct wb_layer *l = lev->data;
	struct wait_page_key *k = key;

	/* The core passes the ends of this folio's writeback only. */
	if (k->folio == l->folio && k->bit_nr == PG_writeback)
		l->wakes++;
	return LEV_DEFER;
}

static void wb_layer_work(struct lev *lev)
{
	struct wb_layer *l = lev->data;

	if (l->behind && cev_done(l->behind))
		l->behind_done_in_work = true;
	l->works++;
}

static const struct lev_ops wb_layer_ops = {
	.wake = wb_layer_wake,
	.work = wb_layer_work,
};

static void lev_del_action(void *lev)
{
	lev_del(lev);
}

/* A writeback of the folio, started under its lock; the layer's work run. */
static void end_writeback_once(struct wb_layer *l)
{
	folio_lock(l->folio);
	folio_start_writeback(l->folio);
	folio_unlock(l->folio);
	folio_end_writeback(l->folio);
	flush_work(&l->lev.work);
}

/*
 * The layer holds back a child waiting for the end of writeback until its
 * work ran; a child waiting for the lock, queued behind it too, is still
 * woken by the unlock; the unlocks never reach ->wake; and after them the
 * next end of writeback still does (the layer keeps PG_waiters).
 */
static void cev_test_folio_layer_holds_back_writeback(struct kunit *test)
{
	struct wb_layer *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct folio *folio = test_folio(test);
	struct cev *locked;

	KUNIT_ASSERT_NOT_NULL(test, l);
	l->folio = folio;
	lev_init(&l->lev, &wb_layer_ops, l);
	KUNIT_ASSERT_EQ(test, folio_lev_add(&l->lev, folio, PG_dirty), -EINVAL);
	KUNIT_ASSERT_EQ(test, folio_lev_add(&l->lev, folio, PG_writeback), 0);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, lev_del_action, &l->lev), 0);
	KUNIT_EXPECT_TRUE(test, folio_test_waiters(folio));

	folio_lock(folio);
	folio_start_writeback(folio);
	l->behind = one_child(test, folio, PG_writeback);
	locked = one_child(test, folio, PG_locked);
	folio_end_writeback(folio);
	KUNIT_EXPECT_GT(test, wait_for_cev_timeout(l->behind, 10 * HZ), 0);
	KUNIT_EXPECT_EQ(test, l->works, 1);
	KUNIT_EXPECT_FALSE(test, l->behind_done_in_work);
	KUNIT_EXPECT_FALSE(test, cev_done(locked));
	folio_unlock(folio);
	KUNIT_EXPECT_TRUE(test, cev_done(locked));
	cev_finish(l->behind);
	cev_finish(locked);
	l->behind = NULL;

	/* Each writeback is unlocked before it ends: those pass the layer. */
	end_writeback_once(l);
	KUNIT_EXPECT_EQ(test, l->works, 2);
	end_writeback_once(l);
	KUNIT_EXPECT_EQ(test, l->works, 3);
	KUNIT_EXPECT_EQ(test, l->wakes, 3);
}

static struct kunit_case cev_folio_cases[] = {
	KUNIT_CASE(cev_test_folio_child_completes_on_unlock),
	KUNIT_CASE(cev_test_folio_unlocked_completes_at_add),
	KUNIT_CASE(cev_test_folio_writeback_child_keeps_waiters),
	KUNIT_CASE(cev_test_folio_other_bit_is_refused),
	KUNIT_CASE(cev_test_folio_layer_holds_back_writeback),
	{}
};

static struct kunit_suite cev_folio_suite = {
	.name = "cev_folio",
	.test_cases = cev_folio_cases,
};

kunit_test_suite(cev_folio_suite);

MODULE_DESCRIPTION("KUnit tests for compound events on folios");
MODULE_LICENSE("GPL");
