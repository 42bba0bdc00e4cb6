// SPDX-License-Identifier: GPL-2.0
/*
 * recdec.c - a recorded snapshot back from its bytes: reccodec.c's
 * steps in the same order, every number checked against what a
 * scanner can produce, nothing read outside the record, nothing larger
 * allocated than GT_RC_*_MAX allow.
 */
#define _GNU_SOURCE
#include "reccodec.h"
#include "rechist.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dec {
	struct rw r;
	struct gt_rc_dec *d;
	struct gt_snap *s;
	const struct gt_rc_hist *hp;	/* the record before */
	struct gt_rc_hist *h;		/* this one */
	const struct gt_vcpu_raw *kprev;	/* a keyframe: the vCPU
						 * decoded last */
	long nvcpus;		/* in the VMs so far */
};

static void *alloc(struct dec *x, size_t n, size_t size)
{
	void *p;

	/* a bit of a record can stand for a vCPU: bound what it makes */
	if (x->s->arena.bytes + (n ? n : 1) * size > GT_RC_SNAP_MAX) {
		rw_bad(&x->r, "sample too large");
		return NULL;
	}
	p = gt_arena_alloc(&x->s->arena, (n ? n : 1) * size);
	if (!p)
		rw_bad(&x->r, "out of memory");
	return p;
}

static int xs_cmp(const void *a, const void *b)
{
	const struct gt_xstat *x = a, *y = b;

	return (x->reason > y->reason) - (x->reason < y->reason);
}

static const struct gt_xt *copy_xt(struct dec *x, const struct gt_xt *src)
{
	struct gt_xt *t = alloc(x, 1, sizeof(*t));

	if (!t)
		return NULL;
	*t = *src;
	t->rows = alloc(x, (size_t)src->n, sizeof(*t->rows));
	if (!t->rows)
		return NULL;
	if (src->n)
		memcpy(t->rows, src->rows, (size_t)src->n * sizeof(*t->rows));
	return t;
}

static void xs_get(struct dec *x, enum rw_group g, struct gt_xstat *o,
		   const struct gt_xstat *r, const int32_t *hin, int32_t *hout)
{
	uint64_t v[S_N], rv[S_N];
	uint16_t reason = o->reason;

	rw_pack_xs(r, rv);
	rw_get_vec(&x->r, g, v, r ? rv : NULL, hin, hout);
	rw_unpack_xs(&x->r, v, o);
	o->reason = reason;
}

/* A vCPU's slots, its own (tmp) first; NULL after an error. */
static int32_t *vcpu_slots(struct dec *x, int nrows, const int32_t *tmp)
{
	int32_t *h = rc_hist_vcpu(x->h, nrows);

	if (!h) {
		rw_bad(&x->r, "out of memory");
		return NULL;
	}
	memcpy(h, tmp, RW_HIST_VC * sizeof(*h));
	return h;
}

/* The file id of a row of the reference, -1 if it has none. */
static int rfid(const struct dec *x, const struct gt_xt *rt,
		const struct rc_ord *o, int j)
{
	return x->d->fid[rt->rows[o->ix[j]].reason] - 1;
}

static void dec_rows(struct dec *x, struct gt_xt *t, const struct gt_xt *rt,
		     const struct gt_rc_hvc *hc, int32_t *hout)
{
	struct rw *r = &x->r;
	const int32_t *hin = hc ? x->hp->v + hc->slot + RW_HIST_VC : NULL;
	struct rc_ord o;
	int prevf = -1, j = 0;

	if (rc_order(&x->d->st, 1, rt, x->d->fid, &o)) {
		rw_bad(r, "out of memory");
		return;
	}
	for (int i = 0; i < t->n && !rw_why(r); i++) {
		struct gt_xstat *row = &t->rows[i];
		const struct gt_xstat *rr = NULL;
		int64_t f;

		if (j < o.n && rw_get_same(r))
			f = rfid(x, rt, &o, j);
		else
			f = prevf + 1 + (int64_t)(rw_get_misc(r, RW_M_FIDGAP) &
						  0xffffffu);
		if (f <= prevf || f >= x->d->n) {
			rw_bad(r, "undefined exit reason");
			break;
		}
		row->reason = x->d->id[f];
		while (j < o.n && rfid(x, rt, &o, j) < f)
			j++;
		if (j < o.n && rfid(x, rt, &o, j) == f)
			rr = &rt->rows[o.ix[j]];
		const int32_t *rh = hin && rr && (uint32_t)j < hc->nrows ?
				    hin + (2 + j) * RW_HIST_XS : NULL;

		xs_get(x, RW_G_XS, row, rr, rh, hout + (2 + i) * RW_HIST_XS);
		r->m->side += row->count - (rr ? rr->count : 0);
		rc_cross_row(r->m, row->total_ns, rr ? &rr->total_ns : NULL,
			     rh ? rh + 1 : NULL);
		rc_cross_count(r->m, row->count, rr ? &rr->count : NULL, rh);
		j += rr != NULL;
		prevf = (int)f;
	}
}

static const struct gt_xt *dec_xt(struct dec *x, const struct gt_xt *rt,
				  const struct gt_rc_hvc *hc,
				  const int32_t *tmp)
{
	struct rw *r = &x->r;
	uint64_t v[X_N_], rv[X_N_] = { 0 };
	const int32_t *hin = hc ? x->hp->v + hc->slot + RW_HIST_VC : NULL;
	struct gt_xt *t = alloc(x, 1, sizeof(*t));
	int32_t *hout;

	if (!t)
		return NULL;
	if (rt) {
		rv[X_N] = (uint64_t)rt->n;
		rv[X_HAS_GUEST] = rt->has_guest;
		rv[X_HAS_HALTED] = rt->has_halted;
	}
	rw_get_vec(r, RW_G_XT, v, rt ? rv : NULL, NULL, NULL);
	t->n = (int)rw_range(r, v[X_N], 0, GT_RC_REASONS);
	t->has_guest = rw_flag(r, v[X_HAS_GUEST]);
	t->has_halted = rw_flag(r, v[X_HAS_HALTED]);
	t->rows = alloc(x, (size_t)t->n, sizeof(*t->rows));
	if (rw_why(r) || !(hout = vcpu_slots(x, t->n, tmp)))
		return NULL;
	hout += RW_HIST_VC;
	/* the reasons first: <guest>'s entries are their exits */
	r->m->side = 0;
	rc_cross_hbegin(r->m, hin ? hin + RW_HIST_XS : NULL);
	dec_rows(x, t, rt, hc, hout);
	rc_cross_end(r->m, &x->d->st, hin ? hin + 1 : NULL,
		     hin ? hin + RW_HIST_XS + 1 : NULL,
		     hc ? x->hp->v + hc->slot : NULL);
	if (t->has_guest)
		xs_get(x, RW_G_XG, &t->guest,
		       rt && rt->has_guest ? &rt->guest : NULL, hin, hout);
	else
		rc_fill(hout, RW_HIST_XS, RW_NOHIST);
	if (t->has_halted)
		xs_get(x, RW_G_XH, &t->halted,
		       rt && rt->has_halted ? &rt->halted : NULL,
		       hin ? hin + RW_HIST_XS : NULL, hout + RW_HIST_XS);
	else
		rc_fill(hout + RW_HIST_XS, RW_HIST_XS, RW_NOHIST);
	rc_cross_keep(r->m, &x->d->st, t, rt, hc ? x->hp->v + hc->slot : NULL,
		      hout - RW_HIST_VC);
	if (rw_why(r))
		return NULL;
	qsort(t->rows, (size_t)t->n, sizeof(*t->rows), xs_cmp);
	for (int i = 1; i < t->n; i++)
		if (t->rows[i].reason == t->rows[i - 1].reason)
			rw_bad(r, "an exit reason twice");
	return t;
}

static const char *keep_str(struct dec *x, const char *s)
{
	const char *d = s ? gt_arena_strdup(&x->s->arena, s) : NULL;

	if (s && !d)
		rw_bad(&x->r, "out of memory");
	return d;
}

static void dec_vcpu(struct dec *x, struct gt_vcpu_raw *c,
		     const struct gt_vcpu_raw *ref, const struct gt_rc_hvc *hc)
{
	struct rw *r = &x->r;
	uint64_t v[P_N], rv[P_N];
	int32_t tmp[RW_HIST_VC], *h;

	rw_pack_vcpu(ref, rv);
	rc_vcpu_begin(r->m, hc ? x->hp->v + hc->slot : NULL);
	rw_get_vec(r, RW_G_VCPU, v, ref ? rv : NULL,
		   hc ? x->hp->v + hc->slot : NULL, tmp);
	rc_vsum_add(r->m, v, ref ? rv : NULL);
	rc_cross_begin(r->m, v, ref ? rv : NULL,
		       hc ? x->hp->v + hc->slot : NULL, tmp);
	rw_unpack_vcpu(r, v, c);
	bool has_xt = rw_flag(r, v[P_HAS_XT]);
	bool xt_ch = rw_flag(r, v[P_XT_CH]);

	if (rw_flag(r, v[P_COMM_CH]))
		c->comm = rw_get_str(r, RW_S_VCOMM, &x->s->arena);
	else
		c->comm = ref ? keep_str(x, ref->comm) : NULL;
	if (!c->comm)
		rw_bad(r, "a vCPU without a name");
	if (rw_why(r))
		return;
	if (xt_ch && !has_xt) {
		rw_bad(r, "exit timing of a vCPU without it");
	} else if (xt_ch) {
		c->xt = dec_xt(x, ref ? ref->xt : NULL, hc, tmp);
	} else if (has_xt && !(ref && ref->xt)) {
		rw_bad(r, "exit timing without a reference");
	} else {
		int n = has_xt ? ref->xt->n : 0;

		if (!(h = vcpu_slots(x, n, tmp)))
			return;
		rc_fill(h + RW_HIST_VC, (2 + (size_t)n) * RW_HIST_XS,
			has_xt && !r->m->kref ? 0 : RW_NOHIST);
		if (has_xt)
			c->xt = copy_xt(x, ref->xt);
	}
}

static void vm_strs(struct gt_vm_raw *vm, const char ***s)
{
	s[0] = &vm->name;
	s[1] = &vm->uuid;
	s[2] = &vm->comm;
	s[3] = &vm->cgroup;
}

static void dec_ks(struct dec *x, struct gt_vm_raw *vm,
		   const struct gt_vm_raw *ref, bool ch, const int32_t *hin,
		   int32_t *hout)
{
	struct gt_kvmstat *ks = alloc(x, 1, sizeof(*ks));
	uint64_t k[K_N], rk[K_N];

	if (!ks)
		return;
	rw_pack_ks(ref ? ref->ks : NULL, rk);
	if (ch) {
		rw_get_vec(&x->r, RW_G_KS, k, ref && ref->ks ? rk : NULL,
			   hin && ref->ks ? hin + RW_HIST_VM : NULL, hout);
	} else {
		memcpy(k, rk, sizeof(k));
		rc_fill(hout, RW_HIST_KS, 0);
	}
	rw_unpack_ks(&x->r, k, ks);
	vm->ks = ks;
}

static void dec_vcpus(struct dec *x, struct gt_vm_raw *vm,
		      const struct gt_vm_raw *ref, size_t vi, bool vmap)
{
	struct rw *r = &x->r;

	if (!vmap && ref && ref->nvcpus != vm->nvcpus)
		rw_bad(r, "vCPUs without a reference");
	vm->vcpus = alloc(x, (size_t)vm->nvcpus, sizeof(*vm->vcpus));
	for (int i = 0; i < vm->nvcpus && !rw_why(r); i++) {
		const struct gt_vcpu_raw *rc = NULL;
		int k = i;

		if (ref && vmap) {
			uint64_t m = rw_get_misc(r, RW_M_VREF);

			if (m > (uint64_t)ref->nvcpus)
				rw_bad(r, "bad vCPU reference");
			k = (int)m - 1;
		}
		if (ref && k >= 0 && k < ref->nvcpus)
			rc = &ref->vcpus[k];
		if (r->m->kref) {	/* against the vCPU before */
			dec_vcpu(x, &vm->vcpus[i], x->kprev, NULL);
			x->kprev = &vm->vcpus[i];
			continue;
		}
		dec_vcpu(x, &vm->vcpus[i], rc,
			 rc ? rc_prev_vcpu(x->hp, vi, k) : NULL);
	}
}

static void dec_vm(struct dec *x, struct gt_vm_raw *vm, int prev_pid,
		   const struct gt_snap *rs)
{
	struct rw *r = &x->r;
	uint64_t v[V_N], rv[V_N], head = rw_get_misc(r, RW_M_PID);
	const struct gt_vm_raw *ref = NULL;
	const char **s[4];
	size_t vi = SIZE_MAX;
	int32_t tmp[RW_HIST_VM], *hout;

	if ((head >> 1) < 1 || (head >> 1) > (uint64_t)(INT_MAX - prev_pid)) {
		rw_bad(r, "VMs out of order");
		return;
	}
	vm->pid = prev_pid + (int)(head >> 1);
	if (head & 1) {
		ref = rs ? gt_snap_find_vm(rs, vm->pid) : NULL;
		if (!ref) {
			rw_bad(r, "a VM without a reference");
			return;
		}
		vi = (size_t)(ref - rs->vms);
	}
	const int32_t *hin = ref ? rc_prev_vm(x->hp, vi) : NULL;

	rw_pack_vm(ref, rv);
	rw_get_vec(r, RW_G_VM, v, ref ? rv : NULL, hin, tmp);
	rw_unpack_vm(r, v, vm);
	if (v[V_NVCPUS] > (uint64_t)(GT_RC_VCPUS_MAX - x->nvcpus))
		rw_bad(r, "more vCPUs than a recording holds");
	vm->nvcpus = (int)rw_range(r, v[V_NVCPUS], 0, GT_RC_VCPUS_MAX);
	x->nvcpus += vm->nvcpus;
	bool has_ks = rw_flag(r, v[V_HAS_KS]), ks_ch = rw_flag(r, v[V_KS_CH]);
	bool vmap = rw_flag(r, v[V_VMAP]);

	if (v[V_STRS] > 15)
		rw_bad(r, "bad string mask");
	if (rw_why(r))
		return;
	if (!(hout = rc_hist_vm(x->h, (uint32_t)vm->nvcpus))) {
		rw_bad(r, "out of memory");
		return;
	}
	memcpy(hout, tmp, sizeof(tmp));
	vm_strs(vm, s);
	for (int i = 0; i < 4 && !rw_why(r); i++) {
		const char *rs4[4] = { ref ? ref->name : NULL,
				       ref ? ref->uuid : NULL,
				       ref ? ref->comm : NULL,
				       ref ? ref->cgroup : NULL };

		*s[i] = v[V_STRS] >> i & 1 ?
			rw_get_str(r, (enum rw_str)i, &x->s->arena) :
			keep_str(x, rs4[i]);
	}
	if (!vm->name || !vm->comm)
		rw_bad(r, "a VM without a name");
	if ((ks_ch && !has_ks) || (has_ks && !ks_ch && !(ref && ref->ks)))
		rw_bad(r, "KVM statistics without a reference");
	if (rw_why(r))
		return;
	if (has_ks)
		dec_ks(x, vm, ref, ks_ch, hin, hout + RW_HIST_VM);
	else
		rc_fill(hout + RW_HIST_VM, RW_HIST_KS, RW_NOHIST);
	size_t hslot = (size_t)(hout - x->h->v);

	memset(r->m->vsum, 0, sizeof(r->m->vsum));
	dec_vcpus(x, vm, ref, vi, vmap);
	if (rw_why(r))
		return;
	/* its times: its vCPUs' and the rest */
	rw_get_vec(r, RW_G_VT, v + V_T, ref ? rv + V_T : NULL, hin,
		   x->h->v + hslot);
	rw_unpack_vm(r, v, vm);
}

static void dec_defs(struct dec *x)
{
	struct rw *r = &x->r;
	struct gt_rc_dec *d = x->d;
	uint64_t n = rw_get_misc(r, RW_M_NDEFS);

	if (n > (uint64_t)(GT_RC_REASONS - d->n)) {
		rw_bad(r, "too many exit reasons");
		return;
	}
	for (uint64_t i = 0; i < n && !rw_why(r); i++) {
		const char *name = rw_get_str(r, RW_S_REASON, &x->s->arena);
		uint16_t id;

		if (!name || strlen(name) >= GT_REASON_MAX) {
			rw_bad(r, "bad exit reason name");
			return;
		}
		id = gt_reason_id(name);
		d->id[d->n++] = id;
		d->fid[id] = d->n;
	}
}

static void dec_cpus(struct dec *x, const struct gt_snap *ref)
{
	struct gt_snap *out = x->s;

	out->cpus = alloc(x, (size_t)out->ncpus, sizeof(*out->cpus));
	for (int i = -1; i < out->ncpus && !rw_why(&x->r); i++) {
		struct gt_cpu_raw *c = i < 0 ? &out->total : &out->cpus[i];
		const struct gt_cpu_raw *rc = !ref ? NULL : i < 0 ? &ref->total :
					      i < ref->ncpus ? &ref->cpus[i] :
					      NULL;
		int32_t *hout = rc_hist_add(x->h, RW_HIST_CPU);
		uint64_t v[C_N], rv[C_N];

		if (!hout) {
			rw_bad(&x->r, "out of memory");
			return;
		}
		rw_pack_cpu(rc, rv);
		rw_get_vec(&x->r, RW_G_CPU, v, rc ? rv : NULL,
			   rc && i + 1 < x->hp->ncpu ?
			   x->hp->v + (i + 1) * RW_HIST_CPU : NULL, hout);
		rw_unpack_cpu(&x->r, v, c);
	}
	x->h->ncpu = out->ncpus + 1;
}

/* The plain head: kind, flags, clocks; the coded part's offset. */
static size_t dec_head(struct dec *x, const uint8_t *p, size_t n,
		       const struct gt_snap *ref, uint64_t *v)
{
	uint64_t rv[H_N], dm, dr;
	size_t i = 2;

	rw_pack_head(ref, rv);
	if (rw_get_uv(p, n, &i, &dm) || rw_get_uv(p, n, &i, &dr)) {
		rw_bad(&x->r, "truncated");
		return n;
	}
	v[H_MONO] = rv[H_MONO] + rw_unzz(dm);
	v[H_REAL] = rv[H_REAL] + rw_unzz(dr);
	return i;
}

int gt_rc_decode(struct gt_rc_dec *d, const uint8_t *p, size_t n,
		 const struct gt_snap *ref, struct gt_snap *out, char *err,
		 size_t errlen)
{
	struct gt_rc_state *st = &d->st;
	struct dec x = { .r = { .m = &st->m }, .d = d, .s = out };
	struct rw *r = &x.r;
	uint64_t v[H_N], rv[H_N];
	unsigned kind, flags;
	int prev_pid = 0;
	size_t at;

	gt_snap_clear(out);
	rr_dec_init(&r->d, p, 0);
	r->d.why = NULL;
	if (n < 2) {
		rw_bad(r, "truncated");
		goto fail;
	}
	kind = p[0];
	flags = p[1];
	if ((kind != GT_RC_KEY && kind != GT_RC_DELTA) ||
	    (flags & ~(GT_RC_SESSION | GT_RC_QUANT)) ||
	    ((flags & GT_RC_SESSION) && kind != GT_RC_KEY)) {
		rw_bad(r, "unknown record kind");
		goto fail;
	}
	if (kind == GT_RC_DELTA && !ref) {
		rw_bad(r, "a delta record without the record before it");
		goto fail;
	}
	if (kind == GT_RC_KEY) {
		ref = NULL;
		d->n = 0;
		memset(d->fid, 0, sizeof(d->fid));
		if (rc_state_reset(st)) {
			rw_bad(r, "out of memory");
			goto fail;
		}
	}
	at = dec_head(&x, p, n, ref, v);
	if (rw_why(r))
		goto fail;
	rr_dec_init(&r->d, p + at, n - at);
	x.hp = &st->h[st->cur];
	x.h = &st->h[st->cur ^ 1];
	rc_hist_clear(x.h);
	st->m.quant = flags & GT_RC_QUANT;
	st->m.kref = kind == GT_RC_KEY;
	rw_pack_head(ref, rv);
	rc_state_begin(st, ref ? v[H_MONO] - rv[H_MONO] : 0);
	rw_get_vec(r, RW_G_HEAD, v + H_HZ, ref ? rv + H_HZ : NULL, NULL, NULL);
	dec_defs(&x);
	rw_unpack_head(r, v, out);
	dec_cpus(&x, ref);
	out->vms = alloc(&x, (size_t)out->nvms, sizeof(*out->vms));
	for (int i = 0; i < out->nvms && !rw_why(r); i++) {
		dec_vm(&x, &out->vms[i], prev_pid, ref);
		prev_pid = out->vms[i].pid;
	}
	if (!rw_why(r) && rr_dec_left(&r->d))
		rw_bad(r, "trailing bytes");
	if (!rw_why(r)) {
		rc_state_next(st);
		return 0;
	}
fail:
	snprintf(err, errlen, "%s", rw_why(r));
	gt_snap_clear(out);
	return -1;
}

void gt_rc_dec_free(struct gt_rc_dec *d)
{
	rc_state_free(&d->st);
}

int gt_rc_peek(const uint8_t *p, size_t n, unsigned *kind, unsigned *flags,
	       uint64_t *mono, double *realtime)
{
	uint64_t dm, dr, bits;
	size_t i = 2;

	if (n < 2)
		return -1;
	*kind = p[0];
	*flags = p[1];
	if ((*kind != GT_RC_KEY && *kind != GT_RC_DELTA) ||
	    rw_get_uv(p, n, &i, &dm) || rw_get_uv(p, n, &i, &dr))
		return -1;
	if (*kind == GT_RC_KEY) {
		*mono = rw_unzz(dm);
		bits = rw_unzz(dr);
	} else {
		memcpy(&bits, realtime, sizeof(bits));
		bits += rw_unzz(dr);
		*mono += rw_unzz(dm);
	}
	memcpy(realtime, &bits, sizeof(bits));
	return 0;
}
