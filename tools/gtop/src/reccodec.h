/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reccodec.h - the byte encoding of one recorded sample (a struct
 * gt_snap, the raw counters as the scanner read them) against the
 * sample before it.  Pure: no I/O; recfile.c frames the bytes in a file,
 * record.c puts the two together.
 *
 * A keyframe is encoded against nothing and decodes alone; a delta
 * record against the previous record's snapshot and the coder's state
 * after it: every number is predicted from the same number of the same
 * VM, vCPU or exit reason there (a counter: moving by as much as it
 * moved the record before) and the error coded with an adaptive range
 * coder (recwire.h, recrange.h).  Exit reason names are defined once
 * per keyframe segment and then referred to by number.  The layout is
 * in tools/gtop/RECORDING.md.
 */
#ifndef GTOP_RECCODEC_H
#define GTOP_RECCODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recwire.h"
#include "snap.h"
#include "util.h"

/* Record kinds (the first payload byte) and flags (the second). */
#define GT_RC_KEY 1		/* decodes alone */
#define GT_RC_DELTA 2		/* against the previous record */
#define GT_RC_SESSION 0x01	/* first record of a recording run: no
				 * interval with the record before it */
#define GT_RC_QUANT 0x02	/* times in whole microseconds, deviations
				 * to 8 significant bits (snap.h) */
#define GT_RC_UNCHECKED 0x100	/* gt_rc_encode: no size limits (tests
				 * of the decoder's; never written) */

/* Exit reason names one keyframe segment can define. */
#define GT_RC_REASONS 4096
/*
 * The largest sample a recording holds: a bit of a record can stand
 * for a vCPU, which takes 1 KiB of snapshot and view, so that a crafted
 * record must not claim gigabytes.  (500 VMs x 4 vCPUs take 1.5 MiB of
 * snapshot.)
 */
#define GT_RC_VMS_MAX 65536
#define GT_RC_VCPUS_MAX 262144	/* in all VMs together */
#define GT_RC_CPUS_MAX 16384
#define GT_RC_SNAP_MAX (256u << 20)	/* bytes of decoded snapshot */

/*
 * How much each counter moved in a record, the prediction of the next:
 * slots of the CPU lines, then per VM its own and its KVM statistics',
 * per vCPU its own, <guest>'s, <halted>'s and its exit reasons' (in
 * file id order).
 */
struct gt_rc_hist {
	int32_t *v;
	size_t n, cap;
	struct gt_rc_hvm { uint32_t slot, vc, nvc; } *vm;
	size_t nvm, cvm;
	struct gt_rc_hvc { uint32_t slot, nrows; } *vc;
	size_t nvc, cvc;
	int ncpu;
	bool oom;
};

/* Shared by the encoder and the decoder: the adaptive models and the
 * history of the record before, scratch for ordering rows. */
struct gt_rc_state {
	struct rw_model m;
	struct gt_rc_hist h[2];	/* [cur]: the record before */
	int cur;
	uint64_t dt, dt_next;	/* the interval of the record before, and
				 * of this one (ns; 0: none) */
	uint16_t *ord[2];
	size_t cord[2];
};

struct gt_rc_enc {
	uint16_t fid[GT_REASON_IDS];	/* reason id -> file id + 1, 0: none */
	uint16_t nfid;		/* file ids given out in this segment */
	uint16_t ndefs;
	uint16_t defs[GT_RC_REASONS];	/* reason ids defined by a record */
	struct gt_rc_state st;
};

struct gt_rc_dec {
	uint16_t id[GT_RC_REASONS];	/* file id -> reason id */
	uint16_t n;
	uint16_t fid[GT_REASON_IDS];	/* reason id -> file id + 1 */
	struct gt_rc_state st;
};

/*
 * Append the encoding of cur to out: a keyframe when ref is NULL, else
 * a delta against ref (the snapshot of the record before, as written).
 * flags: GT_RC_SESSION or 0.  Returns 0, -1 when out of memory or
 * when a segment has more exit reasons than GT_RC_REASONS, -2 when the
 * sample is larger than GT_RC_*_MAX.
 */
int gt_rc_encode(struct gt_rc_enc *e, struct gt_buf *out,
		 const struct gt_snap *ref, const struct gt_snap *cur,
		 unsigned flags);
void gt_rc_enc_free(struct gt_rc_enc *e);
void gt_rc_dec_free(struct gt_rc_dec *d);

/*
 * Decode payload p[0..n) into out (cleared first; its memory lives in
 * out's arena).  A delta record needs ref, the snapshot decoded from
 * the record before it, and a decoder that decoded every record since
 * the keyframe.  Returns 0, or -1 with a message in err: the bytes do
 * not decode, or decode to values no scanner produces.  Never reads
 * outside p[0..n).
 */
int gt_rc_decode(struct gt_rc_dec *d, const uint8_t *p, size_t n,
		 const struct gt_snap *ref, struct gt_snap *out, char *err,
		 size_t errlen);

/*
 * The kind, flags and clocks of a payload without decoding it, from its
 * first GT_RC_PEEK bytes at most: a keyframe's clocks are its own, a
 * delta record's are added to *mono and *realtime (the previous
 * record's).  Returns 0 or -1.
 */
#define GT_RC_PEEK 40
int gt_rc_peek(const uint8_t *p, size_t n, unsigned *kind, unsigned *flags,
	       uint64_t *mono, double *realtime);

#endif
