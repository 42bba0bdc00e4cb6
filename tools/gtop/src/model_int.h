/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model_int.h - what model.c, wall.c and exits.c share; not for the UI
 * or the outputs, which read rows.
 */
#ifndef GTOP_MODEL_INT_H
#define GTOP_MODEL_INT_H

#include "model.h"

/* Tick-counted times of a row over the interval, in seconds. */
struct gt_tsec {
	bool ok;		/* cpu, ut, st valid */
	bool guest_ok;		/* g valid */
	bool split_ok;		/* gu, gs valid */
	double cpu, ut, st;	/* utime+stime, utime, stime */
	double g, gu, gs;	/* guest and its split, scaled by the tick
				 * rate; g <= cpu, gu + gs <= g */
};

/* Exit timing of one vCPU over the interval. */
struct gt_xdelta {
	bool ok;		/* collected over the interval, both ends */
	bool has_guest, has_halted;
	double count;		/* exits */
	double exit_s, guest_s, halted_s;	/* seconds */
	uint16_t top;		/* most frequent reason, 0: none */
};

/* ---------------------------------------------------- one accumulator */

/* Per exit reason: cumulative figures over vCPUs, and interval deltas. */
struct gt_xacc_row {
	bool used, sd_ok, user_ok;
	uint64_t count, min, max, total, user;
	uint64_t dcount, dns;	/* over the interval */
	double sumsq;		/* sum of squared exit times, ns^2 */
};

/* Indexed by reason id; ids lists the used ones. */
struct gt_xacc {
	struct gt_xacc_row *r;
	size_t cap;
	uint16_t *ids;
	size_t nids, cids;
	bool oom;
};

void gt_xacc_reset(struct gt_xacc *a);
void gt_xacc_free(struct gt_xacc *a);
/* Add one row (p: the same reason at the interval's start, or NULL). */
void gt_xacc_add(struct gt_xacc *a, const struct gt_xstat *x,
		 const struct gt_xstat *p);
/* The reason with the most exits over the interval (then the most
 * time); 0 if none. */
uint16_t gt_xacc_top(const struct gt_xacc *a);

/*
 * Add a vCPU's exit table (x, p: at both ends of the interval) to a and
 * fill *d with its deltas; d->ok when the interval's exit timing is
 * valid for it.
 */
void gt_exits_vcpu(struct gt_xacc *a, const struct gt_interval *iv,
		   const struct gt_xt *x, const struct gt_xt *p,
		   struct gt_xdelta *d);

/* ------------------------------------------------ time decomposition */

enum gt_wpart { GT_WP_GUEST, GT_WP_SPLIT, GT_WP_KERNEL, GT_WP_VMM,
		GT_WP_HALTED, GT_WP_WAIT, GT_WP_EXITS, GT_NWPARTS };

/* Where a figure comes from. */
enum gt_src { GT_SRC_NONE, GT_SRC_STAT, GT_SRC_XT, GT_SRC_SCHED,
	      GT_SRC_KVM, GT_SRC_STAT_KVM, GT_NSRC };

/* A row's wall time and its parts, in seconds over the interval. */
struct gt_wall {
	int n;			/* vCPUs summed */
	double wall;
	double guest, gu, gs, kernel, vmm, halted, wait;
	unsigned char src[GT_NWPARTS];	/* GT_SRC_NONE: unknown */
};

/* One vCPU (c, p: at both ends of the interval). */
void gt_wall_vcpu(struct gt_wall *w, const struct gt_interval *iv,
		  const struct gt_vcpu_raw *c, const struct gt_vcpu_raw *p,
		  const struct gt_tsec *t, const struct gt_xdelta *x);
/* Sum vCPU w into VM vm (a part known for all vCPUs from one source). */
void gt_wall_add(struct gt_wall *vm, const struct gt_wall *w);
/* Fill what the vCPUs do not give from KVM's per-VM statistics. */
void gt_wall_vm_stats(struct gt_wall *w, const struct gt_kvmstat *c,
		      const struct gt_kvmstat *p);
/* Set the row's wall time fields and its sources. */
void gt_wall_set(struct gt_row *r, struct gt_wall *w);
/* The sources field of a row from its src[] (interned). */
const char *gt_wall_sources(const unsigned char src[GT_NWPARTS]);

#endif
