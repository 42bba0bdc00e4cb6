/* SPDX-License-Identifier: GPL-2.0 */
/*
 * engine.h - glue shared by batch mode and the UI: a source, a scanner,
 * two snapshots (previous and current) and the view computed from them.
 */
#ifndef GTOP_ENGINE_H
#define GTOP_ENGINE_H

#include "model.h"
#include "scan.h"
#include "source.h"

struct gt_engine {
	struct gt_source *src;
	struct gt_scanner *sc;
	struct gt_snap snap[3];	/* previous, current, scratch (rotating) */
	int prev, cur;		/* indexes into snap */
	bool have_cur, have_prev;
	struct gt_view view;
	enum gt_field sort_key;
	int sort_dir;
	char filter[128];
	double last_scan_ms;	/* CPU cost of the last sample+build */
};

/* What the engine needs from the command line. */
struct gt_engine_cfg {
	const char *root;	/* fixture root, NULL: the live host */
	bool libproc2;		/* enumerate processes with libproc2 */
	enum gt_field sort_key;
	int sort_dir;
	const char *filter;	/* NULL: none */
};

int gt_engine_init(struct gt_engine *e, const struct gt_engine_cfg *o);
void gt_engine_fini(struct gt_engine *e);
/*
 * Take a new sample and rebuild the view.  A sample whose clock did
 * not advance (e.g. the last frame of a fixture) is dropped and the
 * previous figures are kept.  Returns 0 or -1.
 */
int gt_engine_sample(struct gt_engine *e);
/* Re-rank after the sort key, direction or filter changed. */
void gt_engine_rank(struct gt_engine *e);
const struct gt_snap *gt_engine_cur(const struct gt_engine *e);
const struct gt_snap *gt_engine_prev(const struct gt_engine *e);

/* Sleep until mono deadline_ns (CLOCK_MONOTONIC); EINTR returns early. */
void gt_sleep_until(uint64_t deadline_ns);
uint64_t gt_now_ns(void);
double gt_cpu_ms(void);		/* process CPU time used so far */

#endif
