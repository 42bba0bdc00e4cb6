// SPDX-License-Identifier: GPL-2.0
/* engine.c - sampling loop glue: live or replayed samples, recorder,
 * sparkline history. */
#define _GNU_SOURCE
#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reccodec.h"

/* Refreshes in o->history seconds: at the delay, or at the mean
 * interval of the recording's first session. */
static size_t history_len(const struct gt_engine *e,
			  const struct gt_engine_cfg *o)
{
	double iv = o->delay > 0 ? o->delay : 2;
	size_t n = e->rp ? gt_replay_count(e->rp) : 0, k = 1;

	while (k < n && !(gt_replay_rec(e->rp, k)->flags & GT_RC_SESSION))
		k++;
	if (k > 1) {
		const struct gt_recidx *a = gt_replay_rec(e->rp, 0);
		const struct gt_recidx *b = gt_replay_rec(e->rp, k - 1);

		if (b->mono_ns > a->mono_ns)
			iv = (double)(b->mono_ns - a->mono_ns) / 1e9 /
			     (double)(k - 1);
	}
	iv = o->history / (iv > 0.01 ? iv : 0.01);
	return iv < 1 ? 1 : iv > GT_HIST_MAX ? GT_HIST_MAX : (size_t)iv;
}

int gt_engine_init(struct gt_engine *e, const struct gt_engine_cfg *o)
{
	char msg[256];

	memset(e, 0, sizeof(*e));
	e->prev = 1;		/* cur 0, prev 1, scratch 2 */
	e->rec_slot = -1;
	e->sort_key = o->sort_key;
	e->sort_dir = o->sort_dir;
	if (o->filter)
		snprintf(e->filter, sizeof(e->filter), "%s", o->filter);
	if (o->replay) {
		e->rp = gt_replay_open(o->replay, msg, sizeof(msg));
		if (!e->rp) {
			snprintf(e->err, sizeof(e->err), "%s: %s", o->replay,
				 msg);
			goto fail;
		}
	} else {
		e->src = o->src ? o->src : o->root ? gt_source_fs_new(o->root) :
			 gt_source_live_new(o->libproc2);
		e->sc = e->src ? gt_scanner_new(e->src) : NULL;
		if (!e->sc) {
			snprintf(e->err, sizeof(e->err), "cannot initialise: "
				 "%s", strerror(errno ? errno : ENOMEM));
			goto fail;
		}
	}
	if (o->record) {
		e->rec = gt_recorder_open(o->record, msg, sizeof(msg));
		if (!e->rec) {
			snprintf(e->err, sizeof(e->err), "cannot record to %s: "
				 "%s", o->record, msg);
			goto fail;
		}
	}
	if (o->history > 0 && !(e->hist = gt_hist_new(history_len(e, o)))) {
		snprintf(e->err, sizeof(e->err), "out of memory");
		goto fail;
	}
	return 0;
fail:
	if (o->src && !e->src)
		gt_source_destroy(o->src);
	gt_engine_fini(e);
	return -1;
}

void gt_engine_fini(struct gt_engine *e)
{
	char err[sizeof(e->err)];

	memcpy(err, e->err, sizeof(err));
	gt_view_free(&e->view);
	for (int i = 0; i < 3; i++)
		gt_snap_free(&e->snap[i]);
	gt_scanner_free(e->sc);
	gt_source_destroy(e->src);
	gt_replay_close(e->rp);
	gt_recorder_close(e->rec);
	gt_hist_free(e->hist);
	memset(e, 0, sizeof(*e));
	memcpy(e->err, err, sizeof(err));
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

size_t gt_engine_count(const struct gt_engine *e)
{
	return e->rp ? gt_replay_count(e->rp) : 0;
}

/* The slot a new sample goes to (the one neither prev nor cur). */
static int next_slot(struct gt_engine *e)
{
	int next = e->have_cur ? 3 - e->prev - e->cur : e->cur;

	if (next == e->rec_slot)
		e->rec_slot = -1;	/* overwritten: no longer a reference */
	return next;
}

/*
 * The sample in slot next becomes the current one.  The third slot's
 * sample is dead: its memory goes back (a snapshot of 500 VMs x 4
 * vCPUs is 1.5 MB) rather than waiting for the next sample.
 */
static void rotate(struct gt_engine *e, int next, bool interval)
{
	if (e->have_cur) {
		e->prev = e->cur;
		e->cur = next;
	}
	e->have_prev = e->have_cur && interval;
	e->have_cur = true;
	gt_snap_free(&e->snap[3 - e->prev - e->cur]);
}

static int oom(struct gt_engine *e)
{
	snprintf(e->err, sizeof(e->err), "out of memory");
	return -1;
}

/* The view of the current sample; push: it is a new refresh of the
 * history (else the history has it already). */
static int build(struct gt_engine *e, bool push)
{
	if (gt_view_build(&e->view, gt_engine_prev(e), gt_engine_cur(e)))
		return oom(e);
	if (e->hist) {
		if (push)
			gt_hist_push(e->hist, &e->view);	/* OOM: fewer */
		gt_hist_annotate(e->hist, &e->view);
	}
	gt_engine_rank(e);
	return 0;
}

/* Record snap[slot], against snap[ref] if that was recorded last. */
static int put(struct gt_engine *e, int slot, int ref)
{
	char msg[256];

	if (!e->rec)
		return 0;
	if (gt_recorder_put(e->rec, ref >= 0 && ref == e->rec_slot ?
			    &e->snap[ref] : NULL, &e->snap[slot], msg,
			    sizeof(msg))) {
		snprintf(e->err, sizeof(e->err), "cannot record: %s", msg);
		return -1;
	}
	e->rec_slot = slot;
	return 0;
}

static int record(struct gt_engine *e)
{
	return put(e, e->cur, e->have_prev ? e->prev : -1);
}

/* Replay: before the refresh of record i joins the history.  A new
 * recording run: its sparklines start anew, as they did live. */
static void session(struct gt_engine *e, size_t i)
{
	if (e->hist && (gt_replay_rec(e->rp, i)->flags & GT_RC_SESSION))
		gt_hist_reset(e->hist);
}

/* Replay: decode record i after the one in snap[cur]. */
static int load(struct gt_engine *e, size_t i)
{
	const struct gt_recidx *x = gt_replay_rec(e->rp, i);
	bool follows = e->have_cur && e->pos + 1 == i;
	int next = next_slot(e);

	if (gt_replay_decode(e->rp, i, follows ? &e->snap[e->cur] : NULL,
			     &e->snap[next], e->err, sizeof(e->err)))
		return -1;

	rotate(e, next, follows && !(x->flags & GT_RC_SESSION));
	e->pos = i;
	return 0;
}

int gt_engine_seek(struct gt_engine *e, size_t i)
{
	size_t n = gt_engine_count(e);
	size_t from = i > GT_HIST_REBUILD ? i - GT_HIST_REBUILD : 0;

	if (i >= n) {
		snprintf(e->err, sizeof(e->err), "no record %zu", i);
		return -1;
	}
	e->have_cur = e->have_prev = false;
	e->rec_slot = -1;
	e->backs = 0;
	if (e->hist)
		gt_hist_reset(e->hist);
	for (size_t k = gt_replay_keyframe(e->rp, e->hist ? from : i ? i - 1 :
					   0); k <= i; k++) {
		if (load(e, k))
			return -1;
		if (k >= from && e->hist)
			session(e, k);
		if ((k >= from && e->hist) || k == i)
			if (build(e, true))
				return -1;
	}
	/* recording: record i - 1 too, for the interval into record i */
	if (e->have_prev && put(e, e->prev, -1))
		return -1;
	return record(e);
}

int gt_engine_back(struct gt_engine *e)
{
	size_t i = e->pos - 1;

	if (!e->rp || !e->have_cur || !e->pos) {
		snprintf(e->err, sizeof(e->err), "at the first record");
		return -1;
	}
	/* a VM that vanished since is kept GT_HIST_KEEP refreshes, a
	 * session start dropped all: beyond, rebuild the history */
	if (e->hist && (++e->backs >= GT_HIST_KEEP ||
			(gt_replay_rec(e->rp, e->pos)->flags & GT_RC_SESSION)))
		return gt_engine_seek(e, i);
	e->have_cur = e->have_prev = false;
	e->rec_slot = -1;
	for (size_t k = gt_replay_keyframe(e->rp, i ? i - 1 : 0); k <= i; k++)
		if (load(e, k))
			return -1;
	if (e->hist)
		gt_hist_pop(e->hist);
	return build(e, false);
}

int gt_engine_sample(struct gt_engine *e)
{
	double t0 = gt_cpu_ms();
	int next, r;

	if (e->rp) {
		size_t i = e->have_cur ? e->pos + 1 : 0;

		if (i >= gt_replay_count(e->rp))
			return 1;
		if (load(e, i))
			return -1;
		session(e, i);
		r = build(e, true) || record(e) ? -1 : 0;
		e->last_scan_ms = gt_cpu_ms() - t0;
		return r;
	}
	next = next_slot(e);
	if (gt_scanner_sample(e->sc, &e->snap[next]))
		return oom(e);
	if (e->have_cur && e->snap[next].mono_ns <= e->snap[e->cur].mono_ns) {
		/* no time passed: keep the figures we have */
		e->last_scan_ms = gt_cpu_ms() - t0;
		return 0;
	}
	rotate(e, next, true);
	r = build(e, true) || record(e) ? -1 : 0;
	e->last_scan_ms = gt_cpu_ms() - t0;
	return r;
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
