// SPDX-License-Identifier: GPL-2.0
/*
 * recpack.c - the number groups of a recorded snapshot as vectors of
 * uint64_t (recwire.h's enums), and back with every number checked
 * against what a scanner can produce.  One table per group says where
 * each entry lives in its struct, its C type and its range; entries not
 * in a table (switches, derived flags) are the caller's.
 */
#define _GNU_SOURCE
#include "recwire.h"
#include "reccodec.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

enum ftype { F_U64, F_INT, F_LONG, F_BOOL, F_DBL };

struct fdesc {
	uint8_t idx;		/* entry of the vector */
	uint8_t type;
	uint16_t off;		/* in the struct */
	double lo, hi;		/* F_INT, F_LONG, F_DBL */
};

#define E(i, t, s, m, l, h) { i, t, offsetof(s, m), l, h }
#define U64(i, s, m) E(i, F_U64, s, m, 0, 0)
#define BOOL(i, s, m) E(i, F_BOOL, s, m, 0, 1)
#define INT(i, s, m, l, h) E(i, F_INT, s, m, l, h)
#define LONG(i, s, m) E(i, F_LONG, s, m, (double)LONG_MIN, (double)LONG_MAX)
#define DBL(i, s, m, l, h) E(i, F_DBL, s, m, l, h)
#define TIMES(base, s, m) \
	U64(base + T_UT, s, m.utime), U64(base + T_ST, s, m.stime), \
	U64(base + T_G, s, m.guest), U64(base + T_GU, s, m.guest_user), \
	U64(base + T_GS, s, m.guest_system), \
	BOOL(base + T_HAS_G, s, m.has_guest), \
	BOOL(base + T_HAS_SPLIT, s, m.has_split)
#define END { 0xff, 0, 0, 0, 0 }

/* the states are stored as int */
_Static_assert(sizeof(enum gt_xt_state) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gt_ks_state) == sizeof(int), "enum size");

static const struct fdesc head[] = {
	U64(H_MONO, struct gt_snap, mono_ns),
	DBL(H_REAL, struct gt_snap, realtime, -1e15, 1e15),
	E(H_HZ, F_LONG, struct gt_snap, hz, 1, 1000000),
	BOOL(H_HAS_UP, struct gt_snap, has_uptime),
	DBL(H_UP, struct gt_snap, uptime, 0, 1e15),
	BOOL(H_HAS_LOAD, struct gt_snap, has_load),
	DBL(H_LOAD, struct gt_snap, load[0], 0, 1e15),
	DBL(H_LOAD + 1, struct gt_snap, load[1], 0, 1e15),
	DBL(H_LOAD + 2, struct gt_snap, load[2], 0, 1e15),
	BOOL(H_HAS_SC, struct gt_snap, has_sysctl),
	LONG(H_SC, struct gt_snap, sysctl),
	INT(H_SC_ERR, struct gt_snap, sysctl_err, 0, 4095),
	BOOL(H_HAS_XSC, struct gt_snap, has_xt_sysctl),
	LONG(H_XSC, struct gt_snap, xt_sysctl),
	BOOL(H_STAT_OK, struct gt_snap, stat_ok),
	INT(H_XT, struct gt_snap, xt_state, 0, GT_XT_OFF),
	INT(H_KS, struct gt_snap, ks_state, 0, GT_KS_LOCKDOWN),
	INT(H_NPROCS, struct gt_snap, nprocs, 0, INT_MAX),
	INT(H_NCPUS, struct gt_snap, ncpus, 0, GT_RC_CPUS_MAX),
	INT(H_NVMS, struct gt_snap, nvms, 0, GT_RC_VMS_MAX),
	END
};

#define COL(k) U64(C_V + k, struct gt_cpu_raw, v[k])
static const struct fdesc cpu[] = {
	INT(C_ID, struct gt_cpu_raw, id, -1, INT_MAX),
	INT(C_NCOLS, struct gt_cpu_raw, ncols, 0, GT_CPU_NCOLS),
	COL(0), COL(1), COL(2), COL(3), COL(4), COL(5), COL(6), COL(7),
	COL(8), COL(9), COL(10), COL(11),
	END
};

static const struct fdesc xs[] = {
	U64(S_COUNT, struct gt_xstat, count),
	U64(S_MIN, struct gt_xstat, min_ns),
	U64(S_MAX, struct gt_xstat, max_ns),
	U64(S_TOTAL, struct gt_xstat, total_ns),
	U64(S_SD, struct gt_xstat, stddev_ns),
	U64(S_USER, struct gt_xstat, user_exits),
	BOOL(S_HAS_SD, struct gt_xstat, has_stddev),
	BOOL(S_HAS_USER, struct gt_xstat, has_user),
	END
};

static const struct fdesc vcpu[] = {
	INT(P_TID, struct gt_vcpu_raw, tid, 1, INT_MAX),
	INT(P_INDEX, struct gt_vcpu_raw, index, -1, INT_MAX),
	INT(P_PROC, struct gt_vcpu_raw, processor, -1, INT_MAX),
	TIMES(P_T, struct gt_vcpu_raw, t),
	BOOL(P_HAS_SCHED, struct gt_vcpu_raw, has_sched),
	U64(P_RUN, struct gt_vcpu_raw, run_ns),
	U64(P_WAIT, struct gt_vcpu_raw, wait_ns),
	END
};

static const struct fdesc ks[] = {
	U64(K_EXITS, struct gt_kvmstat, exits),
	U64(K_HALT_EXITS, struct gt_kvmstat, halt_exits),
	U64(K_WAIT, struct gt_kvmstat, halt_wait_ns),
	U64(K_POLL, struct gt_kvmstat, halt_poll_ns),
	BOOL(K_HAS_HE, struct gt_kvmstat, has_halt_exits),
	BOOL(K_HAS_WAIT, struct gt_kvmstat, has_halt_wait),
	BOOL(K_HAS_POLL, struct gt_kvmstat, has_halt_poll),
	END
};

/* (nvcpus and the switches are the caller's: they need bounds) */
static const struct fdesc vm[] = {
	U64(V_START, struct gt_vm_raw, starttime),
	LONG(V_NLWP, struct gt_vm_raw, nlwp),
	TIMES(V_T, struct gt_vm_raw, t),
	END
};

static void pack(const struct fdesc *d, const void *p, uint64_t *v, int n)
{
	memset(v, 0, (size_t)n * sizeof(*v));
	for (; p && d->idx != 0xff; d++) {
		const char *f = (const char *)p + d->off;
		int i;
		long l;
		double x;
		bool b;

		switch (d->type) {
		case F_U64:
			memcpy(&v[d->idx], f, sizeof(uint64_t));
			break;
		case F_INT:
			memcpy(&i, f, sizeof(i));
			v[d->idx] = rw_sx(i);
			break;
		case F_LONG:
			memcpy(&l, f, sizeof(l));
			v[d->idx] = rw_sx(l);
			break;
		case F_BOOL:
			memcpy(&b, f, sizeof(b));
			v[d->idx] = b;
			break;
		case F_DBL:
			memcpy(&x, f, sizeof(x));
			v[d->idx] = rw_dbits(x);
			break;
		}
	}
}

static void unpack(struct rw *r, const struct fdesc *d, const uint64_t *v,
		   void *p)
{
	for (; d->idx != 0xff; d++) {
		char *f = (char *)p + d->off;
		uint64_t u = v[d->idx];
		int i;
		long l;
		double x;
		bool b;

		switch (d->type) {
		case F_U64:
			memcpy(f, &u, sizeof(u));
			break;
		case F_INT:
			i = (int)rw_range(r, u, (long)d->lo, (long)d->hi);
			memcpy(f, &i, sizeof(i));
			break;
		case F_LONG:
			l = rw_range(r, u, d->lo <= (double)LONG_MIN ?
				     LONG_MIN : (long)d->lo,
				     d->hi >= (double)LONG_MAX ? LONG_MAX :
				     (long)d->hi);
			memcpy(f, &l, sizeof(l));
			break;
		case F_BOOL:
			b = rw_flag(r, u);
			memcpy(f, &b, sizeof(b));
			break;
		case F_DBL:
			x = rw_bitsd(r, u, d->lo, d->hi);
			memcpy(f, &x, sizeof(x));
			break;
		}
	}
}

void rw_pack_head(const struct gt_snap *s, uint64_t *v)
{
	pack(head, s, v, H_N);
}

void rw_unpack_head(struct rw *r, const uint64_t *v, struct gt_snap *s)
{
	unpack(r, head, v, s);
}

void rw_pack_cpu(const struct gt_cpu_raw *c, uint64_t *v)
{
	pack(cpu, c, v, C_N);
}

void rw_unpack_cpu(struct rw *r, const uint64_t *v, struct gt_cpu_raw *c)
{
	unpack(r, cpu, v, c);
}

void rw_pack_xs(const struct gt_xstat *x, uint64_t *v)
{
	pack(xs, x, v, S_N);
}

/* (the reason is the caller's) */
void rw_unpack_xs(struct rw *r, const uint64_t *v, struct gt_xstat *x)
{
	unpack(r, xs, v, x);
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

void rw_pack_vcpu(const struct gt_vcpu_raw *c, uint64_t *v)
{
	pack(vcpu, c, v, P_N);
	if (c)
		v[P_HAS_XT] = c->xt != NULL;
}

/* (has_xt and the switches are the caller's) */
void rw_unpack_vcpu(struct rw *r, const uint64_t *v, struct gt_vcpu_raw *c)
{
	unpack(r, vcpu, v, c);
}

void rw_pack_ks(const struct gt_kvmstat *k, uint64_t *v)
{
	pack(ks, k, v, K_N);
}

void rw_unpack_ks(struct rw *r, const uint64_t *v, struct gt_kvmstat *k)
{
	unpack(r, ks, v, k);
}

void rw_pack_vm(const struct gt_vm_raw *m, uint64_t *v)
{
	pack(vm, m, v, V_N);
	if (m) {
		v[V_NVCPUS] = rw_sx(m->nvcpus);
		v[V_HAS_KS] = m->ks != NULL;
	}
}

void rw_unpack_vm(struct rw *r, const uint64_t *v, struct gt_vm_raw *m)
{
	unpack(r, vm, v, m);
}
