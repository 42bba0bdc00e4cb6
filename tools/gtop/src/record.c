// SPDX-License-Identifier: GPL-2.0
/* record.c - the recorder and the replay: reccodec.c + recfile.c. */
#define _GNU_SOURCE
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reccodec.h"

/* ---------------------------------------------------------- recorder */

struct gt_recorder {
	int fd;
	uint64_t end;
	unsigned since_key;	/* records since the last keyframe */
	bool broken;		/* a record failed: the next is a keyframe */
	uint64_t key_bytes, since_bytes;	/* its size, the records' since */
	struct gt_rc_enc enc;
	struct gt_buf buf;
	struct gt_recorder_stats st;
};

static double thread_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct gt_recorder *gt_recorder_open(const char *path, char *err,
				     size_t errlen)
{
	struct gt_recorder *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->fd = gt_recfile_append_open(path, &r->end, &r->st.cut, err, errlen);
	if (r->fd < 0) {
		free(r);
		return NULL;
	}
	return r;
}

int gt_recorder_put(struct gt_recorder *r, const struct gt_snap *prev,
		    const struct gt_snap *cur, char *err, size_t errlen)
{
	double t0 = thread_ms();
	bool key = !prev || r->since_key + 1 >= GT_REC_KEY_EVERY ||
		   r->since_bytes >= GT_REC_KEY_BYTES * r->key_bytes;
	unsigned flags = r->st.records ? 0 : GT_RC_SESSION;

	if (flags || r->broken)
		key = true;
	gt_buf_reset(&r->buf);
	/* the coder's state moves on: until a record is written whole,
	 * the next one cannot be a delta */
	r->broken = true;
	int e = gt_rc_encode(&r->enc, &r->buf, key ? NULL : prev, cur, flags);

	if (e) {
		snprintf(err, errlen, e == -2 ? "a sample of more than %d VMs, "
			 "%d vCPUs or %d CPUs" : "out of memory", GT_RC_VMS_MAX,
			 GT_RC_VCPUS_MAX, GT_RC_CPUS_MAX);
		return -1;
	}
	if (gt_recfile_append(r->fd, &r->end, r->buf.p, r->buf.len)) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	r->broken = false;
	r->since_key = key ? 0 : r->since_key + 1;
	r->since_bytes = key ? 0 : r->since_bytes + r->buf.len;
	if (key)
		r->key_bytes = r->buf.len;
	r->st.records++;
	r->st.keyframes += key;
	r->st.bytes += GT_REC_RHDR + r->buf.len;
	r->st.cpu_ms += thread_ms() - t0;
	return 0;
}

const struct gt_recorder_stats *gt_recorder_stats(const struct gt_recorder *r)
{
	return &r->st;
}

void gt_recorder_close(struct gt_recorder *r)
{
	if (!r)
		return;
	close(r->fd);
	gt_rc_enc_free(&r->enc);
	gt_buf_free(&r->buf);
	free(r);
}

/* ------------------------------------------------------------ replay */

struct gt_replay {
	struct gt_recfile f;
	struct gt_rc_dec dec;
	size_t next;		/* the record the decoder can take next */
	uint8_t *buf;
	size_t cap;
};

struct gt_replay *gt_replay_open_fd(int fd, char *err, size_t errlen)
{
	struct gt_replay *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	if (gt_recfile_scan(&r->f, fd, err, errlen)) {
		close(fd);
		free(r);
		return NULL;
	}
	if (!r->f.n) {
		snprintf(err, errlen, "no samples recorded%s", r->f.torn ?
			 " (one torn record)" : "");
		gt_replay_close(r);
		return NULL;
	}
	r->next = SIZE_MAX;
	return r;
}

struct gt_replay *gt_replay_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	return gt_replay_open_fd(fd, err, errlen);
}

void gt_replay_close(struct gt_replay *r)
{
	if (!r)
		return;
	gt_recfile_close(&r->f);
	gt_rc_dec_free(&r->dec);
	free(r->buf);
	free(r);
}

size_t gt_replay_count(const struct gt_replay *r)
{
	return r->f.n;
}

const struct gt_recidx *gt_replay_rec(const struct gt_replay *r, size_t i)
{
	return i < r->f.n ? &r->f.idx[i] : NULL;
}

bool gt_replay_torn(const struct gt_replay *r)
{
	return r->f.torn;
}

size_t gt_replay_keyframe(const struct gt_replay *r, size_t i)
{
	while (i > 0 && r->f.idx[i].kind != GT_RC_KEY)
		i--;
	return i;
}

size_t gt_replay_find(const struct gt_replay *r, double realtime)
{
	size_t i = 0;

	while (i < r->f.n && r->f.idx[i].realtime < realtime)
		i++;
	return i;
}

int gt_replay_decode(struct gt_replay *r, size_t i, const struct gt_snap *ref,
		     struct gt_snap *out, char *err, size_t errlen)
{
	const struct gt_recidx *x = gt_replay_rec(r, i);
	char why[128];

	if (!x || (x->kind != GT_RC_KEY && (r->next != i || !ref))) {
		snprintf(err, errlen, "record %zu decoded out of order", i);
		return -1;
	}
	r->next = SIZE_MAX;
	if (gt_recfile_read(&r->f, i, &r->buf, &r->cap, err, errlen))
		return -1;
	if (gt_rc_decode(&r->dec, r->buf, x->len, x->kind == GT_RC_KEY ?
			 NULL : ref, out, why, sizeof(why))) {
		snprintf(err, errlen, "record %zu at offset %llu: %s", i,
			 (unsigned long long)(x->off - GT_REC_RHDR), why);
		return -1;
	}
	r->next = i + 1;
	return 0;
}
