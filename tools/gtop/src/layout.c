// SPDX-License-Identifier: GPL-2.0
/* layout.c - pure screen geometry, see layout.h. */
#include "layout.h"

#include <math.h>
#include <string.h>

void gt_layout_columns(const enum gt_field *cols, size_t n, enum gt_field flex,
		       int width, struct gt_columns *out)
{
	bool keep[GT_LAYOUT_MAXCOLS];
	int total = -1, x = 0;

	if (n > GT_LAYOUT_MAXCOLS)
		n = GT_LAYOUT_MAXCOLS;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		keep[i] = true;
		total += gt_fields[cols[i]].width + 1;
	}
	while (total > width) {
		int drop = -1;

		/* lowest priority; the rightmost among equals */
		for (size_t i = 0; i < n; i++)
			if (keep[i] && gt_fields[cols[i]].priority < 100 &&
			    (drop < 0 || gt_fields[cols[i]].priority <=
					 gt_fields[cols[drop]].priority))
				drop = (int)i;
		if (drop < 0)
			break;
		keep[drop] = false;
		total -= gt_fields[cols[drop]].width + 1;
	}
	for (size_t i = 0; i < n; i++) {
		int w = gt_fields[cols[i]].width;

		if (!keep[i])
			continue;
		if (cols[i] == flex && width > total) {
			w += width - total;
			if (w > GT_NAME_MAX_WIDTH)
				w = GT_NAME_MAX_WIDTH > gt_fields[cols[i]].width ?
				    GT_NAME_MAX_WIDTH : gt_fields[cols[i]].width;
		}
		out->f[out->n] = cols[i];
		out->w[out->n] = w;
		out->x[out->n] = x;
		out->n++;
		x += w + 1;
	}
	out->width = x > 0 ? x - 1 : 0;
}

#define BAR_MIN_W 16

void gt_layout_screen(int width, int height, int ncpus, int nstatus,
		      struct gt_screen *out)
{
	static const int choices[] = { 1, 2, 4, 8 };
	int max_rows = height / 3;

	memset(out, 0, sizeof(*out));
	if (width < 1)
		width = 1;
	if (height < 1)
		height = 1;
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
		int c = choices[i];
		int w = width / c;
		int rows = (ncpus + c - 1) / c;

		if (w < BAR_MIN_W)
			break;
		if (rows <= max_rows) {
			out->bar_cols = c;
			out->bar_rows = rows;
			out->bar_w = w;
			break;
		}
	}
	if (ncpus <= 0)
		out->bar_cols = out->bar_rows = 0;
	/* title, bars, totals line, status lines */
	out->header_rows = 1 + out->bar_rows + 1 + nstatus;
	out->table_y = out->header_rows;
	out->footer_y = height - 1;
	out->table_rows = out->footer_y - out->table_y - 1;
	if (out->table_rows < 1) {
		/* tiny terminal: drop the footer, then status lines */
		out->footer_y = -1;
		out->table_rows = height - out->table_y - 1;
	}
	if (out->table_rows < 0)
		out->table_rows = 0;
}

void gt_layout_bar(const double *pct, int n, int width, int *cells)
{
	double sum = 0, rem[16];
	int filled = 0, target;

	if (n > 16)
		n = 16;
	for (int i = 0; i < n; i++) {
		double p = pct[i] > 0 && isfinite(pct[i]) ? pct[i] : 0;

		sum += p;
	}
	if (sum > 100)
		sum = 100;
	target = (int)lround(sum * width / 100.0);
	double scale = 0;
	double raw_sum = 0;

	for (int i = 0; i < n; i++)
		raw_sum += pct[i] > 0 && isfinite(pct[i]) ? pct[i] : 0;
	scale = raw_sum > 0 ? (double)target / raw_sum : 0;
	for (int i = 0; i < n; i++) {
		double p = pct[i] > 0 && isfinite(pct[i]) ? pct[i] : 0;
		double exact = p * scale;

		cells[i] = (int)floor(exact);
		rem[i] = exact - cells[i];
		filled += cells[i];
	}
	while (filled < target) {
		int best = -1;

		for (int i = 0; i < n; i++)
			if (rem[i] > 0 && (best < 0 || rem[i] > rem[best]))
				best = i;
		if (best < 0)
			break;
		cells[best]++;
		rem[best] = 0;
		filled++;
	}
}

int gt_layout_scroll(int top, int sel, int rows, int page)
{
	if (page < 1)
		page = 1;
	if (sel < top)
		top = sel;
	if (sel >= top + page)
		top = sel - page + 1;
	if (top > rows - page)
		top = rows - page;
	if (top < 0)
		top = 0;
	return top;
}
