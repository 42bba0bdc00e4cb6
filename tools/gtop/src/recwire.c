// SPDX-License-Identifier: GPL-2.0
/*
 * recwire.c - groups of numbers, their prediction and coding, strings
 * (see recwire.h and RECORDING.md).
 *
 * One table says what every entry of every group is: a state ('s':
 * predicted to stay as it was), a counter ('c': predicted to move by
 * as much as it moved the record before), a counter of nanoseconds
 * ('n': the same, in microseconds in a quantised record) or a standard
 * deviation ('d': a state, to 8 significant bits in a quantised
 * record).  The error of the prediction, zigzagged, is coded with the
 * model of its group, entry and context: for a counter how far it
 * moved last time (the bit length of that delta), for a deviation its
 * size, else only whether there is a reference.
 */
#define _GNU_SOURCE
#include "recwire.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- table */

static const char *const kinds[RW_G_N] = {
	[RW_G_HEAD] = "ssssssssssssssssss",	/* from H_HZ */
	[RW_G_CPU] = "sscccccccccccc",
	[RW_G_VCPU] = "ssscccccsssnnsss",
	[RW_G_XS] = "cssndcss",
	[RW_G_KS] = "ccnnsss",
	[RW_G_VM] = "sscccccsssssss",
	[RW_G_XT] = "sss",
};

#define NB_CTR 26		/* bit length of the last delta 0..23, none,
				 * no reference */
#define NB_SD 17		/* size / 4 0..15, no reference */
#define NB_STATE 2		/* reference, none */
#define NCTX 2048

static uint16_t ctx0[RW_G_N][24];	/* first context of an entry */
static uint16_t misc0;
static int ctx_n;

static int nb_of(char k)
{
	return k == 'c' || k == 'n' ? NB_CTR : k == 'd' ? NB_SD : NB_STATE;
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
	return 0;
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
	return k == 'n' ? v / Q_NS : k == 'd' ? sd_code(gt_quant_sd(v)) : v;
}

static uint64_t from_code(struct rw *r, char k, uint64_t c)
{
	uint64_t v = c;

	if (!r->m->quant)
		return c;
	if (k == 'n' && c > UINT64_MAX / Q_NS)
		rw_bad(r, "number out of range");
	else if (k == 'n')
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

/* The prediction and model of entry i; *h the counter's slot. */
static struct rr_num *predict(const struct rw_model *m, enum rw_group g,
			      int i, const uint64_t *ref, const int32_t *hin,
			      int h, uint64_t *pred)
{
	char k = kinds[g][i];
	int b;

	*pred = ref ? to_code(m, k, ref[i]) : 0;
	if (k == 'c' || k == 'n') {
		int32_t d = hin ? hin[h] : RW_NOHIST;

		if (!ref)
			b = NB_CTR - 1;
		else if (d == RW_NOHIST)
			b = NB_CTR - 2;
		else {
			*pred += (uint64_t)(int64_t)d;
			b = bitlen(rw_zz((uint64_t)(int64_t)d));
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

static void keep(char k, int32_t *hout, int *h, uint64_t cur,
		 const uint64_t *ref, const struct rw_model *m, int i)
{
	if (k != 'c' && k != 'n')
		return;
	if (hout)
		hout[*h] = ref ? sat32(cur - to_code(m, k, ref[i])) : RW_NOHIST;
	(*h)++;
}

void rw_put_vec(struct rw_w *w, enum rw_group g, const uint64_t *cur,
		const uint64_t *ref, const int32_t *hin, int32_t *hout)
{
	int h = 0;

	for (int i = 0; kinds[g][i]; i++) {
		char k = kinds[g][i];
		uint64_t pred, c = to_code(w->m, k, cur[i]);
		struct rr_num *n = predict(w->m, g, i, ref, hin, h, &pred);

		rr_put_num(&w->e, n, rw_zz(c - pred));
		keep(k, hout, &h, c, ref, w->m, i);
	}
}

void rw_get_vec(struct rw *r, enum rw_group g, uint64_t *out,
		const uint64_t *ref, const int32_t *hin, int32_t *hout)
{
	int h = 0;

	for (int i = 0; kinds[g][i]; i++) {
		char k = kinds[g][i];
		uint64_t pred, c;
		struct rr_num *n = predict(r->m, g, i, ref, hin, h, &pred);

		c = pred + rw_unzz(rr_get_num(&r->d, n));
		out[i] = from_code(r, k, c);
		keep(k, hout, &h, c, ref, r->m, i);
	}
	if (r->d.why)
		rw_bad(r, r->d.why);
}

void rw_put_misc(struct rw_w *w, enum rw_misc k, uint64_t v)
{
	rr_put_num(&w->e, &w->m->num[misc0 + k], v);
}

uint64_t rw_get_misc(struct rw *r, enum rw_misc k)
{
	return rr_get_num(&r->d, &r->m->num[misc0 + k]);
}

void rw_put_same(struct rw_w *w, bool same)
{
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
