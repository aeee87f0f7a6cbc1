// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the buffer-head helpers of layered and compound events:
 * bh_cev_add(), bh_lev_add() and wait_on_buffers() in fs/buffer.c.
 *
 * The buffers have no device: the test locks them as a submitter would
 * and ends their "I/O" itself, from a kthread when a waiter must sleep.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/buffer_head.h>
#include <linux/cev.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>

static void bh_free_action(void *bh)
{
	free_buffer_head(bh);
}

static struct buffer_head *test_bh(struct kunit *test)
{
	struct buffer_head *bh = alloc_buffer_head(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bh);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bh_free_action, bh), 0);
	bh->b_size = 4096;
	return bh;
}

/* What end_buffer_read_sync() does to a buffer, without the put. */
static void end_io(struct buffer_head *bh, bool ok)
{
	if (ok)
		set_buffer_uptodate(bh);
	else
		clear_buffer_uptodate(bh);
	unlock_buffer(bh);
}

static struct cev_wait *test_child(struct kunit *test)
{
	struct cev_wait *cw = kunit_kzalloc(test, sizeof(*cw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cw);
	cev_wait_init(cw, NULL, NULL);
	return cw;
}

static void cev_test_bh_child_completes_on_unlock(struct kunit *test)
{
	struct buffer_head *good = test_bh(test), *bad = test_bh(test);
	struct cev *cev = kunit_kzalloc(test, sizeof(*cev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cev);
	lock_buffer(good);
	lock_buffer(bad);
	cev_init(cev, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, bh_cev_add(cev, test_child(test), good), 0);
	KUNIT_ASSERT_EQ(test, bh_cev_add(cev, test_child(test), bad), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	end_io(good, true);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	end_io(bad, false);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, -EIO);
	KUNIT_EXPECT_EQ(test, cev->count, 8192);
	cev_finish(cev);
}

static void cev_test_bh_child_ignores_other_buffers(struct kunit *test)
{
	struct buffer_head *bh = test_bh(test), *other = test_bh(test);
	struct cev *cev = kunit_kzalloc(test, sizeof(*cev), GFP_KERNEL);
	struct wait_bit_key other_key = {
		.flags = &other->b_state,
		.bit_nr = BH_Lock,
	};

	KUNIT_ASSERT_NOT_NULL(test, cev);
	lock_buffer(bh);
	cev_init(cev, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, bh_cev_add(cev, test_child(test), bh), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	/* Another buffer hashed to the same queue: its wake-up, bh's queue. */
	__wake_up(bh_wait_queue(bh), TASK_NORMAL, 1, &other_key);
	KUNIT_EXPECT_FALSE(test, cev_done(cev));
	end_io(bh, true);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	cev_finish(cev);
}

static void cev_test_bh_unlocked_buffer_completes_at_add(struct kunit *test)
{
	struct buffer_head *bh = test_bh(test);
	struct cev *cev = kunit_kzalloc(test, sizeof(*cev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cev);
	set_buffer_uptodate(bh);	/* its I/O ended before we looked */
	cev_init(cev, &cev_all, 0);
	KUNIT_ASSERT_EQ(test, bh_cev_add(cev, test_child(test), bh), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	KUNIT_EXPECT_TRUE(test, cev_done(cev));
	KUNIT_EXPECT_EQ(test, cev->status, 0);
	cev_finish(cev);
}

struct bh_xor {
	struct lev lev;
	struct buffer_head *bh;
	u8 data;		/* stands for the buffer's contents */
	u8 seen_by_child;
};

static enum lev_action bh_xor_wake(struct lev *lev, void *key)
{
	struct bh_xor *x = lev->data;

	if (!bh_wake_key_matches(x->bh, key) || !buffer_uptodate(x->bh))
		return LEV_CONTINUE;
	return LEV_DEFER;
}

static void bh_xor_work(struct lev *lev)
{
	struct bh_xor *x = lev->data;

	x->data ^= 0x5a;
}

static const struct lev_ops bh_xor_ops = {
	.wake = bh_xor_wake,
	.work = bh_xor_work,
};

static enum cev_result bh_xor_child_event(struct cev_wait *cw, void *key)
{
	struct bh_xor *x = cw->data;

	if (!bh_wake_key_matches(x->bh, key) || buffer_locked(x->bh))
		return CEV_IGNORE;
	x->seen_by_child = x->data;
	return CEV_DETACH;
}

static const struct cev_wait_ops bh_xor_child_ops = {
	.event = bh_xor_child_event,
};

static void cev_test_bh_layer_transforms_before_child(struct kunit *test)
{
	struct bh_xor *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	struct cev *cev = kunit_kzalloc(test, sizeof(*cev), GFP_KERNEL);
	struct cev_wait *cw = test_child(test);

	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, cev);
	x->bh = test_bh(test);
	x->data = 0x5a ^ 0x42;		/* "encrypted" on the device */
	lock_buffer(x->bh);
	lev_init(&x->lev, &bh_xor_ops, x);
	KUNIT_ASSERT_EQ(test, bh_lev_add(&x->lev, x->bh), 0);
	cev_init(cev, &cev_all, 0);
	cev_wait_init(cw, &bh_xor_child_ops, x);
	KUNIT_ASSERT_EQ(test, cev_add(cev, cw, bh_wait_queue(x->bh)), 0);
	KUNIT_ASSERT_EQ(test, cev_arm(cev), 0);
	end_io(x->bh, true);
	KUNIT_EXPECT_EQ(test, wait_for_cev_timeout(cev, 10 * HZ) > 0, true);
	KUNIT_EXPECT_EQ(test, x->seen_by_child, 0x42);
	cev_finish(cev);
	lev_del(&x->lev);
}

struct delayed_end {
	struct buffer_head **bhs;
	int nr;
	int fail;		/* index of the buffer that fails, or -1 */
};

static int delayed_end_fn(void *arg)
{
	struct delayed_end *d = arg;
	int i;

	for (i = d->nr - 1; i >= 0; i--) {
		usleep_range(5000, 6000);
		end_io(d->bhs[i], i != d->fail);
	}
	return 0;
}

static void run_wait_on_buffers(struct kunit *test, int fail, int expect)
{
	struct buffer_head *bhs[6];
	struct delayed_end d = { .bhs = bhs, .nr = 6, .fail = fail };
	struct task_struct *t;
	int i;

	for (i = 0; i < 6; i++) {
		bhs[i] = test_bh(test);
		lock_buffer(bhs[i]);
	}
	bhs[2] = NULL;			/* a hole */
	d.nr = 2;			/* end 0 and 1 from the thread ... */
	t = kthread_run(delayed_end_fn, &d, "cev-bh-end");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	for (i = 3; i < 6; i++)	/* ... and 3..5 now */
		end_io(bhs[i], i != fail);
	KUNIT_EXPECT_EQ(test, wait_on_buffers(6, bhs), expect);
	for (i = 0; i < 6; i++)
		if (bhs[i])
			KUNIT_EXPECT_FALSE(test, buffer_locked(bhs[i]));
}

static void cev_test_wait_on_buffers_waits_for_all(struct kunit *test)
{
	run_wait_on_buffers(test, -1, 0);
}

static void cev_test_wait_on_buffers_reports_eio(struct kunit *test)
{
	run_wait_on_buffers(test, 1, -EIO);
}

/* bh_cev_add() that fails for the second buffer it is given. */
static int bh_cev_add_fails_second(struct cev *cev, struct cev_wait *cw,
				   struct buffer_head *bh)
{
	struct kunit *test = kunit_get_current_test();
	int *calls = test->priv;
	int ret;

	if (++*calls == 2)
		return -ENOMEM;
	kunit_deactivate_static_stub(test, bh_cev_add);
	ret = bh_cev_add(cev, cw, bh);
	kunit_activate_static_stub(test, bh_cev_add, bh_cev_add_fails_second);
	return ret;
}

static void cev_test_wait_on_buffers_falls_back_after_add_error(struct kunit *test)
{
	struct buffer_head *bhs[3];
	struct delayed_end d = { .bhs = bhs + 1, .nr = 2, .fail = -1 };
	struct task_struct *t;
	int calls = 0, i;

	for (i = 0; i < 3; i++) {
		bhs[i] = test_bh(test);
		lock_buffer(bhs[i]);
	}
	test->priv = &calls;
	kunit_activate_static_stub(test, bh_cev_add, bh_cev_add_fails_second);
	end_io(bhs[0], true);
	t = kthread_run(delayed_end_fn, &d, "cev-bh-end");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_EQ(test, wait_on_buffers(3, bhs), 0);
	KUNIT_EXPECT_EQ(test, calls, 2);
	/* Every buffer was waited for, not only those added before the error. */
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_FALSE(test, buffer_locked(bhs[i]));
	kunit_deactivate_static_stub(test, bh_cev_add);
	for (i = 0; i < 3; i++)
		wait_on_buffer(bhs[i]);		/* the thread is done with them */
}

/* A device that ends its I/O in the order it was submitted. */
struct ordered_end {
	struct buffer_head **bhs;
	int nr;
	int fail;		/* index of the buffer that fails, or -1 */
	struct completion done;
};

static int ordered_end_fn(void *arg)
{
	struct ordered_end *d = arg;
	int i;

	for (i = 0; i < d->nr; i++) {
		usleep_range(200, 400);
		end_io(d->bhs[i], i != d->fail);
	}
	complete(&d->done);
	return 0;
}

#define MANY_BUFFERS	20	/* more than one batch of wait_on_buffers() */

static void run_wait_on_many_buffers(struct kunit *test, int fail, int expect)
{
	struct buffer_head *bhs[MANY_BUFFERS];
	struct ordered_end d = { .bhs = bhs, .nr = MANY_BUFFERS, .fail = fail };
	struct task_struct *t;
	int i;

	for (i = 0; i < MANY_BUFFERS; i++) {
		bhs[i] = test_bh(test);
		lock_buffer(bhs[i]);
	}
	init_completion(&d.done);
	t = kthread_run(ordered_end_fn, &d, "cev-bh-end");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_EQ(test, wait_on_buffers(MANY_BUFFERS, bhs), expect);
	/* Waited for all of them, the failed one's batch included. */
	for (i = 0; i < MANY_BUFFERS; i++)
		KUNIT_EXPECT_FALSE_MSG(test, buffer_locked(bhs[i]), "buffer %d", i);
	wait_for_completion(&d.done);
}

static void cev_test_wait_on_buffers_many_in_order(struct kunit *test)
{
	run_wait_on_many_buffers(test, -1, 0);
}

/* The failed buffer is in the batch waited for first, the last eight. */
static void cev_test_wait_on_buffers_waits_for_all_after_eio(struct kunit *test)
{
	run_wait_on_many_buffers(test, MANY_BUFFERS - 5, -EIO);
}

/*
 * A device that ends the buffers in a given order, once @start is
 * completed.  A step of -1 stands for another task that reads the failed
 * buffer again and makes it uptodate.
 */
struct scripted_end {
	struct buffer_head **bhs;
	const int *steps;
	int nr_steps;
	int fail;
	struct completion start;
	struct completion done;
};

static int scripted_end_fn(void *arg)
{
	struct scripted_end *d = arg;
	int i, b;

	wait_for_completion(&d->start);
	for (i = 0; i < d->nr_steps; i++) {
		usleep_range(200, 400);
		b = d->steps[i];
		if (b < 0)
			set_buffer_uptodate(d->bhs[d->fail]);
		else
			end_io(d->bhs[b], b != d->fail);
	}
	complete(&d->done);
	return 0;
}

/* bh_cev_add() that starts the device once the failing buffer is added. */
static int bh_cev_add_starts_device(struct cev *cev, struct cev_wait *cw,
				    struct buffer_head *bh)
{
	struct kunit *test = kunit_get_current_test();
	struct scripted_end *d = test->priv;
	int ret;

	kunit_deactivate_static_stub(test, bh_cev_add);
	ret = bh_cev_add(cev, cw, bh);
	kunit_activate_static_stub(test, bh_cev_add, bh_cev_add_starts_device);
	if (bh == d->bhs[d->fail])
		complete(&d->start);
	return ret;
}

/*
 * The failed buffer is in the first batch; the others are waited for
 * while another task makes it uptodate again.  Its write failed all the
 * same: the error must not get lost.
 */
static void cev_test_wait_on_buffers_keeps_eio(struct kunit *test)
{
	static const int steps[] = {
		12, 13, 14, 15, 16, 17, 18, 19, -1,
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	};
	struct buffer_head *bhs[MANY_BUFFERS];
	struct scripted_end d = {
		.bhs = bhs, .steps = steps, .nr_steps = ARRAY_SIZE(steps),
		.fail = 15,
	};
	struct task_struct *t;
	int i;

	for (i = 0; i < MANY_BUFFERS; i++) {
		bhs[i] = test_bh(test);
		lock_buffer(bhs[i]);
	}
	init_completion(&d.start);
	init_completion(&d.done);
	test->priv = &d;
	kunit_activate_static_stub(test, bh_cev_add, bh_cev_add_starts_device);
	t = kthread_run(scripted_end_fn, &d, "cev-bh-end");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_EQ(test, wait_on_buffers(MANY_BUFFERS, bhs), -EIO);
	kunit_deactivate_static_stub(test, bh_cev_add);
	complete(&d.start);		/* if the buffer was never added */
	wait_for_completion(&d.done);
}

static struct kunit_case cev_buffer_cases[] = {
	KUNIT_CASE(cev_test_bh_child_completes_on_unlock),
	KUNIT_CASE(cev_test_bh_child_ignores_other_buffers),
	KUNIT_CASE(cev_test_bh_unlocked_buffer_completes_at_add),
	KUNIT_CASE(cev_test_bh_layer_transforms_before_child),
	KUNIT_CASE(cev_test_wait_on_buffers_waits_for_all),
	KUNIT_CASE(cev_test_wait_on_buffers_reports_eio),
	KUNIT_CASE(cev_test_wait_on_buffers_falls_back_after_add_error),
	KUNIT_CASE(cev_test_wait_on_buffers_many_in_order),
	KUNIT_CASE(cev_test_wait_on_buffers_waits_for_all_after_eio),
	KUNIT_CASE(cev_test_wait_on_buffers_keeps_eio),
	{}
};

static struct kunit_suite cev_buffer_suite = {
	.name = "cev_buffer",
	.test_cases = cev_buffer_cases,
};

kunit_test_suite(cev_buffer_suite);

MODULE_DESCRIPTION("KUnit tests for buffer-head layered and compound events");
MODULE_LICENSE("GPL");
