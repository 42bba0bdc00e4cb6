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

/* Exit timing: collected while both this and guest_util_key are on. */
struct static_key_true guest_exit_timing_key = STATIC_KEY_TRUE_INIT;
EXPORT_SYMBOL_GPL(guest_exit_timing_key);

/* Bumped each time collection is turned on: older timestamps are stale. */
unsigned int guest_util_epoch;
EXPORT_SYMBOL_GPL(guest_util_epoch);

static DEFINE_MUTEX(guest_util_mutex);
static int collect_guest_utilization;
static int collect_guest_exit_timing = 1;

static void guest_util_switch(int *val, bool enable)
{
	lockdep_assert_held(&guest_util_mutex);
	if (enable == !!*val)
		return;
	if (enable)
		WRITE_ONCE(guest_util_epoch, guest_util_epoch + 1);
	if (val == &collect_guest_utilization) {
		if (enable)
			static_branch_enable(&guest_util_key);
		else
			static_branch_disable(&guest_util_key);
	} else {
		if (enable)
			static_branch_enable(&guest_exit_timing_key);
		else
			static_branch_disable(&guest_exit_timing_key);
	}
	WRITE_ONCE(*val, enable);
}

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
