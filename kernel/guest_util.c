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

/* Bumped each time collection is turned on: older timestamps are stale. */
unsigned int guest_util_epoch;
EXPORT_SYMBOL_GPL(guest_util_epoch);

static DEFINE_MUTEX(guest_util_mutex);
static int collect_guest_utilization;

/**
 * guest_util_set - turn the guest time split on or off
 * @enable: the new state
 *
 * Return: 0.  Sleeps: the static key is patched under cpus_read_lock().
 */
int guest_util_set(bool enable)
{
	mutex_lock(&guest_util_mutex);
	if (enable && !collect_guest_utilization) {
		WRITE_ONCE(guest_util_epoch, guest_util_epoch + 1);
		static_branch_enable(&guest_util_key);
	} else if (!enable && collect_guest_utilization) {
		static_branch_disable(&guest_util_key);
	}
	WRITE_ONCE(collect_guest_utilization, enable);
	mutex_unlock(&guest_util_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(guest_util_set);

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

	guest_util_set(val);
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
