// SPDX-License-Identifier: GPL-2.0
/*
 * reccodec.c - a snapshot as bytes, against the snapshot before it.
 *
 * Every group of numbers (the snapshot's header, a CPU line, a VM, its
 * KVM statistics, a vCPU, its exit table, one exit reason) is a vector
 * of up to 64 unsigned numbers: a varint bit mask of the numbers that
 * differ from the same group of the reference, then for each of them
 * the difference (mod 2^64) as a zigzag varint.  A keyframe's
 * reference is all zeros.  Signed numbers are stored as their two's
 * complement, doubles as their IEEE bits, so that decoding gives back
 * exactly what was encoded.  Some vector entries are not counters but
 * switches whose reference is always 0 ("this VM's strings changed",
 * "this vCPU's exit table changed"): when nothing changed they cost
 * nothing.  An unchanged vCPU costs one byte.
 */
#define _GNU_SOURCE
#include "reccodec.h"
#include "recwire.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ encoder */

/* The file id of an exit reason, defined in this record if new. */
static uint64_t fid_of(struct gt_rc_enc *e, uint16_t reason, bool *full)
{
	if (reason >= GT_REASON_IDS) {
		*full = true;
		return 0;
	}
	if (!e->fid[reason]) {
		if (e->nfid >= GT_RC_REASONS) {
			*full = true;
			return 0;
		}
		e->fid[reason] = ++e->nfid;
		rw_put_str(&e->defs, gt_reason_name(reason));
		e->ndefs++;
	}
	return e->fid[reason] - 1u;
}

/* The row of ref for the same reason (rows are sorted by reason). */
static const struct gt_xstat *row_of(const struct gt_xt *ref, uint16_t reason)
{
	int lo = 0, hi = ref ? ref->n - 1 : -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (ref->rows[mid].reason == reason)
			return &ref->rows[mid];
		if (ref->rows[mid].reason < reason)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

enum { X_N, X_HAS_GUEST, X_HAS_HALTED, X_RMAP, X_N_ };

static void enc_xt(struct gt_rc_enc *e, const struct gt_xt *x,
		   const struct gt_xt *ref, bool *full)
{
	struct gt_buf *b = &e->body;
	uint64_t v[X_N_], rv[X_N_] = { 0 };
	bool same = ref && ref->n == x->n;

	for (int i = 0; same && i < x->n; i++)
		same = x->rows[i].reason == ref->rows[i].reason;
	if (ref) {
		rv[X_N] = (uint64_t)ref->n;
		rv[X_HAS_GUEST] = ref->has_guest;
		rv[X_HAS_HALTED] = ref->has_halted;
	}
	v[X_N] = (uint64_t)x->n;
	v[X_HAS_GUEST] = x->has_guest;
	v[X_HAS_HALTED] = x->has_halted;
	v[X_RMAP] = !same;
	rw_put_vec(b, v, rv, X_N_);
	if (x->has_guest)
		rw_put_xs(b, &x->guest, ref && ref->has_guest ? &ref->guest : NULL);
	if (x->has_halted)
		rw_put_xs(b, &x->halted, ref && ref->has_halted ? &ref->halted :
		       NULL);
	for (int i = 0; i < x->n; i++) {
		const struct gt_xstat *r = &x->rows[i];

		if (same) {
			rw_put_xs(b, r, &ref->rows[i]);
			continue;
		}
		rw_put_uv(b, fid_of(e, r->reason, full));
		rw_put_xs(b, r, row_of(ref, r->reason));
	}
}

static void enc_vcpu(struct gt_rc_enc *e, const struct gt_vcpu_raw *c,
		     const struct gt_vcpu_raw *ref, bool *full)
{
	uint64_t v[P_N], rv[P_N];
	const struct gt_xt *rx = ref ? ref->xt : NULL;

	rw_pack_vcpu(c, v);
	rw_pack_vcpu(ref, rv);
	v[P_XT_CH] = c->xt && (!rx || !rw_xt_equal(c->xt, rx));
	v[P_COMM_CH] = !ref || !rw_streq(c->comm, ref->comm);
	rw_put_vec(&e->body, v, rv, P_N);
	if (v[P_COMM_CH])
		rw_put_str(&e->body, c->comm);
	if (v[P_XT_CH])
		enc_xt(e, c->xt, rx, full);
}

static void enc_vm(struct gt_rc_enc *e, const struct gt_vm_raw *vm,
		   const struct gt_vm_raw *ref, int prev_pid, bool *full)
{
	struct gt_buf *b = &e->body;
	uint64_t v[V_N], rv[V_N];
	const char *s[4] = { vm->name, vm->uuid, vm->comm, vm->cgroup };
	const char *rs[4] = { 0 };
	unsigned strs = 0;
	bool same = ref && ref->nvcpus == vm->nvcpus;

	if (ref) {
		rs[0] = ref->name;
		rs[1] = ref->uuid;
		rs[2] = ref->comm;
		rs[3] = ref->cgroup;
	}
	for (int i = 0; i < 4; i++)
		if (!rw_streq(s[i], rs[i]))
			strs |= 1u << i;
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
	v[V_STRS] = strs;
	v[V_VMAP] = ref && !same;
	/* pids ascend: the gap, and whether the record before has it */
	rw_put_uv(b, (uint64_t)(vm->pid - prev_pid) << 1 | (ref != NULL));
	rw_put_vec(b, v, rv, V_N);
	for (int i = 0; i < 4; i++)
		if (strs >> i & 1)
			rw_put_str(b, s[i]);
	if (v[V_KS_CH]) {
		uint64_t k[K_N], rk[K_N];

		rw_pack_ks(vm->ks, k);
		rw_pack_ks(ref ? ref->ks : NULL, rk);
		rw_put_vec(b, k, rk, K_N);
	}
	for (int i = 0; i < vm->nvcpus; i++) {
		const struct gt_vcpu_raw *c = &vm->vcpus[i], *rc = NULL;

		if (same) {
			rc = &ref->vcpus[i];
		} else if (ref) {
			int k = 0;

			while (k < ref->nvcpus && ref->vcpus[k].tid != c->tid)
				k++;
			rc = k < ref->nvcpus ? &ref->vcpus[k] : NULL;
			rw_put_uv(b, rc ? (uint64_t)k + 1 : 0);
		}
		enc_vcpu(e, c, rc, full);
	}
}

int gt_rc_encode(struct gt_rc_enc *e, struct gt_buf *out,
		 const struct gt_snap *ref, const struct gt_snap *cur,
		 unsigned flags)
{
	uint64_t v[H_N], rv[H_N];
	bool full = false;
	int prev_pid = 0;
	long nvcpus = 0;

	for (int i = 0; i < cur->nvms; i++)
		nvcpus += cur->vms[i].nvcpus;
	if (cur->nvms > GT_RC_VMS_MAX || nvcpus > GT_RC_VCPUS_MAX ||
	    cur->ncpus > GT_RC_CPUS_MAX)
		return -2;	/* a reader would refuse it */
	if (!ref) {		/* a keyframe: a new segment of names */
		memset(e->fid, 0, sizeof(e->fid));
		e->nfid = 0;
	}
	gt_buf_reset(&e->body);
	gt_buf_reset(&e->defs);
	e->ndefs = 0;
	rw_put_cpu(&e->body, &cur->total, ref ? &ref->total : NULL);
	for (int i = 0; i < cur->ncpus; i++)
		rw_put_cpu(&e->body, &cur->cpus[i],
			ref && i < ref->ncpus ? &ref->cpus[i] : NULL);
	for (int i = 0; i < cur->nvms; i++) {
		const struct gt_vm_raw *vm = &cur->vms[i];

		enc_vm(e, vm, ref ? gt_snap_find_vm(ref, vm->pid) : NULL,
		       prev_pid, &full);
		prev_pid = vm->pid;
	}
	gt_buf_putc(out, ref ? GT_RC_DELTA : GT_RC_KEY);
	gt_buf_putc(out, (char)(flags & GT_RC_SESSION));
	rw_pack_head(cur, v);
	rw_pack_head(ref, rv);
	rw_put_vec(out, v, rv, H_N);	/* the clocks first: gt_rc_peek */
	rw_put_uv(out, e->ndefs);
	gt_buf_putn(out, e->defs.p ? e->defs.p : "", e->defs.len);
	gt_buf_putn(out, e->body.p ? e->body.p : "", e->body.len);
	return full || out->oom || e->body.oom || e->defs.oom ? -1 : 0;
}

void gt_rc_enc_free(struct gt_rc_enc *e)
{
	gt_buf_free(&e->body);
	gt_buf_free(&e->defs);
}

/* ------------------------------------------------------------ decoder */

struct dec {
	struct rw r;
	struct gt_rc_dec *d;
	struct gt_snap *s;
	long nvcpus;		/* in the VMs so far */
};

static void *alloc(struct dec *x, size_t n, size_t size)
{
	void *p;

	/* a byte of a record can stand for a vCPU: bound what it makes */
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

static const struct gt_xt *dec_xt(struct dec *x, const struct gt_xt *ref)
{
	struct rw *r = &x->r;
	uint64_t v[X_N_], rv[X_N_] = { 0 };
	struct gt_xt *t = alloc(x, 1, sizeof(*t));

	if (!t)
		return NULL;
	if (ref) {
		rv[X_N] = (uint64_t)ref->n;
		rv[X_HAS_GUEST] = ref->has_guest;
		rv[X_HAS_HALTED] = ref->has_halted;
	}
	rw_get_vec(r, v, rv, X_N_);
	t->n = (int)rw_range(r, v[X_N], 0, rw_left(r) < GT_RC_REASONS ?
			  (long)rw_left(r) : GT_RC_REASONS);
	t->has_guest = rw_flag(r, v[X_HAS_GUEST]);
	t->has_halted = rw_flag(r, v[X_HAS_HALTED]);
	bool rmap = rw_flag(r, v[X_RMAP]);

	if (!rmap && (!ref || ref->n != t->n))
		rw_bad(r, "exit reasons without a reference");
	t->rows = alloc(x, (size_t)t->n, sizeof(*t->rows));
	if (r->why)
		return NULL;
	if (t->has_guest)
		rw_get_xs(r, &t->guest, ref && ref->has_guest ? &ref->guest : NULL);
	if (t->has_halted)
		rw_get_xs(r, &t->halted, ref && ref->has_halted ? &ref->halted :
		       NULL);
	for (int i = 0; i < t->n && !r->why; i++) {
		struct gt_xstat *row = &t->rows[i];
		const struct gt_xstat *rr;

		if (!rmap) {
			rr = &ref->rows[i];
			row->reason = rr->reason;
		} else {
			uint64_t fid = rw_get_uv(r);

			if (fid >= x->d->n) {
				rw_bad(r, "undefined exit reason");
				break;
			}
			row->reason = x->d->id[fid];
			rr = row_of(ref, row->reason);
		}
		uint16_t reason = row->reason;

		rw_get_xs(r, row, rr);
		row->reason = reason;
	}
	if (r->why)
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
		     const struct gt_vcpu_raw *ref)
{
	struct rw *r = &x->r;
	uint64_t v[P_N], rv[P_N];

	rw_pack_vcpu(ref, rv);
	rw_get_vec(r, v, rv, P_N);
	c->tid = (int)rw_range(r, v[P_TID], 1, INT_MAX);
	c->index = (int)rw_range(r, v[P_INDEX], -1, INT_MAX);
	c->processor = (int)rw_range(r, v[P_PROC], -1, INT_MAX);
	rw_unpack_times(r, v + P_T, &c->t);
	c->has_sched = rw_flag(r, v[P_HAS_SCHED]);
	c->run_ns = v[P_RUN];
	c->wait_ns = v[P_WAIT];
	bool has_xt = rw_flag(r, v[P_HAS_XT]);
	bool xt_ch = rw_flag(r, v[P_XT_CH]);

	if (rw_flag(r, v[P_COMM_CH]))
		c->comm = rw_get_str(r, &x->s->arena);
	else
		c->comm = ref ? keep_str(x, ref->comm) : NULL;
	if (!c->comm)
		rw_bad(r, "a vCPU without a name");
	if (r->why)
		return;
	if (xt_ch && !has_xt)
		rw_bad(r, "exit timing of a vCPU without it");
	else if (xt_ch)
		c->xt = dec_xt(x, ref ? ref->xt : NULL);
	else if (has_xt && !(ref && ref->xt))
		rw_bad(r, "exit timing without a reference");
	else if (has_xt)
		c->xt = copy_xt(x, ref->xt);
}

static void dec_vm(struct dec *x, struct gt_vm_raw *vm, int prev_pid,
		   const struct gt_snap *ref_snap)
{
	struct rw *r = &x->r;
	uint64_t v[V_N], rv[V_N], head = rw_get_uv(r);
	const struct gt_vm_raw *ref = NULL;

	if ((head >> 1) < 1 || (head >> 1) > (uint64_t)(INT_MAX - prev_pid)) {
		rw_bad(r, "VMs out of order");
		return;
	}
	vm->pid = prev_pid + (int)(head >> 1);
	if (head & 1) {
		ref = ref_snap ? gt_snap_find_vm(ref_snap, vm->pid) : NULL;
		if (!ref) {
			rw_bad(r, "a VM without a reference");
			return;
		}
	}
	rw_pack_vm(ref, rv);
	rw_get_vec(r, v, rv, V_N);
	vm->starttime = v[V_START];
	vm->nlwp = rw_range(r, v[V_NLWP], LONG_MIN, LONG_MAX);
	rw_unpack_times(r, v + V_T, &vm->t);
	vm->nvcpus = (int)rw_range(r, v[V_NVCPUS], 0, (long)rw_left(r));
	x->nvcpus += vm->nvcpus;
	if (x->nvcpus > GT_RC_VCPUS_MAX)
		rw_bad(r, "more vCPUs than a recording holds");
	bool has_ks = rw_flag(r, v[V_HAS_KS]), ks_ch = rw_flag(r, v[V_KS_CH]);
	bool vmap = rw_flag(r, v[V_VMAP]);
	const char **s[4] = { &vm->name, &vm->uuid, &vm->comm, &vm->cgroup };
	const char *rs[4] = { 0 };

	if (v[V_STRS] > 15)
		rw_bad(r, "bad string mask");
	if (ref) {
		rs[0] = ref->name;
		rs[1] = ref->uuid;
		rs[2] = ref->comm;
		rs[3] = ref->cgroup;
	}
	for (int i = 0; i < 4 && !r->why; i++)
		*s[i] = v[V_STRS] >> i & 1 ? rw_get_str(r, &x->s->arena) :
			keep_str(x, rs[i]);
	if (!vm->name || !vm->comm)
		rw_bad(r, "a VM without a name");
	if ((ks_ch && !has_ks) || (has_ks && !ks_ch && !(ref && ref->ks)))
		rw_bad(r, "KVM statistics without a reference");
	if (r->why)
		return;
	if (has_ks) {
		struct gt_kvmstat *ks = alloc(x, 1, sizeof(*ks));
		uint64_t k[K_N], rk[K_N];

		if (!ks)
			return;
		rw_pack_ks(ref ? ref->ks : NULL, rk);
		if (ks_ch)
			rw_get_vec(r, k, rk, K_N);
		else
			memcpy(k, rk, sizeof(k));
		ks->exits = k[K_EXITS];
		ks->halt_exits = k[K_HALT_EXITS];
		ks->halt_wait_ns = k[K_WAIT];
		ks->halt_poll_ns = k[K_POLL];
		ks->has_halt_exits = rw_flag(r, k[K_HAS_HE]);
		ks->has_halt_wait = rw_flag(r, k[K_HAS_WAIT]);
		ks->has_halt_poll = rw_flag(r, k[K_HAS_POLL]);
		vm->ks = ks;
	}
	if (!vmap && ref && ref->nvcpus != vm->nvcpus)
		rw_bad(r, "vCPUs without a reference");
	vm->vcpus = alloc(x, (size_t)vm->nvcpus, sizeof(*vm->vcpus));
	for (int i = 0; i < vm->nvcpus && !r->why; i++) {
		const struct gt_vcpu_raw *rc = NULL;

		if (ref && !vmap) {
			rc = &ref->vcpus[i];
		} else if (ref) {
			uint64_t k = rw_get_uv(r);

			if (k > (uint64_t)ref->nvcpus)
				rw_bad(r, "bad vCPU reference");
			else if (k)
				rc = &ref->vcpus[k - 1];
		}
		dec_vcpu(x, &vm->vcpus[i], rc);
	}
}

static void dec_defs(struct dec *x, bool key)
{
	struct rw *r = &x->r;
	uint64_t n = rw_get_uv(r);

	if (key)
		x->d->n = 0;
	if (n > rw_left(r) || n > (uint64_t)(GT_RC_REASONS - x->d->n)) {
		rw_bad(r, "too many exit reasons");
		return;
	}
	for (uint64_t i = 0; i < n && !r->why; i++) {
		uint64_t len = rw_get_uv(r);
		char name[GT_REASON_MAX * 4];

		if (!len || len - 1 >= GT_REASON_MAX || len - 1 > rw_left(r)) {
			rw_bad(r, "bad exit reason name");
			return;
		}
		gt_sanitize(name, sizeof(name), (const char *)r->p, len - 1);
		r->p += len - 1;
		x->d->id[x->d->n++] = gt_reason_id(name);
	}
}

int gt_rc_decode(struct gt_rc_dec *d, const uint8_t *p, size_t n,
		 const struct gt_snap *ref, struct gt_snap *out, char *err,
		 size_t errlen)
{
	struct dec x = { { p, p + n, NULL }, d, out, 0 };
	struct rw *r = &x.r;
	uint64_t v[H_N], rv[H_N];
	unsigned kind, flags;
	int prev_pid = 0;

	gt_snap_clear(out);
	if (n < 2) {
		rw_bad(r, "truncated");
		goto fail;
	}
	kind = p[0];
	flags = p[1];
	r->p += 2;
	if ((kind != GT_RC_KEY && kind != GT_RC_DELTA) ||
	    (flags & ~GT_RC_SESSION) ||
	    ((flags & GT_RC_SESSION) && kind != GT_RC_KEY)) {
		rw_bad(r, "unknown record kind");
		goto fail;
	}
	if (kind == GT_RC_DELTA && !ref) {
		rw_bad(r, "a delta record without the record before it");
		goto fail;
	}
	if (kind == GT_RC_KEY)
		ref = NULL;
	rw_pack_head(ref, rv);
	rw_get_vec(r, v, rv, H_N);
	dec_defs(&x, kind == GT_RC_KEY);
	rw_unpack_head(r, v, out);
	if (out->nvms > GT_RC_VMS_MAX || out->ncpus > GT_RC_CPUS_MAX)
		rw_bad(r, "more VMs or CPUs than a recording holds");
	rw_get_cpu(r, &out->total, ref ? &ref->total : NULL);
	out->cpus = alloc(&x, (size_t)out->ncpus, sizeof(*out->cpus));
	for (int i = 0; i < out->ncpus && !r->why; i++)
		rw_get_cpu(r, &out->cpus[i], ref && i < ref->ncpus ?
			&ref->cpus[i] : NULL);
	out->vms = alloc(&x, (size_t)out->nvms, sizeof(*out->vms));
	for (int i = 0; i < out->nvms && !r->why; i++) {
		dec_vm(&x, &out->vms[i], prev_pid, ref);
		prev_pid = out->vms[i].pid;
	}
	if (!r->why && r->p != r->end)
		rw_bad(r, "trailing bytes");
	if (!r->why)
		return 0;
fail:
	snprintf(err, errlen, "%s", r->why);
	gt_snap_clear(out);
	return -1;
}

int gt_rc_peek(const uint8_t *p, size_t n, unsigned *kind, unsigned *flags,
	       uint64_t *mono, double *realtime)
{
	struct rw r = { p, p + n, NULL };
	uint64_t mask;

	if (n < 2)
		return -1;
	*kind = p[0];
	*flags = p[1];
	r.p += 2;
	mask = rw_get_uv(&r);
	uint64_t dm = mask & 1 ? rw_unzz(rw_get_uv(&r)) : 0;
	uint64_t dr = mask & 2 ? rw_unzz(rw_get_uv(&r)) : 0;

	if (r.why || (*kind != GT_RC_KEY && *kind != GT_RC_DELTA))
		return -1;
	if (*kind == GT_RC_KEY) {
		*mono = dm;
		memcpy(realtime, &dr, sizeof(dr));
	} else {
		uint64_t bits;

		memcpy(&bits, realtime, sizeof(bits));
		bits += dr;
		*mono += dm;
		memcpy(realtime, &bits, sizeof(bits));
	}
	return 0;
}
