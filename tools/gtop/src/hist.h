/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hist.h - the history behind the sparklines: per VM, %CPU and the
 * guest user share of its guest time (%GUSR / %GUEST) at each of the
 * last `cap` refreshes (an hour at the default delay).  Pure: fed with
 * views, read as level strings, one character per refresh: '0' (idle)
 * to '7' (full: all vCPUs busy, all guest time in user mode), ' ' for a
 * refresh without the figure.  render.c draws the levels.
 */
#ifndef GTOP_HIST_H
#define GTOP_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define GT_HIST_LEVELS 8
/* Samples kept at most, whatever the delay. */
#define GT_HIST_MAX 3600
/* A VM no longer in the views is kept this many refreshes (so that
 * as many steps back, gt_hist_pop, find it again). */
#define GT_HIST_KEEP 64

struct gt_hist;

/* cap: refreshes kept (1 to GT_HIST_MAX). */
struct gt_hist *gt_hist_new(size_t cap);
void gt_hist_free(struct gt_hist *h);
void gt_hist_reset(struct gt_hist *h);
/* Refreshes pushed since the last reset (at most cap are kept). */
uint64_t gt_hist_len(const struct gt_hist *h);

/*
 * Push one refresh: the figures of every VM of v (a VM not in v is
 * unknown at this refresh, and forgotten GT_HIST_KEEP refreshes after
 * it was last in a view; a new pid, or the same pid with another start
 * time, starts empty).  Returns 0, -1 when out of memory (new VMs get
 * no history).
 */
int gt_hist_push(struct gt_hist *h, const struct gt_view *v);

/* Forget the newest refresh (a step back in a replay). */
void gt_hist_pop(struct gt_hist *h);

/*
 * Set the sparkline fields of v's VM rows (GT_F_HIST_CPU,
 * GT_F_HIST_USER) to their last refreshes, as many as the field is
 * wide, in v's arena; a sparkline without any known refresh is unknown.
 */
void gt_hist_annotate(const struct gt_hist *h, struct gt_view *v);

/*
 * The whole history of one VM for field f (GT_F_HIST_CPU or
 * GT_F_HIST_USER) in `cells` levels (cells < n), each the mean of the
 * refreshes it covers, oldest first, NUL-terminated.  Returns the
 * refreshes covered (0: none known).
 */
size_t gt_hist_levels(const struct gt_hist *h, const struct gt_vm_view *vm,
		      enum gt_field f, int cells, char *out, size_t n);

#endif
