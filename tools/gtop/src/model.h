/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model.h - the pure model: two raw snapshots in, rows of figures out.
 * Deltas are clamped at 0, every figure carries a valid flag, guest
 * time is never added to a total twice.  No I/O, no curses.
 *
 * Every fact about the interval (how long it was, whether the guest
 * split and exit timing were collected over all of it, which VM of the
 * previous snapshot is the same process) is decided once, in the
 * interval of the view (struct gt_interval) and the VM views; the rows,
 * the time decomposition (wall.c) and the exit detail (exits.c) all use
 * those decisions.
 */
#ifndef GTOP_MODEL_H
#define GTOP_MODEL_H

#include <stdbool.h>

#include "fields.h"
#include "snap.h"
#include "util.h"

enum gt_split_state {
	GT_SPLIT_ON,		/* columns present, sysctl 1 */
	GT_SPLIT_OFF,		/* columns present, sysctl 0 */
	GT_SPLIT_UNSUPPORTED,	/* kernel without the new columns */
	GT_SPLIT_UNKNOWN,	/* /proc/stat or the sysctl unreadable */
};

/* The interval between two snapshots, decided once per view. */
struct gt_interval {
	const struct gt_snap *cur;
	const struct gt_snap *prev;	/* NULL: no interval (no rates) */
	double dt;		/* seconds, > 0 exactly when prev is set */
	double hz;		/* clock ticks per second */
	bool split_ok;		/* guest split collected over the interval */
	bool xt_ok;		/* exit timing collected over the interval */
	bool split_now;		/* the split is collected now (counters) */
	bool xt_now;		/* exit timing is collected now (counters) */
	const double *rate;	/* tick rate per cur->cpus[i], or NULL */
	double rate_all;	/* tick rate of all busy CPUs */
};

struct gt_vm_view {
	struct gt_row row;
	int nvcpus;
	struct gt_row *vcpus;	/* in vCPU index order */
	const struct gt_vm_raw *raw;
	const struct gt_vm_raw *prev;	/* the same process in the previous
					 * snapshot; NULL: none, no interval */
};

struct gt_view {
	struct gt_arena arena;
	const struct gt_snap *cur;
	struct gt_interval iv;
	double dt;		/* = iv.dt */
	enum gt_split_state split;
	enum gt_xt_state xt;
	struct gt_row cpu_total;
	int ncpus;
	struct gt_row *cpus;
	int nvms, nvcpus;
	struct gt_vm_view *vms;	/* in pid order */
	int norder;
	int *order;		/* ranked and filtered indexes into vms */
};

enum gt_split_state gt_split_state(const struct gt_snap *s);
/* The snapshot's exit timing state, GT_XT_OFF while the sysctl is 0. */
enum gt_xt_state gt_xt_state(const struct gt_snap *s);

/*
 * Compute all figures of cur (rates over the interval since prev; prev
 * may be NULL, then rates are not valid).  The view points into cur and
 * prev, which must outlive it.  Returns 0, -1 when out of memory.
 */
int gt_view_build(struct gt_view *v, const struct gt_snap *prev,
		  const struct gt_snap *cur);
void gt_view_free(struct gt_view *v);

/* Rank VMs by key (dir -1 descending, +1 ascending), keep those whose
 * name, pid, UUID or cgroup contains filter (case-insensitive; NULL/""
 * keeps all). */
void gt_view_rank(struct gt_view *v, enum gt_field key, int dir,
		  const char *filter);

/* The VM view of pid, NULL if none. */
const struct gt_vm_view *gt_view_find(const struct gt_view *v, int pid);

/* The previous snapshot's vCPU i of vm (by thread id), NULL if none. */
const struct gt_vcpu_raw *gt_vm_prev_vcpu(const struct gt_vm_view *vm, int i);

/* Guest time of a CPU row that the split does not cover (for bars). */
double gt_cpu_guest_unsplit(const struct gt_row *cpu);

/* Exit reasons of one VM, summed over its vCPUs (exits.c). */
struct gt_detail {
	int pid;
	const char *name;
	int nvcpus, nvcpus_xt;	/* vCPUs, of which with exit_timing */
	double dt;		/* > 0: EXITS/s are rates over dt */
	int n;
	struct gt_row *rows;	/* GT_ROW_EXIT rows */
	bool has_guest, has_halted;
	struct gt_row guest, halted;	/* "<guest>", "<halted>" */
	bool has_shares;	/* the shares below are valid */
	double guest_share, exit_share, halted_share;	/* % of accounted */
};

/* Returns 0, -1 if the VM is not in the view or out of memory. */
int gt_detail_build(struct gt_detail *d, const struct gt_view *v, int pid);
void gt_detail_sort(struct gt_detail *d, enum gt_field key, int dir);
void gt_detail_free(struct gt_detail *d);

/* ------------------------------------------------ stacked wall bars */

/*
 * The segments of a wall time bar, in drawing order: guest user, guest
 * system, guest (not split), host kernel for exits, VMM userspace,
 * halted, waiting for a CPU.  What is left is idle/unknown.
 */
enum gt_wseg { GT_WS_GUEST_USER, GT_WS_GUEST_SYSTEM, GT_WS_GUEST,
	       GT_WS_KERNEL, GT_WS_VMM, GT_WS_HALTED, GT_WS_WAIT, GT_NWSEGS };

/* Percentages of a row's wall bar (0 for unknown parts); false when the
 * row has no decomposition. */
bool gt_wall_segments(const struct gt_row *r, double pct[GT_NWSEGS]);

#endif
