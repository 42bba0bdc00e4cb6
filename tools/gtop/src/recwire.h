/* SPDX-License-Identifier: GPL-2.0 */
/*
 * recwire.h - the wire level of reccodec.c (format 2): the groups of
 * numbers a snapshot is made of, described by one table (which entry
 * is a counter, which a time in nanoseconds, which a standard
 * deviation), each number predicted and its error coded with an
 * adaptive model (recrange.h) chosen by group, entry and how much the
 * counter moved last time; strings; varints for the clocks.  Only
 * reccodec.c uses it.
 */
#ifndef GTOP_RECWIRE_H
#define GTOP_RECWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recrange.h"
#include "snap.h"
#include "util.h"

/*
 * The number groups of a snapshot, in the order they are stored; each
 * enum ends in the group's size.  Entries marked "switch" are not
 * numbers of the snapshot but say what follows the group; their
 * reference is always 0.
 */
/* the snapshot's own numbers; the clocks are stored before the coded
 * part (gt_rc_peek), the group starts at H_HZ */
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
/* an exit table's head */
enum { X_N, X_HAS_GUEST, X_HAS_HALTED, X_N_ };

/* RW_G_XS: an exit reason's row; RW_G_XG, RW_G_XH: <guest>, <halted>;
 * RW_G_VT: a VM's times (V_T..), coded after its vCPUs */
enum rw_group { RW_G_HEAD, RW_G_CPU, RW_G_VCPU, RW_G_XS, RW_G_KS, RW_G_VM,
		RW_G_XT, RW_G_XG, RW_G_XH, RW_G_VT, RW_G_N };
/* counters of a group: the history slots of one element */
#define RW_HIST_CPU 12
#define RW_HIST_VCPU 7		/* the vCPU group's counters, then */
#define RW_HIST_VX 4		/* smoothed moves (rechist.c HX_*) */
#define RW_HIST_VC (RW_HIST_VCPU + RW_HIST_VX)	/* a vCPU's own slots */
#define RW_HIST_XS 3
#define RW_HIST_KS 4
#define RW_HIST_VM 5
/* history: no delta known */
#define RW_NOHIST INT32_MIN
/*
 * A smoothed history ('e', 'h' entries): the moves' moving average in
 * 1/16 (RW_EMA_FRAC bits), each move weighing 1/8 (rw_ema).
 */
#define RW_EMA_FRAC 4
#define RW_EMA_ONE (1 << RW_EMA_FRAC)
#define RW_EMA_W 8
int32_t rw_ema(int32_t s, uint64_t d);	/* s after a move of d */
int64_t rw_rshift(int64_t v, int s);	/* v / 2^s, half away from 0 */

/* numbers that are not in a group */
enum rw_misc { RW_M_NDEFS, RW_M_PID, RW_M_VREF, RW_M_FIDGAP, RW_M_N };
/* strings, by kind: the previous one of a kind is the prefix model */
enum rw_str { RW_S_NAME, RW_S_UUID, RW_S_COMM, RW_S_CGROUP, RW_S_VCOMM,
	      RW_S_REASON, RW_S_N };
#define RW_STR_MAX 1024		/* longest string a record may hold */

/* Adaptive state, shared by the encoder and the decoder: reset at a
 * keyframe, carried from record to record in between. */
struct rw_model {
	struct rr_num *num;	/* every context */
	struct rr_byte str[RW_S_N];
	uint16_t same;		/* "the next row of the reference" */
	char prev[RW_S_N][RW_STR_MAX];
	size_t prevlen[RW_S_N];
	bool quant;		/* this record: times in us, deviations
				 * to 8 significant bits */
	bool kref;		/* a keyframe: a vCPU's reference is the
				 * vCPU coded before it; no history kept */
	uint32_t scale;		/* this record's interval / the one
				 * before, in 1/65536 (RW_SCALE1: none) */
	uint16_t qflag[RW_G_N][24];	/* 'q': "not in steps" */
	/* <guest>'s and <halted>'s time from the vCPU's other times, set
	 * by the codec before coding them (rechist.c rc_cross_*) */
	struct rw_cross {
		bool ok, rows_ok;
		uint64_t drun, dwait, hrun, hwait, dx, hx;
		bool xok[2];
		uint64_t xd[2];
	} cx;
	/* <halted>'s count from the reason whose count moved most like it
	 * (rc_cross_count): hl its history, hbest the distance */
	bool hok;
	/* a VM's times: how much its vCPUs' moved (rc_vsum_*) */
	uint64_t vsum[5];
	int32_t hl;
	int64_t hd, hbest;
	/* run and wait time ('q' entries of the vCPU group) from their
	 * smoothed moves (rc_vcpu_begin) */
	bool qok[2];
	int64_t qd[2];
	uint64_t side;		/* <guest>'s count: the exits of the
				 * interval (set before coding RW_G_XG) */
};
#define RW_SCALE1 65536u
/* scale for an interval of dt after one of dt0 ns (0: unknown) */
uint32_t rw_scale(uint64_t dt, uint64_t dt0);
int rw_model_reset(struct rw_model *m);	/* -1: out of memory */
void rw_model_free(struct rw_model *m);

struct rw_w {
	struct rr_enc e;
	struct rw_model *m;
};

/*
 * A measurement (bench/recbench.c): when a sink is set, the encoder
 * adds the bits it codes to it, by group and entry (RW_G_XS also by
 * the row's file id, rw_stats_row), number, string kind and the "same
 * row" bit.  Not thread-safe; NULL (the default) costs a test a bit.
 */
#define RW_STATS_ROWS 8
struct rw_stats {
	double bits[RW_G_N][24], rows[RW_STATS_ROWS][S_N];
	unsigned long n[RW_G_N];	/* vectors coded */
	double misc[RW_M_N], str[RW_S_N], same;
	int row;			/* file id of the row being coded */
};
void rw_stats_sink(struct rw_stats *s);
extern struct rw_stats *rw_stats_cur;

/* A reader: after the first error (d.why set) every number is 0. */
struct rw {
	struct rr_dec d;
	struct rw_model *m;
};

/* varints (LEB128) and zigzag, for the plain head of a record */
void rw_put_uv(struct gt_buf *b, uint64_t v);
uint64_t rw_zz(uint64_t d);
uint64_t rw_unzz(uint64_t z);
/* a varint from p[*i..n), -1 when truncated or too long */
int rw_get_uv(const uint8_t *p, size_t n, size_t *i, uint64_t *v);

void rw_bad(struct rw *r, const char *why);
const char *rw_why(const struct rw *r);

/* Does the snapshot hold what a quantised record stores exactly? */
bool rw_quantised(const struct gt_snap *s);

/*
 * A group's vector of numbers against ref (NULL: none).  hin: the
 * deltas of the element's counters the record before (NULL: none);
 * hout: where this record's go (NULL: nowhere).
 */
void rw_put_vec(struct rw_w *w, enum rw_group g, const uint64_t *cur,
		const uint64_t *ref, const int32_t *hin, int32_t *hout);
void rw_get_vec(struct rw *r, enum rw_group g, uint64_t *out,
		const uint64_t *ref, const int32_t *hin, int32_t *hout);
void rw_put_misc(struct rw_w *w, enum rw_misc k, uint64_t v);
uint64_t rw_get_misc(struct rw *r, enum rw_misc k);
void rw_put_same(struct rw_w *w, bool same);
bool rw_get_same(struct rw *r);

/* Numbers as vector entries, and checked back (an error when out of
 * range, not a finite double in [lo, hi], or a flag above 1). */
uint64_t rw_dbits(double d);
double rw_bitsd(struct rw *r, uint64_t u, double lo, double hi);
uint64_t rw_sx(long v);
bool rw_flag(struct rw *r, uint64_t v);
long rw_range(struct rw *r, uint64_t v, long lo, long hi);

/* A string (NULL: none) of a kind; read back sanitised into the arena. */
void rw_put_str(struct rw_w *w, enum rw_str k, const char *s);
const char *rw_get_str(struct rw *r, enum rw_str k, struct gt_arena *a);
bool rw_streq(const char *a, const char *b);

/* The groups as vectors (NULL: all zeros), and back with checks. */
void rw_pack_head(const struct gt_snap *s, uint64_t *v);
void rw_unpack_head(struct rw *r, const uint64_t *v, struct gt_snap *s);
void rw_pack_cpu(const struct gt_cpu_raw *c, uint64_t *v);
void rw_unpack_cpu(struct rw *r, const uint64_t *v, struct gt_cpu_raw *c);
void rw_pack_xs(const struct gt_xstat *x, uint64_t *v);
void rw_unpack_xs(struct rw *r, const uint64_t *v, struct gt_xstat *x);
bool rw_xt_equal(const struct gt_xt *a, const struct gt_xt *b);
void rw_pack_vcpu(const struct gt_vcpu_raw *c, uint64_t *v);
void rw_unpack_vcpu(struct rw *r, const uint64_t *v, struct gt_vcpu_raw *c);
void rw_pack_ks(const struct gt_kvmstat *k, uint64_t *v);
void rw_unpack_ks(struct rw *r, const uint64_t *v, struct gt_kvmstat *k);
void rw_pack_vm(const struct gt_vm_raw *vm, uint64_t *v);
void rw_unpack_vm(struct rw *r, const uint64_t *v, struct gt_vm_raw *vm);

#endif
