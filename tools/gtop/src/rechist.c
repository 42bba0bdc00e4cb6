// SPDX-License-Identifier: GPL-2.0
/*
 * rechist.c - what the encoder and the decoder of recordings share: the
 * history of how much each counter moved, the models, the order of
 * exit reasons by file id (see reccodec.c).
 */
#define _GNU_SOURCE
#include "rechist.h"

#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------- history */

void rc_hist_clear(struct gt_rc_hist *h)
{
	h->n = h->nvm = h->nvc = 0;
	h->ncpu = 0;
	h->oom = false;
}

void rc_hist_free(struct gt_rc_hist *h)
{
	free(h->v);
	free(h->vm);
	free(h->vc);
	memset(h, 0, sizeof(*h));
}

/* n new slots; NULL (and oom) when out of memory. */
int32_t *rc_hist_add(struct gt_rc_hist *h, size_t n)
{
	if (h->oom || !gt_grow((void **)&h->v, &h->cap, h->n + n,
			       sizeof(*h->v))) {
		h->oom = true;
		return NULL;
	}
	h->n += n;
	return h->v + h->n - n;
}

int32_t *rc_hist_vm(struct gt_rc_hist *h, uint32_t nvc)
{
	int32_t *p;

	if (h->oom || !gt_grow((void **)&h->vm, &h->cvm, h->nvm + 1,
			       sizeof(*h->vm))) {
		h->oom = true;
		return NULL;
	}
	h->vm[h->nvm] = (struct gt_rc_hvm){ (uint32_t)h->n, (uint32_t)h->nvc,
					    nvc };
	p = rc_hist_add(h, RW_HIST_VM + RW_HIST_KS);
	h->nvm += p != NULL;
	return p;
}

int32_t *rc_hist_vcpu(struct gt_rc_hist *h, int nrows)
{
	int32_t *p;

	if (h->oom || !gt_grow((void **)&h->vc, &h->cvc, h->nvc + 1,
			       sizeof(*h->vc))) {
		h->oom = true;
		return NULL;
	}
	h->vc[h->nvc] = (struct gt_rc_hvc){ (uint32_t)h->n, (uint32_t)nrows };
	p = rc_hist_add(h, RW_HIST_VCPU + (2 + (size_t)nrows) * RW_HIST_XS);
	h->nvc += p != NULL;
	return p;
}

const int32_t *rc_prev_vm(const struct gt_rc_hist *h, size_t vi)
{
	return vi < h->nvm ? h->v + h->vm[vi].slot : NULL;
}

const struct gt_rc_hvc *rc_prev_vcpu(const struct gt_rc_hist *h,
					 size_t vi, int ci)
{
	if (vi >= h->nvm || ci < 0 || (uint32_t)ci >= h->vm[vi].nvc ||
	    h->vm[vi].vc + (uint32_t)ci >= h->nvc)
		return NULL;
	return &h->vc[h->vm[vi].vc + (uint32_t)ci];
}

void rc_fill(int32_t *p, size_t n, int32_t v)
{
	for (size_t i = 0; p && i < n; i++)
		p[i] = v;
}

int rc_state_reset(struct gt_rc_state *s)
{
	rc_hist_clear(&s->h[0]);
	rc_hist_clear(&s->h[1]);
	s->dt = s->dt_next = 0;
	return rw_model_reset(&s->m);
}

void rc_state_begin(struct gt_rc_state *s, uint64_t dt)
{
	s->m.scale = rw_scale(dt, s->dt);
	s->dt_next = dt;
}

/* The record is coded: its history is the next record's. */
void rc_state_next(struct gt_rc_state *s)
{
	s->dt = s->dt_next;
	s->cur ^= 1;
	rc_hist_clear(&s->h[s->cur ^ 1]);
}

void rc_state_free(struct gt_rc_state *s)
{
	rc_hist_free(&s->h[0]);
	rc_hist_free(&s->h[1]);
	rw_model_free(&s->m);
	free(s->ord[0]);
	free(s->ord[1]);
	memset(s, 0, sizeof(*s));
}

/* Rows of x in the order of their file ids (key: reason -> fid + 1, 0
 * sorting last). */
static int ord_cmp(const void *a, const void *b, void *arg)
{
	const uint32_t *k = arg;
	uint32_t x = k[*(const uint16_t *)a], y = k[*(const uint16_t *)b];

	return (x > y) - (x < y);
}

int rc_order(struct gt_rc_state *s, int w, const struct gt_xt *x,
	     const uint16_t *fid, struct rc_ord *o)
{
	uint32_t key[GT_RC_REASONS + 1];

	o->n = 0;
	o->ix = NULL;
	if (!x || !x->n)
		return 0;
	if (x->n > GT_RC_REASONS || !gt_grow((void **)&s->ord[w], &s->cord[w],
					    (size_t)x->n, sizeof(uint16_t)))
		return -1;
	for (int i = 0; i < x->n; i++) {
		uint16_t f = fid[x->rows[i].reason];

		key[i] = f ? f : 0x10000u + (uint32_t)i;
		s->ord[w][i] = (uint16_t)i;
	}
	qsort_r(s->ord[w], (size_t)x->n, sizeof(uint16_t), ord_cmp, key);
	o->ix = s->ord[w];
	o->n = x->n;
	return 0;
}

