// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for per-vCPU exit timing: the statistics (count, min, max,
 * total, avg), the reason to row mapping, userspace
 * exits, halted time, resets, pauses, the binary stats and the debugfs
 * table.  Built into virt/kvm/exit_timing.c; all times are synthetic, on a
 * clock that counts nanoseconds unless a test says otherwise.
 */
#include <kunit/test.h>
#include <linux/delay.h>

/* guest_util_set() and guest_exit_timing_set(), exported for KUnit only. */
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

struct et_test {
	struct kvm_vcpu *vcpu;
	struct kvm_exit_timing *et;
	struct kvm_exit_timing_vcpu *cur;
	u64 now;
};

static struct et_test *et_test_new(struct kunit *test)
{
	struct et_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->vcpu = kunit_kzalloc(test, sizeof(*t->vcpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->vcpu);
	t->et = kunit_kzalloc(test, sizeof(*t->et), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->et);
	kvm_exit_timing_init(t->et);
	t->et->mult = 1;	/* the clock counts nanoseconds */
	t->et->shift = 0;
	t->vcpu->exit_timing = t->et;
	t->cur = &t->vcpu->exit_timing_cur;
	kvm_exit_timing_resync(t->cur);	/* as kvm_exit_timing_alloc() */
	t->now = 1000000;
	return t;
}

static void et_entry(struct et_test *t)
{
	__kvm_exit_timing_entry(t->cur, t->et, t->now);
}

static void et_exit(struct et_test *t, u32 reason)
{
	__kvm_exit_timing_exit(t->cur, 2, reason, t->now);
}

/* @guest ns in guest, an exit for @reason, @exit ns until the next entry. */
static void et_run(struct et_test *t, u32 reason, u64 guest, u64 exit)
{
	et_entry(t);
	t->now += guest;
	et_exit(t, reason);
	t->now += exit;
}

static struct kvm_exit_timing_row *et_find(struct et_test *t, u32 reason)
{
	u32 i;

	for (i = 0; i < t->et->nr_rows; i++)
		if (t->et->reasons[i] == reason)
			return &t->et->rows[i];
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
	et_entry(t);

	r = et_find(t, 0x72);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 8);
	KUNIT_EXPECT_EQ(test, r->min, 2000);
	KUNIT_EXPECT_EQ(test, r->max, 9000);
	KUNIT_EXPECT_EQ(test, r->total, 40000);
	KUNIT_EXPECT_EQ(test, r->user, 0);

	KUNIT_EXPECT_EQ(test, t->et->guest.count, 8);
	KUNIT_EXPECT_EQ(test, t->et->guest.total, 800);
	KUNIT_EXPECT_EQ(test, t->et->guest.min, 100);
	KUNIT_EXPECT_EQ(test, t->et->guest.max, 100);
	kvm_exit_timing_stats(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.timed_exits, 8);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.exit_time_ns, 40000);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.guest_time_ns, 800);
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
	KUNIT_EXPECT_EQ(test, r->min, 0);
	KUNIT_EXPECT_EQ(test, r->max, 500);
}

static void exit_timing_big(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	const u64 big = 1ULL << 40;	/* 18 minutes */
	struct kvm_exit_timing_row *r;
	int i;

	for (i = 0; i < 16; i++)
		et_run(t, 1, 1, i & 1 ? big + 1000000 : big - 1000000);
	et_entry(t);
	r = et_find(t, 1);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 16);
	KUNIT_EXPECT_EQ(test, r->total, 16 * big);
	KUNIT_EXPECT_EQ(test, r->min, big - 1000000);
	KUNIT_EXPECT_EQ(test, r->max, big + 1000000);
}

static void exit_timing_reasons(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	u32 i;

	/*
	 * SVM-like sparse codes, some sharing a slot (0x400 and 0, 0x403 and
	 * 3), and -1 (SVM_EXIT_ERR)
	 */
	static const u32 reasons[] = { 0x72, 0x7b, 0x400, 0x403, 0xffffffff,
				       0x60, 0x78, 0, 0x7c, 0x81, 3 };

	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		et_run(t, reasons[i], 1, 10 + i);
		et_run(t, reasons[i], 1, 10 + i);
	}
	et_entry(t);
	KUNIT_EXPECT_EQ(test, t->et->nr_rows, ARRAY_SIZE(reasons));
	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		struct kvm_exit_timing_row *r = et_find(t, reasons[i]);

		KUNIT_ASSERT_NOT_NULL(test, r);
		KUNIT_EXPECT_EQ(test, r->count, 2);
		KUNIT_EXPECT_EQ(test, r->total, 2 * (10 + i));
	}

	/* More distinct reasons than rows: the rest go to <other>. */
	t = et_test_new(test);
	for (i = 0; i < 100; i++)
		et_run(t, 1000 + i, 1, 1);
	et_entry(t);
	KUNIT_EXPECT_EQ(test, t->et->nr_rows, KVM_EXIT_TIMING_OTHER);
	KUNIT_EXPECT_EQ(test, t->et->rows[KVM_EXIT_TIMING_OTHER].count,
			100 - KVM_EXIT_TIMING_OTHER);
	kvm_exit_timing_stats(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.timed_exits, 100);
}

static void exit_timing_user_and_halt(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct kvm_exit_timing_row *io, *hlt;

	/* An I/O exit completed by the VMM in userspace. */
	et_run(t, 0x7b, 100, 3000);
	kvm_exit_timing_to_user(t->vcpu);
	/* A HLT exit that halted 1 ms of its 1.002 ms. */
	et_entry(t);
	t->now += 100;
	et_exit(t, 0x78);
	t->now += 1002000;
	__kvm_exit_timing_halt_start(t->cur, t->now - 1001000);
	KUNIT_EXPECT_NE(test, t->cur->halt_start, 0);
	__kvm_exit_timing_halted(t->cur, t->et, t->now - 1000);
	KUNIT_EXPECT_EQ(test, t->cur->halt_start, 0);
	et_entry(t);

	io = et_find(t, 0x7b);
	hlt = et_find(t, 0x78);
	KUNIT_ASSERT_NOT_NULL(test, io);
	KUNIT_ASSERT_NOT_NULL(test, hlt);
	KUNIT_EXPECT_EQ(test, io->user, 1);
	KUNIT_EXPECT_EQ(test, io->total, 3000);
	KUNIT_EXPECT_EQ(test, hlt->user, 0);
	KUNIT_EXPECT_EQ(test, hlt->total, 2000);
	KUNIT_EXPECT_EQ(test, t->et->halted.count, 1);
	KUNIT_EXPECT_EQ(test, t->et->halted.total, 1000000);
	kvm_exit_timing_stats(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.halted_time_ns, 1000000);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.exit_time_ns, 5000);

	/* A halt in progress counts in a snapshot, up to the time of reading. */
	{
		struct kvm_exit_timing *snap = kunit_kzalloc(test, sizeof(*snap),
							     GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, snap);
		*snap = *t->et;
		kvm_exit_timing_halt_now(snap, t->now - 5000, t->now);
		KUNIT_EXPECT_EQ(test, snap->halted.count, 2);
		KUNIT_EXPECT_EQ(test, snap->halted.total, 1005000);
		KUNIT_EXPECT_EQ(test, snap->halted.min, 5000);
		kvm_exit_timing_halt_now(snap, 0, t->now);
		KUNIT_EXPECT_EQ(test, snap->halted.count, 2);
	}

	/* The next exit is fast again, and not a userspace one. */
	et_run(t, 0x7b, 100, 700);
	et_entry(t);
	KUNIT_EXPECT_EQ(test, io->count, 2);
	KUNIT_EXPECT_EQ(test, io->user, 1);
	KUNIT_EXPECT_EQ(test, io->total, 3700);
}

static void exit_timing_reset(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct kvm_exit_timing_row *r;

	et_run(t, 0x72, 100, 500);
	et_run(t, 0x72, 100, 500);
	/* Reset asked while the second exit is open. */
	atomic_inc(&t->et->reset);
	guest_exit_timing_resync_all();		/* as a debugfs write */
	et_entry(t);
	KUNIT_EXPECT_EQ(test, t->et->gen, 1);
	r = et_find(t, 0x72);
	KUNIT_ASSERT_NOT_NULL(test, r);
	/* Only the exit that closed after the reset is left, and its guest run. */
	KUNIT_EXPECT_EQ(test, r->count, 1);
	KUNIT_EXPECT_EQ(test, r->total, 500);
	KUNIT_EXPECT_EQ(test, t->et->guest.count, 1);
	KUNIT_EXPECT_EQ(test, t->et->guest.total, 100);
	/* The binary stats are cumulative: a reset does not touch them. */
	kvm_exit_timing_stats(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.timed_exits, 2);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.exit_time_ns, 1000);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.guest_time_ns, 200);
}

static void exit_timing_no_exit(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct kvm_exit_timing_row *r;

	et_run(t, 0x72, 100, 500);
	et_entry(t);
	/* The vCPU did not enter after all (kvm_exit_timing_no_exit()). */
	t->cur->open = false;
	kvm_exit_timing_resync(t->cur);
	t->now += 7000;
	et_entry(t);
	t->now += 100;
	et_exit(t, 0x72);
	t->now += 300;
	et_entry(t);
	r = et_find(t, 0x72);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 2);
	KUNIT_EXPECT_EQ(test, r->total, 800);
	KUNIT_EXPECT_EQ(test, t->et->guest.count, 2);
	KUNIT_EXPECT_EQ(test, t->et->guest.total, 200);

	/* No table yet: nothing is charged, and the slow path stays armed. */
	t = et_test_new(test);
	t->vcpu->exit_timing = NULL;
	__kvm_exit_timing_entry(t->cur, NULL, t->now);
	KUNIT_EXPECT_EQ(test, t->cur->sync & 1, 1);
	KUNIT_EXPECT_FALSE(test, t->cur->open);
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
	et_entry(t);
	kvm_exit_timing_show(&m, t->et, 2);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	buf[m.count] = '\0';
	kunit_info(test, "table:\n%s", buf);
	KUNIT_EXPECT_TRUE(test, str_has_prefix(buf, "reason "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, " user_exits "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, " open_ns\n"));
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
	t->et->mult = 1;
	t->et->shift = 2;
	et_run(t, 5, 4000, 8000);
	/* ...that goes back across CPUs: counted as 0, not 2^64 - 400. */
	et_entry(t);
	t->now += 40;
	et_exit(t, 5);
	t->now -= 440;
	et_entry(t);
	r = et_find(t, 5);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 2);
	KUNIT_EXPECT_EQ(test, r->max, 8000);
	KUNIT_EXPECT_EQ(test, r->min, 0);
	KUNIT_EXPECT_EQ(test, t->et->guest.total, 4000 + 40);
	/* Rows keep ticks; the binary stats are in ns. */
	kvm_exit_timing_stats(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.exit_time_ns, 2000);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.guest_time_ns, 1010);

	/* Collection paused and resumed in between: the open exit is dropped. */
	et_exit(t, 5);
	t->cur->epoch--;			/* as guest_util_epoch++ */
	kvm_exit_timing_resync(t->cur);
	t->now += 4000000;
	et_entry(t);
	KUNIT_EXPECT_EQ(test, r->count, 2);
	KUNIT_EXPECT_EQ(test, t->et->guest.count, 2);
}

/*
 * An entry with no exit since the last one (the exit hook not patched in
 * yet, or already out, as static keys are flipped module by module)
 * charges nothing; nor does an exit stamped before the entry it follows.
 */
static void exit_timing_entry_without_exit(struct kunit *test)
{
	struct et_test *t = et_test_new(test);
	struct kvm_exit_timing_row *r;

	et_run(t, 0x72, 100, 500);
	et_entry(t);
	t->now += 200;
	et_entry(t);			/* no exit since the last entry */
	t->now += 300;
	et_entry(t);
	r = et_find(t, 0x72);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->count, 1);
	KUNIT_EXPECT_EQ(test, r->total, 500);
	KUNIT_EXPECT_EQ(test, t->et->guest.count, 1);
	KUNIT_EXPECT_EQ(test, t->et->guest.total, 100);

	/* Exits are timed again from the last entry on. */
	t->now += 50;
	et_exit(t, 0x72);
	t->now += 400;
	et_entry(t);
	KUNIT_EXPECT_EQ(test, r->count, 2);
	KUNIT_EXPECT_EQ(test, r->total, 900);
	KUNIT_EXPECT_EQ(test, t->et->guest.total, 150);

	/* A clock that went back between entry and exit: 0, not 2^64 - 100. */
	t->now -= 100;
	et_exit(t, 0x72);
	t->now += 1000;
	et_entry(t);
	KUNIT_EXPECT_EQ(test, r->count, 3);
	KUNIT_EXPECT_EQ(test, r->total, 1900);
	KUNIT_EXPECT_EQ(test, t->et->guest.count, 3);
	KUNIT_EXPECT_EQ(test, t->et->guest.min, 0);
	KUNIT_EXPECT_EQ(test, t->et->guest.total, 150);
	KUNIT_EXPECT_EQ(test, t->et->guest.max, 100);
	kvm_exit_timing_stats(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.timed_exits, 3);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.guest_time_ns, 150);
}

/*
 * A vCPU without a table never touches one, even when its sync word
 * equals guest_exit_timing_sync (a fresh vCPU's 0 once the counter has
 * wrapped around).
 */
static void exit_timing_no_table(struct kunit *test)
{
	struct et_test *t = et_test_new(test);

	memset(t->cur, 0, sizeof(*t->cur));
	t->cur->sync = READ_ONCE(guest_exit_timing_sync);
	t->vcpu->exit_timing = NULL;
	__kvm_exit_timing_entry(t->cur, NULL, t->now);
	t->now += 100;
	et_exit(t, 0x72);
	t->now += 100;
	__kvm_exit_timing_entry(t->cur, NULL, t->now);
	KUNIT_EXPECT_NE(test, t->cur->sync, READ_ONCE(guest_exit_timing_sync));
	kvm_exit_timing_stats(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.timed_exits, 0);
}

static void et_switches_off(void *unused)
{
	guest_exit_timing_set(false);
	guest_util_set(false);
}

/* The fields of the table row @name of @buf; false if it is not there. */
static bool et_table_row(const char *buf, const char *name, u64 *v, int n)
{
	char key[32];
	const char *p;
	int i;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(buf, key);
	if (!p)
		return false;
	p += strlen(key);
	for (i = 0; i < n; i++) {
		int len;

		if (sscanf(p, " %llu%n", &v[i], &len) != 1)
			return false;
		p += len;
	}
	return true;
}

/*
 * An exit the vCPU has not entered again after (the VMM sits in userspace
 * after an I/O exit, or a slow emulation) shows, counted, with its time so
 * far, in the debugfs table and in the binary stats.  On the real clock.
 */
static void exit_timing_in_progress(struct kunit *test)
{
	struct seq_file m = { };
	char *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	struct et_test *t;
	u64 v[8], clock;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	guest_util_set(true);
	guest_exit_timing_set(true);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, et_switches_off, NULL), 0);
	t = et_test_new(test);
	/*
	 * The exit is backdated by 20000000 ticks: wait until the clock has
	 * counted more than 100000000 (arm64's counter runs at a few tens of
	 * MHz, and KUnit may run 1-2 s after boot, before it gets there).
	 */
	for (i = 0; i < 100; i++) {
		clock = kvm_arch_exit_timing_clock();
		if (clock > 100000000ULL)
			break;
		msleep(100);
	}
	KUNIT_ASSERT_GT(test, clock, 100000000ULL);
	t->now = clock - 20000000;
	et_run(t, 0x72, 100, 500);
	et_entry(t);
	t->now += 100;
	et_exit(t, 0x7b);			/* an I/O exit... */
	kvm_exit_timing_to_user(t->vcpu);	/* ...that the VMM sits on */

	kvm_exit_timing_stats(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->stat.generic.timed_exits, 2);
	KUNIT_EXPECT_GE(test, t->vcpu->stat.generic.exit_time_ns, 500 + 19000000);

	m.buf = buf;
	m.size = 4096;
	m.private = t->vcpu;
	KUNIT_ASSERT_EQ(test, exit_timing_show(&m, NULL), 0);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	buf[m.count] = '\0';
	kunit_info(test, "table:\n%s", buf);
	/* count min max total avg user_exits open_ns */
	KUNIT_ASSERT_TRUE(test, et_table_row(buf, "io", v, 6) ||
			  et_table_row(buf, "0x7b", v, 6));
	KUNIT_EXPECT_EQ(test, v[0], 1);
	KUNIT_EXPECT_GE(test, v[3], 19000000);
	KUNIT_EXPECT_EQ(test, v[5], 1);
	KUNIT_EXPECT_TRUE(test, et_table_row(buf, "io", v, 7) ||
			  et_table_row(buf, "0x7b", v, 7));
	KUNIT_EXPECT_EQ(test, v[6], v[3]);
	KUNIT_EXPECT_TRUE(test, et_table_row(buf, "cpuid", v, 7) ||
			  et_table_row(buf, "0x72", v, 7));
	KUNIT_EXPECT_EQ(test, v[0], 1);
	KUNIT_EXPECT_EQ(test, v[3], 500);
	KUNIT_EXPECT_EQ(test, v[6], 0);

	/* Collection off: the open exit will not be charged, nor shown. */
	guest_exit_timing_set(false);
	m.count = 0;
	KUNIT_ASSERT_EQ(test, exit_timing_show(&m, NULL), 0);
	buf[m.count] = '\0';
	KUNIT_EXPECT_FALSE(test, et_table_row(buf, "io", v, 1) ||
			   et_table_row(buf, "0x7b", v, 1));
}

/*
 * An exit in progress, on a synthetic clock: the time the vCPU was halted
 * in it, a halt in progress included, is not exit time.
 */
static void exit_timing_in_progress_halted(struct kunit *test)
{
	struct kvm_exit_timing *snap = kunit_kzalloc(test, sizeof(*snap),
						     GFP_KERNEL);
	struct kvm_exit_timing_row *r;
	struct kvm_exit_timing_vcpu c;
	struct et_test *t;

	KUNIT_ASSERT_NOT_NULL(test, snap);
	guest_util_set(true);
	guest_exit_timing_set(true);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, et_switches_off, NULL), 0);
	t = et_test_new(test);
	et_run(t, 0x78, 100, 1000);
	__kvm_exit_timing_halt_start(t->cur, t->now);
	t->now += 3000;
	__kvm_exit_timing_halted(t->cur, t->et, t->now);
	t->now += 200;
	__kvm_exit_timing_halt_start(t->cur, t->now);
	*snap = *t->et;
	c = *t->cur;
	kvm_exit_timing_now(snap, &c, t->now + 5000);
	r = kvm_exit_timing_row(snap, 0x78);
	KUNIT_EXPECT_EQ(test, r->count, 1);
	KUNIT_EXPECT_EQ(test, r->total, 1200);
	KUNIT_EXPECT_EQ(test, snap->open, 1200);
	KUNIT_EXPECT_EQ(test, snap->open_row, r - snap->rows);
	KUNIT_EXPECT_EQ(test, snap->open_halt, 5000);
	KUNIT_EXPECT_EQ(test, snap->halted.count, 2);
	KUNIT_EXPECT_EQ(test, snap->halted.total, 8000);
	KUNIT_EXPECT_EQ(test, snap->guest.count, 0);

	/* What the vCPU charges when it enters, as the snapshot said. */
	t->now += 5000;
	__kvm_exit_timing_halted(t->cur, t->et, t->now);
	et_entry(t);
	r = et_find(t, 0x78);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->total, 1200);
	KUNIT_EXPECT_EQ(test, t->et->halted.total, 8000);

	/* Collection turned off and on: the exit is dropped, so not shown. */
	et_exit(t, 0x78);
	guest_exit_timing_set(false);
	guest_exit_timing_set(true);
	*snap = *t->et;
	c = *t->cur;
	kvm_exit_timing_now(snap, &c, t->now + 5000);
	KUNIT_EXPECT_EQ(test, kvm_exit_timing_row(snap, 0x78)->count, 1);
	KUNIT_EXPECT_EQ(test, snap->open_row, KVM_EXIT_TIMING_ROWS);
}

KUNIT_DEFINE_ACTION_WRAPPER(et_free, kvm_exit_timing_free, struct kvm_vcpu *);

/*
 * The table comes with the vCPU, collection on or not: a vCPU that is
 * inside KVM_RUN when collection is turned on, and never returns to
 * userspace (an in-kernel irqchip), is timed from its next entry on.
 */
static void exit_timing_alloc_at_create(struct kunit *test)
{
	struct kvm_vcpu *vcpu = kunit_kzalloc(test, sizeof(*vcpu), GFP_KERNEL);
	struct kvm_exit_timing_vcpu *cur;
	struct kvm_exit_timing_row *r;
	u64 now = 1000000;

	KUNIT_ASSERT_NOT_NULL(test, vcpu);
	cur = &vcpu->exit_timing_cur;
	KUNIT_ASSERT_EQ(test, kvm_exit_timing_alloc(vcpu), 0);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->exit_timing);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, et_free, vcpu), 0);
	KUNIT_EXPECT_EQ(test, cur->sync & 1, 1);
	vcpu->exit_timing->mult = 1;
	vcpu->exit_timing->shift = 0;
	/* Collection turned on while the vCPU is in the guest: exit, entry... */
	__kvm_exit_timing_exit(cur, 2, 0x72, now);
	now += 300;
	__kvm_exit_timing_entry(cur, vcpu->exit_timing, now);
	now += 100;
	__kvm_exit_timing_exit(cur, 2, 0x72, now);
	now += 400;
	__kvm_exit_timing_entry(cur, vcpu->exit_timing, now);
	r = kvm_exit_timing_row(vcpu->exit_timing, 0x72);
	KUNIT_EXPECT_EQ(test, r->count, 1);
	KUNIT_EXPECT_EQ(test, r->total, 400);
	KUNIT_EXPECT_EQ(test, vcpu->exit_timing->guest.total, 100);
	kvm_exit_timing_stats(vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->stat.generic.timed_exits, 1);
}

static struct kunit_case exit_timing_test_cases[] = {
	KUNIT_CASE(exit_timing_clock),
	KUNIT_CASE(exit_timing_stats),
	KUNIT_CASE(exit_timing_min_first),
	KUNIT_CASE(exit_timing_big),
	KUNIT_CASE(exit_timing_reasons),
	KUNIT_CASE(exit_timing_user_and_halt),
	KUNIT_CASE(exit_timing_reset),
	KUNIT_CASE(exit_timing_no_exit),
	KUNIT_CASE(exit_timing_table),
	KUNIT_CASE(exit_timing_entry_without_exit),
	KUNIT_CASE(exit_timing_in_progress),
	KUNIT_CASE(exit_timing_in_progress_halted),
	KUNIT_CASE(exit_timing_alloc_at_create),
	KUNIT_CASE(exit_timing_no_table),
	{}
};

static struct kunit_suite exit_timing_test_suite = {
	.name = "kvm_exit_timing",
	.test_cases = exit_timing_test_cases,
};

kunit_test_suite(exit_timing_test_suite);
