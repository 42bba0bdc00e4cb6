/* SPDX-License-Identifier: GPL-2.0 */
/*
 * render.h - text rendering shared by the screen (ui_draw.c) and the
 * batch text output: status lines, title, CPU totals, table header and
 * rows, the wall time bar and its legend.
 */
#ifndef GTOP_RENDER_H
#define GTOP_RENDER_H

#include <stdbool.h>

#include "layout.h"
#include "model.h"
#include "util.h"

/* One status line each: the guest split and exit timing. */
const char *gt_status_split(const struct gt_view *v, char *buf, size_t n);
const char *gt_status_xt(const struct gt_view *v, char *buf, size_t n);
/* Short machine names: "on", "off", "unsupported", "unknown" / "ok",
 * "no_vcpus", "not_mounted", "denied", "lockdown", "no_kvm",
 * "unsupported", "malformed". */
const char *gt_split_name(enum gt_split_state s);
const char *gt_xt_name(enum gt_xt_state s);
/* KVM's statistics: "unused", "ok", "missing", "denied", "lockdown". */
const char *gt_ks_name(enum gt_ks_state s);

/* The header lines of top -b style text (also the UI's title line). */
void gt_render_title(struct gt_buf *b, const struct gt_view *v);
void gt_render_cpu_totals(struct gt_buf *b, const struct gt_row *cpu);

/* Column header and one row, fitted to the columns.  For vCPU rows
 * the PID column shows the TID and the name a tree label; the wall
 * column is a bar of segment letters. */
void gt_render_header(struct gt_buf *b, const struct gt_columns *c);
void gt_render_row(struct gt_buf *b, const struct gt_row *r,
		   const struct gt_columns *c, bool last_child);

/*
 * Sparklines (hist.h levels '0'-'7', ' ' unknown) as UTF-8 blocks, or
 * as "_.:-=+*#" when the locale is not UTF-8 (the default).  Returns
 * buf.
 */
void gt_render_set_utf8(bool on);
char *gt_render_spark(char *buf, size_t n, const char *levels);

/* The segments of the wall time bar: letter, legend label, meaning. */
struct gt_wseg_def {
	char ch;
	const char *label;
	const char *help;
};
extern const struct gt_wseg_def gt_wsegs[GT_NWSEGS];

/* Cells per segment of a bar of `inner` cells; -1: no decomposition. */
int gt_wall_cells(const struct gt_row *r, int inner, int cells[GT_NWSEGS]);
/* "[uuusskkhh....]" in w columns ("-" when unknown); returns buf. */
char *gt_render_wall_bar(char *buf, size_t n, const struct gt_row *r, int w);
/* "Wall: u guest usr k guest krn ..." */
void gt_render_wall_legend(struct gt_buf *b);
/* "Wall time: 40.0% guest (30.0 user, 10.0 kernel), ..., 29.0%
 * idle/unknown" of a row, "-" for unknown parts. */
void gt_render_wall_text(struct gt_buf *b, const struct gt_row *r);

#endif
