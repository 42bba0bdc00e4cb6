// SPDX-License-Identifier: GPL-2.0
/*
 * detail.c - exit reasons of one VM summed over its vCPUs, the way
 * kernel developers tabulate exit costs (count, min, max, avg, stddev,
 * share of time).  Counts and times are cumulative (since each vCPU
 * was created); EXITS/s is over the last interval.
 *
 * Standard deviations are combined from the per-vCPU figures:
 * sum(x^2) = n * (stddev^2 + mean^2) per vCPU, then
 * var = sum(x^2) / N - mean^2 over all vCPUs.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct dacc {
	uint16_t reason;
	bool sd_ok, user_ok;
	uint64_t count, min, max, total, user, dcount;
	double sumsq;
};

struct dset {
	struct dacc *a;
	size_t n, cap;
};

static struct dacc *dset_get(struct dset *s, uint16_t reason)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->a[i].reason == reason)
			return &s->a[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct dacc *na = realloc(s->a, cap * sizeof(*na));

		if (!na)
			return NULL;
		s->a = na;
		s->cap = cap;
	}
	struct dacc *d = &s->a[s->n++];

	memset(d, 0, sizeof(*d));
	d->reason = reason;
	d->sd_ok = d->user_ok = true;
	d->min = UINT64_MAX;
	return d;
}

static void dacc_add(struct dacc *d, const struct gt_xstat *x,
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
}

static const struct gt_xstat *find_row(const struct gt_xt *x, uint16_t id)
{
	for (int i = 0; x && i < x->n; i++)
		if (x->rows[i].reason == id)
			return &x->rows[i];
	return NULL;
}

static void fill_row(struct gt_row *r, const struct dacc *d, const char *name,
		     double dt, double exit_total)
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

int gt_detail_build(struct gt_detail *d, const struct gt_snap *prev,
		    const struct gt_snap *cur, int pid)
{
	const struct gt_vm_raw *vm = gt_snap_find_vm(cur, pid), *pvm = NULL;
	struct dset set = { 0 };
	struct dacc guest = { .sd_ok = true, .user_ok = true,
			      .min = UINT64_MAX };
	struct dacc halted = guest;
	double exit_total = 0, dt = 0;
	bool rates = true;

	memset(d, 0, sizeof(*d));
	if (!vm)
		return -1;
	if (prev && cur->mono_ns > prev->mono_ns) {
		pvm = gt_snap_find_vm(prev, pid);
		if (pvm && pvm->starttime != vm->starttime)
			pvm = NULL;
		dt = (double)(cur->mono_ns - prev->mono_ns) / 1e9;
		if (gt_xt_state(prev) == GT_XT_OFF ||
		    gt_xt_state(cur) == GT_XT_OFF)
			dt = 0;		/* not collected: no rates */
	}
	d->pid = pid;
	d->name = vm->name;
	d->nvcpus = vm->nvcpus;
	for (int i = 0; i < vm->nvcpus; i++) {
		const struct gt_vcpu_raw *v = &vm->vcpus[i];
		const struct gt_xt *px = NULL;

		if (!v->xt)
			continue;
		d->nvcpus_xt++;
		for (int k = 0; pvm && k < pvm->nvcpus; k++)
			if (pvm->vcpus[k].tid == v->tid)
				px = pvm->vcpus[k].xt;
		if (!px)
			rates = false;
		for (int k = 0; k < v->xt->n; k++) {
			const struct gt_xstat *x = &v->xt->rows[k];
			struct dacc *a = dset_get(&set, x->reason);

			if (!a) {
				free(set.a);
				return -1;
			}
			dacc_add(a, x, find_row(px, x->reason));
			exit_total += (double)x->total_ns;
		}
		if (v->xt->has_guest) {
			dacc_add(&guest, &v->xt->guest,
				 px && px->has_guest ? &px->guest : NULL);
			d->has_guest = true;
		}
		if (v->xt->has_halted) {
			dacc_add(&halted, &v->xt->halted,
				 px && px->has_halted ? &px->halted : NULL);
			d->has_halted = true;
		}
	}
	if (!rates)
		dt = 0;
	d->dt = dt;
	d->rows = calloc(set.n ? set.n : 1, sizeof(*d->rows));
	if (!d->rows) {
		free(set.a);
		return -1;
	}
	for (size_t i = 0; i < set.n; i++)
		fill_row(&d->rows[i], &set.a[i], gt_reason_name(set.a[i].reason),
			 dt, exit_total);
	d->n = (int)set.n;
	fill_row(&d->guest, &guest, "<guest>", dt, 0);
	fill_row(&d->halted, &halted, "<halted>", dt, 0);

	double all = exit_total + (double)guest.total + (double)halted.total;

	if (d->nvcpus_xt && all > 0) {
		d->has_shares = true;
		d->guest_share = (double)guest.total / all * 100;
		d->exit_share = exit_total / all * 100;
		d->halted_share = (double)halted.total / all * 100;
	}
	free(set.a);
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
