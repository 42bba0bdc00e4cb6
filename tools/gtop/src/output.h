/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - the batch formats: text (like top -b), JSON Lines, CSV,
 * Prometheus text exposition.  All driven by the field table; the text
 * rendering they share with the screen is render.h.
 */
#ifndef GTOP_OUTPUT_H
#define GTOP_OUTPUT_H

#include <stdbool.h>

#include "format.h"
#include "render.h"

/*
 * The version of the JSON and CSV layouts (JSON "schema", CSV column
 * "schema", Prometheus gtop_info{schema}).  Raised when a key or column
 * changes meaning or goes away; new keys may appear without a change.
 * 1 was the unversioned output of gtop 0.1 (no counters).
 */
#define GT_SCHEMA_VERSION 2

/* The exporter's own figures (Prometheus only). */
struct gt_prom_self {
	unsigned long samples;	/* samples taken */
	double sample_cpu_ms;	/* CPU time of the last one */
};

struct gt_out_opts {
	enum gt_out_fmt fmt;
	bool vcpus;		/* text/csv: vCPU rows under each VM */
	bool exit_reasons;	/* text/json: per-VM exit reason table */
	int iteration;		/* 0 for the first (CSV header) */
	const struct gt_prom_self *self;	/* NULL: none */
};

/* Print one iteration of view v to b in the chosen format. */
void gt_output(struct gt_buf *b, const struct gt_view *v,
	       const struct gt_out_opts *o);

/*
 * The Prometheus text exposition of view v (prom.c): counters in base
 * units, unknown figures left out.  self may be NULL.
 */
void gt_prom_render(struct gt_buf *b, const struct gt_view *v,
		    const struct gt_prom_self *self);

#endif
