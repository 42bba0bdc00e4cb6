// SPDX-License-Identifier: GPL-2.0
/*
 * exits.c - exit tables: one accumulator (per exit reason, indexed by
 * the interned reason id) serves the exit figures of VM rows and the
 * exit detail of a VM, the way kernel developers tabulate exit costs
 * (count, min, max, avg, stddev, share of time).  Counts and times are
 * cumulative (since each vCPU was created); EXITS/s is over the view's
 * interval, valid exactly when the interval says exit timing was
 * collected over all of it.
 *
 * Standard deviations are combined from the per-vCPU figures:
 * sum(x^2) = n * (stddev^2 + mean^2) per vCPU, then
 * var = sum(x^2) / N - mean^2 over all vCPUs.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

/* ------------------------------------------------------- accumulator */

void gt_xacc_reset(struct gt_xacc *a)
{
	for (size_t i = 0; i < a->nids; i++)
		a->r[a->ids[i]].used = false;
	a->nids = 0;
}

void gt_xacc_free(struct gt_xacc *a)
{
	free(a->r);
	free(a->ids);
	memset(a, 0, sizeof(*a));
}

static struct gt_xacc_row *xacc_get(struct gt_xacc *a, uint16_t id)
{
	struct gt_xacc_row *r;
	size_t old = a->cap;

	if (!gt_grow((void **)&a->r, &a->cap, (size_t)id + 1, sizeof(*a->r))) {
		a->oom = true;
		return NULL;
	}
	if (a->cap > old)
		memset(&a->r[old], 0, (a->cap - old) * sizeof(*a->r));
	r = &a->r[id];
	if (r->used)
		return r;
	if (!gt_grow((void **)&a->ids, &a->cids, a->nids + 1, sizeof(*a->ids))) {
		a->oom = true;
		return NULL;
	}
	a->ids[a->nids++] = id;
	memset(r, 0, sizeof(*r));
	r->used = r->sd_ok = r->user_ok = true;
	r->min = UINT64_MAX;
	return r;
}

static void row_add(struct gt_xacc_row *d, const struct gt_xstat *x,
		    const struct gt_xstat *p)
{
	if (x->count) {
		double mean = (double)x->total_ns / (double)x->count;
		double sd = (double)x->stddev_ns;

		d->sumsq += (double)x->count * (sd * sd + mean * mean);
		if (x->min_ns < d->min)
			d->min = x->min_ns;
		if (x->max_ns > d->max)
			d->max = x->max_ns;
	}
	d->count += x->count;
	d->total += x->total_ns;
	d->user += x->user_exits;
	d->sd_ok &= x->has_stddev;
	d->user_ok &= x->has_user;
	d->dcount += gt_delta(x->count, p ? p->count : 0);
	d->dns += gt_delta(x->total_ns, p ? p->total_ns : 0);
}

void gt_xacc_add(struct gt_xacc *a, const struct gt_xstat *x,
		 const struct gt_xstat *p)
{
	struct gt_xacc_row *d = xacc_get(a, x->reason);

	if (d)
		row_add(d, x, p);
}

/*
 * Exact ties go to the name first in the alphabet, not to the reason
 * interned first: a replay in another process interns them in another
 * order and must show the same top exit.
 */
static bool before(uint16_t a, uint16_t b)
{
	return strcmp(gt_reason_name(a), gt_reason_name(b)) < 0;
}

uint16_t gt_xacc_top(const struct gt_xacc *a)
{
	const struct gt_xacc_row *best = NULL;
	uint16_t id = 0;

	for (size_t i = 0; i < a->nids; i++) {
		const struct gt_xacc_row *r = &a->r[a->ids[i]];

		if (!r->dcount)
			continue;
		if (!best || r->dcount > best->dcount ||
		    (r->dcount == best->dcount && (r->dns > best->dns ||
		     (r->dns == best->dns && before(a->ids[i], id))))) {
			best = r;
			id = a->ids[i];
		}
	}
	return id;
}

/* ------------------------------------------------------------- vCPUs */

void gt_exits_vcpu(struct gt_xacc *a, const struct gt_interval *iv,
		   const struct gt_xt *x, const struct gt_xt *p,
		   struct gt_xdelta *d)
{
	uint64_t count = 0, ns = 0, best_c = 0, best_ns = 0;
	int j = 0;

	memset(d, 0, sizeof(*d));
	if (!x)
		return;
	d->ok = p && iv->dt > 0 && iv->xt_ok;
	for (int i = 0; i < x->n; i++) {
		const struct gt_xstat *r = &x->rows[i], *pr = NULL;

		/* both tables are sorted by reason */
		while (p && j < p->n && p->rows[j].reason < r->reason)
			j++;
		if (p && j < p->n && p->rows[j].reason == r->reason)
			pr = &p->rows[j];
		uint64_t dc = gt_delta(r->count, pr ? pr->count : 0);
		uint64_t dn = gt_delta(r->total_ns, pr ? pr->total_ns : 0);

		gt_xacc_add(a, r, d->ok ? pr : r);
		count += dc;
		ns += dn;
		if (dc > best_c || (dc && dc == best_c && (dn > best_ns ||
		    (dn == best_ns && before(r->reason, d->top))))) {
			best_c = dc;
			best_ns = dn;
			d->top = r->reason;
		}
	}
	if (!d->ok) {
		d->top = 0;
		return;
	}
	d->count = (double)count;
	d->exit_s = (double)ns / 1e9;
	d->has_guest = x->has_guest && p->has_guest;
	if (d->has_guest)
		d->guest_s = (double)gt_delta(x->guest.total_ns,
					      p->guest.total_ns) / 1e9;
	d->has_halted = x->has_halted && p->has_halted;
	if (d->has_halted)
		d->halted_s = (double)gt_delta(x->halted.total_ns,
					       p->halted.total_ns) / 1e9;
}

/* ------------------------------------------------------------ detail */

static void fill_row(struct gt_row *r, const struct gt_xacc_row *d,
		     const char *name, double dt, double exit_total)
{
	r->kind = GT_ROW_EXIT;
	gt_set_str(r, GT_F_REASON, name);
	gt_set(r, GT_F_COUNT, (double)d->count);
	gt_set(r, GT_F_TOTAL_NS, (double)d->total);
	if (dt > 0)
		gt_set(r, GT_F_EXITS, (double)d->dcount / dt);
	if (d->count) {
		double n = (double)d->count, mean = (double)d->total / n;
		double var = d->sumsq / n - mean * mean;

		gt_set(r, GT_F_MIN_NS, (double)d->min);
		gt_set(r, GT_F_MAX_NS, (double)d->max);
		gt_set(r, GT_F_AVG_NS, mean);
		if (d->sd_ok)
			gt_set(r, GT_F_STDDEV_NS, var > 0 ? sqrt(var) : 0);
	}
	if (d->user_ok)
		gt_set(r, GT_F_USER_EXITS, (double)d->user);
	if (exit_total > 0)
		gt_set(r, GT_F_TIME_PCT, (double)d->total / exit_total * 100);
}

int gt_detail_build(struct gt_detail *d, const struct gt_view *v, int pid)
{
	const struct gt_vm_view *vv = gt_view_find(v, pid);
	struct gt_xacc acc = { 0 };
	struct gt_xacc_row guest = { .sd_ok = true, .user_ok = true,
				     .min = UINT64_MAX };
	struct gt_xacc_row halted = guest;
	double exit_total = 0;
	bool rates = v->iv.dt > 0 && v->iv.xt_ok;

	memset(d, 0, sizeof(*d));
	if (!vv)
		return -1;
	d->pid = pid;
	d->name = vv->raw->name;
	d->nvcpus = vv->raw->nvcpus;
	for (int i = 0; i < vv->raw->nvcpus; i++) {
		const struct gt_vcpu_raw *c = &vv->raw->vcpus[i];
		const struct gt_vcpu_raw *p = gt_vm_prev_vcpu(vv, i);
		const struct gt_xt *px = p ? p->xt : NULL;
		struct gt_xdelta xd;

		if (!c->xt)
			continue;
		d->nvcpus_xt++;
		gt_exits_vcpu(&acc, &v->iv, c->xt, px, &xd);
		rates &= xd.ok;
		for (int k = 0; k < c->xt->n; k++)
			exit_total += (double)c->xt->rows[k].total_ns;
		if (c->xt->has_guest) {
			row_add(&guest, &c->xt->guest,
				xd.ok && px->has_guest ? &px->guest :
				&c->xt->guest);
			d->has_guest = true;
		}
		if (c->xt->has_halted) {
			row_add(&halted, &c->xt->halted,
				xd.ok && px->has_halted ? &px->halted :
				&c->xt->halted);
			d->has_halted = true;
		}
	}
	d->dt = rates ? v->iv.dt : 0;
	d->rows = calloc(acc.nids ? acc.nids : 1, sizeof(*d->rows));
	if (!d->rows || acc.oom) {
		gt_xacc_free(&acc);
		gt_detail_free(d);
		return -1;
	}
	for (size_t i = 0; i < acc.nids; i++)
		fill_row(&d->rows[i], &acc.r[acc.ids[i]],
			 gt_reason_name(acc.ids[i]), d->dt, exit_total);
	d->n = (int)acc.nids;
	fill_row(&d->guest, &guest, "<guest>", d->dt, 0);
	fill_row(&d->halted, &halted, "<halted>", d->dt, 0);

	double all = exit_total + (double)guest.total + (double)halted.total;

	if (d->nvcpus_xt && all > 0) {
		d->has_shares = true;
		d->guest_share = (double)guest.total / all * 100;
		d->exit_share = exit_total / all * 100;
		d->halted_share = (double)halted.total / all * 100;
	}
	gt_xacc_free(&acc);
	gt_detail_sort(d, GT_F_TOTAL_NS, -1);
	return 0;
}

struct dsort {
	enum gt_field key;
	int dir;
};

static int dcmp(const void *a, const void *b, void *arg)
{
	const struct dsort *s = arg;

	return gt_row_compare(a, b, s->key, s->dir);
}

void gt_detail_sort(struct gt_detail *d, enum gt_field key, int dir)
{
	struct dsort s = { key, dir < 0 ? -1 : 1 };

	if (d->rows)
		qsort_r(d->rows, (size_t)d->n, sizeof(*d->rows), dcmp, &s);
}

void gt_detail_free(struct gt_detail *d)
{
	free(d->rows);
	memset(d, 0, sizeof(*d));
}
