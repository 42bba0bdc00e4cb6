/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layout.h - pure screen geometry: which columns fit a width, how the
 * per-CPU bars are arranged, how a bar is split into segments.  Used by
 * the UI and the text output; unit tested without a terminal.
 */
#ifndef GTOP_LAYOUT_H
#define GTOP_LAYOUT_H

#include <stddef.h>

#include "fields.h"

#define GT_LAYOUT_MAXCOLS 20
#define GT_NAME_MAX_WIDTH 40

struct gt_columns {
	int n;
	enum gt_field f[GT_LAYOUT_MAXCOLS];
	int w[GT_LAYOUT_MAXCOLS];
	int x[GT_LAYOUT_MAXCOLS];	/* start column */
	int width;			/* total used */
};

/*
 * Fit cols[0..n) into width: columns of the lowest priority are dropped
 * until the rest fit (priority 100 never), then the flexible column
 * (flex, e.g. NAME) gets the room left, up to GT_NAME_MAX_WIDTH.
 * Columns are separated by one space.
 */
void gt_layout_columns(const enum gt_field *cols, size_t n, enum gt_field flex,
		       int width, struct gt_columns *out);

struct gt_screen {
	int bar_cols;		/* CPU bars per row, 0: only the total */
	int bar_rows;
	int bar_w;		/* width of one CPU cell */
	int header_rows;	/* everything above the table header */
	int table_y;		/* the column header line */
	int table_rows;		/* rows for table lines */
	int footer_y;		/* key help line, -1 if no room */
};

/* Arrange a width x height screen with ncpus bars and nstatus lines. */
void gt_layout_screen(int width, int height, int ncpus, int nstatus,
		      struct gt_screen *out);

/*
 * Split a bar of `width` cells into segments proportional to pct[]
 * (percent of the whole bar; the rest stays empty), rounding so the
 * filled cells equal round(sum * width / 100) (largest remainder).
 */
void gt_layout_bar(const double *pct, int n, int width, int *cells);

/* First visible row so that `sel` is on screen; rows total, page size. */
int gt_layout_scroll(int top, int sel, int rows, int page);

#endif
