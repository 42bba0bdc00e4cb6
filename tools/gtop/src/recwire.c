// SPDX-License-Identifier: GPL-2.0
/*
 * recwire.c - groups of numbers, their prediction and coding, strings
 * (see recwire.h and RECORDING.md).
 *
 * One table says what every entry of every group is: a state ('s':
 * predicted to stay as it was), a counter ('c': predicted to move by
 * as much as it moved the record before, scaled by the length of the
 * interval against the one before), a counter of nanoseconds ('n': the
 * same, in microseconds in a quantised record), a standard deviation
 * ('d': a state, to 8 significant bits in a quantised record), or a
 * counter predicted from the entries coded before it: an exit reason's
 * total time ('m': its new exits at the mean length of its exits so
 * far) and exits completed in userspace ('p': the same share of its new
 * exits as so far), <guest>'s entries ('g': one per exit of the
 * interval, m->side), guest system time ('r': as much as guest time
 * less guest user time, the two entries before it, when the reference
 * has a split), or a time the scanner reports in steps ('q':
 * quant.h; an 'n' counter whose move, when it is a whole number of the
 * steps its last move implies, is coded in those steps after a bit
 * saying so; <guest>'s and <halted>'s take their last move corrected
 * by how much more the vCPU's run, wait, exit and wall times moved,
 * m->cx).  Counters that move at random about a rate are predicted by
 * the mean of their moves, which their history slot keeps instead of
 * the last move ('e'; 'h', <halted>'s entries, from the exits of the
 * reason that moved most like them; 'u', guest ticks, from user ticks
 * less the mean of the rest; 'v', a VM's times, from its vCPUs' and
 * the mean of the rest; rw_ema).  The error of the prediction,
 * zigzagged, is coded
 * with the model of its group, entry and context: for a counter how far
 * it is predicted to move (the bit length of that delta), for a
 * deviation its size, else only whether there is a reference.
 */
#define _GNU_SOURCE
#include "recwire.h"

#include "quant.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- table */

static const char *const kinds[RW_G_N] = {
	[RW_G_HEAD] = "ssssssssssssssssss",	/* from H_HZ */
	[RW_G_CPU] = "sscccccccccccc",
	[RW_G_VCPU] = "sssecuersssqqsss",
	[RW_G_XS] = "essmdpss",
	[RW_G_KS] = "ccnnsss",
	[RW_G_VM] = "ss-----sssssss",	/* times: RW_G_VT */
	[RW_G_XT] = "sss",
	[RW_G_XG] = "gssqdcss",
	[RW_G_XH] = "hssqdcss",
	[RW_G_VT] = "vvvvv",
};

#define NB_CTR 26		/* bit length of the last delta 0..23, none,
				 * no reference */
#define NB_SD 17		/* size / 4 0..15, no reference */
#define NB_STATE 2		/* reference, none */
#define NCTX 2048

static uint16_t ctx0[RW_G_N][24];	/* first context of an entry */
static uint16_t misc0;
static int ctx_n;

/* a counter: has a history slot, is predicted to move */
static bool counter(char k)
{
	return k == 'c' || k == 'n' || k == 'm' || k == 'p' || k == 'g' ||
	       k == 'q' || k == 'r' || k == 'e' || k == 'h' || k == 'u' ||
	       k == 'v';
}

/* its history slot holds a smoothed move (rw_ema), not the last one
 * ('u': of the entry two before it less this one) */
static bool smoothed(char k)
{
	return k == 'e' || k == 'h' || k == 'u' || k == 'v';
}

/* in microseconds in a quantised record */
static bool micro(char k)
{
	return k == 'n' || k == 'm' || k == 'q';
}

static int nb_of(char k)
{
	return k == 'q' ? 2 * NB_CTR : counter(k) ? NB_CTR :
	       k == 'd' ? NB_SD : NB_STATE;
}

static void layout(void)
{
	int n = 0;

	if (ctx_n)
		return;
	for (int g = 0; g < RW_G_N; g++)
		for (int i = 0; kinds[g][i]; i++) {
			ctx0[g][i] = (uint16_t)n;
			n += nb_of(kinds[g][i]);
		}
	misc0 = (uint16_t)n;
	n += RW_M_N + 2 * RW_S_N;
	ctx_n = n;		/* < NCTX */
}

int rw_model_reset(struct rw_model *m)
{
	layout();
	if (!m->num && !(m->num = malloc(NCTX * sizeof(*m->num))))
		return -1;
	for (int i = 0; i < ctx_n; i++)
		rr_num_init(&m->num[i]);
	for (int i = 0; i < RW_S_N; i++) {
		rr_byte_init(&m->str[i]);
		m->prevlen[i] = 0;
	}
	m->same = RR_PROB_INIT;
	m->quant = false;
	m->scale = RW_SCALE1;
	m->side = 0;
	for (int g = 0; g < RW_G_N; g++)
		for (int i = 0; i < 24; i++)
			m->qflag[g][i] = RR_PROB_INIT;
	return 0;
}

uint32_t rw_scale(uint64_t dt, uint64_t dt0)
{
	uint64_t r;

	if (!dt0 || !dt)
		return RW_SCALE1;
	if (dt > (1ull << 47))
		return RW_SCALE1;	/* days: no scaling */
	r = (dt << 16) / dt0;
	return r > (1u << 20) ? 1u << 20 : (uint32_t)r;
}

void rw_model_free(struct rw_model *m)
{
	free(m->num);
	m->num = NULL;
}

/* ------------------------------------------------------------ varints */

void rw_put_uv(struct gt_buf *b, uint64_t v)
{
	char t[10];
	size_t n = 0;

	while (v >= 0x80) {
		t[n++] = (char)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (char)v;
	gt_buf_putn(b, t, n);
}

int rw_get_uv(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
	*v = 0;
	for (int s = 0; s < 64; s += 7) {
		if (*i >= n || (s == 63 && p[*i] > 1))
			return -1;
		*v |= (uint64_t)(p[*i] & 0x7f) << s;
		if (!(p[(*i)++] & 0x80))
			return 0;
	}
	return -1;
}

uint64_t rw_zz(uint64_t d)
{
	return (d << 1) ^ (0 - (d >> 63));
}

uint64_t rw_unzz(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

void rw_bad(struct rw *r, const char *why)
{
	if (!r->d.why)
		r->d.why = why;
	r->d.p = r->d.end;
}

const char *rw_why(const struct rw *r)
{
	return r->d.why;
}

/* ------------------------------------------------------ quantisation */

#define Q_NS GT_NS_QUANTUM

static int bitlen(uint64_t u)
{
	return u ? 64 - __builtin_clzll(u) : 0;
}

/* A deviation with at most 8 significant bits as a small number. */
static uint64_t sd_code(uint64_t v)
{
	int e = bitlen(v) - 8;

	if (e <= 0)
		return v;
	return 256 + (uint64_t)(e - 1) * 128 + ((v >> e) - 128);
}

static bool sd_uncode(uint64_t c, uint64_t *v)
{
	uint64_t e;

	if (c < 256) {
		*v = c;
		return true;
	}
	e = (c - 256) / 128 + 1;
	if (e > 56)
		return false;
	*v = ((c - 256) % 128 + 128) << e;
	return true;
}

static bool xs_quantised(const struct gt_xstat *x)
{
	return x->total_ns % Q_NS == 0 && x->stddev_ns == gt_quant_sd(x->stddev_ns);
}

bool rw_quantised(const struct gt_snap *s)
{
	for (int i = 0; i < s->nvms; i++) {
		const struct gt_vm_raw *vm = &s->vms[i];

		if (vm->ks && (vm->ks->halt_wait_ns % Q_NS ||
			       vm->ks->halt_poll_ns % Q_NS))
			return false;
		for (int j = 0; j < vm->nvcpus; j++) {
			const struct gt_vcpu_raw *c = &vm->vcpus[j];
			const struct gt_xt *x = c->xt;

			if (c->run_ns % Q_NS || c->wait_ns % Q_NS)
				return false;
			if (!x)
				continue;
			if (!xs_quantised(&x->guest) || !xs_quantised(&x->halted))
				return false;
			for (int k = 0; k < x->n; k++)
				if (!xs_quantised(&x->rows[k]))
					return false;
		}
	}
	return true;
}

/* An entry as it is predicted and coded. */
static uint64_t to_code(const struct rw_model *m, char k, uint64_t v)
{
	if (!m->quant)
		return v;
	return micro(k) ? v / Q_NS : k == 'd' ? sd_code(gt_quant_sd(v)) : v;
}

static uint64_t from_code(struct rw *r, char k, uint64_t c)
{
	uint64_t v = c;

	if (!r->m->quant)
		return c;
	if (micro(k) && c > UINT64_MAX / Q_NS)
		rw_bad(r, "number out of range");
	else if (micro(k))
		v = c * Q_NS;
	else if (k == 'd' && !sd_uncode(c, &v))
		rw_bad(r, "number out of range");
	return v;
}

/* ------------------------------------------------------------ vectors */

static int32_t sat32(uint64_t d)
{
	int64_t s = (int64_t)d;

	return s > INT32_MAX ? INT32_MAX : s <= INT32_MIN ? INT32_MIN + 1 :
	       (int32_t)s;
}

/*
 * How much entry i of an exit row (RW_G_XS) is predicted to move from
 * the entries before it: 'm', the total time, the row's new exits at
 * the mean length of its exits so far; 'p', the exits completed in
 * userspace, the same share of its new exits as so far.  Integer
 * arithmetic (the decoder must compute the same on any machine);
 * false when there is nothing to go by.
 */
static bool from_count(const struct rw_model *m, char k, const uint64_t *cur,
		       const uint64_t *ref, int i, int64_t *d)
{
	uint64_t rc = ref[S_COUNT], dc = cur[S_COUNT] - ref[S_COUNT];
	uint64_t part = to_code(m, k == 'm' ? 'n' : 'c', ref[i]), mean;

	if (!rc || cur[S_COUNT] < rc || dc >= 1u << 24)
		return false;
	if (k == 'p') {
		if (part > rc || part >= 1u << 24)
			return false;
		*d = (int64_t)((dc * part + rc / 2) / rc);
		return true;
	}
	mean = part < 1ull << 55 ? (part << 8) / rc : part / rc << 8;
	if (mean >= 1ull << 39)
		return false;
	*d = (int64_t)((dc * mean + 128) >> 8);
	return true;
}

/* The prediction and model of entry i; *h the counter's slot; cur: the
 * entries before i, as coded; *dd the predicted move. */
static struct rr_num *predict(const struct rw_model *m, enum rw_group g,
			      int i, const uint64_t *cur, const uint64_t *ref,
			      const int32_t *hin, int h, uint64_t *pred,
			      int64_t *dd)
{
	char k = kinds[g][i];
	int b;

	*dd = 0;
	*pred = ref ? to_code(m, k, ref[i]) : 0;
	if (counter(k)) {
		int32_t hd = hin ? hin[h] : RW_NOHIST;
		int64_t d = 0;
		bool have = true;

		if (k == 'g')
			d = (int64_t)m->side;
		else if (k == 'v' && ref)
			/* a VM's time: as its vCPUs' moved, and the mean
			 * move of the rest */
			d = (int64_t)m->vsum[i] + (hd == RW_NOHIST ? 0 :
				rw_rshift(hd, RW_EMA_FRAC));
		else if (k == 'h' && ref && m->hok)
			d = m->hd;	/* the halts: a reason's exits */
		else if (k == 'u' && ref)
			/* guest time: as user time moved, less the mean
			 * move of user time besides guest time */
			d = (int64_t)(cur[i - 2] - ref[i - 2]) -
			    (hd == RW_NOHIST ? 0 : rw_rshift(hd, RW_EMA_FRAC));
		else if (k == 'q' && (g == RW_G_XG || g == RW_G_XH) &&
			 m->cx.xok[g - RW_G_XG] && ref)
			d = (int64_t)m->cx.xd[g - RW_G_XG];
		else if (k == 'q' && g == RW_G_VCPU && ref &&
			 m->qok[i - P_RUN])
			d = m->qd[i - P_RUN];
		else if (k == 'r' && ref && (ref[i] || ref[i - 1]))
			/* guest system: guest less guest user */
			d = (int64_t)((cur[i - 2] - ref[i - 2]) -
				      (cur[i - 1] - ref[i - 1]));
		else if ((k == 'm' || k == 'p') && ref)
			have = from_count(m, k, cur, ref, i, &d);
		else if (hd == RW_NOHIST)
			have = false;
		else if (smoothed(k))	/* the mean move, rounded */
			d = rw_rshift((int64_t)hd * (int64_t)m->scale,
				      16 + RW_EMA_FRAC);
		else	/* as much as last time, for as long an interval */
			d = (int64_t)hd * (int64_t)m->scale / (int64_t)RW_SCALE1;
		if (!ref)
			b = NB_CTR - 1;
		else if (!have)
			b = NB_CTR - 2;
		else {
			*pred += (uint64_t)d;
			*dd = d;
			b = bitlen(rw_zz((uint64_t)d));
			b = b < NB_CTR - 2 ? b : NB_CTR - 3;
		}
	} else if (k == 'd') {
		b = bitlen(*pred) / 4 < NB_SD - 2 ? bitlen(*pred) / 4 :
		    NB_SD - 2;
		b = ref ? b : NB_SD - 1;
	} else {
		b = !ref;
	}
	return &m->num[ctx0[g][i] + b];
}

int64_t rw_rshift(int64_t v, int s)
{
	int64_t half = (int64_t)1 << (s - 1);

	return v >= 0 ? (v + half) >> s : -((-v + half) >> s);
}

int32_t rw_ema(int32_t s, uint64_t d)
{
	int64_t x = (int64_t)d;

	/* a move in 1/16, within what a slot holds */
	x = x > INT32_MAX / RW_EMA_ONE ? INT32_MAX :
	    x < -(INT32_MAX / RW_EMA_ONE) ? -INT32_MAX : x * RW_EMA_ONE;
	if (s == RW_NOHIST)
		return (int32_t)x;
	/* s + (x - s) / 8, the quotient floored */
	return (int32_t)(s + ((x - s) >= 0 ? (x - s) / RW_EMA_W :
			      -((s - x + RW_EMA_W - 1) / RW_EMA_W)));
}

static void keep(char k, int32_t *hout, int *h, const uint64_t *vec,
		 uint64_t cur, const uint64_t *ref, const struct rw_model *m,
		 int i, const int32_t *hin)
{
	if (!counter(k))
		return;
	if (hout && (!ref || m->kref))
		hout[*h] = RW_NOHIST;
	else if (hout && k == 'v')
		hout[*h] = rw_ema(hin ? hin[*h] : RW_NOHIST,
				  (cur - ref[i]) - m->vsum[i]);
	else if (hout && k == 'u')
		hout[*h] = rw_ema(hin ? hin[*h] : RW_NOHIST,
				  (vec[i - 2] - ref[i - 2]) - (cur - ref[i]));
	else if (hout && smoothed(k))
		hout[*h] = rw_ema(hin ? hin[*h] : RW_NOHIST,
				  cur - to_code(m, k, ref[i]));
	else if (hout)
		hout[*h] = sat32(cur - to_code(m, k, ref[i]));
	(*h)++;
}

/*
 * A 'q' entry's step: what the scanner's report moves in after a move
 * of hd (quant.h), 1 when there is none to go by.
 */
static uint64_t qstep(const struct rw_model *m, char k, const uint64_t *ref,
		      const int32_t *hin, int h)
{
	if (k != 'q' || !m->quant || !ref || !hin || hin[h] == RW_NOHIST ||
	    hin[h] <= 0)
		return 1;
	return gt_q_step((uint64_t)hin[h]);
}

/* The predicted move dd in steps of q, rounded. */
static uint64_t qpred(int64_t dd, uint64_t q)
{
	int64_t s = (int64_t)q;

	return (uint64_t)(dd >= 0 ? (dd + s / 2) / s : -((-dd + s / 2) / s));
}

static struct rr_num *qmodel(const struct rw_model *m, enum rw_group g, int i,
			     uint64_t pq)
{
	int b = bitlen(rw_zz(pq));

	return &m->num[ctx0[g][i] + NB_CTR + (b < NB_CTR ? b : NB_CTR - 1)];
}

struct rw_stats *rw_stats_cur;
static double stat_tmp;

void rw_stats_sink(struct rw_stats *s)
{
	rw_stats_cur = s;
}

/* the bits coded for entry i of g (stat_tmp) go to the sink */
static void stat_vec(struct rw_w *w, enum rw_group g, int i)
{
	struct rw_stats *s = rw_stats_cur;

	if (!s)
		return;
	if (i < 0) {
		s->n[g]++;
		stat_tmp = 0;
		w->e.cost = &stat_tmp;
		return;
	}
	s->bits[g][i] += stat_tmp;
	if (g == RW_G_XS && s->row >= 0 && s->row < RW_STATS_ROWS)
		s->rows[s->row][i] += stat_tmp;
	stat_tmp = 0;
}

static void stat_to(struct rw_w *w, double *d)
{
	w->e.cost = rw_stats_cur ? d : NULL;
}

void rw_put_vec(struct rw_w *w, enum rw_group g, const uint64_t *cur,
		const uint64_t *ref, const int32_t *hin, int32_t *hout)
{
	int h = 0;

	stat_vec(w, g, -1);
	for (int i = 0; kinds[g][i]; stat_vec(w, g, i), i++) {
		char k = kinds[g][i];
		uint64_t pred, c = to_code(w->m, k, cur[i]);
		int64_t dd;

		if (k == '-')
			continue;	/* coded in another group */
		struct rr_num *n = predict(w->m, g, i, cur, ref, hin, h, &pred,
					   &dd);
		uint64_t q = qstep(w->m, k, ref, hin, h);

		if (q > 1) {
			uint64_t r0 = to_code(w->m, k, ref[i]);
			bool steps = c >= r0 && (c - r0) % q == 0;

			rr_enc_bit(&w->e, &w->m->qflag[g][i], !steps);
			if (steps) {
				uint64_t pq = qpred(dd, q);

				rr_put_num(&w->e, qmodel(w->m, g, i, pq),
					   rw_zz((c - r0) / q - pq));
				keep(k, hout, &h, cur, c, ref, w->m, i, hin);
				continue;
			}
		}
		rr_put_num(&w->e, n, rw_zz(c - pred));
		keep(k, hout, &h, cur, c, ref, w->m, i, hin);
	}
}

void rw_get_vec(struct rw *r, enum rw_group g, uint64_t *out,
		const uint64_t *ref, const int32_t *hin, int32_t *hout)
{
	int h = 0;

	for (int i = 0; kinds[g][i]; i++) {
		char k = kinds[g][i];
		uint64_t pred, c;
		int64_t dd;

		if (k == '-') {
			out[i] = 0;	/* coded in another group */
			continue;
		}
		struct rr_num *n = predict(r->m, g, i, out, ref, hin, h, &pred,
					   &dd);
		uint64_t q = qstep(r->m, k, ref, hin, h);

		if (q > 1 && !rr_dec_bit(&r->d, &r->m->qflag[g][i])) {
			uint64_t pq = qpred(dd, q);

			c = to_code(r->m, k, ref[i]) +
			    (pq + rw_unzz(rr_get_num(&r->d,
						     qmodel(r->m, g, i, pq)))) * q;
		} else {
			c = pred + rw_unzz(rr_get_num(&r->d, n));
		}
		out[i] = from_code(r, k, c);
		keep(k, hout, &h, out, c, ref, r->m, i, hin);
	}
	if (r->d.why)
		rw_bad(r, r->d.why);
}

void rw_put_misc(struct rw_w *w, enum rw_misc k, uint64_t v)
{
	stat_to(w, rw_stats_cur ? &rw_stats_cur->misc[k] : NULL);
	rr_put_num(&w->e, &w->m->num[misc0 + k], v);
}

uint64_t rw_get_misc(struct rw *r, enum rw_misc k)
{
	return rr_get_num(&r->d, &r->m->num[misc0 + k]);
}

void rw_put_same(struct rw_w *w, bool same)
{
	stat_to(w, rw_stats_cur ? &rw_stats_cur->same : NULL);
	rr_enc_bit(&w->e, &w->m->same, same);
}

bool rw_get_same(struct rw *r)
{
	return rr_dec_bit(&r->d, &r->m->same);
}

/* ------------------------------------------------------- checked back */

uint64_t rw_dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

double rw_bitsd(struct rw *r, uint64_t u, double lo, double hi)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	if (!isfinite(d) || d < lo || d > hi) {
		rw_bad(r, "number out of range");
		return lo;
	}
	return d;
}

uint64_t rw_sx(long v)
{
	return (uint64_t)(int64_t)v;
}

bool rw_flag(struct rw *r, uint64_t v)
{
	if (v > 1)
		rw_bad(r, "bad flag");
	return v == 1;
}

long rw_range(struct rw *r, uint64_t v, long lo, long hi)
{
	int64_t s = (int64_t)v;

	if (s < lo || s > hi) {
		rw_bad(r, "number out of range");
		return lo;
	}
	return (long)s;
}

/* ------------------------------------------------------------ strings */

/*
 * Length + 1 (0: NULL), the length of the prefix shared with the
 * previous string of its kind, the rest byte by byte.
 */
void rw_put_str(struct rw_w *w, enum rw_str k, const char *s)
{
	struct rw_model *m = w->m;
	size_t n = s ? strlen(s) : 0, p = 0;
	struct rr_num *len = &m->num[misc0 + RW_M_N + 2 * k];

	stat_to(w, rw_stats_cur ? &rw_stats_cur->str[k] : NULL);
	if (n > RW_STR_MAX)
		n = RW_STR_MAX;	/* the scanner's are shorter */
	rr_put_num(&w->e, len, s ? n + 1 : 0);
	if (!s)
		return;
	while (p < n && p < m->prevlen[k] && m->prev[k][p] == s[p])
		p++;
	rr_put_num(&w->e, len + 1, p);
	for (size_t i = p; i < n; i++)
		rr_put_byte(&w->e, &m->str[k], (uint8_t)s[i]);
	memcpy(m->prev[k], s, n);
	m->prevlen[k] = n;
}

const char *rw_get_str(struct rw *r, enum rw_str k, struct gt_arena *a)
{
	struct rw_model *m = r->m;
	struct rr_num *len = &m->num[misc0 + RW_M_N + 2 * k];
	uint64_t n = rr_get_num(&r->d, len), p;
	char tmp[RW_STR_MAX * 4 + 1];
	const char *s;

	if (!n || r->d.why)
		return NULL;
	n--;
	p = rr_get_num(&r->d, len + 1);
	if (n > RW_STR_MAX || p > n || p > m->prevlen[k]) {
		rw_bad(r, "bad string");
		return NULL;
	}
	for (uint64_t i = p; i < n && !r->d.why; i++)
		m->prev[k][i] = (char)rr_get_byte(&r->d, &m->str[k]);
	m->prevlen[k] = n;
	if (r->d.why) {
		rw_bad(r, r->d.why);
		return NULL;
	}
	gt_sanitize(tmp, sizeof(tmp), m->prev[k], n);
	s = gt_arena_strdup(a, tmp);
	if (!s)
		rw_bad(r, "out of memory");
	return s;
}

bool rw_streq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}
