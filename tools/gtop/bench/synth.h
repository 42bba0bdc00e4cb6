/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synth.h - a synthetic KVM host as a gt_source, for the benchmarks:
 * VMs x vCPUs with exit timing on a patched kernel, plus ordinary
 * processes, whose counters move every sample (2 s of virtual time,
 * no sleeping) the way idle, lightly loaded or busy guests move them.
 * The scanner reads and parses it like /proc and debugfs.
 */
#ifndef GTOP_BENCH_SYNTH_H
#define GTOP_BENCH_SYNTH_H

#include "source.h"

enum synth_load {
	SYNTH_IDLE,	/* halted vCPUs, a rare wakeup (the bench's gvmm) */
	SYNTH_MIXED,	/* 80% of VMs light (timer ticks, ~60 exits/s per
			 * vCPU), 20% busy */
	SYNTH_BUSY,	/* every vCPU busy, ~1000 exits/s over 6 reasons */
};

struct synth_cfg {
	int vms, vcpus, others, cpus;
	enum synth_load load;
	unsigned seed;
	double step_s;		/* virtual seconds per sample */
};

struct gt_source *synth_new(const struct synth_cfg *c);
/* Write the current sample as fixture frame DIR/N (gtop --root). */
int synth_write_frame(struct gt_source *s, const char *dir, int n);

#endif
