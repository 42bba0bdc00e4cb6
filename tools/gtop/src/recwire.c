// SPDX-License-Identifier: GPL-2.0
/*
 * recwire.c - varints, vectors, strings and the number groups of a
 * recorded snapshot (see recwire.h and RECORDING.md).
 */
#define _GNU_SOURCE
#include "recwire.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#define STR_MAX 1024		/* longest string a record may hold */

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
	if (!r->why)
		r->why = why;
	r->p = r->end;
}

uint64_t rw_get_uv(struct rw *r)
{
	uint64_t v = 0;

	for (int s = 0; s < 64; s += 7) {
		uint8_t c;

		if (r->p >= r->end) {
			rw_bad(r, "truncated");
			return 0;
		}
		c = *r->p++;
		if (s == 63 && c > 1) {
			rw_bad(r, "number too large");
			return 0;
		}
		v |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80))
			return v;
	}
	return v;
}

size_t rw_left(const struct rw *r)
{
	return (size_t)(r->end - r->p);
}

/* ------------------------------------------------------------ vectors */

#define VMAX 24

void rw_put_vec(struct gt_buf *b, const uint64_t *cur, const uint64_t *ref,
		    int n)
{
	uint64_t mask = 0;

	for (int i = 0; i < n; i++)
		if (cur[i] != ref[i])
			mask |= 1ULL << i;
	rw_put_uv(b, mask);
	for (int i = 0; i < n; i++)
		if (mask >> i & 1)
			rw_put_uv(b, rw_zz(cur[i] - ref[i]));
}

void rw_get_vec(struct rw *r, uint64_t *out, const uint64_t *ref, int n)
{
	uint64_t mask = rw_get_uv(r);

	if (mask >> n)
		rw_bad(r, "bad field mask");
	for (int i = 0; i < n; i++)
		out[i] = ref[i] + (mask >> i & 1 ? rw_unzz(rw_get_uv(r)) : 0);
}

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

void rw_put_str(struct gt_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	rw_put_uv(b, s ? n + 1 : 0);
	gt_buf_putn(b, s ? s : "", n);
}

/* A string into the arena, sanitised; *present false for NULL. */
const char *rw_get_str(struct rw *r, struct gt_arena *a)
{
	uint64_t n = rw_get_uv(r);
	char tmp[STR_MAX * 4 + 1];
	const char *s;

	if (!n)
		return NULL;
	if (n - 1 > STR_MAX || n - 1 > rw_left(r)) {
		rw_bad(r, "bad string");
		return NULL;
	}
	gt_sanitize(tmp, sizeof(tmp), (const char *)r->p, n - 1);
	r->p += n - 1;
	s = gt_arena_strdup(a, tmp);
	if (!s)
		rw_bad(r, "out of memory");
	return s;
}

bool rw_streq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* ------------------------------------------------------ number groups */

void rw_pack_head(const struct gt_snap *s, uint64_t *v)
{
	memset(v, 0, H_N * sizeof(*v));
	if (!s)
		return;
	v[H_MONO] = s->mono_ns;
	v[H_REAL] = rw_dbits(s->realtime);
	v[H_HZ] = rw_sx(s->hz);
	v[H_HAS_UP] = s->has_uptime;
	v[H_UP] = rw_dbits(s->uptime);
	v[H_HAS_LOAD] = s->has_load;
	for (int i = 0; i < 3; i++)
		v[H_LOAD + i] = rw_dbits(s->load[i]);
	v[H_HAS_SC] = s->has_sysctl;
	v[H_SC] = rw_sx(s->sysctl);
	v[H_SC_ERR] = rw_sx(s->sysctl_err);
	v[H_HAS_XSC] = s->has_xt_sysctl;
	v[H_XSC] = rw_sx(s->xt_sysctl);
	v[H_STAT_OK] = s->stat_ok;
	v[H_XT] = s->xt_state;
	v[H_KS] = s->ks_state;
	v[H_NPROCS] = rw_sx(s->nprocs);
	v[H_NCPUS] = rw_sx(s->ncpus);
	v[H_NVMS] = rw_sx(s->nvms);
}

void rw_unpack_head(struct rw *r, const uint64_t *v, struct gt_snap *s)
{
	s->mono_ns = v[H_MONO];
	s->realtime = rw_bitsd(r, v[H_REAL], -1e15, 1e15);
	s->hz = rw_range(r, v[H_HZ], 1, 1000000);
	s->has_uptime = rw_flag(r, v[H_HAS_UP]);
	s->uptime = rw_bitsd(r, v[H_UP], 0, 1e15);
	s->has_load = rw_flag(r, v[H_HAS_LOAD]);
	for (int i = 0; i < 3; i++)
		s->load[i] = rw_bitsd(r, v[H_LOAD + i], 0, 1e15);
	s->has_sysctl = rw_flag(r, v[H_HAS_SC]);
	s->sysctl = rw_range(r, v[H_SC], LONG_MIN, LONG_MAX);
	s->sysctl_err = (int)rw_range(r, v[H_SC_ERR], 0, 4095);
	s->has_xt_sysctl = rw_flag(r, v[H_HAS_XSC]);
	s->xt_sysctl = rw_range(r, v[H_XSC], LONG_MIN, LONG_MAX);
	s->stat_ok = rw_flag(r, v[H_STAT_OK]);
	s->xt_state = (enum gt_xt_state)rw_range(r, v[H_XT], 0, GT_XT_OFF);
	s->ks_state = (enum gt_ks_state)rw_range(r, v[H_KS], 0, GT_KS_LOCKDOWN);
	s->nprocs = (int)rw_range(r, v[H_NPROCS], 0, INT_MAX);
	/* every CPU and VM takes at least a byte */
	s->ncpus = (int)rw_range(r, v[H_NCPUS], 0, (long)rw_left(r));
	s->nvms = (int)rw_range(r, v[H_NVMS], 0, (long)rw_left(r));
}

void rw_pack_cpu(const struct gt_cpu_raw *c, uint64_t *v)
{
	memset(v, 0, C_N * sizeof(*v));
	if (!c)
		return;
	v[C_ID] = rw_sx(c->id);
	v[C_NCOLS] = rw_sx(c->ncols);
	for (int k = 0; k < GT_CPU_NCOLS; k++)
		v[C_V + k] = c->v[k];
}

void rw_put_cpu(struct gt_buf *b, const struct gt_cpu_raw *c,
		    const struct gt_cpu_raw *ref)
{
	uint64_t v[C_N], rv[C_N];

	rw_pack_cpu(c, v);
	rw_pack_cpu(ref, rv);
	rw_put_vec(b, v, rv, C_N);
}

void rw_get_cpu(struct rw *r, struct gt_cpu_raw *c,
		    const struct gt_cpu_raw *ref)
{
	uint64_t v[C_N], rv[C_N];

	rw_pack_cpu(ref, rv);
	rw_get_vec(r, v, rv, C_N);
	c->id = (int)rw_range(r, v[C_ID], -1, INT_MAX);
	c->ncols = (int)rw_range(r, v[C_NCOLS], 0, GT_CPU_NCOLS);
	for (int k = 0; k < GT_CPU_NCOLS; k++)
		c->v[k] = v[C_V + k];
}

void rw_pack_times(const struct gt_times *t, uint64_t *v)
{
	v[T_UT] = t->utime;
	v[T_ST] = t->stime;
	v[T_G] = t->guest;
	v[T_GU] = t->guest_user;
	v[T_GS] = t->guest_system;
	v[T_HAS_G] = t->has_guest;
	v[T_HAS_SPLIT] = t->has_split;
}

void rw_unpack_times(struct rw *r, const uint64_t *v, struct gt_times *t)
{
	t->utime = v[T_UT];
	t->stime = v[T_ST];
	t->guest = v[T_G];
	t->guest_user = v[T_GU];
	t->guest_system = v[T_GS];
	t->has_guest = rw_flag(r, v[T_HAS_G]);
	t->has_split = rw_flag(r, v[T_HAS_SPLIT]);
}

void rw_pack_xs(const struct gt_xstat *x, uint64_t *v)
{
	memset(v, 0, S_N * sizeof(*v));
	if (!x)
		return;
	v[S_COUNT] = x->count;
	v[S_MIN] = x->min_ns;
	v[S_MAX] = x->max_ns;
	v[S_TOTAL] = x->total_ns;
	v[S_SD] = x->stddev_ns;
	v[S_USER] = x->user_exits;
	v[S_HAS_SD] = x->has_stddev;
	v[S_HAS_USER] = x->has_user;
}

void rw_put_xs(struct gt_buf *b, const struct gt_xstat *x,
		   const struct gt_xstat *ref)
{
	uint64_t v[S_N], rv[S_N];

	rw_pack_xs(x, v);
	rw_pack_xs(ref, rv);
	rw_put_vec(b, v, rv, S_N);
}

void rw_get_xs(struct rw *r, struct gt_xstat *x,
		   const struct gt_xstat *ref)
{
	uint64_t v[S_N], rv[S_N];

	rw_pack_xs(ref, rv);
	rw_get_vec(r, v, rv, S_N);
	x->count = v[S_COUNT];
	x->min_ns = v[S_MIN];
	x->max_ns = v[S_MAX];
	x->total_ns = v[S_TOTAL];
	x->stddev_ns = v[S_SD];
	x->user_exits = v[S_USER];
	x->has_stddev = rw_flag(r, v[S_HAS_SD]);
	x->has_user = rw_flag(r, v[S_HAS_USER]);
}

bool rw_xs_equal(const struct gt_xstat *a, const struct gt_xstat *b)
{
	uint64_t va[S_N], vb[S_N];

	rw_pack_xs(a, va);
	rw_pack_xs(b, vb);
	return a->reason == b->reason && !memcmp(va, vb, sizeof(va));
}

bool rw_xt_equal(const struct gt_xt *a, const struct gt_xt *b)
{
	if (a->n != b->n || a->has_guest != b->has_guest ||
	    a->has_halted != b->has_halted ||
	    (a->has_guest && !rw_xs_equal(&a->guest, &b->guest)) ||
	    (a->has_halted && !rw_xs_equal(&a->halted, &b->halted)))
		return false;
	for (int i = 0; i < a->n; i++)
		if (!rw_xs_equal(&a->rows[i], &b->rows[i]))
			return false;
	return true;
}

void rw_pack_vcpu(const struct gt_vcpu_raw *c, uint64_t *v)
{
	memset(v, 0, P_N * sizeof(*v));
	if (!c)
		return;
	v[P_TID] = rw_sx(c->tid);
	v[P_INDEX] = rw_sx(c->index);
	v[P_PROC] = rw_sx(c->processor);
	rw_pack_times(&c->t, v + P_T);
	v[P_HAS_SCHED] = c->has_sched;
	v[P_RUN] = c->run_ns;
	v[P_WAIT] = c->wait_ns;
	v[P_HAS_XT] = c->xt != NULL;
}

void rw_pack_ks(const struct gt_kvmstat *k, uint64_t *v)
{
	memset(v, 0, K_N * sizeof(*v));
	if (!k)
		return;
	v[K_EXITS] = k->exits;
	v[K_HALT_EXITS] = k->halt_exits;
	v[K_WAIT] = k->halt_wait_ns;
	v[K_POLL] = k->halt_poll_ns;
	v[K_HAS_HE] = k->has_halt_exits;
	v[K_HAS_WAIT] = k->has_halt_wait;
	v[K_HAS_POLL] = k->has_halt_poll;
}

void rw_pack_vm(const struct gt_vm_raw *vm, uint64_t *v)
{
	memset(v, 0, V_N * sizeof(*v));
	if (!vm)
		return;
	v[V_START] = vm->starttime;
	v[V_NLWP] = rw_sx(vm->nlwp);
	rw_pack_times(&vm->t, v + V_T);
	v[V_NVCPUS] = rw_sx(vm->nvcpus);
	v[V_HAS_KS] = vm->ks != NULL;
}

