/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model.h - the pure model: two raw snapshots in, rows of figures out.
 * Deltas are clamped at 0, every figure carries a valid flag, guest
 * time is never added to a total twice.  No I/O, no curses.
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

struct gt_vm_view {
	struct gt_row row;
	int nvcpus;
	struct gt_row *vcpus;	/* in vCPU index order */
	const struct gt_vm_raw *raw;
};

struct gt_view {
	struct gt_arena arena;
	const struct gt_snap *cur;
	double dt;		/* seconds between the snapshots, 0: none */
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
 * may be NULL, then rates are not valid).  The view points into cur,
 * which must outlive it.  Returns 0, -1 when out of memory.
 */
int gt_view_build(struct gt_view *v, const struct gt_snap *prev,
		  const struct gt_snap *cur);
void gt_view_free(struct gt_view *v);

/* Rank VMs by key (dir -1 descending, +1 ascending), keep those whose
 * name or pid contains filter (case-insensitive; NULL/"" keeps all). */
void gt_view_rank(struct gt_view *v, enum gt_field key, int dir,
		  const char *filter);

/* Guest time of a CPU row that the split does not cover (for bars). */
double gt_cpu_guest_unsplit(const struct gt_row *cpu);

/* Exit reasons of one VM, summed over its vCPUs. */
struct gt_detail {
	int pid;
	const char *name;
	int nvcpus, nvcpus_xt;	/* vCPUs, of which with exit_timing */
	double dt;
	int n;
	struct gt_row *rows;	/* GT_ROW_EXIT rows */
	bool has_guest, has_halted;
	struct gt_row guest, halted;	/* "<guest>", "<halted>" */
	bool has_shares;	/* the shares below are valid */
	double guest_share, exit_share, halted_share;	/* % of accounted */
};

/* Returns 0, -1 if the VM is not in cur or out of memory. */
int gt_detail_build(struct gt_detail *d, const struct gt_snap *prev,
		    const struct gt_snap *cur, int pid);
void gt_detail_sort(struct gt_detail *d, enum gt_field key, int dir);
void gt_detail_free(struct gt_detail *d);

#endif
