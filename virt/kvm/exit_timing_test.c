// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for per-vCPU exit timing: the statistics (min, max, avg,
 * stddev, 128-bit sums of squares), the reason to row mapping, userspace
 * exits, halted time, resets and the debugfs table.  Built into
 * virt/kvm/exit_timing.c; all times are synthetic.
 */
#include <kunit/test.h>

struct et_test {
	struct kvm_exit_timing et;
	struct kvm_vcpu_stat_generic st;
	u64 now;
};

static struct et_test *et_test_new(struct kunit *test)
{
	struct et_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	seqcount_init(&t->et.seq);
	t->et.epoch = READ_ONCE(guest_util_epoch);
	t->et.mult = 1;		/* the clock counts nanoseconds */
	t->now = 1000000;
	return t;
}

/* @guest ns in guest, an exit for @reason, @exit ns until the next entry. */
static void et_run(struct et_test *t, u32 reason, u64 guest, u64 exit)
{
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	t->now += guest;
	__kvm_exit_timing_exit(&t->et, 2, reason, t->now);
	t->now += exit;
}

static struct kvm_exit_timing_row *et_find(struct et_test *t, u32 reason)
{
	u32 i;

	for (i = 0; i < t->et.nr_rows; i++)
		if (t->et.reasons[i] == reason)
			return &t->et.rows[i];
	return NULL;
}

static void exit_timing_stats(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	static const u64 times[] = { 2000, 4000, 4000, 4000, 5000, 5000, 7000, 9000 };
	struct kvm_exit_timing_row *r;
	int i;

	for (i = 0; i < ARRAY_SIZE(times); i++)
		et_run(t, 0x72, 100, times[i]);
	/* The last exit is still open: it counts at the next entry. */
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);

	r = et_find(t, 0x72);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 8);
	KUNIT_EXPECT_EQ(test, r->min_ns, 2000);
	KUNIT_EXPECT_EQ(test, r->max_ns, 9000);
	KUNIT_EXPECT_EQ(test, r->total_ns, 40000);
	/* mean 5000, population stddev exactly 2000 */
	KUNIT_EXPECT_EQ(test, kvm_exit_timing_stddev(r), 2000);
	KUNIT_EXPECT_EQ(test, r->user, 0);

	KUNIT_EXPECT_EQ(test, t->et.guest.count, 8);
	KUNIT_EXPECT_EQ(test, t->et.guest.total_ns, 800);
	KUNIT_EXPECT_EQ(test, kvm_exit_timing_stddev(&t->et.guest), 0);
	KUNIT_EXPECT_EQ(test, t->st.timed_exits, 8);
	KUNIT_EXPECT_EQ(test, t->st.exit_time_ns, 40000);
	KUNIT_EXPECT_EQ(test, t->st.guest_time_ns, 800);
}

static void exit_timing_min_first(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct kvm_exit_timing_row *r;

	/* A zero-length first exit is a real minimum, not "unset". */
	et_run(t, 7, 10, 0);
	et_run(t, 7, 10, 500);
	et_run(t, 7, 10, 0);
	r = et_find(t, 7);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 2);
	KUNIT_EXPECT_EQ(test, r->min_ns, 0);
	KUNIT_EXPECT_EQ(test, r->max_ns, 500);
}

static void exit_timing_big(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	const u64 big = 1ULL << 40;	/* 18 minutes: its square needs 81 bits */
	struct kvm_exit_timing_row *r;
	int i;

	for (i = 0; i < 16; i++)
		et_run(t, 1, 1, i & 1 ? big + 1000000 : big - 1000000);
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	r = et_find(t, 1);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 16);
	KUNIT_EXPECT_EQ(test, r->total_ns, 16 * big);
	/* 16 * 2^80 + 16 * 10^12: the high half is 16 * 2^16 */
	KUNIT_EXPECT_EQ(test, r->sumsq_hi, 16ULL << 16);
	KUNIT_EXPECT_EQ(test, kvm_exit_timing_stddev(r), 1000000);

	/* Two exits of 2^33 and 0 ns: mean 2^32, stddev 2^32. */
	t = et_test_new(test);
	et_run(t, 2, 1, 1ULL << 33);
	et_run(t, 2, 1, 0);
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	r = et_find(t, 2);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, kvm_exit_timing_stddev(r), 1ULL << 32);
}

static void exit_timing_reasons(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	u32 i;

	/* SVM-like sparse codes, colliding in the hash, and -1 (SVM_EXIT_ERR) */
	static const u32 reasons[] = { 0x72, 0x7b, 0x400, 0x403, 0xffffffff,
				       0x60, 0x78, 0x7c, 0x81 };

	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		et_run(t, reasons[i], 1, 10 + i);
		et_run(t, reasons[i], 1, 10 + i);
	}
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	KUNIT_EXPECT_EQ(test, t->et.nr_rows, ARRAY_SIZE(reasons));
	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		struct kvm_exit_timing_row *r = et_find(t, reasons[i]);

		KUNIT_ASSERT_NOT_NULL(test, r);
		KUNIT_EXPECT_EQ(test, r->count, 2);
		KUNIT_EXPECT_EQ(test, r->total_ns, 2 * (10 + i));
	}

	/* More distinct reasons than rows: the rest go to <other>. */
	t = et_test_new(test);
	for (i = 0; i < 100; i++)
		et_run(t, 1000 + i, 1, 1);
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	KUNIT_EXPECT_EQ(test, t->et.nr_rows, KVM_EXIT_TIMING_OTHER);
	KUNIT_EXPECT_EQ(test, t->et.rows[KVM_EXIT_TIMING_OTHER].count,
			100 - KVM_EXIT_TIMING_OTHER);
	KUNIT_EXPECT_EQ(test, t->st.timed_exits, 100);
}

static void exit_timing_user_and_halt(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct kvm_exit_timing_row *io, *hlt;

	/* An I/O exit completed by the VMM in userspace. */
	et_run(t, 0x7b, 100, 3000);
	t->et.user = true;		/* as kvm_exit_timing_to_user() */
	/* A HLT exit that halted 1 ms of its 1.002 ms. */
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	t->now += 100;
	__kvm_exit_timing_exit(&t->et, 2, 0x78, t->now);
	t->now += 1002000;
	__kvm_exit_timing_halted(&t->et, &t->st, 1000000);
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);

	io = et_find(t, 0x7b);
	hlt = et_find(t, 0x78);
	KUNIT_ASSERT_NOT_NULL(test, io);
	KUNIT_ASSERT_NOT_NULL(test, hlt);
	KUNIT_EXPECT_EQ(test, io->user, 1);
	KUNIT_EXPECT_EQ(test, io->total_ns, 3000);
	KUNIT_EXPECT_EQ(test, hlt->user, 0);
	KUNIT_EXPECT_EQ(test, hlt->total_ns, 2000);
	KUNIT_EXPECT_EQ(test, t->et.halted.count, 1);
	KUNIT_EXPECT_EQ(test, t->et.halted.total_ns, 1000000);
	KUNIT_EXPECT_EQ(test, t->st.halted_time_ns, 1000000);
	KUNIT_EXPECT_EQ(test, t->st.exit_time_ns, 5000);
}

static void exit_timing_reset(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct kvm_exit_timing_row *r;

	et_run(t, 0x72, 100, 500);
	et_run(t, 0x72, 100, 500);
	/* Reset asked while the second exit is open. */
	atomic_inc(&t->et.reset);
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	KUNIT_EXPECT_EQ(test, t->et.gen, 1);
	r = et_find(t, 0x72);
	KUNIT_ASSERT_NOT_NULL(test, r);
	/* Only the exit that closed after the reset is left, and its guest run. */
	KUNIT_EXPECT_EQ(test, r->count, 1);
	KUNIT_EXPECT_EQ(test, r->total_ns, 500);
	KUNIT_EXPECT_EQ(test, t->et.guest.count, 1);
	KUNIT_EXPECT_EQ(test, t->et.guest.total_ns, 100);
	/* The binary stats are cumulative: a reset does not touch them. */
	KUNIT_EXPECT_EQ(test, t->st.timed_exits, 2);
}

/* Offset of @a (or, if absent, of @b) in @buf; -1 if neither is there. */
static long et_pos(const char *buf, const char *a, const char *b)
{
	const char *p = strstr(buf, a);

	if (!p && b)
		p = strstr(buf, b);
	return p ? p - buf : -1;
}

static void exit_timing_table(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct seq_file m = { };
	char *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	m.buf = buf;
	m.size = 4096;
	et_run(t, 0x7b, 10, 300);
	et_run(t, 0x72, 10, 100);
	et_run(t, 0x72, 10, 100);
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	kvm_exit_timing_show(&m, &t->et);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	buf[m.count] = '\0';
	kunit_info(test, "table:\n%s", buf);
	KUNIT_EXPECT_TRUE(test, str_has_prefix(buf, "reason "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "user_exits\n"));
	/* Rows sorted by reason: 0x72 before 0x7b, then <guest>, <halted>. */
	KUNIT_EXPECT_GT(test, et_pos(buf, "\n0x72 ", "\ncpuid "), 0);
	KUNIT_EXPECT_LT(test, et_pos(buf, "\n0x72 ", "\ncpuid "),
			et_pos(buf, "\n0x7b ", "\nio "));
	KUNIT_EXPECT_LT(test, et_pos(buf, "\n0x7b ", "\nio "),
			et_pos(buf, "\n<guest> ", NULL));
	KUNIT_EXPECT_LT(test, et_pos(buf, "\n<guest> ", NULL),
			et_pos(buf, "\n<halted> ", NULL));
}

static void exit_timing_clock(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct kvm_exit_timing_row *r;

	/* A clock of 4 ticks per ns... */
	t->et.mult = 1;
	t->et.shift = 2;
	et_run(t, 5, 4000, 8000);
	/* ...that goes back across CPUs: counted as 0, not 2^64 - 400. */
	__kvm_exit_timing_entry(&t->et, &t->st, t->now);
	__kvm_exit_timing_exit(&t->et, 2, 5, t->now + 40);
	__kvm_exit_timing_entry(&t->et, &t->st, t->now - 400);
	r = et_find(t, 5);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 2);
	KUNIT_EXPECT_EQ(test, r->max_ns, 2000);
	KUNIT_EXPECT_EQ(test, r->min_ns, 0);
	KUNIT_EXPECT_EQ(test, t->et.guest.total_ns, 1000 + 10);

	/* Collection paused and resumed in between: the open exit is dropped. */
	__kvm_exit_timing_exit(&t->et, 2, 5, t->now);
	t->et.epoch--;
	__kvm_exit_timing_entry(&t->et, &t->st, t->now + 4000000);
	KUNIT_EXPECT_EQ(test, r->count, 2);
	KUNIT_EXPECT_EQ(test, t->et.guest.count, 2);
}

static struct kunit_case exit_timing_test_cases[] = {
	KUNIT_CASE(exit_timing_clock),
	KUNIT_CASE(exit_timing_stats),
	KUNIT_CASE(exit_timing_min_first),
	KUNIT_CASE(exit_timing_big),
	KUNIT_CASE(exit_timing_reasons),
	KUNIT_CASE(exit_timing_user_and_halt),
	KUNIT_CASE(exit_timing_reset),
	KUNIT_CASE(exit_timing_table),
	{}
};

static struct kunit_suite exit_timing_test_suite = {
	.name = "kvm_exit_timing",
	.test_cases = exit_timing_test_cases,
};

kunit_test_suite(exit_timing_test_suite);
