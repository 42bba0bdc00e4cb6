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
	p = rc_hist_add(h, RW_HIST_VC + (2 + (size_t)nrows) * RW_HIST_XS);
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

/* history slots of a vCPU's own counters: ut st g gu gs run wait, then
 * the smoothed moves of run, wait, and of the time <guest> and
 * <halted> leave unaccounted */
#define HS_RUN 5
#define HS_WAIT 6
#define HX_RUN 7
#define HX_WAIT 8
#define HX_G 9
#define HX_L 10
#define US 1000

void rc_vcpu_begin(struct rw_model *m, const int32_t *hvc)
{
	for (int i = 0; i < 2; i++) {
		int32_t e = hvc ? hvc[HX_RUN + i] : RW_NOHIST;

		m->qok[i] = e != RW_NOHIST;
		m->qd[i] = m->qok[i] ? rw_rshift((int64_t)e * m->scale,
						 16 + RW_EMA_FRAC) : 0;
	}
}

/* a time as coded (microseconds in a quantised record) */
static uint64_t tcode(const struct rw_model *m, uint64_t ns)
{
	return m->quant ? ns / US : ns;
}

void rc_cross_begin(struct rw_model *m, const uint64_t *p, const uint64_t *rp,
		    const int32_t *hin, int32_t *hout)
{
	struct rw_cross *c = &m->cx;

	memset(c, 0, sizeof(*c));
	for (int i = 0; hout && i < RW_HIST_VX; i++)
		hout[RW_HIST_VCPU + i] = RW_NOHIST;
	for (int i = 0; hout && rp && !m->kref && i < 2; i++)
		hout[HX_RUN + i] = rw_ema(hin ? hin[HX_RUN + i] : RW_NOHIST,
					  tcode(m, p[P_RUN + i]) -
					  tcode(m, rp[P_RUN + i]));
	if (!m->quant || !rp || !hin || p[P_HAS_SCHED] != 1 ||
	    rp[P_HAS_SCHED] != 1 || hin[HS_RUN] == RW_NOHIST ||
	    hin[HS_WAIT] == RW_NOHIST)
		return;
	c->ok = c->rows_ok = true;
	c->drun = p[P_RUN] / US - rp[P_RUN] / US;
	c->dwait = p[P_WAIT] / US - rp[P_WAIT] / US;
	c->hrun = (uint64_t)(int64_t)hin[HS_RUN];
	c->hwait = (uint64_t)(int64_t)hin[HS_WAIT];
}

void rc_cross_row(struct rw_model *m, uint64_t total, const uint64_t *rtotal,
		  const int32_t *htotal)
{
	struct rw_cross *c = &m->cx;

	if (!rtotal || !htotal || *htotal == RW_NOHIST) {
		c->rows_ok = false;
		return;
	}
	c->dx += total / US - *rtotal / US;
	c->hx += (uint64_t)(int64_t)*htotal;
}

void rc_cross_end(struct rw_model *m, const struct gt_rc_state *s,
		  const int32_t *hguest, const int32_t *hhalted,
		  const int32_t *hvc)
{
	struct rw_cross *c = &m->cx;
	int32_t eg = hvc ? hvc[HX_G] : RW_NOHIST;
	int32_t el = hvc ? hvc[HX_L] : RW_NOHIST;

	/* guest: run time less exits, and the mean of what that left
	 * unaccounted (else what it left last time) */
	c->xok[0] = c->ok && c->rows_ok &&
		    (eg != RW_NOHIST || (hguest && *hguest != RW_NOHIST));
	if (c->xok[0] && eg != RW_NOHIST)
		c->xd[0] = c->drun - c->dx + (uint64_t)rw_rshift(eg,
								 RW_EMA_FRAC);
	else if (c->xok[0])
		c->xd[0] = (uint64_t)(int64_t)*hguest + (c->drun - c->hrun) -
			   (c->dx - c->hx);
	/* halted: wall time less run and wait, and the same */
	c->xok[1] = c->ok && s->dt && s->dt_next &&
		    (el != RW_NOHIST || (hhalted && *hhalted != RW_NOHIST));
	if (c->xok[1] && el != RW_NOHIST)
		c->xd[1] = s->dt_next / US - c->drun - c->dwait +
			   (uint64_t)rw_rshift(el, RW_EMA_FRAC);
	else if (c->xok[1])
		c->xd[1] = (uint64_t)(int64_t)*hhalted +
			   (s->dt_next / US - s->dt / US) -
			   (c->drun - c->hrun) - (c->dwait - c->hwait);
}

void rc_cross_keep(struct rw_model *m, const struct gt_rc_state *s,
		   const struct gt_xt *t, const struct gt_xt *rt,
		   const int32_t *hvc, int32_t *hout)
{
	struct rw_cross *c = &m->cx;

	if (!hout)
		return;
	if (c->ok && c->rows_ok && t->has_guest && rt && rt->has_guest)
		hout[HX_G] = rw_ema(hvc ? hvc[HX_G] : RW_NOHIST,
				    (t->guest.total_ns / US -
				     rt->guest.total_ns / US) - c->drun + c->dx);
	if (c->ok && s->dt_next && t->has_halted && rt && rt->has_halted)
		hout[HX_L] = rw_ema(hvc ? hvc[HX_L] : RW_NOHIST,
				    (t->halted.total_ns / US -
				     rt->halted.total_ns / US) + c->drun +
				    c->dwait - s->dt_next / US);
}

void rc_vsum_add(struct rw_model *m, const uint64_t *p, const uint64_t *rp)
{
	for (int i = 0; rp && i < 5; i++)
		m->vsum[i] += p[P_T + i] - rp[P_T + i];
}

void rc_cross_hbegin(struct rw_model *m, const int32_t *hl)
{
	m->hok = false;
	m->hl = hl ? *hl : RW_NOHIST;
	m->hbest = INT64_MAX;
}

/* The first row whose count moved most like <halted>'s (the smoothed
 * moves): <halted>'s count moves as its count, and the difference. */
void rc_cross_count(struct rw_model *m, uint64_t count, const uint64_t *rcount,
		    const int32_t *hcount)
{
	int64_t dist;

	if (m->hl == RW_NOHIST || !rcount || !hcount || *hcount == RW_NOHIST)
		return;
	dist = (int64_t)m->hl - *hcount;
	if ((dist < 0 ? -dist : dist) >= m->hbest)
		return;
	m->hbest = dist < 0 ? -dist : dist;
	m->hok = true;
	m->hd = (int64_t)(count - *rcount) + rw_rshift(dist, RW_EMA_FRAC);
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

