// SPDX-License-Identifier: GPL-2.0
/*
 * kernel.collect_guest_utilization: switch for the split of guest CPU
 * time into guest user and guest system time.  See
 * Documentation/admin-guide/sysctl/kernel.rst.
 */
#include <kunit/visibility.h>
#include <linux/guest_util.h>
#include <linux/hrtimer.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <linux/tick.h>

/* Serializes the switches. */
static DEFINE_MUTEX(guest_util_mutex);

DEFINE_STATIC_KEY_FALSE(guest_util_key);
EXPORT_SYMBOL_GPL(guest_util_key);

/* Exit timing: collected while both switches are on. */
DEFINE_STATIC_KEY_FALSE(guest_exit_timing_key);
EXPORT_SYMBOL_GPL(guest_exit_timing_key);

/* Bumped each time exit timing is turned on: older timestamps are stale. */
unsigned int guest_util_epoch;
EXPORT_SYMBOL_GPL(guest_util_epoch);

/*
 * Even; bumped by 2 whenever every vCPU must look at its exit timing state
 * again (exit timing turned on, a reset asked for).  A vCPU compares it
 * with its own copy at each VM entry.
 */
unsigned int guest_exit_timing_sync;
EXPORT_SYMBOL_GPL(guest_exit_timing_sync);

#ifdef CONFIG_NO_HZ_FULL
/*
 * On a nohz_full CPU the tick is stopped while a vCPU runs there alone, and
 * a guest that takes only synchronous exits (or none) is then interrupted by
 * nothing: its privilege level would never be sampled.  While the split is
 * on, a timer interrupts the guest 100 times a second (GUEST_UTIL_SAMPLE_NS)
 * instead, on nohz_full CPUs only and only while a vCPU task is inside
 * KVM_RUN there: the VM exit that its interrupt causes is the sample.  It
 * costs that many VM exits a second, each a few microseconds of jitter on
 * the isolated CPU; guests whose own timer interrupts them more often
 * already give samples, so it is a floor, fewer than the tick would take.
 * Its phase is drawn at random each time a vCPU is loaded, so that a vCPU
 * that blocks often is still sampled in proportion to the time it runs,
 * and the timer cannot lock onto the guest's own periodic work.
 */
#define GUEST_UTIL_SAMPLE_NS	(NSEC_PER_SEC / 100)

static DEFINE_PER_CPU(struct hrtimer, guest_util_sampler);
/* A vCPU task inside KVM_RUN is loaded on this CPU. */
static DEFINE_PER_CPU(bool, guest_util_vcpu_in);

static enum hrtimer_restart guest_util_sampler_fn(struct hrtimer *timer)
{
	if (!guest_util_enabled() || !__this_cpu_read(guest_util_vcpu_in))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(GUEST_UTIL_SAMPLE_NS));
	return HRTIMER_RESTART;
}

/* On the vCPU's CPU, with preemption or IRQs off. */
static void guest_util_sampler_start(void)
{
	struct hrtimer *timer = this_cpu_ptr(&guest_util_sampler);

	if (__this_cpu_read(guest_util_vcpu_in) && guest_util_enabled() &&
	    !hrtimer_is_queued(timer))
		hrtimer_start(timer,
			      ns_to_ktime(1 + get_random_u32_below(GUEST_UTIL_SAMPLE_NS)),
			      HRTIMER_MODE_REL_PINNED_HARD);
}

static void guest_util_sampler_ipi(void *unused)
{
	guest_util_sampler_start();
}

/**
 * __guest_util_vcpu_load - a vCPU task in KVM_RUN is loaded on this CPU
 *
 * Starts the sampling timer if the split is on.  Called on nohz_full
 * systems only, with preemption disabled.
 */
void __guest_util_vcpu_load(void)
{
	if (!tick_nohz_full_cpu(smp_processor_id()))
		return;
	__this_cpu_write(guest_util_vcpu_in, true);
	guest_util_sampler_start();
}
EXPORT_SYMBOL_GPL(__guest_util_vcpu_load);

/**
 * __guest_util_vcpu_put - the vCPU task leaves this CPU or KVM_RUN
 *
 * Stops the sampling timer.  Called on nohz_full systems only, with
 * preemption disabled.
 */
void __guest_util_vcpu_put(void)
{
	if (!__this_cpu_read(guest_util_vcpu_in))
		return;
	__this_cpu_write(guest_util_vcpu_in, false);
	/*
	 * Its callback runs in hard IRQ context on this CPU only, so it is not
	 * running now; if it fires before the cancel, it sees !vcpu_in.
	 */
	hrtimer_try_to_cancel(this_cpu_ptr(&guest_util_sampler));
}
EXPORT_SYMBOL_GPL(__guest_util_vcpu_put);

static bool guest_util_vcpu_in_on(int cpu, void *unused)
{
	return per_cpu(guest_util_vcpu_in, cpu);
}

/* The split was just turned on: start the timer where a vCPU already runs. */
static void guest_util_sampler_kick(void)
{
	if (tick_nohz_full_enabled())
		on_each_cpu_cond_mask(guest_util_vcpu_in_on,
				      guest_util_sampler_ipi, NULL, false,
				      tick_nohz_full_mask);
}

static void __init guest_util_sampler_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hrtimer *timer = per_cpu_ptr(&guest_util_sampler, cpu);

		hrtimer_init(timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
		timer->function = guest_util_sampler_fn;
	}
}
#else
static inline void guest_util_sampler_kick(void) { }
static inline void guest_util_sampler_init(void) { }
#endif

static int collect_guest_utilization;
static int collect_guest_exit_timing;

static void guest_exit_timing_bump(void)
{
	/* Pairs with smp_rmb() in kvm_exit_timing_slow(). */
	smp_wmb();
	WRITE_ONCE(guest_exit_timing_sync, guest_exit_timing_sync + 2);
}

/*
 * Exit timing's key is on only while the split's is (KVM nests exit timing's
 * hooks in the split's branch): it goes off before the split's and on after.
 */
static void guest_util_switch(int *val, bool enable)
{
	bool split, timing;

	lockdep_assert_held(&guest_util_mutex);
	if (enable == !!*val)
		return;
	split = val == &collect_guest_utilization ? enable :
		collect_guest_utilization;
	timing = split && (val == &collect_guest_exit_timing ? enable :
			   collect_guest_exit_timing);

	if (!timing && static_key_enabled(&guest_exit_timing_key))
		static_branch_disable(&guest_exit_timing_key);
	if (val == &collect_guest_utilization) {
		if (enable) {
			static_branch_enable(&guest_util_key);
			guest_util_sampler_kick();
		} else {
			static_branch_disable(&guest_util_key);
		}
	}
	WRITE_ONCE(*val, enable);
	if (timing && !static_key_enabled(&guest_exit_timing_key)) {
		WRITE_ONCE(guest_util_epoch, guest_util_epoch + 1);
		guest_exit_timing_bump();
		static_branch_enable(&guest_exit_timing_key);
	}
}

/**
 * guest_exit_timing_resync_all - make every vCPU resync its exit timing
 *
 * For a reset of one vCPU's table: the vCPU applies it at its next VM
 * entry.  Sleeps.
 */
void guest_exit_timing_resync_all(void)
{
	mutex_lock(&guest_util_mutex);
	guest_exit_timing_bump();
	mutex_unlock(&guest_util_mutex);
}
EXPORT_SYMBOL_GPL(guest_exit_timing_resync_all);

static int guest_util_locked_switch(int *val, bool enable)
{
	mutex_lock(&guest_util_mutex);
	guest_util_switch(val, enable);
	mutex_unlock(&guest_util_mutex);
	return 0;
}

/**
 * guest_util_set - turn the guest time split on or off
 * @enable: the new state
 *
 * Return: 0.  Sleeps: the static key is patched under cpus_read_lock().
 */
VISIBLE_IF_KUNIT int guest_util_set(bool enable)
{
	return guest_util_locked_switch(&collect_guest_utilization, enable);
}
EXPORT_SYMBOL_IF_KUNIT(guest_util_set);

/**
 * guest_exit_timing_set - turn exit timing on or off
 * @enable: the new state
 *
 * Exit timing is collected while this and guest_util_set() are both on.
 * Return: 0.  Sleeps.
 */
VISIBLE_IF_KUNIT int guest_exit_timing_set(bool enable)
{
	return guest_util_locked_switch(&collect_guest_exit_timing, enable);
}
EXPORT_SYMBOL_IF_KUNIT(guest_exit_timing_set);

/*
 * Accept exactly "0" or "1" (one trailing newline allowed), written at
 * offset 0.  Anything else, including an empty write, is -EINVAL and
 * leaves the value as it was.
 */
static int guest_util_sysctl(const struct ctl_table *table, int write,
			     void *buffer, size_t *lenp, loff_t *ppos)
{
	char buf[8];
	size_t len = *lenp;
	unsigned int val;

	if (!write)
		return proc_dointvec(table, write, buffer, lenp, ppos);

	if (*ppos || !len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, buffer, len);
	buf[len] = '\0';
	if (kstrtouint(buf, 10, &val) || val > 1)
		return -EINVAL;

	if (table->data == &collect_guest_utilization)
		guest_util_set(val);
	else
		guest_exit_timing_set(val);
	*ppos += len;
	return 0;
}

static struct ctl_table guest_util_table[] = {
	{
		.procname	= "collect_guest_utilization",
		.data		= &collect_guest_utilization,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= guest_util_sysctl,
	},
	{
		.procname	= "collect_guest_exit_timing",
		.data		= &collect_guest_exit_timing,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= guest_util_sysctl,
	},
};

static int __init guest_util_init(void)
{
	guest_util_sampler_init();
	register_sysctl_init("kernel", guest_util_table);
	return 0;
}
subsys_initcall(guest_util_init);

#ifdef CONFIG_GUEST_UTIL_KUNIT_TEST
#include "guest_util_test.c"
#endif
