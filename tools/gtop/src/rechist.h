/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rechist.h - what reccodec.c (the encoder) and recdec.c (the decoder)
 * share: the history of counter deltas, the models' reset, exit rows in
 * file id order.  Only they use it.
 */
#ifndef GTOP_RECHIST_H
#define GTOP_RECHIST_H

#include "reccodec.h"

void rc_hist_clear(struct gt_rc_hist *h);
void rc_hist_free(struct gt_rc_hist *h);
/* New slots (a VM's, a vCPU's with nrows exit reasons, n of them);
 * NULL, and h->oom, when out of memory. */
int32_t *rc_hist_add(struct gt_rc_hist *h, size_t n);
int32_t *rc_hist_vm(struct gt_rc_hist *h, uint32_t nvc);
int32_t *rc_hist_vcpu(struct gt_rc_hist *h, int nrows);
/* The slots of VM vi, vCPU ci of VM vi in the record before; NULL when
 * it has none. */
const int32_t *rc_prev_vm(const struct gt_rc_hist *h, size_t vi);
const struct gt_rc_hvc *rc_prev_vcpu(const struct gt_rc_hist *h, size_t vi,
				     int ci);
void rc_fill(int32_t *p, size_t n, int32_t v);

int rc_state_reset(struct gt_rc_state *s);	/* a keyframe */
/*
 * The cross predictions of a vCPU's <guest> and <halted> times (model
 * m->cx): begin with its vCPU vector p against rp (NULL: none) and the
 * history hin of its own slots (NULL: none); one row per exit reason
 * coded (its total, the reference row's or NULL, its history slot or
 * NULL); end with the history of its <guest> and <halted> totals and
 * the state's intervals.  Nothing without a quantised record and both
 * schedstats.
 */
void rc_cross_begin(struct rw_model *m, const uint64_t *p, const uint64_t *rp,
		    const int32_t *hin, int32_t *hout);
void rc_cross_row(struct rw_model *m, uint64_t total, const uint64_t *rtotal,
		  const int32_t *htotal);
void rc_cross_end(struct rw_model *m, const struct gt_rc_state *s,
		  const int32_t *hguest, const int32_t *hhalted,
		  const int32_t *hvc);
/*
 * A vCPU's smoothed moves (its slots RW_HIST_VCPU..): rc_vcpu_begin
 * before its vector (hvc: its own slots in the record before, NULL:
 * none) predicts its run and wait times; rc_cross_begin (hout: its own
 * slots) keeps their moves; rc_cross_keep after its exit table t
 * (against rt, NULL: none) keeps the time of <guest> and <halted> the
 * other times leave unaccounted.  (hvc, hout may be NULL.)
 */
void rc_vcpu_begin(struct rw_model *m, const int32_t *hvc);
void rc_cross_keep(struct rw_model *m, const struct gt_rc_state *s,
		   const struct gt_xt *t, const struct gt_xt *rt,
		   const int32_t *hvc, int32_t *hout);
/*
 * <halted>'s count (an 'h' entry) from the exits of a reason: begin
 * with its history slot (NULL: none), then each row coded (its count,
 * the reference row's or NULL, its history slot or NULL).
 */
void rc_cross_hbegin(struct rw_model *m, const int32_t *hl);
void rc_cross_count(struct rw_model *m, uint64_t count, const uint64_t *rcount,
		    const int32_t *hcount);
/* A VM's times are predicted from its vCPUs' (RW_G_VT): add a vCPU's
 * vector p against rp (NULL: nothing) to m->vsum, zeroed per VM. */
void rc_vsum_add(struct rw_model *m, const uint64_t *p, const uint64_t *rp);
/* A record of an interval of dt ns (0: a keyframe) begins. */
void rc_state_begin(struct gt_rc_state *s, uint64_t dt);

void rc_state_next(struct gt_rc_state *s);	/* a record is done */
void rc_state_free(struct gt_rc_state *s);

/* The rows of x by file id (fid: reason -> file id + 1; 0 last), in
 * scratch w (0 or 1); -1 when out of memory. */
struct rc_ord {
	const uint16_t *ix;
	int n;
};
int rc_order(struct gt_rc_state *s, int w, const struct gt_xt *x,
	     const uint16_t *fid, struct rc_ord *o);

#endif
