/* SPDX-License-Identifier: GPL-2.0 */
/*
 * engine.h - glue shared by batch mode, the exporter and the UI: where
 * samples come from (a source and a scanner, or a recording played
 * back), two snapshots (previous and current) and the view computed
 * from them, the recorder (-w) and the sparkline history.  A replayed
 * sample goes through the same model as a live one.
 */
#ifndef GTOP_ENGINE_H
#define GTOP_ENGINE_H

#include <stddef.h>

#include "hist.h"
#include "model.h"
#include "record.h"
#include "scan.h"
#include "source.h"

/* Refreshes of history rebuilt after a jump in a recording. */
#define GT_HIST_REBUILD 64

struct gt_engine {
	struct gt_source *src;	/* live: the source and its scanner */
	struct gt_scanner *sc;
	struct gt_replay *rp;	/* replay: the recording */
	size_t pos;		/* replay: the record in snap[cur] */
	struct gt_recorder *rec;	/* -w */
	int rec_slot;		/* snap[] slot recorded last, -1: none */
	struct gt_hist *hist;	/* NULL: no sparklines */
	int backs;		/* replay: steps back since the last jump */
	struct gt_snap snap[3];	/* previous, current, scratch (rotating) */
	int prev, cur;		/* indexes into snap */
	bool have_cur, have_prev;
	struct gt_view view;
	enum gt_field sort_key;
	int sort_dir;
	char filter[128];
	double last_scan_ms;	/* CPU cost of the last sample+build */
	char err[320];		/* why the last call failed */
};

/* What the engine needs from the command line. */
struct gt_engine_cfg {
	const char *root;	/* fixture root, NULL: the live host */
	bool libproc2;		/* enumerate processes with libproc2 */
	enum gt_field sort_key;
	int sort_dir;
	const char *filter;	/* NULL: none */
	const char *record;	/* -w: record every sample to this file */
	const char *replay;	/* -r: samples from this recording */
	double history;		/* seconds of sparkline history, 0: none */
	double delay;		/* live: seconds between samples */
	struct gt_source *src;	/* a source to use instead (tests; the
				 * engine takes it over) */
};

/* Returns 0, or -1 with a message in e->err. */
int gt_engine_init(struct gt_engine *e, const struct gt_engine_cfg *o);
void gt_engine_fini(struct gt_engine *e);
/*
 * Take a new sample (replay: the next record) and rebuild the view.  A
 * live sample whose clock did not advance (e.g. the last frame of a
 * fixture) is dropped and the previous figures are kept.  Returns 0, 1
 * at the end of a recording, -1 with a message in e->err.
 */
int gt_engine_sample(struct gt_engine *e);
/* Re-rank after the sort key, direction or filter changed. */
void gt_engine_rank(struct gt_engine *e);
const struct gt_snap *gt_engine_cur(const struct gt_engine *e);
const struct gt_snap *gt_engine_prev(const struct gt_engine *e);

/* Replay: the records, and a jump to record i (its view over the
 * interval since record i - 1; the history rebuilt over the
 * GT_HIST_REBUILD records before).  Returns 0 or -1 (e->err). */
size_t gt_engine_count(const struct gt_engine *e);
int gt_engine_seek(struct gt_engine *e, size_t i);
/* Replay: one record back (the history loses its newest refresh). */
int gt_engine_back(struct gt_engine *e);

/* Sleep until mono deadline_ns (CLOCK_MONOTONIC); EINTR returns early. */
void gt_sleep_until(uint64_t deadline_ns);
uint64_t gt_now_ns(void);
double gt_cpu_ms(void);		/* process CPU time used so far */

#endif
