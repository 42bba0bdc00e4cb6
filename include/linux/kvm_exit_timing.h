/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-vCPU exit timing: for every VM exit, the host time from the exit to
 * the next VM entry, attributed to the exit's reason (count, min, max,
 * total, sum of squares), plus the time in guest and the time the vCPU was
 * halted.  Collected while kernel.collect_guest_utilization and
 * kernel.collect_guest_exit_timing are both 1 (guest_exit_timing_enabled());
 * a static key no-op while the first is 0.  See
 * Documentation/virt/kvm/exit-timing.rst.
 *
 * The vCPU thread is the only writer, with IRQs disabled (exit and entry)
 * or preemption disabled; readers retry on a seqcount, so they never see
 * a torn or impossible row.  No locks and no allocation on the exit path.
 */
#ifndef __LINUX_KVM_EXIT_TIMING_H
#define __LINUX_KVM_EXIT_TIMING_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/guest_util.h>
#include <linux/hash.h>
#include <linux/kvm_types.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/sched/clock.h>
#include <linux/seqlock.h>
#include <linux/types.h>

#define KVM_EXIT_TIMING_HASH_BITS	6
#define KVM_EXIT_TIMING_HASH		BIT(KVM_EXIT_TIMING_HASH_BITS)
/* Distinct exit reasons kept per vCPU; the last row collects the rest. */
#define KVM_EXIT_TIMING_ROWS		48
#define KVM_EXIT_TIMING_OTHER		(KVM_EXIT_TIMING_ROWS - 1)

struct kvm_exit_timing_row {
	u64 count;
	u64 total_ns;
	u64 min_ns;
	u64 max_ns;
	u64 sumsq_lo;		/* sum of squares of the times, 128 bits */
	u64 sumsq_hi;
	u64 user;		/* of count, exits completed in userspace */
};

struct kvm_exit_timing {
	seqcount_t seq;
	atomic_t reset;			/* resets asked for (debugfs writes) */
	unsigned int gen;		/* resets done by the vCPU thread */
	unsigned int epoch;		/* guest_util_epoch of the timestamps */
	u32 mult, shift;		/* clock ticks to ns */
	u32 isa;			/* namespace of the exit reasons */
	u32 nr_rows;
	/* The exit being handled: from t_exit to the next entry. */
	u64 t_entry;			/* clock at the last VM entry; 0: none */
	u64 t_exit;			/* clock at the last VM exit; 0: none open */
	u64 halted_ns;			/* of it, halted */
	u32 reason;			/* its reason */
	bool user;			/* it went out to userspace */
	u8 slot[KVM_EXIT_TIMING_HASH];	/* hash of reason -> row + 1 */
	u32 reasons[KVM_EXIT_TIMING_ROWS];
	struct kvm_exit_timing_row rows[KVM_EXIT_TIMING_ROWS];
	struct kvm_exit_timing_row guest;	/* time in guest, per entry */
	struct kvm_exit_timing_row halted;	/* time halted, per halt */
};

/*
 * The clock: local_clock(), unless the architecture has a cheaper one in
 * asm/kvm_host.h, kvm_arch_exit_timing_clock(), whose ticks
 * kvm_arch_exit_timing_scale() turns into nanoseconds (ns = t * mult >>
 * shift).  Only differences of it are used.
 */
#ifndef kvm_arch_exit_timing_clock
static __always_inline u64 kvm_arch_exit_timing_clock(void)
{
	return local_clock();
}

static inline void kvm_arch_exit_timing_scale(u32 *mult, u32 *shift)
{
	*mult = 1;
	*shift = 0;
}
#endif

static __always_inline void kvm_exit_timing_add(struct kvm_exit_timing_row *r,
						u64 ns)
{
	u64 sq;

	r->count++;
	r->total_ns += ns;
	if (r->count == 1 || ns < r->min_ns)
		r->min_ns = ns;
	if (ns > r->max_ns)
		r->max_ns = ns;
	if (likely(ns <= U32_MAX)) {
		sq = ns * ns;
		r->sumsq_lo += sq;
		r->sumsq_hi += r->sumsq_lo < sq;
	} else {
		u64 hi = ns >> 32, lo = (u32)ns, mid = 2 * hi * lo;
		u64 old = r->sumsq_lo;

		/* ns^2 = hi^2 * 2^64 + 2*hi*lo * 2^32 + lo^2; hi*lo < 2^63 */
		r->sumsq_hi += hi * hi + (mid >> 32);
		r->sumsq_lo += mid << 32;
		r->sumsq_hi += r->sumsq_lo < old;
		old = r->sumsq_lo;
		r->sumsq_lo += lo * lo;
		r->sumsq_hi += r->sumsq_lo < old;
	}
}

u32 kvm_exit_timing_new_row(struct kvm_exit_timing *et, u32 reason, u32 h);
void kvm_exit_timing_resync(struct kvm_exit_timing *et);
void kvm_exit_timing_reset_now(struct kvm_exit_timing *et);
u64 kvm_exit_timing_stddev(const struct kvm_exit_timing_row *r);
struct seq_file;
void kvm_exit_timing_show(struct seq_file *m, const struct kvm_exit_timing *et);

/* The row of @reason, created on first sight; in the write section. */
static __always_inline u32 kvm_exit_timing_row(struct kvm_exit_timing *et,
					       u32 reason)
{
	u32 h = hash_32(reason, KVM_EXIT_TIMING_HASH_BITS);
	u8 s;

	/* Never more than KVM_EXIT_TIMING_ROWS of the slots are used. */
	while ((s = et->slot[h])) {
		if (et->reasons[s - 1] == reason)
			return s - 1;
		h = (h + 1) & (KVM_EXIT_TIMING_HASH - 1);
	}
	return kvm_exit_timing_new_row(et, reason, h);
}

/* Apply a reset asked for, drop timestamps from before collection resumed. */
static __always_inline void kvm_exit_timing_sync(struct kvm_exit_timing *et)
{
	if (unlikely(et->gen != (unsigned int)atomic_read(&et->reset) ||
		     et->epoch != READ_ONCE(guest_util_epoch)))
		kvm_exit_timing_resync(et);
}

/*
 * VM exit at clock @now for @reason: only noted, so that the exit path
 * proper does as little as possible.  Readers do not look at these fields.
 */
static __always_inline void __kvm_exit_timing_exit(struct kvm_exit_timing *et,
						   u32 isa, u32 reason, u64 now)
{
	et->t_exit = now;
	et->reason = reason;
	et->isa = isa;
}

/*
 * VM entry at clock @now: charge the exit that ends here, less its halted
 * time, to its reason, and the guest run before it to the time in guest.
 * Timestamps from before a reset or a pause of collection are dropped.
 */
static __always_inline void
__kvm_exit_timing_entry(struct kvm_exit_timing *et,
			struct kvm_vcpu_stat_generic *st, u64 now)
{
	kvm_exit_timing_sync(et);
	if (likely(et->t_exit)) {
		s64 g = et->t_exit - et->t_entry, x = now - et->t_exit;
		struct kvm_exit_timing_row *r;
		u64 gns, xns;

		/* A clock that is not in sync across CPUs can go back. */
		gns = mul_u64_u32_shr(max(g, 0LL), et->mult, et->shift);
		xns = mul_u64_u32_shr(max(x, 0LL), et->mult, et->shift);
		xns = xns > et->halted_ns ? xns - et->halted_ns : 0;

		raw_write_seqcount_begin(&et->seq);
		if (et->t_entry)
			kvm_exit_timing_add(&et->guest, gns);
		r = &et->rows[kvm_exit_timing_row(et, et->reason)];
		kvm_exit_timing_add(r, xns);
		r->user += et->user;
		raw_write_seqcount_end(&et->seq);

		st->timed_exits++;
		st->exit_time_ns += xns;
		if (et->t_entry)
			st->guest_time_ns += gns;
		et->t_exit = 0;
		et->halted_ns = 0;
		et->user = false;
	}
	et->t_entry = now;
}

/* The vCPU was halted for @ns while handling the open exit. */
static inline void __kvm_exit_timing_halted(struct kvm_exit_timing *et,
					    struct kvm_vcpu_stat_generic *st,
					    u64 ns)
{
	preempt_disable();
	kvm_exit_timing_sync(et);
	raw_write_seqcount_begin(&et->seq);
	kvm_exit_timing_add(&et->halted, ns);
	raw_write_seqcount_end(&et->seq);
	preempt_enable();
	if (et->t_exit)
		et->halted_ns += ns;
	st->halted_time_ns += ns;
}

#endif /* __LINUX_KVM_EXIT_TIMING_H */
