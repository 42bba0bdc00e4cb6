/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - text rendering shared by the UI and batch mode, and the
 * batch formats: text (like top -b), JSON Lines, CSV, Prometheus text
 * exposition.  All driven by the field table.
 */
#ifndef GTOP_OUTPUT_H
#define GTOP_OUTPUT_H

#include <stdbool.h>

#include "layout.h"
#include "model.h"
#include "util.h"

enum gt_out_fmt { GT_OUT_TEXT, GT_OUT_JSON, GT_OUT_CSV, GT_OUT_PROM };

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

/* One status line each: the guest split and exit timing. */
const char *gt_status_split(const struct gt_view *v, char *buf, size_t n);
const char *gt_status_xt(const struct gt_view *v, char *buf, size_t n);
/* Short machine names: "on", "off", "unsupported", "unknown" / "ok",
 * "no_vcpus", "not_mounted", "denied", "lockdown", "no_kvm",
 * "unsupported", "malformed". */
const char *gt_split_name(enum gt_split_state s);
const char *gt_xt_name(enum gt_xt_state s);

/* The header lines of top -b style text (also the UI's title line). */
void gt_render_title(struct gt_buf *b, const struct gt_view *v);
void gt_render_cpu_totals(struct gt_buf *b, const struct gt_row *cpu);

/* Column header and one row, fitted to the columns.  For vCPU rows
 * the PID column shows the TID and the name a tree label. */
void gt_render_header(struct gt_buf *b, const struct gt_columns *c);
void gt_render_row(struct gt_buf *b, const struct gt_row *r,
		   const struct gt_columns *c, bool last_child);

/*
 * Print one iteration of view v (prev: the snapshot before, for the
 * exit reason rates) to b in the chosen format.
 */
void gt_output(struct gt_buf *b, const struct gt_view *v,
	       const struct gt_snap *prev, const struct gt_out_opts *o);

/*
 * The Prometheus text exposition of view v (prom.c): counters in base
 * units, unknown figures left out.  self may be NULL.
 */
void gt_prom_render(struct gt_buf *b, const struct gt_view *v,
		    const struct gt_prom_self *self);

#endif
