// SPDX-License-Identifier: GPL-2.0
/*
 * recpack.c - the number groups of a recorded snapshot as vectors of
 * uint64_t (recwire.h's enums), and back with every number checked
 * against what a scanner can produce.
 */
#define _GNU_SOURCE
#include "recwire.h"
#include "reccodec.h"

#include <limits.h>
#include <string.h>

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
	s->ncpus = (int)rw_range(r, v[H_NCPUS], 0, GT_RC_CPUS_MAX);
	s->nvms = (int)rw_range(r, v[H_NVMS], 0, GT_RC_VMS_MAX);
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

static void pack_times(const struct gt_times *t, uint64_t *v)
{
	v[T_UT] = t->utime;
	v[T_ST] = t->stime;
	v[T_G] = t->guest;
	v[T_GU] = t->guest_user;
	v[T_GS] = t->guest_system;
	v[T_HAS_G] = t->has_guest;
	v[T_HAS_SPLIT] = t->has_split;
}

static void unpack_times(struct rw *r, const uint64_t *v, struct gt_times *t)
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

void rw_pack_vcpu(const struct gt_vcpu_raw *c, uint64_t *v)
{
	memset(v, 0, P_N * sizeof(*v));
	if (!c)
		return;
	v[P_TID] = rw_sx(c->tid);
	v[P_INDEX] = rw_sx(c->index);
	v[P_PROC] = rw_sx(c->processor);
	pack_times(&c->t, v + P_T);
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
	pack_times(&vm->t, v + V_T);
	v[V_NVCPUS] = rw_sx(vm->nvcpus);
	v[V_HAS_KS] = vm->ks != NULL;
}

void rw_unpack_cpu(struct rw *r, const uint64_t *v, struct gt_cpu_raw *c)
{
	c->id = (int)rw_range(r, v[C_ID], -1, INT_MAX);
	c->ncols = (int)rw_range(r, v[C_NCOLS], 0, GT_CPU_NCOLS);
	for (int k = 0; k < GT_CPU_NCOLS; k++)
		c->v[k] = v[C_V + k];
}

void rw_unpack_xs(struct rw *r, const uint64_t *v, struct gt_xstat *x)
{
	x->count = v[S_COUNT];
	x->min_ns = v[S_MIN];
	x->max_ns = v[S_MAX];
	x->total_ns = v[S_TOTAL];
	x->stddev_ns = v[S_SD];
	x->user_exits = v[S_USER];
	x->has_stddev = rw_flag(r, v[S_HAS_SD]);
	x->has_user = rw_flag(r, v[S_HAS_USER]);
}

static bool xs_equal(const struct gt_xstat *a, const struct gt_xstat *b)
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
	    (a->has_guest && !xs_equal(&a->guest, &b->guest)) ||
	    (a->has_halted && !xs_equal(&a->halted, &b->halted)))
		return false;
	for (int i = 0; i < a->n; i++)
		if (!xs_equal(&a->rows[i], &b->rows[i]))
			return false;
	return true;
}

/* (the switches P_XT_CH, P_COMM_CH are the caller's) */
void rw_unpack_vcpu(struct rw *r, const uint64_t *v, struct gt_vcpu_raw *c)
{
	c->tid = (int)rw_range(r, v[P_TID], 1, INT_MAX);
	c->index = (int)rw_range(r, v[P_INDEX], -1, INT_MAX);
	c->processor = (int)rw_range(r, v[P_PROC], -1, INT_MAX);
	unpack_times(r, v + P_T, &c->t);
	c->has_sched = rw_flag(r, v[P_HAS_SCHED]);
	c->run_ns = v[P_RUN];
	c->wait_ns = v[P_WAIT];
}

void rw_unpack_ks(struct rw *r, const uint64_t *v, struct gt_kvmstat *k)
{
	k->exits = v[K_EXITS];
	k->halt_exits = v[K_HALT_EXITS];
	k->halt_wait_ns = v[K_WAIT];
	k->halt_poll_ns = v[K_POLL];
	k->has_halt_exits = rw_flag(r, v[K_HAS_HE]);
	k->has_halt_wait = rw_flag(r, v[K_HAS_WAIT]);
	k->has_halt_poll = rw_flag(r, v[K_HAS_POLL]);
}

/* (nvcpus and the switches are the caller's: they need bounds) */
void rw_unpack_vm(struct rw *r, const uint64_t *v, struct gt_vm_raw *vm)
{
	vm->starttime = v[V_START];
	vm->nlwp = rw_range(r, v[V_NLWP], LONG_MIN, LONG_MAX);
	unpack_times(r, v + V_T, &vm->t);
}
