// SPDX-License-Identifier: GPL-2.0
/*
 * reccodec.c - a snapshot as bytes, against the snapshot before it.
 *
 * A record is a plain head (kind, flags, the clocks as varints, so that
 * the index of times reads them without decoding) and a range-coded
 * body: the snapshot's numbers group by group (recwire.h), each
 * predicted from the reference and, for counters, from how much it
 * moved in the record before (the history), its error coded with an
 * adaptive model.  A VM, vCPU or exit reason matches its reference by
 * pid, tid or name; exit reasons go in the order of their file ids,
 * which the encoder and the decoder both know.  The encoder and the
 * decoder run the same steps on the same numbers, so their models and
 * histories stay the same.
 */
#define _GNU_SOURCE
#include "reccodec.h"
#include "rechist.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ encoder */

struct enc {
	struct rw_w w;
	struct gt_rc_enc *e;
	const struct gt_rc_hist *hp;	/* the record before */
	struct gt_rc_hist *h;		/* this one */
	const struct gt_vcpu_raw *kprev;	/* a keyframe: the vCPU
						 * coded last */
	bool full;
};

static void xs_put(struct enc *x, enum rw_group g, const struct gt_xstat *c,
		   const struct gt_xstat *r, const int32_t *hin, int32_t *hout)
{
	uint64_t v[S_N], rv[S_N];

	rw_pack_xs(c, v);
	rw_pack_xs(r, rv);
	rw_put_vec(&x->w, g, v, r ? rv : NULL, hin, hout);
}

static void enc_xt(struct enc *x, const struct gt_xt *t, const struct gt_xt *rt,
		   const struct gt_rc_hvc *hc, int32_t *hout)
{
	struct gt_rc_state *s = &x->e->st;
	const uint16_t *fid = x->e->fid;
	const int32_t *hin = hc ? x->hp->v + hc->slot + RW_HIST_VC : NULL;
	uint64_t v[X_N_] = { (uint64_t)t->n, t->has_guest, t->has_halted };
	uint64_t rv[X_N_] = { 0 };
	struct rc_ord oc, orf;
	int prevf = -1, j = 0;

	if (rt) {
		rv[X_N] = (uint64_t)rt->n;
		rv[X_HAS_GUEST] = rt->has_guest;
		rv[X_HAS_HALTED] = rt->has_halted;
	}
	rw_put_vec(&x->w, RW_G_XT, v, rt ? rv : NULL, NULL, NULL);
	if (rc_order(s, 0, t, fid, &oc) || rc_order(s, 1, rt, fid, &orf)) {
		x->full = true;
		return;
	}
	/* the reasons first: <guest>'s entries are their exits */
	x->w.m->side = 0;
	rc_cross_hbegin(x->w.m, hin ? hin + RW_HIST_XS : NULL);
	for (int i = 0; i < oc.n; i++) {
		const struct gt_xstat *r = &t->rows[oc.ix[i]], *rr = NULL;
		int f = fid[r->reason] - 1;

		if (j < orf.n)
			rw_put_same(&x->w, fid[rt->rows[orf.ix[j]].reason] - 1 == f);
		if (j >= orf.n || fid[rt->rows[orf.ix[j]].reason] - 1 != f)
			rw_put_misc(&x->w, RW_M_FIDGAP, (uint64_t)(f - prevf - 1));
		while (j < orf.n && fid[rt->rows[orf.ix[j]].reason] - 1 < f)
			j++;
		if (j < orf.n && fid[rt->rows[orf.ix[j]].reason] - 1 == f)
			rr = &rt->rows[orf.ix[j]];
		const int32_t *rh = hin && rr && (uint32_t)j < hc->nrows ?
				    hin + (2 + j) * RW_HIST_XS : NULL;

		if (rw_stats_cur)
			rw_stats_cur->row = f;
		xs_put(x, RW_G_XS, r, rr, rh, hout + (2 + i) * RW_HIST_XS);
		x->w.m->side += r->count - (rr ? rr->count : 0);
		rc_cross_row(x->w.m, r->total_ns, rr ? &rr->total_ns : NULL,
			     rh ? rh + 1 : NULL);
		rc_cross_count(x->w.m, r->count, rr ? &rr->count : NULL, rh);
		j += rr != NULL;
		prevf = f;
	}
	rc_cross_end(x->w.m, s, hin ? hin + 1 : NULL,
		     hin ? hin + RW_HIST_XS + 1 : NULL,
		     hc ? x->hp->v + hc->slot : NULL);
	if (t->has_guest)
		xs_put(x, RW_G_XG, &t->guest,
		       rt && rt->has_guest ? &rt->guest : NULL, hin, hout);
	else
		rc_fill(hout, RW_HIST_XS, RW_NOHIST);
	if (t->has_halted)
		xs_put(x, RW_G_XH, &t->halted,
		       rt && rt->has_halted ? &rt->halted : NULL,
		       hin ? hin + RW_HIST_XS : NULL, hout + RW_HIST_XS);
	else
		rc_fill(hout + RW_HIST_XS, RW_HIST_XS, RW_NOHIST);
	rc_cross_keep(x->w.m, s, t, rt, hc ? x->hp->v + hc->slot : NULL,
		      hout - RW_HIST_VC);
}

static void enc_vcpu(struct enc *x, const struct gt_vcpu_raw *c,
		     const struct gt_vcpu_raw *ref, const struct gt_rc_hvc *hc)
{
	uint64_t v[P_N], rv[P_N];
	const struct gt_xt *rx = ref ? ref->xt : NULL;
	int nrows = c->xt ? c->xt->n : 0;
	int32_t *hout = rc_hist_vcpu(x->h, nrows);

	rw_pack_vcpu(c, v);
	rw_pack_vcpu(ref, rv);
	v[P_XT_CH] = c->xt && (!rx || !rw_xt_equal(c->xt, rx));
	v[P_COMM_CH] = !ref || !rw_streq(c->comm, ref->comm);
	rc_vcpu_begin(x->w.m, hc ? x->hp->v + hc->slot : NULL);
	rw_put_vec(&x->w, RW_G_VCPU, v, ref ? rv : NULL,
		   hc ? x->hp->v + hc->slot : NULL, hout);
	rc_vsum_add(x->w.m, v, ref ? rv : NULL);
	rc_cross_begin(x->w.m, v, ref ? rv : NULL,
		       hc ? x->hp->v + hc->slot : NULL, hout);
	if (v[P_COMM_CH])
		rw_put_str(&x->w, RW_S_VCOMM, c->comm);
	if (!hout)
		return;
	if (v[P_XT_CH])
		enc_xt(x, c->xt, rx, hc, hout + RW_HIST_VC);
	else
		rc_fill(hout + RW_HIST_VC, (2 + (size_t)nrows) * RW_HIST_XS,
		     c->xt && !x->w.m->kref ? 0 : RW_NOHIST);
}

static void vm_strs(const struct gt_vm_raw *vm, const char **s)
{
	s[0] = vm ? vm->name : NULL;
	s[1] = vm ? vm->uuid : NULL;
	s[2] = vm ? vm->comm : NULL;
	s[3] = vm ? vm->cgroup : NULL;
}

static void enc_vm(struct enc *x, const struct gt_vm_raw *vm,
		   const struct gt_snap *rs, int prev_pid)
{
	const struct gt_vm_raw *ref = rs ? gt_snap_find_vm(rs, vm->pid) : NULL;
	size_t vi = ref ? (size_t)(ref - rs->vms) : SIZE_MAX;
	const int32_t *hin = ref ? rc_prev_vm(x->hp, vi) : NULL;
	int32_t *hout = rc_hist_vm(x->h, (uint32_t)vm->nvcpus);
	uint64_t v[V_N], rv[V_N];
	const char *s[4], *r[4];
	bool same = ref && ref->nvcpus == vm->nvcpus;

	vm_strs(vm, s);
	vm_strs(ref, r);
	for (int i = 0; same && i < vm->nvcpus; i++)
		same = vm->vcpus[i].tid == ref->vcpus[i].tid;
	rw_pack_vm(vm, v);
	rw_pack_vm(ref, rv);
	if (vm->ks) {
		uint64_t k[K_N], rk[K_N];

		rw_pack_ks(vm->ks, k);
		rw_pack_ks(ref ? ref->ks : NULL, rk);
		v[V_KS_CH] = !ref || !ref->ks || memcmp(k, rk, sizeof(k));
	}
	for (int i = 0; i < 4; i++)
		if (!rw_streq(s[i], r[i]))
			v[V_STRS] |= 1u << i;
	v[V_VMAP] = ref && !same;
	/* pids ascend: the gap, and whether the record before has it */
	rw_put_misc(&x->w, RW_M_PID,
		    (uint64_t)(vm->pid - prev_pid) << 1 | (ref != NULL));
	rw_put_vec(&x->w, RW_G_VM, v, ref ? rv : NULL, hin, hout);
	for (int i = 0; i < 4; i++)
		if (v[V_STRS] >> i & 1)
			rw_put_str(&x->w, (enum rw_str)i, s[i]);
	if (v[V_KS_CH]) {
		uint64_t k[K_N], rk[K_N];

		rw_pack_ks(vm->ks, k);
		rw_pack_ks(ref ? ref->ks : NULL, rk);
		rw_put_vec(&x->w, RW_G_KS, k, ref && ref->ks ? rk : NULL,
			   hin && ref->ks ? hin + RW_HIST_VM : NULL,
			   hout ? hout + RW_HIST_VM : NULL);
	} else if (hout) {
		rc_fill(hout + RW_HIST_VM, RW_HIST_KS, vm->ks ? 0 : RW_NOHIST);
	}
	size_t hslot = hout ? (size_t)(hout - x->h->v) : 0;

	memset(x->w.m->vsum, 0, sizeof(x->w.m->vsum));
	for (int i = 0; i < vm->nvcpus; i++) {
		const struct gt_vcpu_raw *c = &vm->vcpus[i], *rc = NULL;
		int k = i;

		if (ref && !same) {
			k = 0;
			while (k < ref->nvcpus && ref->vcpus[k].tid != c->tid)
				k++;
			rw_put_misc(&x->w, RW_M_VREF,
				    k < ref->nvcpus ? (uint64_t)k + 1 : 0);
		}
		if (ref && k < ref->nvcpus)
			rc = &ref->vcpus[k];
		if (!rs) {	/* a keyframe: against the vCPU before */
			enc_vcpu(x, c, x->kprev, NULL);
			x->kprev = c;
			continue;
		}
		enc_vcpu(x, c, rc, rc ? rc_prev_vcpu(x->hp, vi, k) : NULL);
	}
	/* its times: its vCPUs' and the rest */
	rw_put_vec(&x->w, RW_G_VT, v + V_T, ref ? rv + V_T : NULL, hin,
		   hout && !x->h->oom ? x->h->v + hslot : NULL);
}

/* File ids for every exit reason of cur; the new ones are defined. */
static void define(struct gt_rc_enc *e, const struct gt_snap *cur, bool *full)
{
	e->ndefs = 0;
	for (int i = 0; i < cur->nvms; i++)
		for (int j = 0; j < cur->vms[i].nvcpus; j++) {
			const struct gt_xt *x = cur->vms[i].vcpus[j].xt;

			for (int k = 0; x && k < x->n; k++) {
				uint16_t r = x->rows[k].reason;

				if (r >= GT_REASON_IDS || (!e->fid[r] &&
				    e->nfid >= GT_RC_REASONS)) {
					*full = true;
					return;
				}
				if (e->fid[r])
					continue;
				e->fid[r] = ++e->nfid;
				e->defs[e->ndefs++] = r;
			}
		}
}

int gt_rc_encode(struct gt_rc_enc *e, struct gt_buf *out,
		 const struct gt_snap *ref, const struct gt_snap *cur,
		 unsigned flags)
{
	struct gt_rc_state *s = &e->st;
	struct enc x = { .e = e, .w = { .m = &s->m } };
	uint64_t v[H_N], rv[H_N];
	int prev_pid = 0;
	long nvcpus = 0;

	for (int i = 0; i < cur->nvms; i++)
		nvcpus += cur->vms[i].nvcpus;
	if (!(flags & GT_RC_UNCHECKED) && (cur->nvms > GT_RC_VMS_MAX ||
	    nvcpus > GT_RC_VCPUS_MAX || cur->ncpus > GT_RC_CPUS_MAX))
		return -2;	/* a reader would refuse it */
	if (!ref) {		/* a keyframe: a new segment */
		memset(e->fid, 0, sizeof(e->fid));
		e->nfid = 0;
		if (rc_state_reset(s))
			return -1;
	}
	x.hp = &s->h[s->cur];
	x.h = &s->h[s->cur ^ 1];
	rc_hist_clear(x.h);
	s->m.quant = rw_quantised(cur);
	s->m.kref = !ref;
	define(e, cur, &x.full);
	rw_pack_head(cur, v);
	rw_pack_head(ref, rv);
	rc_state_begin(s, ref ? v[H_MONO] - rv[H_MONO] : 0);
	gt_buf_putc(out, ref ? GT_RC_DELTA : GT_RC_KEY);
	gt_buf_putc(out, (char)((flags & GT_RC_SESSION) |
				(s->m.quant ? GT_RC_QUANT : 0)));
	rw_put_uv(out, rw_zz(v[H_MONO] - rv[H_MONO]));	/* gt_rc_peek */
	rw_put_uv(out, rw_zz(v[H_REAL] - rv[H_REAL]));
	rr_enc_init(&x.w.e, out);
	rw_put_vec(&x.w, RW_G_HEAD, v + H_HZ, ref ? rv + H_HZ : NULL, NULL,
		   NULL);
	rw_put_misc(&x.w, RW_M_NDEFS, e->ndefs);
	for (int i = 0; i < e->ndefs; i++)
		rw_put_str(&x.w, RW_S_REASON, gt_reason_name(e->defs[i]));
	for (int i = -1; i < cur->ncpus; i++) {
		const struct gt_cpu_raw *c = i < 0 ? &cur->total : &cur->cpus[i];
		const struct gt_cpu_raw *r = !ref ? NULL : i < 0 ? &ref->total :
					     i < ref->ncpus ? &ref->cpus[i] : NULL;
		int32_t *hout = rc_hist_add(x.h, RW_HIST_CPU);
		uint64_t c1[C_N], r1[C_N];

		rw_pack_cpu(c, c1);
		rw_pack_cpu(r, r1);
		rw_put_vec(&x.w, RW_G_CPU, c1, r ? r1 : NULL,
			   r && i + 1 < x.hp->ncpu ?
			   x.hp->v + (i + 1) * RW_HIST_CPU : NULL, hout);
	}
	x.h->ncpu = cur->ncpus + 1;
	for (int i = 0; i < cur->nvms; i++) {
		enc_vm(&x, &cur->vms[i], ref, prev_pid);
		prev_pid = cur->vms[i].pid;
	}
	rr_enc_flush(&x.w.e);
	rc_state_next(s);
	return x.full || out->oom || x.h->oom ? -1 : 0;
}

void gt_rc_enc_free(struct gt_rc_enc *e)
{
	rc_state_free(&e->st);
}

