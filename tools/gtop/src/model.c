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

/* ------------------------------------------------------------- times */

struct ctx {
	double dt;		/* seconds, > 0 when rates are valid */
	double hz;
	bool split_ok;		/* guest split valid over the interval */
};

struct times {
	uint64_t utime, stime, guest, gu, gs;
	bool has_guest, has_split;
};

static double tick_pct(const struct ctx *c, uint64_t ticks)
{
	return (double)ticks / c->hz / c->dt * 100.0;
}

static void set_times(struct gt_row *r, const struct ctx *c,
		      const struct times *t, const struct times *p)
{
	if (!p || c->dt <= 0)
		return;
	uint64_t cpu = gt_delta(t->utime + t->stime, p->utime + p->stime);

	gt_set(r, GT_F_CPU, tick_pct(c, cpu));
	if (!t->has_guest || !p->has_guest)
		return;
	/* guest is inside utime; reads are not atomic: clamp */
	uint64_t g = min64(gt_delta(t->guest, p->guest), cpu);

	gt_set(r, GT_F_GUEST, tick_pct(c, g));
	gt_set(r, GT_F_HOST, tick_pct(c, cpu - g));
	if (c->split_ok && t->has_split && p->has_split) {
		gt_set(r, GT_F_GUEST_USER,
		       tick_pct(c, min64(gt_delta(t->gu, p->gu), g)));
		gt_set(r, GT_F_GUEST_SYSTEM,
		       tick_pct(c, min64(gt_delta(t->gs, p->gs), g)));
	}
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

	if (!x || !p || c->dt <= 0)
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
	bool xt_all = vm->nvcpus > 0;
	double exits = 0, ns = 0;

	if (pvm)
		pt = vm_times(pvm);
	out->raw = vm;
	r->kind = GT_ROW_VM;
	gt_set(r, GT_F_PID, vm->pid);
	gt_set_str(r, GT_F_NAME, vm->name);
	gt_set(r, GT_F_VCPUS, vm->nvcpus);
	set_times(r, c, &t, pvm ? &pt : NULL);

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
		set_times(vr, c, &vt, pv ? &pvt : NULL);
		if (set_exits(vr, c, cv->xt, pv ? pv->xt : NULL, acc, one, &e,
			      &n)) {
			exits += e;
			ns += n;
		} else {
			xt_all = false;
		}
	}
	if (xt_all) {
		uint16_t top = acc_top(acc);

		gt_set(r, GT_F_EXITS, exits);
		gt_set(r, GT_F_EXIT_TIME, ns / 1e9 * 100.0);
		gt_set_str(r, GT_F_TOP_EXIT, top ? gt_reason_name(top) : NULL);
	}
	return 0;
}

int gt_view_build(struct gt_view *v, const struct gt_snap *prev,
		  const struct gt_snap *cur)
{
	struct gt_arena a = v->arena;
	struct acc acc = { 0 }, one = { 0 };
	struct ctx c = { .hz = cur->hz > 0 ? (double)cur->hz : 100.0 };
	int ret = 0;

	gt_arena_reset(&a);
	memset(v, 0, sizeof(*v));
	v->arena = a;
	v->cur = cur;
	v->split = gt_split_state(cur);
	v->xt = cur->xt_state;
	if (prev && cur->mono_ns > prev->mono_ns)
		c.dt = (double)(cur->mono_ns - prev->mono_ns) / 1e9;
	else
		prev = NULL;
	v->dt = c.dt;
	c.split_ok = prev && v->split == GT_SPLIT_ON &&
		     gt_split_state(prev) == GT_SPLIT_ON;

	cpu_row(&v->cpu_total, &cur->total,
		prev && prev->stat_ok && cur->stat_ok ? &prev->total : NULL,
		c.split_ok);
	if (!cur->stat_ok)
		v->cpu_total.kind = GT_ROW_CPU;
	v->ncpus = cur->ncpus;
	v->cpus = gt_arena_alloc(&v->arena, (size_t)(cur->ncpus ? cur->ncpus
						     : 1) * sizeof(*v->cpus));
	v->vms = gt_arena_alloc(&v->arena, (size_t)(cur->nvms ? cur->nvms : 1) *
				sizeof(*v->vms));
	v->order = gt_arena_alloc(&v->arena, (size_t)(cur->nvms ? cur->nvms
						      : 1) * sizeof(int));
	if (!v->cpus || !v->vms || !v->order)
		return -1;
	for (int i = 0; i < cur->ncpus; i++)
		cpu_row(&v->cpus[i], &cur->cpus[i],
			prev ? find_cpu(prev, i, cur->cpus[i].id) : NULL,
			c.split_ok);

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
