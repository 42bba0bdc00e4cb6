/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest utilization: split the CPU time a task spends running a guest
 * into time the guest spent in its user mode and in its kernel mode.
 *
 * The hypervisor samples the privilege level of the guest at VM exits that
 * interrupt it at a point it did not choose (a host interrupt, an NMI), and
 * records it in PF_VCPU_USER of the vCPU task.  Guest time accounting (tick
 * based or vtime) charges guest time to guest_user while that flag is set,
 * to guest_system otherwise.  All of it is off unless
 * kernel.collect_guest_utilization is 1.  See
 * Documentation/admin-guide/sysctl/kernel.rst for the design.
 */
#ifndef _LINUX_GUEST_UTIL_H
#define _LINUX_GUEST_UTIL_H

#include <linux/jump_label.h>
#include <linux/sched.h>
#include <linux/tick.h>

#ifdef CONFIG_GUEST_UTIL
DECLARE_STATIC_KEY_FALSE(guest_util_key);
DECLARE_STATIC_KEY_FALSE(guest_exit_timing_key);
extern unsigned int guest_util_epoch;
extern unsigned int guest_exit_timing_sync;

/**
 * guest_util_enabled - is guest time split into guest user and system?
 *
 * A static key: a no-op in the VM-exit path unless the sysctl
 * kernel.collect_guest_utilization is 1.
 */
static __always_inline bool guest_util_enabled(void)
{
	return static_branch_unlikely(&guest_util_key);
}

/**
 * guest_exit_timing_enabled - is per-vCPU exit timing collected?
 *
 * While kernel.collect_guest_utilization and kernel.collect_guest_exit_timing
 * are both 1: a static key, a no-op otherwise.
 */
static __always_inline bool guest_exit_timing_enabled(void)
{
	return static_branch_unlikely(&guest_exit_timing_key);
}

void guest_exit_timing_resync_all(void);

#if IS_ENABLED(CONFIG_KUNIT)
/* The sysctls' switches, for KUnit tests. */
int guest_util_set(bool enable);
int guest_exit_timing_set(bool enable);
#endif
#else
static __always_inline bool guest_util_enabled(void)
{
	return false;
}

static __always_inline bool guest_exit_timing_enabled(void)
{
	return false;
}
#endif /* CONFIG_GUEST_UTIL */

/**
 * guest_util_sample - record the guest's privilege level
 * @user: the guest was running at a privilege level other than its most
 *	  privileged one (CPL > 0 on x86)
 *
 * Called by the hypervisor on the vCPU task right after an asynchronous VM
 * exit, before interrupts are enabled again, so that the tick that caused
 * the exit already sees the sample, and when it loads the vCPU on the task
 * (with the vCPU's last sample; it clears the flag when it puts the vCPU).
 * The flag stays until the next sample: synchronous exits, which the guest
 * takes where it chooses, do not change it, nor does guest exit.  It counts
 * only while PF_VCPU is set.  Only the current task writes its own flags.
 */
static __always_inline void guest_util_sample(bool user)
{
	if (user)
		current->flags |= PF_VCPU_USER;
	else
		current->flags &= ~PF_VCPU_USER;
}

#if defined(CONFIG_GUEST_UTIL) && defined(CONFIG_NO_HZ_FULL)
void __guest_util_vcpu_load(void);
void __guest_util_vcpu_put(void);

/*
 * The hypervisor tells the split when a vCPU task in KVM_RUN is loaded on a
 * CPU and when it leaves, with preemption disabled: on nohz_full CPUs a timer
 * samples the guest meanwhile.  Nothing happens without nohz_full CPUs.
 */
static __always_inline void guest_util_vcpu_load(void)
{
	if (tick_nohz_full_enabled())
		__guest_util_vcpu_load();
}

static __always_inline void guest_util_vcpu_put(void)
{
	if (tick_nohz_full_enabled())
		__guest_util_vcpu_put();
}
#else
static inline void guest_util_vcpu_load(void) { }
static inline void guest_util_vcpu_put(void) { }
#endif

#endif /* _LINUX_GUEST_UTIL_H */
