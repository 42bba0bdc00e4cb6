/* SPDX-License-Identifier: GPL-2.0 */
/*
 * recwire.h - the wire level of reccodec.c: LEB128 varints, zigzag
 * differences, vectors of numbers stored as a mask of the changed ones
 * plus their differences, strings, and the groups of numbers a
 * snapshot is made of (packed into and checked out of uint64_t
 * vectors).  Only reccodec.c uses it.
 */
#ifndef GTOP_RECWIRE_H
#define GTOP_RECWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snap.h"
#include "util.h"

/* A reader over bytes: after the first error (why set) it reads
 * nothing more and every number it returns is 0. */
struct rw {
	const uint8_t *p, *end;
	const char *why;	/* the first error, NULL: none */
};

/*
 * The number groups of a snapshot, in the order they are stored; each
 * enum ends in the group's size.  Entries marked "switch" are not
 * numbers of the snapshot but say what follows the group; their
 * reference is always 0.
 */
/* the snapshot's own numbers (H_MONO and H_REAL first: gt_rc_peek) */
enum { H_MONO, H_REAL, H_HZ, H_HAS_UP, H_UP, H_HAS_LOAD, H_LOAD,
       H_HAS_SC = H_LOAD + 3, H_SC, H_SC_ERR, H_HAS_XSC, H_XSC, H_STAT_OK,
       H_XT, H_KS, H_NPROCS, H_NCPUS, H_NVMS, H_N };
/* a /proc/stat line */
enum { C_ID, C_NCOLS, C_V, C_N = C_V + GT_CPU_NCOLS };
/* struct gt_times, part of the VM and vCPU groups */
enum { T_UT, T_ST, T_G, T_GU, T_GS, T_HAS_G, T_HAS_SPLIT, T_N };
/* one exit reason (struct gt_xstat) */
enum { S_COUNT, S_MIN, S_MAX, S_TOTAL, S_SD, S_USER, S_HAS_SD, S_HAS_USER,
       S_N };
/* a vCPU; switches: its exit table and its name follow */
enum { P_TID, P_INDEX, P_PROC, P_T, P_HAS_SCHED = P_T + T_N, P_RUN, P_WAIT,
       P_HAS_XT, P_XT_CH, P_COMM_CH, P_N };
/* KVM's per-VM statistics (struct gt_kvmstat) */
enum { K_EXITS, K_HALT_EXITS, K_WAIT, K_POLL, K_HAS_HE, K_HAS_WAIT,
       K_HAS_POLL, K_N };
/* a VM; switches: its statistics follow, the mask of its strings that
 * follow, its vCPUs name their references */
enum { V_START, V_NLWP, V_T, V_NVCPUS = V_T + T_N, V_HAS_KS, V_KS_CH,
       V_STRS, V_VMAP, V_N };

/* varints: LEB128; differences: zigzag of (cur - ref) mod 2^64 */
void rw_put_uv(struct gt_buf *b, uint64_t v);
uint64_t rw_get_uv(struct rw *r);
uint64_t rw_zz(uint64_t d);
uint64_t rw_unzz(uint64_t z);
void rw_bad(struct rw *r, const char *why);
size_t rw_left(const struct rw *r);

/* A vector of n numbers (n < 64) against ref: mask, differences. */
void rw_put_vec(struct gt_buf *b, const uint64_t *cur, const uint64_t *ref,
		int n);
void rw_get_vec(struct rw *r, uint64_t *out, const uint64_t *ref, int n);

/* Numbers as vector entries, and checked back (an error when out of
 * range, not a finite double in [lo, hi], or a flag above 1). */
uint64_t rw_dbits(double d);
double rw_bitsd(struct rw *r, uint64_t u, double lo, double hi);
uint64_t rw_sx(long v);
bool rw_flag(struct rw *r, uint64_t v);
long rw_range(struct rw *r, uint64_t v, long lo, long hi);

/* A string: varint length + 1 (0: NULL), bytes; read back sanitised
 * into the arena. */
void rw_put_str(struct gt_buf *b, const char *s);
const char *rw_get_str(struct rw *r, struct gt_arena *a);
bool rw_streq(const char *a, const char *b);

/* The groups: pack (NULL: all zeros), put against a reference, get
 * and check. */
void rw_pack_head(const struct gt_snap *s, uint64_t *v);
void rw_unpack_head(struct rw *r, const uint64_t *v, struct gt_snap *s);
void rw_pack_cpu(const struct gt_cpu_raw *c, uint64_t *v);
void rw_put_cpu(struct gt_buf *b, const struct gt_cpu_raw *c,
		const struct gt_cpu_raw *ref);
void rw_get_cpu(struct rw *r, struct gt_cpu_raw *c,
		const struct gt_cpu_raw *ref);
void rw_pack_times(const struct gt_times *t, uint64_t *v);
void rw_unpack_times(struct rw *r, const uint64_t *v, struct gt_times *t);
void rw_pack_xs(const struct gt_xstat *x, uint64_t *v);
void rw_put_xs(struct gt_buf *b, const struct gt_xstat *x,
	       const struct gt_xstat *ref);
void rw_get_xs(struct rw *r, struct gt_xstat *x, const struct gt_xstat *ref);
bool rw_xs_equal(const struct gt_xstat *a, const struct gt_xstat *b);
bool rw_xt_equal(const struct gt_xt *a, const struct gt_xt *b);
void rw_pack_vcpu(const struct gt_vcpu_raw *c, uint64_t *v);
void rw_pack_ks(const struct gt_kvmstat *k, uint64_t *v);
void rw_pack_vm(const struct gt_vm_raw *vm, uint64_t *v);

#endif
