// SPDX-License-Identifier: GPL-2.0
/*
 * kernel.collect_guest_utilization: switch for the split of guest CPU
 * time into guest user and guest system time.  See
 * Documentation/admin-guide/sysctl/kernel.rst.
 */
#include <linux/guest_util.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/sysctl.h>

struct static_key_false guest_util_key = STATIC_KEY_FALSE_INIT;
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

static DEFINE_MUTEX(guest_util_mutex);
static int collect_guest_utilization;
static int collect_guest_exit_timing;

static void guest_exit_timing_bump(void)
{
	/* Pairs with smp_rmb() in kvm_exit_timing_slow(). */
	smp_wmb();
	WRITE_ONCE(guest_exit_timing_sync, guest_exit_timing_sync + 2);
}

static void guest_util_switch(int *val, bool enable)
{
	bool timing;

	lockdep_assert_held(&guest_util_mutex);
	if (enable == !!*val)
		return;
	if (val == &collect_guest_utilization) {
		if (enable)
			static_branch_enable(&guest_util_key);
		else
			static_branch_disable(&guest_util_key);
	}
	WRITE_ONCE(*val, enable);

	timing = collect_guest_utilization && collect_guest_exit_timing;
	if (timing == static_key_enabled(&guest_exit_timing_key))
		return;
	if (timing) {
		WRITE_ONCE(guest_util_epoch, guest_util_epoch + 1);
		guest_exit_timing_bump();
		static_branch_enable(&guest_exit_timing_key);
	} else {
		static_branch_disable(&guest_exit_timing_key);
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
int guest_util_set(bool enable)
{
	return guest_util_locked_switch(&collect_guest_utilization, enable);
}
EXPORT_SYMBOL_GPL(guest_util_set);

/**
 * guest_exit_timing_set - turn exit timing on or off
 * @enable: the new state
 *
 * Exit timing is collected while this and guest_util_set() are both on.
 * Return: 0.  Sleeps.
 */
int guest_exit_timing_set(bool enable)
{
	return guest_util_locked_switch(&collect_guest_exit_timing, enable);
}
EXPORT_SYMBOL_GPL(guest_exit_timing_set);

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
	register_sysctl_init("kernel", guest_util_table);
	return 0;
}
subsys_initcall(guest_util_init);

#ifdef CONFIG_GUEST_UTIL_KUNIT_TEST
#include "guest_util_test.c"
#endif
