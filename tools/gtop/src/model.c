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
 */
#define _GNU_SOURCE
#include "model.h"

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

struct ctx {
	double dt;		/* seconds, > 0 when rates are valid */
	double hz;
	bool split_ok;		/* guest split valid over the interval */
	bool xt_ok;		/* exit timing collected over the interval */
	bool split_now;		/* the split is collected now (counters) */
	bool xt_now;		/* exit timing is collected now (counters) */
	const struct gt_snap *cur;
	const double *rate;	/* tick rate per cur->cpus[i], or NULL */
	double rate_all;	/* tick rate of all busy CPUs */
};

struct times {
	uint64_t utime, stime, guest, gu, gs;
	bool has_guest, has_split;
};

static double tick_pct(const struct ctx *c, double ticks)
{
	return ticks / c->hz / c->dt * 100.0;
}

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
 * Time figures of a VM or vCPU row.  Adds the tick deltas of the
 * interval (unscaled and scaled) to *acc, if given.
 */
static void set_times(struct gt_row *r, const struct ctx *c,
		      const struct times *t, const struct times *p,
		      const struct rates *rt, struct gticks *acc)
{
	if (!p || c->dt <= 0)
		return;
	uint64_t cpu = gt_delta(t->utime + t->stime, p->utime + p->stime);
	double cpu_pct = tick_pct(c, (double)cpu);

	gt_set(r, GT_F_CPU, cpu_pct);
	if (!t->has_guest || !p->has_guest)
		return;
	/* guest is inside utime; reads are not atomic: clamp */
	double g = (double)gt_delta(t->guest, p->guest);
	double g_pct = fmin2(tick_pct(c, g) / rt->g, cpu_pct);

	gt_set(r, GT_F_GUEST, g_pct);
	gt_set(r, GT_F_HOST, cpu_pct - g_pct);
	if (acc) {
		acc->g += g;
		acc->sg += g / rt->g;
	}
	if (c->split_ok && t->has_split && p->has_split) {
		double gu = (double)gt_delta(t->gu, p->gu);
		double gs = (double)gt_delta(t->gs, p->gs);
		double gu_pct = tick_pct(c, gu) / rt->gu;
		double gs_pct = tick_pct(c, gs) / rt->gs;

		/* they split guest: if they add up to more, shrink both */
		if (gu_pct + gs_pct > g_pct) {
			double f = g_pct / (gu_pct + gs_pct);

			gu_pct *= f;
			gs_pct *= f;
		}
		gt_set(r, GT_F_GUEST_USER, gu_pct);
		gt_set(r, GT_F_GUEST_SYSTEM, gs_pct);
		if (acc) {
			acc->gu += gu;
			acc->sgu += gu / rt->gu;
			acc->gs += gs;
			acc->sgs += gs / rt->gs;
		}
	}
}

/*
 * Counters of a VM or vCPU row: cur's raw figures in seconds.  Those a
 * switched-off sysctl froze are unknown, not a counter that stopped.
 */
static void set_counters(struct gt_row *r, const struct ctx *c,
			 const struct times *t)
{
	gt_set(r, GT_F_CPU_SEC, (double)(t->utime + t->stime) / c->hz);
	if (!t->has_guest)
		return;
	gt_set(r, GT_F_GUEST_SEC, (double)t->guest / c->hz);
	if (c->split_now && t->has_split) {
		gt_set(r, GT_F_GUEST_USER_SEC, (double)t->gu / c->hz);
		gt_set(r, GT_F_GUEST_SYSTEM_SEC, (double)t->gs / c->hz);
	}
}

/* Exit counters of one vCPU; adds them to the VM's sums in sum[3]. */
static bool set_xt_counters(struct gt_row *r, const struct ctx *c,
			    const struct gt_xt *x, double sum[3],
			    bool *halted)
{
	double n = 0, ns = 0;

	if (!x || !c->xt_now)
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

static struct times vm_times(const struct gt_vm_raw *v)
{
	return (struct times){ v->utime, v->stime, v->guest, v->guest_user,
			       v->guest_system, v->has_guest, v->has_split };
}

static struct times vcpu_times(const struct gt_vcpu_raw *v)
{
	return (struct times){ v->utime, v->stime, v->guest, v->guest_user,
			       v->guest_system, v->has_guest, v->has_split };
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
			 const struct ctx *x)
{
	if (c->ncols > GT_CPU_GUEST)
		gt_set(r, GT_F_GUEST_SEC, (double)(c->v[GT_CPU_GUEST] +
			(c->ncols > GT_CPU_GUEST_NICE ?
			 c->v[GT_CPU_GUEST_NICE] : 0)) / x->hz);
	if (x->split_now && gt_cpu_has_split(c)) {
		gt_set(r, GT_F_GUEST_USER_SEC,
		       (double)c->v[GT_CPU_GUEST_USER] / x->hz);
		gt_set(r, GT_F_GUEST_SYSTEM_SEC,
		       (double)c->v[GT_CPU_GUEST_SYSTEM] / x->hz);
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
static double cpu_rate(const struct ctx *c, const struct gt_cpu_raw *cur,
		       const struct gt_cpu_raw *prev, double *busy,
		       double *wall)
{
	uint64_t total = 0, idle;
	double expect, b, w;

	if (!prev || c->dt <= 0)
		return 1;
	for (int k = GT_CPU_USER; k <= GT_CPU_STEAL; k++)
		total += gt_delta(cur->v[k], prev->v[k]);
	idle = gt_delta(cur->v[GT_CPU_IDLE], prev->v[GT_CPU_IDLE]) +
	       gt_delta(cur->v[GT_CPU_IOWAIT], prev->v[GT_CPU_IOWAIT]);
	expect = c->hz * c->dt;
	b = (double)(total - min64(idle, total));
	w = expect - (double)idle;
	if (w < 0.1 * expect)
		return 1;
	*busy += b;
	*wall += w;
	return b >= w ? 1 : b / w < RATE_MIN ? RATE_MIN : b / w;
}

/* The tick rate of the CPU with this id; all CPUs' when unknown. */
static double rate_of(const struct ctx *c, int cpu_id)
{
	const struct gt_snap *s = c->cur;

	if (!c->rate || cpu_id < 0)
		return c->rate_all;
	if (cpu_id < s->ncpus && s->cpus[cpu_id].id == cpu_id)
		return c->rate[cpu_id];
	for (int i = 0; i < s->ncpus; i++)
		if (s->cpus[i].id == cpu_id)
			return c->rate[i];
	return c->rate_all;
}

/* ------------------------------------------------------------- exits */

/* Per-reason deltas accumulated over the vCPUs of one VM. */
struct racc {
	uint16_t reason;
	uint64_t count, ns;
};

struct acc {
	struct racc *r;
	size_t n, cap;
};

static void acc_add(struct acc *a, uint16_t reason, uint64_t count,
		    uint64_t ns)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->r[i].reason == reason) {
			a->r[i].count += count;
			a->r[i].ns += ns;
			return;
		}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		struct racc *nr = realloc(a->r, cap * sizeof(*nr));

		if (!nr)
			return;
		a->r = nr;
		a->cap = cap;
	}
	a->r[a->n++] = (struct racc){ reason, count, ns };
}

static uint16_t acc_top(const struct acc *a)
{
	const struct racc *best = NULL;

	for (size_t i = 0; i < a->n; i++) {
		const struct racc *r = &a->r[i];

		if (!r->count)
			continue;
		if (!best || r->count > best->count ||
		    (r->count == best->count && r->ns > best->ns))
			best = r;
	}
	return best ? best->reason : 0;
}

/* Exit figures of one vCPU; adds its per-reason deltas to *vm. */
static bool set_exits(struct gt_row *r, const struct ctx *c,
		      const struct gt_xt *x, const struct gt_xt *p,
		      struct acc *vm, struct acc *one, double *exits,
		      double *ns)
{
	uint64_t count = 0, time = 0;
	int j = 0;

	if (!x || !p || c->dt <= 0 || !c->xt_ok)
		return false;
	one->n = 0;
	for (int i = 0; i < x->n; i++) {
		const struct gt_xstat *a = &x->rows[i];
		uint64_t pc = 0, pn = 0;

		while (j < p->n && p->rows[j].reason < a->reason)
			j++;
		if (j < p->n && p->rows[j].reason == a->reason) {
			pc = p->rows[j].count;
			pn = p->rows[j].total_ns;
		}
		uint64_t dc = gt_delta(a->count, pc), dn = gt_delta(a->total_ns, pn);

		count += dc;
		time += dn;
		acc_add(vm, a->reason, dc, dn);
		acc_add(one, a->reason, dc, dn);
	}
	*exits = (double)count / c->dt;
	*ns = (double)time / c->dt;	/* ns of exit handling per second */
	gt_set(r, GT_F_EXITS, *exits);
	gt_set(r, GT_F_EXIT_TIME, *ns / 1e9 * 100.0);
	gt_set_str(r, GT_F_TOP_EXIT, acc_top(one) ?
		   gt_reason_name(acc_top(one)) : NULL);
	return true;
}

/* --------------------------------------------------------------- view */

static const struct gt_vcpu_raw *find_vcpu(const struct gt_vm_raw *vm,
					   int tid)
{
	for (int i = 0; vm && i < vm->nvcpus; i++)
		if (vm->vcpus[i].tid == tid)
			return &vm->vcpus[i];
	return NULL;
}

static int build_vm(struct gt_view *v, struct gt_vm_view *out,
		    const struct gt_vm_raw *vm, const struct gt_vm_raw *pvm,
		    const struct ctx *c, struct acc *acc, struct acc *one)
{
	struct gt_row *r = &out->row;
	struct times t = vm_times(vm), pt;
	bool xt_all = vm->nvcpus > 0, xtc_all = vm->nvcpus > 0;
	bool halted_all = true;
	double exits = 0, ns = 0, xsum[3] = { 0, 0, 0 };
	struct gticks gt = { 0 };

	if (pvm)
		pt = vm_times(pvm);
	out->raw = vm;
	r->kind = GT_ROW_VM;
	gt_set(r, GT_F_PID, vm->pid);
	gt_set_str(r, GT_F_NAME, vm->name);
	gt_set(r, GT_F_VCPUS, vm->nvcpus);
	set_counters(r, c, &t);

	out->nvcpus = vm->nvcpus;
	out->vcpus = gt_arena_alloc(&v->arena, (size_t)(vm->nvcpus ? vm->nvcpus
							: 1) * sizeof(*r));
	if (!out->vcpus)
		return -1;
	acc->n = 0;
	for (int i = 0; i < vm->nvcpus; i++) {
		const struct gt_vcpu_raw *cv = &vm->vcpus[i];
		const struct gt_vcpu_raw *pv = find_vcpu(pvm, cv->tid);
		struct gt_row *vr = &out->vcpus[i];
		struct times vt = vcpu_times(cv), pvt;
		double e, n;

		vr->kind = GT_ROW_VCPU;
		gt_set(vr, GT_F_PID, vm->pid);
		gt_set(vr, GT_F_TID, cv->tid);
		gt_set_str(vr, GT_F_NAME, cv->comm);
		if (cv->index >= 0)
			gt_set(vr, GT_F_INDEX, cv->index);
		if (cv->processor >= 0)
			gt_set(vr, GT_F_LAST_CPU, cv->processor);
		if (pv)
			pvt = vcpu_times(pv);
		double rate = rate_of(c, cv->processor);
		struct rates vrt = { rate, rate, rate };

		set_times(vr, c, &vt, pv ? &pvt : NULL, &vrt, &gt);
		set_counters(vr, c, &vt);
		if (!set_xt_counters(vr, c, cv->xt, xsum, &halted_all))
			xtc_all = false;
		if (set_exits(vr, c, cv->xt, pv ? pv->xt : NULL, acc, one, &e,
			      &n)) {
			exits += e;
			ns += n;
		} else {
			xt_all = false;
		}
	}
	/* the VM's tick rate: its vCPUs' rates, weighted by guest ticks */
	struct rates rt = { mix(gt.g, gt.sg, c->rate_all),
			    mix(gt.gu, gt.sgu, c->rate_all),
			    mix(gt.gs, gt.sgs, c->rate_all) };

	set_times(r, c, &t, pvm ? &pt : NULL, &rt, NULL);
	if (xt_all) {
		uint16_t top = acc_top(acc);

		gt_set(r, GT_F_EXITS, exits);
		gt_set(r, GT_F_EXIT_TIME, ns / 1e9 * 100.0);
		gt_set_str(r, GT_F_TOP_EXIT, top ? gt_reason_name(top) : NULL);
	}
	if (xtc_all) {		/* counters of the whole VM: all vCPUs */
		gt_set(r, GT_F_EXIT_COUNT, xsum[0]);
		gt_set(r, GT_F_EXIT_SEC, xsum[1] / 1e9);
		if (halted_all)
			gt_set(r, GT_F_HALTED_SEC, xsum[2] / 1e9);
	}
	return 0;
}

int gt_view_build(struct gt_view *v, const struct gt_snap *prev,
		  const struct gt_snap *cur)
{
	struct gt_arena a = v->arena;
	struct acc acc = { 0 }, one = { 0 };
	struct ctx c = { .hz = cur->hz > 0 ? (double)cur->hz : 100.0,
			 .rate_all = 1 };
	int ret = 0;

	gt_arena_reset(&a);
	memset(v, 0, sizeof(*v));
	v->arena = a;
	v->cur = cur;
	v->split = gt_split_state(cur);
	v->xt = gt_xt_state(cur);
	if (prev && cur->mono_ns > prev->mono_ns)
		c.dt = (double)(cur->mono_ns - prev->mono_ns) / 1e9;
	else
		prev = NULL;
	v->dt = c.dt;
	c.split_ok = prev && v->split == GT_SPLIT_ON &&
		     gt_split_state(prev) == GT_SPLIT_ON;
	/* collected over the whole interval: on at both ends */
	c.xt_ok = prev && v->xt != GT_XT_OFF &&
		  gt_xt_state(prev) != GT_XT_OFF;
	c.split_now = v->split == GT_SPLIT_ON;
	c.xt_now = v->xt != GT_XT_OFF;

	cpu_row(&v->cpu_total, &cur->total,
		prev && prev->stat_ok && cur->stat_ok ? &prev->total : NULL,
		c.split_ok);
	if (!cur->stat_ok)
		v->cpu_total.kind = GT_ROW_CPU;
	else
		cpu_counters(&v->cpu_total, &cur->total, &c);
	v->ncpus = cur->ncpus;
	v->cpus = gt_arena_alloc(&v->arena, (size_t)(cur->ncpus ? cur->ncpus
						     : 1) * sizeof(*v->cpus));
	v->vms = gt_arena_alloc(&v->arena, (size_t)(cur->nvms ? cur->nvms : 1) *
				sizeof(*v->vms));
	v->order = gt_arena_alloc(&v->arena, (size_t)(cur->nvms ? cur->nvms
						      : 1) * sizeof(int));
	if (!v->cpus || !v->vms || !v->order)
		return -1;
	double *rate = gt_arena_alloc(&v->arena, (size_t)(cur->ncpus ?
					cur->ncpus : 1) * sizeof(*rate));
	double busy = 0, wall = 0;

	if (!rate)
		return -1;
	for (int i = 0; i < cur->ncpus; i++) {
		const struct gt_cpu_raw *pc = prev && prev->stat_ok ?
			find_cpu(prev, i, cur->cpus[i].id) : NULL;

		cpu_row(&v->cpus[i], &cur->cpus[i], pc, c.split_ok);
		cpu_counters(&v->cpus[i], &cur->cpus[i], &c);
		rate[i] = cpu_rate(&c, &cur->cpus[i], pc, &busy, &wall);
	}
	c.cur = cur;
	c.rate = rate;
	c.rate_all = wall > 0 && busy < wall ?
		(busy / wall < RATE_MIN ? RATE_MIN : busy / wall) : 1;

	for (int i = 0; i < cur->nvms; i++) {
		const struct gt_vm_raw *vm = &cur->vms[i];
		const struct gt_vm_raw *pvm = prev ? gt_snap_find_vm(prev, vm->pid)
						   : NULL;

		if (pvm && pvm->starttime != vm->starttime)
			pvm = NULL;	/* pid reused */
		if (build_vm(v, &v->vms[i], vm, pvm, &c, &acc, &one)) {
			ret = -1;
			break;
		}
		v->nvms++;
		v->nvcpus += vm->nvcpus;
	}
	free(acc.r);
	free(one.r);
	gt_view_rank(v, GT_F_CPU, -1, NULL);
	return ret;
}

void gt_view_free(struct gt_view *v)
{
	gt_arena_free(&v->arena);
	memset(v, 0, sizeof(*v));
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
	char pid[16];

	if (!filter || !*filter)
		return true;
	if (r->val[GT_F_NAME].ok && strcasestr(r->val[GT_F_NAME].s, filter))
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
