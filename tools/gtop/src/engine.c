// SPDX-License-Identifier: GPL-2.0
/* engine.c - sampling loop glue. */
#define _GNU_SOURCE
#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int gt_engine_init(struct gt_engine *e, const struct gt_engine_cfg *o)
{
	memset(e, 0, sizeof(*e));
	e->prev = 1;		/* cur 0, prev 1, scratch 2 */
	if (o->root)
		e->src = gt_source_fs_new(o->root);
	else
		e->src = gt_source_live_new(o->libproc2);
	if (!e->src)
		return -1;
	e->sc = gt_scanner_new(e->src);
	if (!e->sc) {
		gt_source_destroy(e->src);
		return -1;
	}
	e->sort_key = o->sort_key;
	e->sort_dir = o->sort_dir;
	if (o->filter)
		snprintf(e->filter, sizeof(e->filter), "%s", o->filter);
	return 0;
}

void gt_engine_fini(struct gt_engine *e)
{
	gt_view_free(&e->view);
	for (int i = 0; i < 3; i++)
		gt_snap_free(&e->snap[i]);
	gt_scanner_free(e->sc);
	gt_source_destroy(e->src);
	memset(e, 0, sizeof(*e));
}

const struct gt_snap *gt_engine_cur(const struct gt_engine *e)
{
	return e->have_cur ? &e->snap[e->cur] : NULL;
}

const struct gt_snap *gt_engine_prev(const struct gt_engine *e)
{
	return e->have_prev ? &e->snap[e->prev] : NULL;
}

void gt_engine_rank(struct gt_engine *e)
{
	gt_view_rank(&e->view, e->sort_key, e->sort_dir, e->filter);
}

int gt_engine_sample(struct gt_engine *e)
{
	/* the slot that is neither prev nor cur */
	int next = 3 - e->prev - e->cur;
	double t0 = gt_cpu_ms();

	if (!e->have_cur)
		next = e->cur;
	if (gt_scanner_sample(e->sc, &e->snap[next]))
		return -1;
	if (e->have_cur && e->snap[next].mono_ns <= e->snap[e->cur].mono_ns) {
		/* no time passed: keep the figures we have */
		e->last_scan_ms = gt_cpu_ms() - t0;
		return 0;
	}
	if (e->have_cur) {
		e->prev = e->cur;
		e->cur = next;
		e->have_prev = true;
	}
	e->have_cur = true;
	if (gt_view_build(&e->view, gt_engine_prev(e), gt_engine_cur(e)))
		return -1;
	gt_engine_rank(e);
	e->last_scan_ms = gt_cpu_ms() - t0;
	return 0;
}

uint64_t gt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void gt_sleep_until(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000ULL),
		.tv_nsec = (long)(deadline_ns % 1000000000ULL),
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

double gt_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
