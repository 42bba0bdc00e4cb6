// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-vCPU exit timing: the slow paths (allocation, new rows, resets) and
 * the debugfs file vcpuN/exit_timing.  The exit path itself is inline, in
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

u32 kvm_exit_timing_new_row(struct kvm_exit_timing *et, u32 reason, u32 h)
{
	u32 row;

	if (et->nr_rows >= KVM_EXIT_TIMING_OTHER)
		return KVM_EXIT_TIMING_OTHER;
	row = et->nr_rows++;
	et->reasons[row] = reason;
	et->slot[h] = row + 1;
	return row;
}
EXPORT_SYMBOL_GPL(kvm_exit_timing_new_row);

/* Called by the vCPU thread, with preemption disabled. */
void kvm_exit_timing_resync(struct kvm_exit_timing *et)
{
	if (et->epoch != READ_ONCE(guest_util_epoch)) {
		/* Collection was off since: what is open was not timed. */
		et->epoch = READ_ONCE(guest_util_epoch);
		et->t_entry = 0;
		et->t_exit = 0;
		et->halted_ns = 0;
	}
	if (et->gen != (unsigned int)atomic_read(&et->reset)) {
		raw_write_seqcount_begin(&et->seq);
		kvm_exit_timing_reset_now(et);
		raw_write_seqcount_end(&et->seq);
	}
}
EXPORT_SYMBOL_GPL(kvm_exit_timing_resync);

/* Empty the table; an exit still open is timed when it ends. */
void kvm_exit_timing_reset_now(struct kvm_exit_timing *et)
{
	et->gen = atomic_read(&et->reset);
	et->nr_rows = 0;
	memset(et->slot, 0, sizeof(et->slot));
	memset(et->rows, 0, sizeof(et->rows));
	memset(&et->guest, 0, sizeof(et->guest));
	memset(&et->halted, 0, sizeof(et->halted));
}

/*
 * Allocate the vCPU's exit timing when it first runs with collection on.
 * Called from KVM_RUN, never from the exit path.
 */
void kvm_exit_timing_alloc(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_timing *et;

	if (vcpu->exit_timing)
		return;
	et = kzalloc(sizeof(*et), GFP_KERNEL_ACCOUNT);
	if (!et)
		return;
	seqcount_init(&et->seq);
	et->epoch = READ_ONCE(guest_util_epoch);
	kvm_arch_exit_timing_scale(&et->mult, &et->shift);
	/* Pairs with smp_load_acquire() in the debugfs reader. */
	smp_store_release(&vcpu->exit_timing, et);
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

	if (et && et->t_exit)
		WRITE_ONCE(et->user, true);
}

__weak const char *kvm_arch_exit_reason_name(u32 isa, u32 reason)
{
	return NULL;
}

/* 128-bit arithmetic for the standard deviation, on every architecture. */
struct u128_pair {
	u64 hi, lo;
};

static struct u128_pair mul_64x64(u64 a, u64 b)
{
	u64 a0 = (u32)a, a1 = a >> 32, b0 = (u32)b, b1 = b >> 32;
	u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	u64 mid = (p00 >> 32) + (u32)p01 + (u32)p10;

	return (struct u128_pair){
		.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32),
		.lo = (mid << 32) | (u32)p00,
	};
}

static bool ge_128(struct u128_pair a, struct u128_pair b)
{
	return a.hi > b.hi || (a.hi == b.hi && a.lo >= b.lo);
}

static struct u128_pair sub_128(struct u128_pair a, struct u128_pair b)
{
	return (struct u128_pair){
		.hi = a.hi - b.hi - (a.lo < b.lo),
		.lo = a.lo - b.lo,
	};
}

static struct u128_pair div_128_64(struct u128_pair n, u64 d)
{
	struct u128_pair q = { 0, 0 };
	u64 r = 0;
	int i;

	for (i = 127; i >= 0; i--) {
		u64 bit = i >= 64 ? (n.hi >> (i - 64)) & 1 : (n.lo >> i) & 1;
		bool carry = r >> 63;

		r = (r << 1) | bit;
		if (carry || r >= d) {
			r -= d;
			if (i >= 64)
				q.hi |= 1ULL << (i - 64);
			else
				q.lo |= 1ULL << i;
		}
	}
	return q;
}

static u64 isqrt_128(struct u128_pair v)
{
	u64 root = 0;
	int i;

	for (i = 63; i >= 0; i--) {
		u64 cand = root | (1ULL << i);

		if (ge_128(v, mul_64x64(cand, cand)))
			root = cand;
	}
	return root;
}

/**
 * kvm_exit_timing_stddev - population standard deviation of a row, in ns
 * @r: the row
 *
 * sqrt(sumsq / count - avg^2), each step in 128 bits, rounded down.
 */
u64 kvm_exit_timing_stddev(const struct kvm_exit_timing_row *r)
{
	struct u128_pair sumsq = { r->sumsq_hi, r->sumsq_lo }, msq, asq;
	u64 avg;

	if (!r->count)
		return 0;
	avg = div64_u64(r->total_ns, r->count);
	msq = div_128_64(sumsq, r->count);
	asq = mul_64x64(avg, avg);
	if (!ge_128(msq, asq))
		return 0;
	return isqrt_128(sub_128(msq, asq));
}

static void show_row(struct seq_file *m, const char *name,
		     const struct kvm_exit_timing_row *r)
{
	seq_printf(m, "%-24s %10llu %12llu %12llu %16llu %12llu %12llu %10llu\n",
		   name, r->count, r->min_ns, r->max_ns, r->total_ns,
		   r->count ? div64_u64(r->total_ns, r->count) : 0,
		   kvm_exit_timing_stddev(r), r->user);
}

static int cmp_reason(const void *a, const void *b, const void *priv)
{
	const struct kvm_exit_timing *et = priv;
	u32 ra = et->reasons[*(const u8 *)a], rb = et->reasons[*(const u8 *)b];

	return ra < rb ? -1 : ra > rb;
}

/* Print a consistent snapshot @et, as described in exit-timing.rst. */
void kvm_exit_timing_show(struct seq_file *m, const struct kvm_exit_timing *et)
{
	u8 order[KVM_EXIT_TIMING_ROWS];
	char buf[16];
	u32 i, n = min_t(u32, et->nr_rows, KVM_EXIT_TIMING_OTHER);

	seq_printf(m, "%-24s %10s %12s %12s %16s %12s %12s %10s\n", "reason",
		   "count", "min_ns", "max_ns", "total_ns", "avg_ns",
		   "stddev_ns", "user_exits");
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_r(order, n, 1, cmp_reason, NULL, et);
	for (i = 0; i < n; i++) {
		const struct kvm_exit_timing_row *r = &et->rows[order[i]];
		u32 reason = et->reasons[order[i]];
		const char *name = kvm_arch_exit_reason_name(et->isa, reason);

		if (!r->count)
			continue;
		if (!name) {
			snprintf(buf, sizeof(buf), "0x%x", reason);
			name = buf;
		}
		show_row(m, name, r);
	}
	if (et->rows[KVM_EXIT_TIMING_OTHER].count)
		show_row(m, "<other>", &et->rows[KVM_EXIT_TIMING_OTHER]);
	show_row(m, "<guest>", &et->guest);
	show_row(m, "<halted>", &et->halted);
}

static int exit_timing_show(struct seq_file *m, void *unused)
{
	struct kvm_vcpu *vcpu = m->private;
	struct kvm_exit_timing *et, *snap;
	unsigned int seq;

	snap = kzalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	/* Pairs with smp_store_release() in kvm_exit_timing_alloc(). */
	et = smp_load_acquire(&vcpu->exit_timing);
	if (et) {
		do {
			seq = raw_read_seqcount_begin(&et->seq);
			memcpy(snap, et, sizeof(*snap));
		} while (read_seqcount_retry(&et->seq, seq));
		/* A reset the vCPU has not done yet: show it done. */
		if (snap->gen != (unsigned int)atomic_read(&et->reset))
			kvm_exit_timing_reset_now(snap);
	}
	kvm_exit_timing_show(m, snap);
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
	if (et)
		atomic_inc(&et->reset);
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
