// SPDX-License-Identifier: GPL-2.0
/*
 * model.c - figures from two snapshots.
 *
 * Units: VM and vCPU percentages are of ONE CPU (a 4-vCPU VM can show
 * 400, as in top); CPU row percentages are of that CPU's time (the
 * total row: of all CPUs).  Guest time is part of user time (guest_nice
 * of nice) in /proc/stat and part of utime in /proc/<pid>/stat, so:
 *   CPU total  = user+nice+system+idle+iowait+irq+softirq+steal
 *   host user  = user+nice - (guest+guest_nice)
 *   VM host    = utime+stime - guest_time
 * and guest_user/guest_system split guest(+guest_nice), never added.
 *
 * Two clocks: utime+stime of a task are sum_exec_runtime (ns) split by
 * the tick ratio, but guest, guest_user and guest_system are counted
 * in ticks.  A host that loses ticks (itself a VM whose vCPUs are
 * descheduled, without steal time accounting) counts fewer ticks than
 * time passes, so ticks / (HZ * dt) falls short of the nanosecond
 * figures: a vCPU that spins in its guest would show half guest, half
 * "host".  So each CPU's tick rate is measured from /proc/stat (busy
 * ticks over the wall time it was not idle; idle is counted in time
 * under nohz), and the tick-counted figures of a vCPU thread are scaled
 * by the rate of the CPU it last ran on, a VM's by its vCPUs' mix.  On
 * a host that keeps its ticks the rate is 1 and nothing changes.
 *
 * The interval (struct gt_interval) is decided once in gt_view_build:
 * its length, whether the split and exit timing were collected over
 * all of it, and for every VM the same process in the previous
 * snapshot.  wall.c decomposes wall time, exits.c sums exit tables.
 */
#define _GNU_SOURCE
#include "model_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static double fmin2(double a, double b)
{
	return a < b ? a : b;
}

enum gt_split_state gt_split_state(const struct gt_snap *s)
{
	if (!s->stat_ok)
		return GT_SPLIT_UNKNOWN;
	if (!gt_cpu_has_split(&s->total))
		return GT_SPLIT_UNSUPPORTED;
	if (!s->has_sysctl)
		return GT_SPLIT_UNKNOWN;
	return s->sysctl ? GT_SPLIT_ON : GT_SPLIT_OFF;
}

/*
 * Exit timing is collected while kernel.collect_guest_utilization and
 * kernel.collect_guest_exit_timing are both 1: otherwise the files stay
 * readable but nothing is collected, so their rates are not zero but
 * unknown.
 */
enum gt_xt_state gt_xt_state(const struct gt_snap *s)
{
	if (((s->has_sysctl && !s->sysctl) ||
	     (s->has_xt_sysctl && !s->xt_sysctl)) &&
	    (s->xt_state == GT_XT_OK || s->xt_state == GT_XT_NO_VCPUS))
		return GT_XT_OFF;
	return s->xt_state;
}

/* ------------------------------------------------------------- times */

/* Tick rates (0 < rate <= 1) that tick-counted figures are divided by. */
struct rates {
	double g, gu, gs;
};

/* Tick deltas of guest, guest user, guest system and the same scaled. */
struct gticks {
	double g, gu, gs, sg, sgu, sgs;
};

/* The rates of a VM: those of its vCPUs, weighted by their ticks. */
static double mix(double ticks, double scaled, double fallback)
{
	return ticks > 0 && scaled > 0 ? ticks / scaled : fallback;
}

/*
 * The tick-counted times of a row over the interval (t, p: at both
 * ends; p NULL: none), in seconds.  Adds the guest tick deltas
 * (unscaled and scaled) to *acc, if given.
 */
static struct gt_tsec tsec(const struct gt_interval *iv,
			   const struct gt_times *t, const struct gt_times *p,
			   const struct rates *rt, struct gticks *acc)
{
	struct gt_tsec s = { 0 };

	if (!p || iv->dt <= 0)
		return s;
	s.ok = true;
	s.ut = (double)gt_delta(t->utime, p->utime) / iv->hz;
	s.st = (double)gt_delta(t->stime, p->stime) / iv->hz;
	s.cpu = (double)gt_delta(t->utime + t->stime, p->utime + p->stime) /
		iv->hz;
	if (!t->has_guest || !p->has_guest)
		return s;
	/* guest is inside utime; reads are not atomic: clamp */
	double g = (double)gt_delta(t->guest, p->guest);

	s.guest_ok = true;
	s.g = fmin2(g / iv->hz / rt->g, s.cpu);
	if (acc) {
		acc->g += g;
		acc->sg += g / rt->g;
	}
	if (!iv->split_ok || !t->has_split || !p->has_split)
		return s;
	double gu = (double)gt_delta(t->guest_user, p->guest_user);
	double gs = (double)gt_delta(t->guest_system, p->guest_system);

	s.split_ok = true;
	s.gu = gu / iv->hz / rt->gu;
	s.gs = gs / iv->hz / rt->gs;
	/* they split guest: if they add up to more, shrink both */
	if (s.gu + s.gs > s.g) {
		double f = s.g / (s.gu + s.gs);

		s.gu *= f;
		s.gs *= f;
	}
	if (acc) {
		acc->gu += gu;
		acc->sgu += gu / rt->gu;
		acc->gs += gs;
		acc->sgs += gs / rt->gs;
	}
	return s;
}

/* The time figures of a VM or vCPU row, % of one CPU. */
static void set_times(struct gt_row *r, const struct gt_interval *iv,
		      const struct gt_tsec *s)
{
	double k = 100.0 / iv->dt;

	if (!s->ok)
		return;
	gt_set(r, GT_F_CPU, s->cpu * k);
	if (!s->guest_ok)
		return;
	gt_set(r, GT_F_GUEST, s->g * k);
	gt_set(r, GT_F_HOST, (s->cpu - s->g) * k);
	if (s->split_ok) {
		gt_set(r, GT_F_GUEST_USER, s->gu * k);
		gt_set(r, GT_F_GUEST_SYSTEM, s->gs * k);
	}
}

/*
 * Counters of a VM or vCPU row: cur's raw figures in seconds.  Those a
 * switched-off sysctl froze are unknown, not a counter that stopped.
 */
static void set_counters(struct gt_row *r, const struct gt_interval *iv,
			 const struct gt_times *t)
{
	gt_set(r, GT_F_CPU_SEC, (double)(t->utime + t->stime) / iv->hz);
	gt_set(r, GT_F_SYSTEM_SEC, (double)t->stime / iv->hz);
	if (!t->has_guest)
		return;
	gt_set(r, GT_F_GUEST_SEC, (double)t->guest / iv->hz);
	if (iv->split_now && t->has_split) {
		gt_set(r, GT_F_GUEST_USER_SEC, (double)t->guest_user / iv->hz);
		gt_set(r, GT_F_GUEST_SYSTEM_SEC,
		       (double)t->guest_system / iv->hz);
	}
}

/* Exit counters of one vCPU, added to the VM's sums in sum[3]. */
static bool set_xt_counters(struct gt_row *r, const struct gt_interval *iv,
			    const struct gt_xt *x, double sum[3],
			    bool *halted)
{
	double n = 0, ns = 0;

	if (!x || !iv->xt_now)
		return false;
	for (int i = 0; i < x->n; i++) {
		n += (double)x->rows[i].count;
		ns += (double)x->rows[i].total_ns;
	}
	gt_set(r, GT_F_EXIT_COUNT, n);
	gt_set(r, GT_F_EXIT_SEC, ns / 1e9);
	sum[0] += n;
	sum[1] += ns;
	if (x->has_halted) {
		gt_set(r, GT_F_HALTED_SEC, (double)x->halted.total_ns / 1e9);
		sum[2] += (double)x->halted.total_ns;
	} else {
		*halted = false;
	}
	return true;
}

/* KVM's per-VM statistics: counters, and rates over the interval. */
static void set_kvm_stats(struct gt_row *r, const struct gt_interval *iv,
			  const struct gt_vm_view *vm)
{
	const struct gt_kvmstat *c = vm->raw->ks;
	const struct gt_kvmstat *p = vm->prev ? vm->prev->ks : NULL;

	if (!c)
		return;
	gt_set(r, GT_F_KVM_EXIT_COUNT, (double)c->exits);
	if (c->has_halt_wait && c->has_halt_poll)
		gt_set(r, GT_F_KVM_HALTED_SEC,
		       (double)(c->halt_wait_ns + c->halt_poll_ns) / 1e9);
	if (!p || iv->dt <= 0)
		return;
	gt_set(r, GT_F_KVM_EXITS, (double)gt_delta(c->exits, p->exits) / iv->dt);
	if (c->has_halt_exits && p->has_halt_exits)
		gt_set(r, GT_F_HALT_EXITS, (double)gt_delta(c->halt_exits,
		       p->halt_exits) / iv->dt);
}

/* -------------------------------------------------------------- cpus */

static void cpu_row(struct gt_row *r, const struct gt_cpu_raw *c,
		    const struct gt_cpu_raw *p, bool split_ok)
{
	uint64_t d[GT_CPU_NCOLS] = { 0 };
	int n;

	r->kind = GT_ROW_CPU;
	if (c->id >= 0)
		gt_set(r, GT_F_CPU_ID, c->id);
	if (!p)
		return;
	n = c->ncols < p->ncols ? c->ncols : p->ncols;
	for (int k = 0; k < n; k++)
		d[k] = gt_delta(c->v[k], p->v[k]);
	uint64_t total = d[GT_CPU_USER] + d[GT_CPU_NICE] + d[GT_CPU_SYSTEM] +
			 d[GT_CPU_IDLE] + d[GT_CPU_IOWAIT] + d[GT_CPU_IRQ] +
			 d[GT_CPU_SOFTIRQ] + d[GT_CPU_STEAL];
	uint64_t guest = d[GT_CPU_GUEST] + d[GT_CPU_GUEST_NICE];
	uint64_t user = d[GT_CPU_USER] + d[GT_CPU_NICE];

	if (!total)
		return;		/* offline, or no time passed */
	double t = (double)total / 100.0;

	guest = min64(guest, user);
	gt_set(r, GT_F_HOST_USER, (double)(user - guest) / t);
	gt_set(r, GT_F_HOST_SYSTEM, (double)(d[GT_CPU_SYSTEM] + d[GT_CPU_IRQ] +
					     d[GT_CPU_SOFTIRQ]) / t);
	gt_set(r, GT_F_STEAL, (double)d[GT_CPU_STEAL] / t);
	gt_set(r, GT_F_IDLE, (double)(d[GT_CPU_IDLE] + d[GT_CPU_IOWAIT]) / t);
	if (n > GT_CPU_GUEST)
		gt_set(r, GT_F_GUEST, (double)guest / t);
	if (split_ok && gt_cpu_has_split(c) && gt_cpu_has_split(p)) {
		gt_set(r, GT_F_GUEST_USER,
		       (double)min64(d[GT_CPU_GUEST_USER], guest) / t);
		gt_set(r, GT_F_GUEST_SYSTEM,
		       (double)min64(d[GT_CPU_GUEST_SYSTEM], guest) / t);
	}
}

/* Guest counters of a CPU row (USER_HZ ticks of /proc/stat). */
static void cpu_counters(struct gt_row *r, const struct gt_cpu_raw *c,
			 const struct gt_interval *iv)
{
	if (c->ncols > GT_CPU_GUEST)
		gt_set(r, GT_F_GUEST_SEC, (double)(c->v[GT_CPU_GUEST] +
			(c->ncols > GT_CPU_GUEST_NICE ?
			 c->v[GT_CPU_GUEST_NICE] : 0)) / iv->hz);
	if (iv->split_now && gt_cpu_has_split(c)) {
		gt_set(r, GT_F_GUEST_USER_SEC,
		       (double)c->v[GT_CPU_GUEST_USER] / iv->hz);
		gt_set(r, GT_F_GUEST_SYSTEM_SEC,
		       (double)c->v[GT_CPU_GUEST_SYSTEM] / iv->hz);
	}
}

double gt_cpu_guest_unsplit(const struct gt_row *cpu)
{
	double g;

	if (!cpu->val[GT_F_GUEST].ok)
		return 0;
	g = cpu->val[GT_F_GUEST].v;
	if (cpu->val[GT_F_GUEST_USER].ok)
		g -= cpu->val[GT_F_GUEST_USER].v;
	if (cpu->val[GT_F_GUEST_SYSTEM].ok)
		g -= cpu->val[GT_F_GUEST_SYSTEM].v;
	return g > 0 ? g : 0;
}

static const struct gt_cpu_raw *find_cpu(const struct gt_snap *s, int i,
					 int id)
{
	if (i < s->ncpus && s->cpus[i].id == id)
		return &s->cpus[i];
	for (int k = 0; k < s->ncpus; k++)
		if (s->cpus[k].id == id)
			return &s->cpus[k];
	return NULL;
}

/* --------------------------------------------------------- tick rate */

#define RATE_MIN 0.1

/*
 * The share of its busy wall time that a CPU counted in ticks over the
 * interval: (total - idle) / (HZ * dt - idle).  Idle (with iowait) is
 * kept in time, not ticks, under nohz, so it is what the CPU was not
 * busy.  1 when the CPU was mostly idle (too little to measure) or
 * counted more (rounding).  *busy and *wall add this CPU's figures.
 */
static double cpu_rate(const struct gt_interval *iv,
		       const struct gt_cpu_raw *cur,
		       const struct gt_cpu_raw *prev, double *busy,
		       double *wall)
{
	uint64_t total = 0, idle;
	double expect, b, w;

	if (!prev || iv->dt <= 0)
		return 1;
	for (int k = GT_CPU_USER; k <= GT_CPU_STEAL; k++)
		total += gt_delta(cur->v[k], prev->v[k]);
	idle = gt_delta(cur->v[GT_CPU_IDLE], prev->v[GT_CPU_IDLE]) +
	       gt_delta(cur->v[GT_CPU_IOWAIT], prev->v[GT_CPU_IOWAIT]);
	expect = iv->hz * iv->dt;
	b = (double)(total - min64(idle, total));
	w = expect - (double)idle;
	if (w < 0.1 * expect)
		return 1;
	*busy += b;
	*wall += w;
	return b >= w ? 1 : b / w < RATE_MIN ? RATE_MIN : b / w;
}

/* The tick rate of the CPU with this id; all CPUs' when unknown. */
static double rate_of(const struct gt_interval *iv, int cpu_id)
{
	const struct gt_snap *s = iv->cur;

	if (!iv->rate || cpu_id < 0)
		return iv->rate_all;
	if (cpu_id < s->ncpus && s->cpus[cpu_id].id == cpu_id)
		return iv->rate[cpu_id];
	for (int i = 0; i < s->ncpus; i++)
		if (s->cpus[i].id == cpu_id)
			return iv->rate[i];
	return iv->rate_all;
}

/* --------------------------------------------------------------- view */

const struct gt_vcpu_raw *gt_vm_prev_vcpu(const struct gt_vm_view *vm, int i)
{
	const struct gt_vm_raw *p = vm->prev;
	int tid = vm->raw->vcpus[i].tid;

	if (!p)
		return NULL;
	/* vCPUs keep their order: try the same place first */
	if (i < p->nvcpus && p->vcpus[i].tid == tid)
		return &p->vcpus[i];
	for (int k = 0; k < p->nvcpus; k++)
		if (p->vcpus[k].tid == tid)
			return &p->vcpus[k];
	return NULL;
}

static void set_exit_figures(struct gt_row *r, const struct gt_interval *iv,
			     double count, double ns, uint16_t top)
{
	gt_set(r, GT_F_EXITS, count / iv->dt);
	gt_set(r, GT_F_EXIT_TIME, ns / iv->dt * 100.0);
	gt_set_str(r, GT_F_TOP_EXIT, top ? gt_reason_name(top) : NULL);
}

static int build_vm(struct gt_view *v, struct gt_vm_view *out,
		    struct gt_xacc *acc)
{
	const struct gt_interval *iv = &v->iv;
	const struct gt_vm_raw *vm = out->raw;
	struct gt_row *r = &out->row;
	bool xt_all = vm->nvcpus > 0, xtc_all = vm->nvcpus > 0;
	bool halted_all = true;
	double exits = 0, xs = 0, xsum[3] = { 0, 0, 0 };
	struct gticks gt = { 0 };
	struct gt_wall wall = { 0 };

	r->kind = GT_ROW_VM;
	gt_set(r, GT_F_PID, vm->pid);
	gt_set_str(r, GT_F_NAME, vm->name);
	gt_set_str(r, GT_F_UUID, vm->uuid);
	gt_set_str(r, GT_F_CGROUP, vm->cgroup);
	gt_set(r, GT_F_VCPUS, vm->nvcpus);
	set_counters(r, iv, &vm->t);

	out->nvcpus = vm->nvcpus;
	out->vcpus = gt_arena_alloc(&v->arena, (size_t)(vm->nvcpus ? vm->nvcpus
							: 1) * sizeof(*r));
	if (!out->vcpus)
		return -1;
	gt_xacc_reset(acc);
	bool wait_all = vm->nvcpus > 0;
	double wait_sum = 0;

	for (int i = 0; i < vm->nvcpus; i++) {
		const struct gt_vcpu_raw *cv = &vm->vcpus[i];
		const struct gt_vcpu_raw *pv = gt_vm_prev_vcpu(out, i);
		struct gt_row *vr = &out->vcpus[i];
		double rate = rate_of(iv, cv->processor);
		struct rates vrt = { rate, rate, rate };
		struct gt_tsec ts = tsec(iv, &cv->t, pv ? &pv->t : NULL, &vrt,
					 &gt);
		struct gt_xdelta xd;
		struct gt_wall w;

		vr->kind = GT_ROW_VCPU;
		gt_set(vr, GT_F_PID, vm->pid);
		gt_set(vr, GT_F_TID, cv->tid);
		gt_set_str(vr, GT_F_NAME, cv->comm);
		if (cv->index >= 0)
			gt_set(vr, GT_F_INDEX, cv->index);
		if (cv->processor >= 0)
			gt_set(vr, GT_F_LAST_CPU, cv->processor);
		set_times(vr, iv, &ts);
		set_counters(vr, iv, &cv->t);
		if (cv->has_sched) {
			gt_set(vr, GT_F_WAIT_SEC, (double)cv->wait_ns / 1e9);
			wait_sum += (double)cv->wait_ns / 1e9;
		} else {
			wait_all = false;
		}
		if (!set_xt_counters(vr, iv, cv->xt, xsum, &halted_all))
			xtc_all = false;
		gt_exits_vcpu(acc, iv, cv->xt, pv ? pv->xt : NULL, &xd);
		if (xd.ok) {
			set_exit_figures(vr, iv, xd.count, xd.exit_s, xd.top);
			exits += xd.count;
			xs += xd.exit_s;
		} else {
			xt_all = false;
		}
		gt_wall_vcpu(&w, iv, cv, pv, &ts, &xd);
		gt_wall_set(vr, &w);
		gt_wall_add(&wall, &w);
	}
	/* the VM's tick rate: its vCPUs' rates, weighted by guest ticks */
	struct rates rt = { mix(gt.g, gt.sg, iv->rate_all),
			    mix(gt.gu, gt.sgu, iv->rate_all),
			    mix(gt.gs, gt.sgs, iv->rate_all) };
	struct gt_tsec ts = tsec(iv, &vm->t, out->prev ? &out->prev->t : NULL,
				 &rt, NULL);

	set_times(r, iv, &ts);
	if (xt_all)
		set_exit_figures(r, iv, exits, xs, gt_xacc_top(acc));
	if (xtc_all) {		/* counters of the whole VM: all vCPUs */
		gt_set(r, GT_F_EXIT_COUNT, xsum[0]);
		gt_set(r, GT_F_EXIT_SEC, xsum[1] / 1e9);
		if (halted_all)
			gt_set(r, GT_F_HALTED_SEC, xsum[2] / 1e9);
	}
	if (wait_all)
		gt_set(r, GT_F_WAIT_SEC, wait_sum);
	set_kvm_stats(r, iv, out);
	if (out->prev && iv->dt > 0)
		gt_wall_vm_stats(&wall, vm->ks, out->prev->ks);
	gt_wall_set(r, &wall);
	return acc->oom ? -1 : 0;
}

/* Decide the interval: its length and what was collected over it. */
static void interval(struct gt_view *v, const struct gt_snap *prev,
		     const struct gt_snap *cur)
{
	struct gt_interval *iv = &v->iv;

	iv->cur = cur;
	iv->hz = cur->hz > 0 ? (double)cur->hz : 100.0;
	iv->rate_all = 1;
	if (prev && cur->mono_ns > prev->mono_ns) {
		iv->prev = prev;
		iv->dt = (double)(cur->mono_ns - prev->mono_ns) / 1e9;
	}
	v->dt = iv->dt;
	iv->split_ok = iv->prev && v->split == GT_SPLIT_ON &&
		       gt_split_state(prev) == GT_SPLIT_ON;
	/* collected over the whole interval: on at both ends */
	iv->xt_ok = iv->prev && v->xt != GT_XT_OFF &&
		    gt_xt_state(prev) != GT_XT_OFF;
	iv->split_now = v->split == GT_SPLIT_ON;
	iv->xt_now = v->xt != GT_XT_OFF;
}

/* CPU rows and the tick rates of the interval. */
static int cpus(struct gt_view *v)
{
	struct gt_interval *iv = &v->iv;
	const struct gt_snap *cur = iv->cur, *prev = iv->prev;
	double busy = 0, wall = 0;
	double *rate;

	cpu_row(&v->cpu_total, &cur->total,
		prev && prev->stat_ok && cur->stat_ok ? &prev->total : NULL,
		iv->split_ok);
	if (!cur->stat_ok)
		v->cpu_total.kind = GT_ROW_CPU;
	else
		cpu_counters(&v->cpu_total, &cur->total, iv);
	v->ncpus = cur->ncpus;
	v->cpus = gt_arena_alloc(&v->arena, (size_t)(cur->ncpus ? cur->ncpus
						     : 1) * sizeof(*v->cpus));
	rate = gt_arena_alloc(&v->arena, (size_t)(cur->ncpus ? cur->ncpus : 1) *
			      sizeof(*rate));
	if (!v->cpus || !rate)
		return -1;
	for (int i = 0; i < cur->ncpus; i++) {
		const struct gt_cpu_raw *pc = prev && prev->stat_ok ?
			find_cpu(prev, i, cur->cpus[i].id) : NULL;

		cpu_row(&v->cpus[i], &cur->cpus[i], pc, iv->split_ok);
		cpu_counters(&v->cpus[i], &cur->cpus[i], iv);
		rate[i] = cpu_rate(iv, &cur->cpus[i], pc, &busy, &wall);
	}
	iv->rate = rate;
	iv->rate_all = wall > 0 && busy < wall ?
		(busy / wall < RATE_MIN ? RATE_MIN : busy / wall) : 1;
	return 0;
}

int gt_view_build(struct gt_view *v, const struct gt_snap *prev,
		  const struct gt_snap *cur)
{
	struct gt_arena a = v->arena;
	struct gt_xacc acc = { 0 };
	int ret = 0;

	gt_arena_reset(&a);
	memset(v, 0, sizeof(*v));
	v->arena = a;
	v->cur = cur;
	v->split = gt_split_state(cur);
	v->xt = gt_xt_state(cur);
	interval(v, prev, cur);
	prev = v->iv.prev;
	v->vms = gt_arena_alloc(&v->arena, (size_t)(cur->nvms ? cur->nvms : 1) *
				sizeof(*v->vms));
	v->order = gt_arena_alloc(&v->arena, (size_t)(cur->nvms ? cur->nvms
						      : 1) * sizeof(int));
	if (!v->vms || !v->order || cpus(v))
		return -1;
	for (int i = 0; i < cur->nvms; i++) {
		struct gt_vm_view *vm = &v->vms[i];

		vm->raw = &cur->vms[i];
		vm->prev = prev ? gt_snap_find_vm(prev, vm->raw->pid) : NULL;
		if (vm->prev && vm->prev->starttime != vm->raw->starttime)
			vm->prev = NULL;	/* pid reused */
		if (build_vm(v, vm, &acc)) {
			ret = -1;
			break;
		}
		v->nvms++;
		v->nvcpus += vm->raw->nvcpus;
	}
	gt_xacc_free(&acc);
	gt_view_rank(v, GT_F_CPU, -1, NULL);
	return ret;
}

void gt_view_free(struct gt_view *v)
{
	gt_arena_free(&v->arena);
	memset(v, 0, sizeof(*v));
}

const struct gt_vm_view *gt_view_find(const struct gt_view *v, int pid)
{
	int lo = 0, hi = v->nvms - 1;

	while (lo <= hi) {	/* vms are in pid order */
		int mid = lo + (hi - lo) / 2;

		if (v->vms[mid].raw->pid == pid)
			return &v->vms[mid];
		if (v->vms[mid].raw->pid < pid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

struct rank {
	const struct gt_view *v;
	enum gt_field key;
	int dir;
};

static int rank_cmp(const void *a, const void *b, void *arg)
{
	const struct rank *r = arg;

	return gt_row_compare(&r->v->vms[*(const int *)a].row,
			      &r->v->vms[*(const int *)b].row, r->key, r->dir);
}

static bool match(const struct gt_row *r, const char *filter)
{
	static const enum gt_field text[] = { GT_F_NAME, GT_F_UUID,
					      GT_F_CGROUP };
	char pid[16];

	if (!filter || !*filter)
		return true;
	for (size_t i = 0; i < GT_ARRAY_SIZE(text); i++)
		if (r->val[text[i]].ok && strcasestr(r->val[text[i]].s, filter))
			return true;
	snprintf(pid, sizeof(pid), "%.0f", r->val[GT_F_PID].v);
	return strstr(pid, filter) != NULL;
}

void gt_view_rank(struct gt_view *v, enum gt_field key, int dir,
		  const char *filter)
{
	struct rank r = { v, key, dir < 0 ? -1 : 1 };

	v->norder = 0;
	for (int i = 0; i < v->nvms; i++)
		if (match(&v->vms[i].row, filter))
			v->order[v->norder++] = i;
	qsort_r(v->order, (size_t)v->norder, sizeof(int), rank_cmp, &r);
}
