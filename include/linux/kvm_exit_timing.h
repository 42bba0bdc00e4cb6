/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-vCPU exit timing: for every VM exit, the host time from the exit to
 * the next VM entry, attributed to the exit's reason (count, min, max,
 * total), plus the time in guest and the time the vCPU was halted.
 * Collected while kernel.collect_guest_utilization and
 * kernel.collect_guest_exit_timing are both 1 (guest_exit_timing_enabled(),
 * one static key).  See Documentation/virt/kvm/exit-timing.rst.
 *
 * The exit path is kept short, as it runs on every exit:
 *  - the exit hook stores a clock reading and the reason in the vCPU;
 *  - the entry hook charges the exit that ends there and the guest run
 *    before it, in clock ticks (scaled to ns when read), in one seqcount
 *    write section;
 *  - everything else (a halt, an exit completed in userspace, a reset, a
 *    pause of collection, the first entry, an entry with no exit since the
 *    last one, a vCPU without a table) is left to a slow path, which the
 *    vCPU takes at its next entry when its sync word differs from
 *    guest_exit_timing_sync.
 *
 * The table is allocated with the vCPU, so that timing starts at once for
 * a vCPU that is inside KVM_RUN when collection is turned on.  The vCPU
 * thread is the only writer, with IRQs disabled (exit and entry) or
 * preemption disabled; readers retry on the seqcount, so they never see a
 * torn or impossible row, and they count an exit in progress (the vCPU
 * has not entered again) up to the time of reading.  No locks and no
 * allocation on the exit path.
 */
#ifndef __LINUX_KVM_EXIT_TIMING_H
#define __LINUX_KVM_EXIT_TIMING_H

#ifdef CONFIG_HAVE_KVM_EXIT_TIMING
#include <linux/atomic.h>
#include <linux/guest_util.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/sched/clock.h>
#include <linux/seqlock.h>
#include <linux/types.h>

/* Distinct exit reasons kept per vCPU; the last row collects the rest. */
#define KVM_EXIT_TIMING_ROWS		48
#define KVM_EXIT_TIMING_OTHER		(KVM_EXIT_TIMING_ROWS - 1)
/* Rows are found by the low byte of the reason, then checked. */
#define KVM_EXIT_TIMING_SLOTS		256
/* The key of the <other> row, so that a free slot never matches. */
#define KVM_EXIT_TIMING_NO_REASON	0xfffffffeU

/* Times in clock ticks; see kvm_arch_exit_timing_clock(). */
struct kvm_exit_timing_row {
	u64 count;
	u64 total;
	u64 min;		/* U64_MAX while count is 0 */
	u64 max;
	u64 user;		/* of count, exits completed in userspace */
};

/* The table, allocated with the vCPU; what readers see. */
struct kvm_exit_timing {
	seqcount_t seq;
	atomic_t reset;			/* resets asked for (debugfs writes) */
	unsigned int gen;		/* resets done by the vCPU thread */
	u32 mult, shift;		/* clock ticks to ns */
	u32 nr_rows;
	/* Totals of the rows before the last reset, for the binary stats. */
	u64 base_exits, base_exit, base_guest, base_halted;
	u8 slot[KVM_EXIT_TIMING_SLOTS];	/* low byte of reason -> row */
	u32 reasons[KVM_EXIT_TIMING_ROWS];
	struct kvm_exit_timing_row rows[KVM_EXIT_TIMING_ROWS];
	struct kvm_exit_timing_row guest;	/* time in guest, per entry */
	struct kvm_exit_timing_row halted;	/* time halted, per halt */
	/*
	 * In a reader's snapshot only: the row holding the exit in progress
	 * (KVM_EXIT_TIMING_ROWS: none) and the ticks so far of it and of the
	 * halt in progress, which the rows count.
	 */
	u32 open_row;
	u64 open, open_halt;
};

/*
 * In struct kvm_vcpu: the exit being handled.  Only the vCPU writes it, in
 * the table's write section but for what the exit hook and
 * __kvm_exit_timing_halt_start() store.
 */
struct kvm_exit_timing_vcpu {
	u64 t_entry;		/* clock at the last VM entry */
	u64 t_exit;		/* clock at the VM exit after it; 0: none yet */
	u64 halted;		/* ticks of it halted */
	u64 halt_start;		/* clock when the halt in progress began; 0: none */
	u32 reason;
	u32 isa;		/* namespace of the exit reasons */
	u32 sync;		/* guest_exit_timing_sync seen; odd: resync */
	u32 epoch;		/* guest_util_epoch of t_entry */
	bool open;		/* t_entry is valid */
	bool user;		/* the exit went out to userspace */
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
						u64 t)
{
	r->count++;
	r->total += t;
	if (t < r->min)
		r->min = t;
	if (t > r->max)
		r->max = t;
}

/* Ticks from clock reading @from to @to; 0 if the clock went back. */
static __always_inline u64 kvm_exit_timing_delta(u64 from, u64 to)
{
	s64 d = to - from;

	return max(d, 0LL);
}

/* The slow paths, in virt/kvm/exit_timing.c. */
struct kvm_exit_timing_row *kvm_exit_timing_find(struct kvm_exit_timing *et,
						 u32 reason);
void kvm_exit_timing_slow(struct kvm_exit_timing_vcpu *cur,
			  struct kvm_exit_timing *et, u64 now);
void __kvm_exit_timing_halted(struct kvm_exit_timing_vcpu *cur,
			      struct kvm_exit_timing *et, u64 now);

/* The row of @reason, created on first sight; in the write section. */
static __always_inline struct kvm_exit_timing_row *
kvm_exit_timing_row(struct kvm_exit_timing *et, u32 reason)
{
	u8 row = et->slot[(u8)reason];

	if (likely(et->reasons[row] == reason))
		return &et->rows[row];
	return kvm_exit_timing_find(et, reason);
}

/* The vCPU starts to halt, at clock @now; readers count the halt from then. */
static __always_inline void __kvm_exit_timing_halt_start(struct kvm_exit_timing_vcpu *cur,
							 u64 now)
{
	WRITE_ONCE(cur->halt_start, now ?: 1);
}

/*
 * The vCPU must take the slow path at its next entry: its sync word is odd,
 * guest_exit_timing_sync never is.
 */
static __always_inline void kvm_exit_timing_resync(struct kvm_exit_timing_vcpu *cur)
{
	cur->sync |= 1;
}

/*
 * VM exit at clock @now for @reason (@isa: the namespace of the reasons).
 * Only noted, so that the exit path proper does as little as possible; the
 * clock last, for readers (a reading of 0 is taken as no exit).
 */
static __always_inline void __kvm_exit_timing_exit(struct kvm_exit_timing_vcpu *cur,
						   u32 isa, u32 reason, u64 now)
{
	cur->reason = reason;
	cur->isa = isa;
	/* Pairs with smp_load_acquire() in the readers. */
	smp_store_release(&cur->t_exit, now);
}

/*
 * VM entry at clock @now: charge the exit that ends here to its reason and
 * the guest run before it to the time in guest.  Only if there is a table
 * (@et), an exit since the last entry (the exit hook may be patched in
 * later or out earlier than the entry hook) and nothing to resync; the slow
 * path sorts out the rest.  A clock that is not in sync across CPUs can go
 * back: such a time counts as 0.
 */
static __always_inline void __kvm_exit_timing_entry(struct kvm_exit_timing_vcpu *cur,
						    struct kvm_exit_timing *et,
						    u64 now)
{
	u64 t_exit = cur->t_exit;

	if (unlikely(!et || !t_exit ||
		     cur->sync != READ_ONCE(guest_exit_timing_sync))) {
		kvm_exit_timing_slow(cur, et, now);
		return;
	}
	raw_write_seqcount_begin(&et->seq);
	kvm_exit_timing_add(&et->guest,
			    kvm_exit_timing_delta(cur->t_entry, t_exit));
	kvm_exit_timing_add(kvm_exit_timing_row(et, cur->reason),
			    kvm_exit_timing_delta(t_exit, now));
	cur->t_entry = now;
	WRITE_ONCE(cur->t_exit, 0);
	raw_write_seqcount_end(&et->seq);
}

#endif /* CONFIG_HAVE_KVM_EXIT_TIMING */
#endif /* __LINUX_KVM_EXIT_TIMING_H */
