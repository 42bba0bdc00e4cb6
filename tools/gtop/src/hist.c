// SPDX-License-Identifier: GPL-2.0
/*
 * hist.c - per-VM sparkline history, see hist.h.
 *
 * One ring of `cap` slots per VM, indexed by the refresh number modulo
 * cap: 3 bytes a refresh (%CPU in tenths of a percent, the guest user
 * share in half percents), so an hour at 2 s of 500 VMs is 2.6 MiB.
 * The VMs are kept in pid order, like the view's, and matched by pid
 * and start time.
 */
#define _GNU_SOURCE
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CPU_UNK 0xffff
#define USR_UNK 0xff

struct hvm {
	int pid;
	uint64_t start;
	uint64_t first;		/* number of its first refresh */
	uint64_t last;		/* and of the last one it was in a view */
	uint16_t *cpu;		/* %CPU x 10 */
	uint8_t *usr;		/* guest user share x 2 */
};

struct gt_hist {
	size_t cap;
	uint64_t seq;		/* refreshes pushed (less those popped) */
	uint64_t lo;		/* the oldest refresh still in the rings */
	struct hvm *vm;
	size_t n;
};

struct gt_hist *gt_hist_new(size_t cap)
{
	struct gt_hist *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->cap = cap < 1 ? 1 : cap > GT_HIST_MAX ? GT_HIST_MAX : cap;
	return h;
}

static void drop(struct hvm *x)
{
	free(x->cpu);
	free(x->usr);
}

void gt_hist_reset(struct gt_hist *h)
{
	for (size_t i = 0; i < h->n; i++)
		drop(&h->vm[i]);
	free(h->vm);
	h->vm = NULL;
	h->n = 0;
	h->seq = h->lo = 0;
}

void gt_hist_pop(struct gt_hist *h)
{
	if (h->seq > h->lo)
		h->seq--;
}

void gt_hist_free(struct gt_hist *h)
{
	if (!h)
		return;
	gt_hist_reset(h);
	free(h);
}

uint64_t gt_hist_len(const struct gt_hist *h)
{
	return h->seq;
}

static uint16_t q_cpu(const struct gt_row *r)
{
	const struct gt_val *c = &r->val[GT_F_CPU];

	if (!c->ok || !isfinite(c->v))
		return CPU_UNK;
	return c->v <= 0 ? 0 : c->v >= 6553.4 ? CPU_UNK - 1 :
	       (uint16_t)lround(c->v * 10);
}

/* The guest user share of the split guest time. */
static uint8_t q_usr(const struct gt_row *r)
{
	const struct gt_val *u = &r->val[GT_F_GUEST_USER];
	const struct gt_val *s = &r->val[GT_F_GUEST_SYSTEM];

	if (!u->ok || !s->ok || !(u->v + s->v > 0) || !isfinite(u->v + s->v))
		return USR_UNK;
	double share = u->v / (u->v + s->v) * 100;

	return (uint8_t)lround(share < 0 ? 0 : share > 100 ? 200 : share * 2);
}

/* A VM of the history that is not in this refresh's view. */
static void absent(struct gt_hist *h, struct hvm *x, size_t slot,
		   struct hvm *nv, size_t *o)
{
	if (h->seq - x->last >= GT_HIST_KEEP) {
		drop(x);
		return;
	}
	x->cpu[slot] = CPU_UNK;
	x->usr[slot] = USR_UNK;
	nv[(*o)++] = *x;
}

int gt_hist_push(struct gt_hist *h, const struct gt_view *v)
{
	size_t j = 0, o = 0, slot = (size_t)(h->seq % h->cap);
	struct hvm *nv = malloc((h->n + (size_t)v->nvms + 1) * sizeof(*nv));
	int ret = 0;

	if (!nv)
		return -1;
	for (int i = 0; i < v->nvms; i++) {
		const struct gt_vm_raw *raw = v->vms[i].raw;
		struct hvm x;

		while (j < h->n && h->vm[j].pid < raw->pid)
			absent(h, &h->vm[j++], slot, nv, &o);
		if (j < h->n && h->vm[j].pid == raw->pid &&
		    h->vm[j].start == raw->starttime) {
			x = h->vm[j++];
		} else {
			if (j < h->n && h->vm[j].pid == raw->pid)
				drop(&h->vm[j++]);	/* pid reused */
			x = (struct hvm){ raw->pid, raw->starttime, h->seq,
					  h->seq, malloc(h->cap * sizeof(*x.cpu)),
					  malloc(h->cap) };
			if (!x.cpu || !x.usr) {
				drop(&x);
				ret = -1;
				continue;
			}
		}
		x.cpu[slot] = q_cpu(&v->vms[i].row);
		x.usr[slot] = q_usr(&v->vms[i].row);
		x.last = h->seq;
		nv[o++] = x;
	}
	while (j < h->n)
		absent(h, &h->vm[j++], slot, nv, &o);
	free(h->vm);
	h->vm = nv;
	h->n = o;
	h->seq++;
	if (h->seq - h->lo > h->cap)	/* the slot of h->lo was reused */
		h->lo = h->seq - h->cap;
	return ret;
}

static const struct hvm *find(const struct gt_hist *h,
			      const struct gt_vm_raw *raw)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->vm[mid].pid < raw->pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->n && h->vm[lo].pid == raw->pid &&
	    h->vm[lo].start == raw->starttime)
		return &h->vm[lo];
	return NULL;
}

/* The oldest refresh of x still kept. */
static uint64_t oldest(const struct gt_hist *h, const struct hvm *x)
{
	return x->first > h->lo ? x->first : h->lo;
}

/* The figure of refresh s as a fraction of full, < 0 if unknown. */
static double frac(const struct gt_hist *h, const struct hvm *x,
		   enum gt_field f, uint64_t s, double ncpu)
{
	size_t slot = (size_t)(s % h->cap);

	if (f == GT_F_HIST_CPU)
		return x->cpu[slot] == CPU_UNK ? -1 :
		       x->cpu[slot] / 10.0 / (100.0 * ncpu);
	return x->usr[slot] == USR_UNK ? -1 : x->usr[slot] / 200.0;
}

static char level(double fr)
{
	int l = (int)(fr * GT_HIST_LEVELS);

	return (char)('0' + (l < 0 ? 0 : l >= GT_HIST_LEVELS ?
			     GT_HIST_LEVELS - 1 : l));
}

static double ncpu_of(const struct gt_vm_view *vm)
{
	const struct gt_val *n = &vm->row.val[GT_F_VCPUS];

	return n->ok && n->v >= 1 ? n->v : 1;
}

void gt_hist_annotate(const struct gt_hist *h, struct gt_view *v)
{
	static const enum gt_field fs[] = { GT_F_HIST_CPU, GT_F_HIST_USER };

	for (int i = 0; i < v->nvms; i++) {
		struct gt_vm_view *vm = &v->vms[i];
		const struct hvm *x = find(h, vm->raw);

		if (!x)
			continue;
		for (size_t k = 0; k < sizeof(fs) / sizeof(fs[0]); k++) {
			int w = gt_fields[fs[k]].width;
			char *s = gt_arena_alloc(&v->arena, (size_t)w + 1);
			bool any = false;

			if (!s)
				return;
			for (int c = 0; c < w; c++) {
				uint64_t back = (uint64_t)(w - c);
				double fr = -1;

				if (h->seq >= back && h->seq - back >=
				    oldest(h, x))
					fr = frac(h, x, fs[k], h->seq - back,
						  ncpu_of(vm));
				s[c] = fr < 0 ? ' ' : level(fr);
				any |= fr >= 0;
			}
			s[w] = '\0';
			if (any)
				gt_set_str(&vm->row, fs[k], s);
		}
	}
}

size_t gt_hist_levels(const struct gt_hist *h, const struct gt_vm_view *vm,
		      enum gt_field f, int cells, char *out, size_t n)
{
	const struct hvm *x = find(h, vm->raw);
	uint64_t from, m;
	size_t known = 0;

	if (!n)
		return 0;
	out[0] = '\0';
	if (!x || cells < 1 || (size_t)cells >= n)
		return 0;
	from = oldest(h, x);
	m = h->seq > from ? h->seq - from : 0;
	if (m < (uint64_t)cells)
		cells = (int)m;
	for (int c = 0; c < cells; c++) {
		uint64_t a = from + m * (uint64_t)c / (uint64_t)cells;
		uint64_t b = from + m * (uint64_t)(c + 1) / (uint64_t)cells;
		double sum = 0;
		int k = 0;

		for (uint64_t s = a; s < b; s++) {
			double fr = frac(h, x, f, s, ncpu_of(vm));

			if (fr >= 0) {
				sum += fr;
				k++;
			}
		}
		out[c] = k ? level(sum / k) : ' ';
		known += (size_t)k;
	}
	out[cells] = '\0';
	return known;
}
