/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.h - gtop -w and -r.  The recorder appends every snapshot the
 * engine samples to a recording (reccodec.h bytes in recfile.h
 * records); the replay gives them back, so that a replayed sample goes
 * through the same model as a live one and shows the same figures.
 */
#ifndef GTOP_RECORD_H
#define GTOP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recfile.h"
#include "snap.h"

/*
 * A keyframe at least every GT_REC_KEY_EVERY records, and sooner once
 * the records since the last one add up to GT_REC_KEY_BYTES times its
 * size: a jump decodes at most that many records, and keyframes add at
 * most 1/GT_REC_KEY_BYTES to a busy host's recording.
 */
#define GT_REC_KEY_EVERY 120
#define GT_REC_KEY_BYTES 8

struct gt_recorder_stats {
	unsigned long records, keyframes;
	uint64_t bytes;		/* appended by this recorder */
	uint64_t cut;		/* bytes of a torn record cut off at open */
	double cpu_ms;		/* spent encoding and writing */
};

struct gt_recorder;

/* Open (create, or append to) a recording; NULL with a message. */
struct gt_recorder *gt_recorder_open(const char *path, char *err,
				     size_t errlen);
/*
 * Append cur.  prev is the snapshot appended last, when it is the one
 * the engine sampled just before cur; NULL starts a keyframe.  The
 * first record of a recorder starts a session (no interval with what
 * the file had before).  Returns 0, or -1 with a message.
 */
int gt_recorder_put(struct gt_recorder *r, const struct gt_snap *prev,
		    const struct gt_snap *cur, char *err, size_t errlen);
const struct gt_recorder_stats *gt_recorder_stats(const struct gt_recorder *r);
void gt_recorder_close(struct gt_recorder *r);

struct gt_replay;

/* Open and index a recording; NULL with a message (not a recording,
 * another version, damaged, no samples). */
struct gt_replay *gt_replay_open(const char *path, char *err, size_t errlen);
/* The same over an open file descriptor (taken over; fuzzing). */
struct gt_replay *gt_replay_open_fd(int fd, char *err, size_t errlen);
void gt_replay_close(struct gt_replay *r);

size_t gt_replay_count(const struct gt_replay *r);
const struct gt_recidx *gt_replay_rec(const struct gt_replay *r, size_t i);
/* A torn last record was ignored. */
bool gt_replay_torn(const struct gt_replay *r);
/* The keyframe record i decodes from (i itself for a keyframe). */
size_t gt_replay_keyframe(const struct gt_replay *r, size_t i);
/* The first record sampled at or after realtime; count() if none. */
size_t gt_replay_find(const struct gt_replay *r, double realtime);
/*
 * Decode record i into out.  A delta record needs ref, the snapshot of
 * record i - 1, and must come right after it: decode from the keyframe
 * on.  Returns 0, or -1 with a message.
 */
int gt_replay_decode(struct gt_replay *r, size_t i, const struct gt_snap *ref,
		     struct gt_snap *out, char *err, size_t errlen);

#endif
