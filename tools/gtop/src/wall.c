// SPDX-License-Identifier: GPL-2.0
/*
 * wall.c - where a vCPU's wall time went over the interval, as shares
 * that add up to 100%:
 *
 *   guest      exit timing's <guest> time (VM entry to exit) when it
 *              was collected over the interval, else guest_time (field
 *              43, ticks, scaled by the tick rate);
 *     user/system  guest split in the proportion of guest_user and
 *              guest_system (fields 53/54) over the interval; guest time
 *              that no tick sampled stays unsplit;
 *   VMM        the thread's user time outside the guest, utime -
 *              guest_time (the VMM completing exits in userspace);
 *   wait       run queue delay (schedstat, 2nd field): runnable, not
 *              running;
 *   kernel     host kernel for exits: with exit timing, the exit time
 *              (VM exit to next entry, halts excluded) less the VMM's
 *              part and the waits that fell within exits, and no more
 *              than the thread ran (schedstat) less guest and VMM: an
 *              exit the VMM sits in (blocked on I/O, a paused VM) is
 *              rest, not kernel; without exit timing, the thread's
 *              system time (stime: includes halt polling);
 *   halted     exit timing's <halted> time less the waits that fell
 *              within halts (a woken vCPU waits for its CPU inside the
 *              halt); per VM on a stock kernel, KVM's halt_wait_ns +
 *              halt_poll_success_ns + halt_poll_fail_ns (the poll time
 *              then moves from kernel, where stime has it, to halted);
 *   rest       what is left: idle, blocked in an exit, or unknown.
 *
 * Waits are taken from exits first (a preempted vCPU waits inside an
 * exit), the rest from halts.  Reads are not atomic, so the parts can
 * exceed the wall time a little: halted shrinks first (it overlaps the
 * wait), then all parts in proportion.  A part with no source is
 * unknown ("-"), never 0; rest is known when guest, VMM and kernel are.
 * A VM's parts are its vCPUs' summed, over nvcpus x interval, when
 * every vCPU has the part from the same source.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "model_int.h"

static double dmax(double a, double b)
{
	return a > b ? a : b;
}

static double dmin(double a, double b)
{
	return a < b ? a : b;
}

void gt_wall_vcpu(struct gt_wall *w, const struct gt_interval *iv,
		  const struct gt_vcpu_raw *c, const struct gt_vcpu_raw *p,
		  const struct gt_tsec *t, const struct gt_xdelta *x)
{
	double wait_exits = 0;

	memset(w, 0, sizeof(*w));
	w->n = 1;
	if (!p || iv->dt <= 0 || !t->ok)
		return;
	w->wall = iv->dt;
	if (x->ok)
		w->src[GT_WP_EXITS] = GT_SRC_XT;
	/* guest */
	if (x->ok && x->has_guest) {
		w->guest = dmin(x->guest_s, w->wall);
		w->src[GT_WP_GUEST] = GT_SRC_XT;
	} else if (t->guest_ok) {
		w->guest = t->g;
		w->src[GT_WP_GUEST] = GT_SRC_STAT;
	}
	/* guest time no tick sampled (a vCPU in its guest for less than
	 * a tick) stays unsplit: guest user + guest system <= guest */
	if (w->src[GT_WP_GUEST] && t->split_ok) {
		double s = t->gu + t->gs;

		w->gu = s > 0 ? w->guest * t->gu / s : 0;
		w->gs = s > 0 ? w->guest * t->gs / s : 0;
		w->src[GT_WP_SPLIT] = GT_SRC_STAT;
	}
	/* VMM userspace: user time outside the guest */
	if (t->guest_ok) {
		w->vmm = dmax(t->ut - t->g, 0);
		w->src[GT_WP_VMM] = GT_SRC_STAT;
	}
	if (c->has_sched && p->has_sched) {
		w->wait = (double)gt_delta(c->wait_ns, p->wait_ns) / 1e9;
		w->src[GT_WP_WAIT] = GT_SRC_SCHED;
	}
	/* host kernel for exits */
	if (x->ok && w->src[GT_WP_VMM]) {
		double in_exits = dmax(x->exit_s - w->vmm, 0);

		wait_exits = dmin(w->wait, in_exits);
		w->kernel = in_exits - wait_exits;
		/* no more than the thread ran: an exit the VMM sits in
		 * (blocked on I/O, a paused VM) is not host kernel work */
		if (w->src[GT_WP_WAIT]) {
			double run = (double)gt_delta(c->run_ns, p->run_ns) / 1e9;

			w->kernel = dmin(w->kernel,
					 dmax(run - w->guest - w->vmm, 0));
		}
		w->src[GT_WP_KERNEL] = GT_SRC_XT;
	} else if (!x->ok) {
		w->kernel = t->st;
		w->src[GT_WP_KERNEL] = GT_SRC_STAT;
	}
	if (x->ok && x->has_halted) {
		w->halted = dmax(x->halted_s - (w->wait - wait_exits), 0);
		w->src[GT_WP_HALTED] = GT_SRC_XT;
	}
}

static void add_part(struct gt_wall *vm, const struct gt_wall *w,
		     enum gt_wpart k, double *dst, double v)
{
	if (vm->n == 1)
		vm->src[k] = w->src[k];
	else if (vm->src[k] != w->src[k])
		vm->src[k] = GT_SRC_NONE;	/* unknown for one vCPU */
	*dst += v;
}

void gt_wall_add(struct gt_wall *vm, const struct gt_wall *w)
{
	vm->n++;
	if (w->wall <= 0 || (vm->n > 1 && vm->wall <= 0)) {
		int n = vm->n;	/* a vCPU without the interval: unknown */

		memset(vm, 0, sizeof(*vm));
		vm->n = n;
		return;
	}
	vm->wall += w->wall;
	add_part(vm, w, GT_WP_GUEST, &vm->guest, w->guest);
	add_part(vm, w, GT_WP_SPLIT, &vm->gu, w->gu);
	vm->gs += w->gs;
	add_part(vm, w, GT_WP_KERNEL, &vm->kernel, w->kernel);
	add_part(vm, w, GT_WP_VMM, &vm->vmm, w->vmm);
	add_part(vm, w, GT_WP_HALTED, &vm->halted, w->halted);
	add_part(vm, w, GT_WP_WAIT, &vm->wait, w->wait);
	add_part(vm, w, GT_WP_EXITS, &vm->wall, 0);
}

void gt_wall_vm_stats(struct gt_wall *w, const struct gt_kvmstat *c,
		      const struct gt_kvmstat *p)
{
	if (!c || !p || w->wall <= 0 || w->src[GT_WP_HALTED] ||
	    !c->has_halt_wait || !p->has_halt_wait || !c->has_halt_poll ||
	    !p->has_halt_poll)
		return;
	double poll = (double)gt_delta(c->halt_poll_ns, p->halt_poll_ns) / 1e9;

	w->halted = (double)gt_delta(c->halt_wait_ns, p->halt_wait_ns) / 1e9 +
		    poll;
	w->src[GT_WP_HALTED] = GT_SRC_KVM;
	if (w->src[GT_WP_KERNEL] == GT_SRC_STAT) {
		w->kernel = dmax(w->kernel - poll, 0);
		w->src[GT_WP_KERNEL] = GT_SRC_STAT_KVM;
	}
}

/* Parts that exceed the wall time: halted shrinks, then all. */
static void fit(struct gt_wall *w)
{
	double sum = w->guest + w->kernel + w->vmm + w->halted + w->wait;
	double over = sum - w->wall;

	if (over <= 0)
		return;
	double h = dmin(over, w->halted);

	w->halted -= h;
	sum -= h;
	if (sum > w->wall && sum > 0) {
		double f = w->wall / sum;

		w->guest *= f;
		w->gu *= f;
		w->gs *= f;
		w->kernel *= f;
		w->vmm *= f;
		w->halted *= f;
		w->wait *= f;
	}
}

void gt_wall_set(struct gt_row *r, struct gt_wall *w)
{
	const unsigned char *s = w->src;

	if (w->wall <= 0) {
		gt_set_str(r, GT_F_SOURCES, gt_wall_sources(s));
		return;
	}
	/* unknown parts count 0 for the fit; they are not shown */
	if (!s[GT_WP_GUEST])
		w->guest = w->gu = w->gs = 0;
	if (!s[GT_WP_KERNEL])
		w->kernel = 0;
	if (!s[GT_WP_VMM])
		w->vmm = 0;
	if (!s[GT_WP_HALTED])
		w->halted = 0;
	if (!s[GT_WP_WAIT])
		w->wait = 0;
	fit(w);

	double k = 100.0 / w->wall;

	if (s[GT_WP_GUEST])
		gt_set(r, GT_F_W_GUEST, w->guest * k);
	if (s[GT_WP_GUEST] && s[GT_WP_SPLIT]) {
		gt_set(r, GT_F_W_GUEST_USER, w->gu * k);
		gt_set(r, GT_F_W_GUEST_SYSTEM, w->gs * k);
	}
	if (s[GT_WP_KERNEL])
		gt_set(r, GT_F_W_KERNEL, w->kernel * k);
	if (s[GT_WP_VMM])
		gt_set(r, GT_F_W_VMM, w->vmm * k);
	if (s[GT_WP_HALTED])
		gt_set(r, GT_F_W_HALTED, w->halted * k);
	if (s[GT_WP_WAIT])
		gt_set(r, GT_F_W_WAIT, w->wait * k);
	if (s[GT_WP_GUEST] && s[GT_WP_KERNEL] && s[GT_WP_VMM]) {
		double rest = w->wall - w->guest - w->kernel - w->vmm -
			      w->halted - w->wait;

		gt_set(r, GT_F_W_REST, dmax(rest, 0) * k);
	}
	/* the bar sorts by the share neither halted nor idle */
	if (s[GT_WP_GUEST] || s[GT_WP_KERNEL] || s[GT_WP_VMM])
		gt_set(r, GT_F_WALL_BAR, (w->guest + w->kernel + w->vmm +
					  w->wait) * k);
	gt_set_str(r, GT_F_SOURCES, gt_wall_sources(s));
}

bool gt_wall_segments(const struct gt_row *r, double pct[GT_NWSEGS])
{
	const struct gt_val *v = r->val;
	bool split = v[GT_F_W_GUEST_USER].ok && v[GT_F_W_GUEST_SYSTEM].ok;

	memset(pct, 0, GT_NWSEGS * sizeof(*pct));
	if (!v[GT_F_W_GUEST].ok && !v[GT_F_W_KERNEL].ok && !v[GT_F_W_VMM].ok)
		return false;
	if (split) {
		pct[GT_WS_GUEST_USER] = v[GT_F_W_GUEST_USER].v;
		pct[GT_WS_GUEST_SYSTEM] = v[GT_F_W_GUEST_SYSTEM].v;
		if (v[GT_F_W_GUEST].ok)
			pct[GT_WS_GUEST] = dmax(v[GT_F_W_GUEST].v -
						pct[GT_WS_GUEST_USER] -
						pct[GT_WS_GUEST_SYSTEM], 0);
	} else if (v[GT_F_W_GUEST].ok) {
		pct[GT_WS_GUEST] = v[GT_F_W_GUEST].v;
	}
	pct[GT_WS_KERNEL] = v[GT_F_W_KERNEL].ok ? v[GT_F_W_KERNEL].v : 0;
	pct[GT_WS_VMM] = v[GT_F_W_VMM].ok ? v[GT_F_W_VMM].v : 0;
	pct[GT_WS_HALTED] = v[GT_F_W_HALTED].ok ? v[GT_F_W_HALTED].v : 0;
	pct[GT_WS_WAIT] = v[GT_F_W_WAIT].ok ? v[GT_F_W_WAIT].v : 0;
	return true;
}

/* ---------------------------------------------------------- sources */

static const char *const part_name[GT_NWPARTS] = {
	[GT_WP_GUEST] = "guest", [GT_WP_SPLIT] = "split",
	[GT_WP_KERNEL] = "kernel", [GT_WP_VMM] = "vmm",
	[GT_WP_HALTED] = "halted", [GT_WP_WAIT] = "wait",
	[GT_WP_EXITS] = "exits",
};

static const char *const src_name[GT_NSRC] = {
	[GT_SRC_STAT] = "stat", [GT_SRC_XT] = "exit_timing",
	[GT_SRC_SCHED] = "schedstat", [GT_SRC_KVM] = "kvm_stats",
	[GT_SRC_STAT_KVM] = "stat-kvm_stats",
};

#define NINTERN 64

/*
 * "guest=exit_timing split=stat ..." for the parts with a source; few
 * combinations occur, so they are kept, not built for every row.
 */
const char *gt_wall_sources(const unsigned char src[GT_NWPARTS])
{
	static struct {
		uint32_t key;
		char text[160];
	} cache[NINTERN];
	static int n;
	uint32_t key = 1;	/* 0: unused slot */
	int len = 0;

	for (int i = 0; i < GT_NWPARTS; i++)
		key = key << 3 | (src[i] < GT_NSRC ? src[i] : 0);
	for (int i = 0; i < n; i++)
		if (cache[i].key == key)
			return cache[i].text;
	if (key == 1u << (3 * GT_NWPARTS))
		return NULL;	/* nothing known */
	if (n == NINTERN)
		return "?";
	for (int i = 0; i < GT_NWPARTS; i++)
		if (src[i] && src[i] < GT_NSRC)
			len += snprintf(cache[n].text + len,
					sizeof(cache[n].text) - (size_t)len,
					"%s%s=%s", len ? " " : "", part_name[i],
					src_name[src[i]]);
	cache[n].key = key;
	return cache[n++].text;
}
