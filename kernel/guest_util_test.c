// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the split of guest time into guest user and guest system
 * time: the sysctl, PF_VCPU_USER handling, the tick path and the vtime path.
 *
 * Built into kernel/guest_util.c, so that the sysctl handler can be driven
 * directly.  The vtime cases need a nohz_full CPU (boot with nohz_full=1 and
 * two CPUs); they are skipped otherwise.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kernel_stat.h>
#include <linux/sched/clock.h>
#include <linux/sched/cputime.h>
#include <linux/vtime.h>

struct guest_util_snap {
	u64 guest, guest_nice, guest_user, guest_system;	/* this CPU */
	u64 gtime, gutime, gstime;				/* current */
};

static void snap(struct guest_util_snap *s)
{
	struct kernel_cpustat kcs;

	kcpustat_cpu_fetch(&kcs, smp_processor_id());
	s->guest = kcs.cpustat[CPUTIME_GUEST];
	s->guest_nice = kcs.cpustat[CPUTIME_GUEST_NICE];
	s->guest_user = kcs.cpustat[CPUTIME_GUEST_USER];
	s->guest_system = kcs.cpustat[CPUTIME_GUEST_SYSTEM];
	s->gtime = task_gtime(current);
	task_guest_util(current, &s->gutime, &s->gstime);
}

/* Write @str to the sysctl the way a write(2) to /proc/sys would. */
static int sysctl_write(const char *str)
{
	char buf[32];
	size_t len = strlen(str);
	loff_t pos = 0;

	memcpy(buf, str, len + 1);
	return guest_util_sysctl(&guest_util_table[0], 1, buf, &len, &pos);
}

static void guest_util_test_exit(struct kunit *test)
{
	/* Back to the defaults. */
	guest_util_set(false);
	guest_exit_timing_set(false);
	current->flags &= ~PF_VCPU_USER;
	set_cpus_allowed_ptr(current, cpu_possible_mask);
}

static void guest_util_sysctl_values(struct kunit *test)
{
	static const char * const bad[] = {
		"2", "-1", "abc", "", "\n", "1 1", " 1", "99999999999",
		"4294967297", "0x1", "1\n\n",
	};
	int i;

	KUNIT_EXPECT_EQ(test, sysctl_write("1\n"), 0);
	KUNIT_EXPECT_EQ(test, collect_guest_utilization, 1);
	KUNIT_EXPECT_TRUE(test, guest_util_enabled());

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, sysctl_write(bad[i]), -EINVAL,
				    "write \"%s\"", bad[i]);
		KUNIT_EXPECT_EQ(test, collect_guest_utilization, 1);
		KUNIT_EXPECT_TRUE(test, guest_util_enabled());
	}

	KUNIT_EXPECT_EQ(test, sysctl_write("0"), 0);
	KUNIT_EXPECT_EQ(test, collect_guest_utilization, 0);
	KUNIT_EXPECT_FALSE(test, guest_util_enabled());
	KUNIT_EXPECT_EQ(test, sysctl_write("7"), -EINVAL);
	KUNIT_EXPECT_FALSE(test, guest_util_enabled());
	/* Setting the current value again changes nothing. */
	KUNIT_EXPECT_EQ(test, sysctl_write("0"), 0);
	KUNIT_EXPECT_FALSE(test, guest_util_enabled());
}

static void guest_util_exit_timing_switch(struct kunit *test)
{
	char buf[8];
	size_t len;
	loff_t pos;

	/* kernel.collect_guest_exit_timing: 0 by default, only 0 and 1. */
	KUNIT_EXPECT_EQ(test, collect_guest_exit_timing, 0);
	guest_util_set(true);
	KUNIT_EXPECT_FALSE(test, guest_exit_timing_enabled());
	strscpy(buf, "1\n", sizeof(buf));
	len = 2;
	pos = 0;
	KUNIT_EXPECT_EQ(test, guest_util_sysctl(&guest_util_table[1], 1, buf,
						&len, &pos), 0);
	KUNIT_EXPECT_EQ(test, collect_guest_exit_timing, 1);
	KUNIT_EXPECT_TRUE(test, guest_exit_timing_enabled());

	strscpy(buf, "2", sizeof(buf));
	len = 1;
	pos = 0;
	KUNIT_EXPECT_EQ(test, guest_util_sysctl(&guest_util_table[1], 1, buf,
						&len, &pos), -EINVAL);
	KUNIT_EXPECT_TRUE(test, guest_exit_timing_enabled());

	strscpy(buf, "0\n", sizeof(buf));
	len = 2;
	pos = 0;
	KUNIT_EXPECT_EQ(test, guest_util_sysctl(&guest_util_table[1], 1, buf,
						&len, &pos), 0);
	KUNIT_EXPECT_FALSE(test, guest_exit_timing_enabled());
	/* The split stays on. */
	KUNIT_EXPECT_TRUE(test, guest_util_enabled());
	KUNIT_EXPECT_EQ(test, collect_guest_utilization, 1);

	guest_exit_timing_set(true);
	KUNIT_EXPECT_TRUE(test, guest_exit_timing_enabled());
	guest_util_set(false);
	KUNIT_EXPECT_FALSE(test, guest_exit_timing_enabled());
}

static void guest_util_exit_timing_sync(struct kunit *test)
{
	unsigned int epoch, sync;

	guest_util_set(false);
	guest_exit_timing_set(true);
	epoch = READ_ONCE(guest_util_epoch);
	sync = READ_ONCE(guest_exit_timing_sync);
	KUNIT_EXPECT_EQ(test, sync & 1, 0);

	/* Turning exit timing on makes older timestamps stale. */
	guest_util_set(true);
	KUNIT_EXPECT_TRUE(test, guest_exit_timing_enabled());
	KUNIT_EXPECT_EQ(test, guest_util_epoch, epoch + 1);
	KUNIT_EXPECT_EQ(test, guest_exit_timing_sync, sync + 2);

	/* A resync keeps them; turning it off changes nothing yet. */
	guest_exit_timing_resync_all();
	KUNIT_EXPECT_EQ(test, guest_util_epoch, epoch + 1);
	KUNIT_EXPECT_EQ(test, guest_exit_timing_sync, sync + 4);
	guest_exit_timing_set(false);
	guest_exit_timing_set(false);
	KUNIT_EXPECT_EQ(test, guest_util_epoch, epoch + 1);
	KUNIT_EXPECT_EQ(test, guest_exit_timing_sync, sync + 4);

	guest_exit_timing_set(true);
	KUNIT_EXPECT_EQ(test, guest_util_epoch, epoch + 2);
	KUNIT_EXPECT_EQ(test, guest_exit_timing_sync, sync + 6);
	/* The split alone does not count. */
	guest_exit_timing_set(false);
	guest_util_set(false);
	guest_util_set(true);
	KUNIT_EXPECT_EQ(test, guest_util_epoch, epoch + 2);
	KUNIT_EXPECT_FALSE(test, guest_exit_timing_enabled());
}

static void guest_util_sample_flag(struct kunit *test)
{
	unsigned int other = current->flags & ~PF_VCPU_USER;

	guest_util_sample(true);
	KUNIT_EXPECT_TRUE(test, current->flags & PF_VCPU_USER);
	guest_util_sample(true);
	KUNIT_EXPECT_TRUE(test, current->flags & PF_VCPU_USER);
	guest_util_sample(false);
	KUNIT_EXPECT_FALSE(test, current->flags & PF_VCPU_USER);
	KUNIT_EXPECT_EQ(test, current->flags, other);

	/*
	 * Leaving guest accounting clears PF_VCPU only: the sample is the
	 * vCPU's, kept on its task for the next VM entry (and counts only
	 * while PF_VCPU is set).
	 */
	local_irq_disable();
	vtime_account_guest_enter();
	guest_util_sample(true);
	vtime_account_guest_exit();
	local_irq_enable();
	KUNIT_EXPECT_FALSE(test, current->flags & PF_VCPU);
	KUNIT_EXPECT_TRUE(test, current->flags & PF_VCPU_USER);
	guest_util_sample(false);
	KUNIT_EXPECT_EQ(test, current->flags, other);
}

/*
 * Charge @ns of guest time on the tick path, sampled at @user, and take it
 * back: the test leaves no fake guest time in this CPU's counters (what
 * /proc/stat shows) nor in the task's.  With IRQs disabled nothing else
 * charges this CPU or the current task meanwhile.  Cgroup CPU statistics,
 * if the kernel has them, keep the time.
 */
static void tick_guest(bool user, u64 ns, struct guest_util_snap *before,
		       struct guest_util_snap *after)
{
	u64 cpustat[NR_STATS], utime, gtime, gutime, gstime;

	local_irq_disable();
	memcpy(cpustat, kcpustat_this_cpu->cpustat, sizeof(cpustat));
	utime = current->utime;
	gtime = current->gtime;
	gutime = current->gutime;
	gstime = current->gstime;
	snap(before);
	guest_util_sample(user);
	account_guest_time(current, ns);
	current->flags &= ~PF_VCPU_USER;
	snap(after);
	memcpy(kcpustat_this_cpu->cpustat, cpustat, sizeof(cpustat));
	current->utime = utime;
	current->gtime = gtime;
	current->gutime = gutime;
	current->gstime = gstime;
	local_irq_enable();
}

static void guest_util_tick(struct kunit *test)
{
	struct guest_util_snap a, b;
	const u64 ns = 3 * TICK_NSEC;

	guest_util_set(true);

	tick_guest(true, ns, &a, &b);
	KUNIT_EXPECT_EQ(test, b.gutime - a.gutime, ns);
	KUNIT_EXPECT_EQ(test, b.gstime - a.gstime, 0);
	KUNIT_EXPECT_EQ(test, b.guest_user - a.guest_user, ns);
	KUNIT_EXPECT_EQ(test, b.guest_system - a.guest_system, 0);
	KUNIT_EXPECT_EQ(test, b.gtime - a.gtime, ns);

	tick_guest(false, ns, &a, &b);
	KUNIT_EXPECT_EQ(test, b.gutime - a.gutime, 0);
	KUNIT_EXPECT_EQ(test, b.gstime - a.gstime, ns);
	KUNIT_EXPECT_EQ(test, b.guest_user - a.guest_user, 0);
	KUNIT_EXPECT_EQ(test, b.guest_system - a.guest_system, ns);
	KUNIT_EXPECT_EQ(test, (b.guest + b.guest_nice) - (a.guest + a.guest_nice),
			ns);
}

static void guest_util_tick_nice(struct kunit *test)
{
	struct guest_util_snap a, b;
	long old_nice = task_nice(current);
	const u64 ns = 2 * TICK_NSEC;

	guest_util_set(true);
	set_user_nice(current, 10);

	tick_guest(true, ns, &a, &b);
	KUNIT_EXPECT_EQ(test, b.guest_nice - a.guest_nice, ns);
	KUNIT_EXPECT_EQ(test, b.guest - a.guest, 0);
	KUNIT_EXPECT_EQ(test, b.guest_user - a.guest_user, ns);
	KUNIT_EXPECT_EQ(test, b.gutime - a.gutime, ns);

	tick_guest(false, ns, &a, &b);
	KUNIT_EXPECT_EQ(test, b.guest_nice - a.guest_nice, ns);
	KUNIT_EXPECT_EQ(test, b.guest_system - a.guest_system, ns);
	KUNIT_EXPECT_EQ(test, b.gstime - a.gstime, ns);

	set_user_nice(current, old_nice);
}

static void guest_util_tick_off(struct kunit *test)
{
	struct guest_util_snap a, b;
	const u64 ns = 5 * TICK_NSEC;

	guest_util_set(false);

	tick_guest(true, ns, &a, &b);
	KUNIT_EXPECT_EQ(test, b.gtime - a.gtime, ns);
	KUNIT_EXPECT_EQ(test, b.guest - a.guest, ns);
	KUNIT_EXPECT_EQ(test, b.gutime - a.gutime, 0);
	KUNIT_EXPECT_EQ(test, b.gstime - a.gstime, 0);
	KUNIT_EXPECT_EQ(test, b.guest_user - a.guest_user, 0);
	KUNIT_EXPECT_EQ(test, b.guest_system - a.guest_system, 0);
}

/*
 * Run @n stretches of about @us microseconds of "guest" time through vtime,
 * the way KVM's guest_timing_{enter,exit}_irqoff() do, sampling user mode on
 * every stretch whose index is below @user_pct percent of @n.  Returns in
 * @in and @out the sched_clock() time the user stretches took, measured
 * inside and outside vtime's own clock reads: the guest user time vtime
 * charges must lie between the two.
 */
static void vtime_guest_run(int n, int us, int user_pct, u64 *in, u64 *out)
{
	u64 t0, t1, t2, t3;
	int i;

	*in = 0;
	*out = 0;
	for (i = 0; i < n; i++) {
		bool user = i * 100 < user_pct * n;

		local_irq_disable();
		t0 = sched_clock();
		vtime_account_guest_enter();
		t1 = sched_clock();
		udelay(us);
		guest_util_sample(user);
		t2 = sched_clock();
		vtime_account_guest_exit();
		t3 = sched_clock();
		local_irq_enable();
		if (user) {
			*in += t2 - t1;
			*out += t3 - t0;
		}
	}
}

static int vtime_setup(struct kunit *test)
{
	int cpu;

	for_each_online_cpu(cpu) {
		if (set_cpus_allowed_ptr(current, cpumask_of(cpu)))
			continue;
		if (vtime_accounting_enabled_this_cpu())
			return 0;
	}
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	kunit_skip(test, "no nohz_full CPU: boot with nohz_full=1 and 2 CPUs");
	return -ENODEV;
}

static void guest_util_vtime(struct kunit *test)
{
	struct guest_util_snap a, b;
	u64 dg, du, ds, in, out;

	if (vtime_setup(test))
		return;
	guest_util_set(true);

	preempt_disable();
	snap(&a);
	vtime_guest_run(200, 100, 25, &in, &out);
	snap(&b);
	preempt_enable();

	dg = b.gtime - a.gtime;
	du = b.gutime - a.gutime;
	ds = b.gstime - a.gstime;
	kunit_info(test, "guest %llu ns: user %llu (%llu..%llu) system %llu\n",
		   dg, du, in, out, ds);
	/* The split is exact, flushed or pending. */
	KUNIT_EXPECT_EQ(test, du + ds, dg);
	/* 50 of 200 stretches were sampled in user mode. */
	KUNIT_EXPECT_GE(test, du, in);
	KUNIT_EXPECT_LE(test, du, out);
	KUNIT_EXPECT_GT(test, ds, du);
	KUNIT_EXPECT_EQ(test, (b.guest_user + b.guest_system) -
			      (a.guest_user + a.guest_system),
			(b.guest + b.guest_nice) - (a.guest + a.guest_nice));
}

static void guest_util_vtime_off(struct kunit *test)
{
	struct guest_util_snap a, b;
	u64 in, out;

	if (vtime_setup(test))
		return;
	guest_util_set(false);

	preempt_disable();
	snap(&a);
	vtime_guest_run(50, 100, 50, &in, &out);
	snap(&b);
	preempt_enable();

	KUNIT_EXPECT_GE(test, b.gtime - a.gtime, in);
	KUNIT_EXPECT_EQ(test, b.gutime, a.gutime);
	KUNIT_EXPECT_EQ(test, b.gstime, a.gstime);
	KUNIT_EXPECT_EQ(test, b.guest_user, a.guest_user);
	KUNIT_EXPECT_EQ(test, b.guest_system, a.guest_system);
}

/* Guest user time of the task and of @cpu, and guest time of both. */
static void pending_read(int cpu, u64 r[4])
{
	u64 gs;

	task_guest_util(current, &r[0], &gs);
	r[1] = task_gtime(current);
	r[2] = kcpustat_field(&kcpustat_cpu(cpu), CPUTIME_GUEST_USER, cpu);
	r[3] = kcpustat_field(&kcpustat_cpu(cpu), CPUTIME_GUEST, cpu);
}

/*
 * Stretches shorter than a tick stay pending after the guest exits: no
 * reader may lose them, after the exit nor after the task left its CPU.
 */
static void guest_util_vtime_pending(struct kunit *test)
{
	u64 in_guest[4], after_exit[4], after_sleep[4];
	const unsigned long us = 200;	/* a stretch: much less than a tick */
	int cpu, i;

	if (vtime_setup(test))
		return;
	guest_util_set(true);
	cpu = raw_smp_processor_id();
	usleep_range(2000, 3000);	/* flushes what an earlier case left */

	local_irq_disable();
	vtime_account_guest_enter();
	udelay(us);
	guest_util_sample(true);
	vtime_account_guest_exit();	/* pending: less than a tick */
	vtime_account_guest_enter();	/* the sample stays on the task */
	udelay(us);
	local_irq_enable();
	pending_read(cpu, in_guest);
	local_irq_disable();
	vtime_account_guest_exit();
	local_irq_enable();
	KUNIT_EXPECT_GT(test, current->vtime.gutime, 0);
	pending_read(cpu, after_exit);
	usleep_range(2000, 3000);	/* switched out: flushed */
	pending_read(cpu, after_sleep);
	KUNIT_EXPECT_EQ(test, current->vtime.gtime, 0);

	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_GE_MSG(test, after_exit[i], in_guest[i], "reader %d", i);
		KUNIT_EXPECT_GE_MSG(test, after_sleep[i], after_exit[i], "reader %d", i);
	}
	/* Both stretches were charged to guest user, the second one at its exit. */
	KUNIT_EXPECT_GE(test, after_exit[0] - in_guest[0], us * NSEC_PER_USEC);
	guest_util_sample(false);
}

#ifdef CONFIG_NO_HZ_FULL
static bool sampler_queued(void)
{
	return hrtimer_is_queued(this_cpu_ptr(&guest_util_sampler));
}

/*
 * On a nohz_full CPU the sampling timer runs exactly while a vCPU in
 * KVM_RUN is loaded there and the split is on, and starts when the split
 * is turned on under a loaded vCPU.
 */
static void guest_util_nohz_sampler(struct kunit *test)
{
	bool queued[6];

	if (vtime_setup(test))
		return;
	preempt_disable();
	guest_util_vcpu_load();
	queued[0] = sampler_queued();		/* split off */
	guest_util_vcpu_put();
	preempt_enable();

	guest_util_set(true);
	preempt_disable();
	guest_util_vcpu_load();
	queued[1] = sampler_queued();		/* on */
	guest_util_vcpu_put();
	queued[2] = sampler_queued();		/* put */
	guest_util_vcpu_load();
	preempt_enable();

	/*
	 * Off: the timer is not cancelled, it stops at its next expiry.  It is
	 * re-armed a minute ahead first, so that expiry cannot come while the
	 * static key is being patched, however slow that is; then a
	 * millisecond ahead, and it must not restart.
	 */
	preempt_disable();
	hrtimer_start(this_cpu_ptr(&guest_util_sampler), ms_to_ktime(60000),
		      HRTIMER_MODE_REL_PINNED_HARD);
	preempt_enable();
	guest_util_set(false);
	queued[3] = sampler_queued();		/* off: still queued */
	preempt_disable();
	hrtimer_start(this_cpu_ptr(&guest_util_sampler), ms_to_ktime(1),
		      HRTIMER_MODE_REL_PINNED_HARD);
	preempt_enable();
	msleep(30);
	queued[4] = sampler_queued();
	guest_util_set(true);			/* on, vCPU loaded: kicked */
	queued[5] = sampler_queued();
	preempt_disable();
	guest_util_vcpu_put();
	preempt_enable();

	KUNIT_EXPECT_FALSE(test, queued[0]);
	KUNIT_EXPECT_TRUE(test, queued[1]);
	KUNIT_EXPECT_FALSE(test, queued[2]);
	KUNIT_EXPECT_TRUE(test, queued[3]);
	KUNIT_EXPECT_FALSE(test, queued[4]);
	KUNIT_EXPECT_TRUE(test, queued[5]);
	KUNIT_EXPECT_FALSE(test, sampler_queued());
}
#endif

static struct kunit_case guest_util_test_cases[] = {
	KUNIT_CASE(guest_util_sysctl_values),
	KUNIT_CASE(guest_util_exit_timing_switch),
	KUNIT_CASE(guest_util_exit_timing_sync),
	KUNIT_CASE(guest_util_sample_flag),
	KUNIT_CASE(guest_util_tick),
	KUNIT_CASE(guest_util_tick_nice),
	KUNIT_CASE(guest_util_tick_off),
	KUNIT_CASE(guest_util_vtime),
	KUNIT_CASE(guest_util_vtime_off),
	KUNIT_CASE(guest_util_vtime_pending),
#ifdef CONFIG_NO_HZ_FULL
	KUNIT_CASE(guest_util_nohz_sampler),
#endif
	{}
};

static struct kunit_suite guest_util_test_suite = {
	.name = "guest_util",
	.exit = guest_util_test_exit,
	.test_cases = guest_util_test_cases,
};

kunit_test_suite(guest_util_test_suite);
