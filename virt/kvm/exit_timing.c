// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-vCPU exit timing: the slow paths (allocation, new rows, halts, exits
 * to userspace, resets), the binary stats and the debugfs file
 * vcpuN/exit_timing.  The exit path itself is inline, in
 * include/linux/kvm_exit_timing.h.
 */
#include <linux/debugfs.h>
#include <linux/kvm_host.h>
#include <linux/kvm_exit_timing.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

/* One page at most per vCPU, all of it allocated at once. */
static_assert(sizeof(struct kvm_exit_timing) <= 4096);
static_assert(KVM_EXIT_TIMING_ROWS <= U8_MAX);

static void empty_row(struct kvm_exit_timing_row *r)
{
	memset(r, 0, sizeof(*r));
	r->min = U64_MAX;
}

/* Empty the table; an exit still open is timed when it ends. */
static void kvm_exit_timing_reset_now(struct kvm_exit_timing *et)
{
	u32 i;

	et->gen = atomic_read(&et->reset);
	/* The binary stats are cumulative: keep what the rows held. */
	for (i = 0; i < KVM_EXIT_TIMING_ROWS; i++) {
		et->base_exits += et->rows[i].count;
		et->base_exit += et->rows[i].total;
		empty_row(&et->rows[i]);
	}
	et->base_guest += et->guest.total;
	et->base_halted += et->halted.total;
	empty_row(&et->guest);
	empty_row(&et->halted);
	et->nr_rows = 0;
	memset(et->slot, KVM_EXIT_TIMING_OTHER, sizeof(et->slot));
	memset(et->reasons, 0, sizeof(et->reasons));
	et->reasons[KVM_EXIT_TIMING_OTHER] = KVM_EXIT_TIMING_NO_REASON;
}

/* A new, empty table; times in ticks of kvm_arch_exit_timing_clock(). */
static void kvm_exit_timing_init(struct kvm_exit_timing *et)
{
	memset(et, 0, sizeof(*et));
	seqcount_init(&et->seq);
	et->open_row = KVM_EXIT_TIMING_ROWS;
	kvm_arch_exit_timing_scale(&et->mult, &et->shift);
	kvm_exit_timing_reset_now(et);
}

/*
 * The row of @reason when its slot (the low byte of the reason) holds
 * another one, or none yet: look, or take a new row, or <other> when the
 * table is full.  In the write section.
 */
struct kvm_exit_timing_row *kvm_exit_timing_find(struct kvm_exit_timing *et,
						 u32 reason)
{
	u8 *slot = &et->slot[(u8)reason];
	u32 row;

	for (row = 0; row < et->nr_rows; row++)
		if (et->reasons[row] == reason)
			return &et->rows[row];
	if (et->nr_rows >= KVM_EXIT_TIMING_OTHER)
		return &et->rows[KVM_EXIT_TIMING_OTHER];
	row = et->nr_rows++;
	et->reasons[row] = reason;
	/* The first reason seen keeps a shared slot. */
	if (*slot == KVM_EXIT_TIMING_OTHER)
		*slot = row;
	return &et->rows[row];
}

/* Ticks of a halt in progress, begun at @halt_start, up to @now. */
static u64 halt_so_far(u64 halt_start, u64 now)
{
	return now > halt_start ? now - halt_start : 0;
}

/*
 * Ticks of exit @c up to @now, less the time the vCPU was halted in it,
 * a halt in progress included.
 */
static u64 exit_so_far(const struct kvm_exit_timing_vcpu *c, u64 now)
{
	u64 t = kvm_exit_timing_delta(c->t_exit, now), h = c->halted;

	if (c->halt_start)
		h += halt_so_far(c->halt_start, now);
	return t > h ? t - h : 0;
}

/* Charge the open exit, less its halted time, and the guest run before it. */
static void kvm_exit_timing_charge(struct kvm_exit_timing_vcpu *cur,
				   struct kvm_exit_timing *et, u64 now)
{
	struct kvm_exit_timing_row *r;

	kvm_exit_timing_add(&et->guest,
			    kvm_exit_timing_delta(cur->t_entry, cur->t_exit));
	r = kvm_exit_timing_row(et, cur->reason);
	kvm_exit_timing_add(r, exit_so_far(cur, now));
	r->user += cur->user;
}

/**
 * kvm_exit_timing_slow - VM entry, the slow way
 * @cur: the vCPU's open exit
 * @et: its table, or NULL if there is none
 * @now: the clock
 *
 * Taken when the vCPU's sync word differs from guest_exit_timing_sync:
 * the first entry, after a halt or an exit to userspace, after a reset
 * was asked for, or after collection was turned on again (then what is
 * open was not timed and is dropped); and when there was no exit since
 * the last entry (then there is nothing to charge), or there is no table.
 * IRQs are disabled.
 */
void kvm_exit_timing_slow(struct kvm_exit_timing_vcpu *cur,
			  struct kvm_exit_timing *et, u64 now)
{
	unsigned int sync = READ_ONCE(guest_exit_timing_sync), epoch;

	if (!et) {
		/* Nothing to charge, and the slow path stays taken. */
		cur->open = false;
		cur->t_exit = 0;
		kvm_exit_timing_resync(cur);
		return;
	}
	/* Pairs with smp_wmb() in guest_exit_timing_bump(). */
	smp_rmb();
	epoch = READ_ONCE(guest_util_epoch);
	raw_write_seqcount_begin(&et->seq);
	if (et->gen != (unsigned int)atomic_read(&et->reset))
		kvm_exit_timing_reset_now(et);
	if (cur->open && cur->t_exit && cur->epoch == epoch)
		kvm_exit_timing_charge(cur, et, now);
	cur->sync = sync;
	cur->epoch = epoch;
	cur->open = true;
	cur->user = false;
	cur->halted = 0;
	cur->t_entry = now;
	WRITE_ONCE(cur->t_exit, 0);
	raw_write_seqcount_end(&et->seq);
}

static u64 ticks_to_ns(const struct kvm_exit_timing *et, u64 t)
{
	return mul_u64_u32_shr(t, et->mult, et->shift);
}

/**
 * __kvm_exit_timing_halted - a halt (__kvm_exit_timing_halt_start()) ends
 * @cur: the vCPU's open exit, which the halt is part of
 * @et: its table, or NULL
 * @now: the clock
 *
 * Called by the vCPU thread, preemptible, whenever a halt was started,
 * even if collection was turned off since.  The halt (polling included)
 * is taken out of the exit's time at the next entry.
 */
void __kvm_exit_timing_halted(struct kvm_exit_timing_vcpu *cur,
			      struct kvm_exit_timing *et, u64 now)
{
	u64 t = kvm_exit_timing_delta(cur->halt_start, now);

	preempt_disable();
	/* Readers see the halt either in progress or in the row. */
	if (et) {
		raw_write_seqcount_begin(&et->seq);
		kvm_exit_timing_add(&et->halted, t);
	}
	WRITE_ONCE(cur->halt_start, 0);
	WRITE_ONCE(cur->halted, cur->halted + t);
	kvm_exit_timing_resync(cur);
	if (et)
		raw_write_seqcount_end(&et->seq);
	preempt_enable();
}

/*
 * A snapshot's halt in progress (begun at @halt_start, 0 if none) counts
 * as a halt until @now.
 */
static void kvm_exit_timing_halt_now(struct kvm_exit_timing *snap,
				     u64 halt_start, u64 now)
{
	if (halt_start) {
		snap->open_halt = halt_so_far(halt_start, now);
		kvm_exit_timing_add(&snap->halted, snap->open_halt);
	}
}

/*
 * A copy of the vCPU's open exit, taken with its table in the same read
 * section (the exit hook stores its clock last).
 */
static void read_cur(const struct kvm_exit_timing_vcpu *cur,
		     struct kvm_exit_timing_vcpu *c)
{
	/* Pairs with smp_store_release() in __kvm_exit_timing_exit(). */
	c->t_exit = smp_load_acquire(&cur->t_exit);
	c->reason = READ_ONCE(cur->reason);
	c->isa = READ_ONCE(cur->isa);
	c->halted = READ_ONCE(cur->halted);
	c->halt_start = READ_ONCE(cur->halt_start);
	c->epoch = READ_ONCE(cur->epoch);
	c->open = READ_ONCE(cur->open);
	c->user = READ_ONCE(cur->user);
}

/*
 * Is @c, a copy of a vCPU's open exit, an exit in progress: one that the
 * vCPU has not entered the guest again after, and that it will charge
 * when it does (collection is on, and was since the entry before it)?
 */
static bool exit_in_progress(const struct kvm_exit_timing_vcpu *c)
{
	return c->t_exit && c->open && guest_exit_timing_enabled() &&
	       c->epoch == READ_ONCE(guest_util_epoch);
}

/**
 * kvm_exit_timing_now - count what is in progress in a snapshot
 * @snap: a copy of a vCPU's table (a reset pending already done)
 * @c: a copy of its open exit, taken with it
 * @now: the clock
 *
 * A halt in progress counts as a halt, and an exit in progress as an exit
 * of its reason (from userspace, if KVM_RUN handed it there), each with
 * its time so far; as the vCPU will charge them.
 */
static void kvm_exit_timing_now(struct kvm_exit_timing *snap,
				const struct kvm_exit_timing_vcpu *c, u64 now)
{
	struct kvm_exit_timing_row *r;

	kvm_exit_timing_halt_now(snap, c->halt_start, now);
	if (!exit_in_progress(c))
		return;
	r = kvm_exit_timing_row(snap, c->reason);
	snap->open = exit_so_far(c, now);
	snap->open_row = r - snap->rows;
	kvm_exit_timing_add(r, snap->open);
	r->user += c->user;
}

/**
 * kvm_exit_timing_alloc - give a new vCPU its exit timing table
 * @vcpu: the vCPU, not running yet
 *
 * At vCPU creation, whether collection is on or not, so that it starts at
 * once for a vCPU that never leaves KVM_RUN.
 *
 * Return: 0, or -ENOMEM (vcpu->exit_timing stays NULL).
 */
int kvm_exit_timing_alloc(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_timing *et;

	if (vcpu->exit_timing)
		return 0;
	et = kmalloc(sizeof(*et), GFP_KERNEL_ACCOUNT);
	if (!et)
		return -ENOMEM;
	kvm_exit_timing_init(et);
	kvm_exit_timing_resync(&vcpu->exit_timing_cur);
	/* Pairs with smp_load_acquire() in the readers. */
	smp_store_release(&vcpu->exit_timing, et);
	return 0;
}

void kvm_exit_timing_free(struct kvm_vcpu *vcpu)
{
	kfree(vcpu->exit_timing);
	vcpu->exit_timing = NULL;
}

/* KVM_RUN returns to userspace: the open exit is completed there. */
void kvm_exit_timing_to_user(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_timing *et = vcpu->exit_timing;

	preempt_disable();
	if (et)
		raw_write_seqcount_begin(&et->seq);
	WRITE_ONCE(vcpu->exit_timing_cur.user, true);
	kvm_exit_timing_resync(&vcpu->exit_timing_cur);
	if (et)
		raw_write_seqcount_end(&et->seq);
	preempt_enable();
}

/* The row of @reason in table @et, read only; -1 if it takes a new one. */
static int find_row(const struct kvm_exit_timing *et, u32 reason)
{
	u32 i, n = min_t(u32, READ_ONCE(et->nr_rows), KVM_EXIT_TIMING_OTHER);

	for (i = 0; i < n; i++)
		if (READ_ONCE(et->reasons[i]) == reason)
			return i;
	return n < KVM_EXIT_TIMING_OTHER ? -1 : KVM_EXIT_TIMING_OTHER;
}

/**
 * kvm_exit_timing_stats - bring the vCPU's exit timing binary stats up to date
 * @vcpu: the vCPU
 *
 * timed_exits, exit_time_ns, guest_time_ns and halted_time_ns are the
 * totals of the table (resets included), computed when read so that the
 * exit path does not keep them.  They only grow.
 */
void kvm_exit_timing_stats(struct kvm_vcpu *vcpu)
{
	static DEFINE_MUTEX(lock);
	struct kvm_vcpu_stat_generic *st = &vcpu->stat.generic;
	/* Pairs with smp_store_release() in kvm_exit_timing_alloc(). */
	struct kvm_exit_timing *et = smp_load_acquire(&vcpu->exit_timing);
	struct kvm_exit_timing_vcpu c;
	u64 v[4];
	u64 *stat[4] = { &st->timed_exits, &st->exit_time_ns,
			 &st->guest_time_ns, &st->halted_time_ns };
	u64 h, t, open, now;
	unsigned int seq;
	int i, row;
	bool in;

	if (!et)
		return;
	now = kvm_arch_exit_timing_clock();
	/*
	 * Row by row, so that exit_time_ns is the sum of the table's rows;
	 * an exit and a halt in progress count up to now, as in the table.
	 */
	do {
		seq = raw_read_seqcount_begin(&et->seq);
		read_cur(&vcpu->exit_timing_cur, &c);
		in = exit_in_progress(&c);
		open = in ? exit_so_far(&c, now) : 0;
		row = in ? find_row(et, c.reason) : -1;
		v[0] = et->base_exits + in;
		v[1] = ticks_to_ns(et, et->base_exit);
		for (i = 0; i < KVM_EXIT_TIMING_ROWS; i++) {
			t = READ_ONCE(et->rows[i].total);
			v[0] += READ_ONCE(et->rows[i].count);
			v[1] += ticks_to_ns(et, i == row ? t + open : t);
		}
		/* The exit in progress would take a new row. */
		if (in && row < 0)
			v[1] += ticks_to_ns(et, open);
		v[2] = ticks_to_ns(et, et->base_guest + READ_ONCE(et->guest.total));
		h = et->base_halted + READ_ONCE(et->halted.total);
		if (c.halt_start)
			h += halt_so_far(c.halt_start, now);
	} while (read_seqcount_retry(&et->seq, seq));
	v[3] = ticks_to_ns(et, h);

	mutex_lock(&lock);
	for (i = 0; i < 4; i++)
		if (v[i] > READ_ONCE(*stat[i]))
			WRITE_ONCE(*stat[i], v[i]);
	mutex_unlock(&lock);
}

static void show_row(struct seq_file *m, const char *name,
		     const struct kvm_exit_timing *et,
		     const struct kvm_exit_timing_row *r, u64 open)
{
	u64 total = ticks_to_ns(et, r->total);

	seq_printf(m, "%-24s %10llu %12llu %12llu %16llu %12llu %10llu %12llu\n",
		   name, r->count,
		   r->count ? ticks_to_ns(et, r->min) : 0,
		   ticks_to_ns(et, r->max), total,
		   r->count ? div64_u64(total, r->count) : 0, r->user,
		   ticks_to_ns(et, open));
}

static int cmp_reason(const void *a, const void *b, const void *priv)
{
	const struct kvm_exit_timing *et = priv;
	u32 ra = et->reasons[*(const u8 *)a], rb = et->reasons[*(const u8 *)b];

	return ra < rb ? -1 : ra > rb;
}

/*
 * Print a consistent snapshot @et, as described in exit-timing.rst; @isa is
 * the namespace of its exit reasons.
 */
static void kvm_exit_timing_show(struct seq_file *m,
				 const struct kvm_exit_timing *et, u32 isa)
{
	u8 order[KVM_EXIT_TIMING_ROWS];
	char buf[16];
	u32 i, n = min_t(u32, et->nr_rows, KVM_EXIT_TIMING_OTHER);

	seq_printf(m, "%-24s %10s %12s %12s %16s %12s %10s %12s\n",
		   "reason", "count", "min_ns", "max_ns", "total_ns", "avg_ns",
		   "user_exits", "open_ns");
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_r(order, n, 1, cmp_reason, NULL, et);
	for (i = 0; i < n; i++) {
		const struct kvm_exit_timing_row *r = &et->rows[order[i]];
		u32 reason = et->reasons[order[i]];
		const char *name = kvm_arch_exit_reason_name(isa, reason);

		if (!r->count)
			continue;
		if (!name) {
			snprintf(buf, sizeof(buf), "0x%x", reason);
			name = buf;
		}
		show_row(m, name, et, r, order[i] == et->open_row ? et->open : 0);
	}
	if (et->rows[KVM_EXIT_TIMING_OTHER].count)
		show_row(m, "<other>", et, &et->rows[KVM_EXIT_TIMING_OTHER],
			 et->open_row == KVM_EXIT_TIMING_OTHER ? et->open : 0);
	show_row(m, "<guest>", et, &et->guest, 0);
	show_row(m, "<halted>", et, &et->halted, et->open_halt);
}

static int exit_timing_show(struct seq_file *m, void *unused)
{
	struct kvm_vcpu *vcpu = m->private;
	struct kvm_exit_timing_vcpu c = { .isa = READ_ONCE(vcpu->exit_timing_cur.isa) };
	struct kvm_exit_timing *et, *snap;
	unsigned int seq;

	snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	kvm_exit_timing_init(snap);
	/* Pairs with smp_store_release() in kvm_exit_timing_alloc(). */
	et = smp_load_acquire(&vcpu->exit_timing);
	if (et) {
		do {
			seq = raw_read_seqcount_begin(&et->seq);
			memcpy(snap, et, sizeof(*snap));
			read_cur(&vcpu->exit_timing_cur, &c);
		} while (read_seqcount_retry(&et->seq, seq));
		/* A reset the vCPU has not done yet: show it done. */
		if (snap->gen != (unsigned int)atomic_read(&et->reset))
			kvm_exit_timing_reset_now(snap);
		kvm_exit_timing_now(snap, &c, kvm_arch_exit_timing_clock());
	}
	kvm_exit_timing_show(m, snap, c.isa);
	kfree(snap);
	return 0;
}

static int exit_timing_open(struct inode *inode, struct file *file)
{
	return single_open(file, exit_timing_show, inode->i_private);
}

/* Any write resets the vCPU's exit timing. */
static ssize_t exit_timing_write(struct file *file, const char __user *buf,
				 size_t len, loff_t *ppos)
{
	struct kvm_vcpu *vcpu = ((struct seq_file *)file->private_data)->private;
	/* Pairs with smp_store_release() in kvm_exit_timing_alloc(). */
	struct kvm_exit_timing *et = smp_load_acquire(&vcpu->exit_timing);

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (et) {
		atomic_inc(&et->reset);
		/* The vCPU resets its table at its next VM entry. */
		guest_exit_timing_resync_all();
	}
	return len;
}

static const struct file_operations exit_timing_fops = {
	.owner		= THIS_MODULE,
	.open		= exit_timing_open,
	.read		= seq_read,
	.write		= exit_timing_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

void kvm_exit_timing_debugfs(struct kvm_vcpu *vcpu, struct dentry *dir)
{
	debugfs_create_file("exit_timing", 0644, dir, vcpu, &exit_timing_fops);
}

#ifdef CONFIG_KVM_EXIT_TIMING_KUNIT_TEST
#include "exit_timing_test.c"
#endif
