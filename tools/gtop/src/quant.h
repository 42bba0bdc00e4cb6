/* SPDX-License-Identifier: GPL-2.0 */
/*
 * quant.h - carry-forward quantisation of a cumulative time (the
 * scanner's, for <guest>, <halted> and schedstat's run and wait times
 * of each vCPU; RECORDING.md "Resolution").
 *
 * A time that moved by a lot last time is reported in coarser steps
 * this time: its report moves by a whole number of steps of
 * gt_q_step(last move), at most 2^-(GT_Q_BITS - 1) of that move, and
 * never by more than the time itself moved since the last report.  What
 * a report leaves out is carried into the next one, so the reported
 * time is never more than one step behind the kernel's (no drift), and
 * an interval's figure is off by less than one step of this or the
 * interval before.  The live figures and a recording use the same
 * reports; the recording codes such a move in steps (recwire.c), which
 * its decoder knows from the last move too.
 */
#ifndef GTOP_QUANT_H
#define GTOP_QUANT_H

#include <stdbool.h>
#include <stdint.h>

#define GT_Q_BITS 13

/* One cumulative time: its last report and how much that moved
 * (both in units of GT_NS_QUANTUM, snap.h). */
struct gt_qc {
	uint64_t last, delta;
	bool valid;
};

/* The step after a move of d units: 1, or 2^(bit length of d - GT_Q_BITS). */
static inline uint64_t gt_q_step(uint64_t d)
{
	int b = d ? 64 - __builtin_clzll(d) - GT_Q_BITS : 0;

	return b > 0 ? 1ull << b : 1;
}

/* The report of a time of ns (a multiple of GT_NS_QUANTUM). */
uint64_t gt_q_report(struct gt_qc *c, uint64_t ns);

#endif
