// SPDX-License-Identifier: GPL-2.0
/*
 * quant.c - carry-forward quantisation of a cumulative time (quant.h).
 */
#include "quant.h"

#include "snap.h"

uint64_t gt_q_report(struct gt_qc *c, uint64_t ns)
{
	uint64_t u = ns / GT_NS_QUANTUM, d, q, r;

	if (!c->valid || u < c->last) {	/* new, or the counter was reset */
		c->valid = true;
		c->last = u;
		c->delta = 0;
		return u * GT_NS_QUANTUM;
	}
	d = u - c->last;
	q = gt_q_step(c->delta);
	if (gt_q_step(d) < q)	/* moved much less: finer steps */
		q = gt_q_step(d);
	r = d / q * q;
	c->last += r;
	c->delta = r;
	return c->last * GT_NS_QUANTUM;
}
