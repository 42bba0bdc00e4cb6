// SPDX-License-Identifier: GPL-2.0
/* expbody.c - the exporter's body, deflated (see expbody.h). */
#define _GNU_SOURCE
#include "expbody.h"

#include <stdlib.h>
#include <string.h>

#define TEXT_BUF (64 * 1024)
#define OUT_STEP (64 * 1024)

struct gt_body {
	unsigned refs;
	size_t len, zlen;
	char *z;		/* raw deflate */
};

/* Deflate in[0..n) into w->out (flush: Z_FINISH at the end). */
static void squeeze(struct gt_body_writer *w, const char *in, size_t n,
		    int flush)
{
	z_stream *z = &w->z;

	z->next_in = (Bytef *)in;
	z->avail_in = (uInt)n;
	do {
		if (!gt_buf_reserve(&w->out, w->out.len + OUT_STEP)) {
			w->bad = true;
			return;
		}
		z->next_out = (Bytef *)w->out.p + w->out.len;
		z->avail_out = OUT_STEP;
		int r = deflate(z, flush);

		w->out.len += OUT_STEP - z->avail_out;
		if (r == Z_STREAM_ERROR) {
			w->bad = true;
			return;
		}
		if (flush == Z_FINISH && r == Z_STREAM_END)
			return;
	} while (z->avail_out == 0 || z->avail_in);
}

static void sink(struct gt_buf *b, void *arg)
{
	struct gt_body_writer *w = arg;

	if (!w->bad)
		squeeze(w, b->p, b->len, Z_NO_FLUSH);
	w->len += b->len;
	b->len = 0;
	b->oom |= w->bad;
}

int gt_body_begin(struct gt_body_writer *w)
{
	memset(w, 0, sizeof(*w));
	/* level 1: 6 MB of labels in about 30 ms, to a tenth */
	if (deflateInit2(&w->z, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	if (!gt_buf_reserve(&w->text, TEXT_BUF)) {
		deflateEnd(&w->z);
		return -1;
	}
	w->text.sink = sink;
	w->text.sink_arg = w;
	return 0;
}

struct gt_body *gt_body_end(struct gt_body_writer *w)
{
	struct gt_body *b = NULL;

	sink(&w->text, w);
	if (!w->bad && !w->text.oom)
		squeeze(w, NULL, 0, Z_FINISH);
	deflateEnd(&w->z);
	gt_buf_free(&w->text);
	if (!w->bad && !w->out.oom && (b = malloc(sizeof(*b)))) {
		b->refs = 1;
		b->len = w->len;
		b->zlen = w->out.len;
		/* the stream's room for one more step goes back */
		b->z = realloc(w->out.p, w->out.len ? w->out.len : 1);
		if (!b->z)
			b->z = w->out.p;
	} else {
		gt_buf_free(&w->out);
	}
	memset(w, 0, sizeof(*w));
	return b;
}

void gt_body_get(struct gt_body *b)
{
	b->refs++;
}

void gt_body_put(struct gt_body *b)
{
	if (b && !--b->refs) {
		free(b->z);
		free(b);
	}
}

size_t gt_body_len(const struct gt_body *b)
{
	return b->len;
}

size_t gt_body_stored(const struct gt_body *b)
{
	return b->zlen;
}

int gt_body_read_begin(struct gt_body_reader *r, const struct gt_body *b)
{
	memset(r, 0, sizeof(*r));
	if (inflateInit2(&r->z, -15) != Z_OK)
		return -1;
	r->b = b;
	r->z.next_in = (Bytef *)b->z;
	r->z.avail_in = (uInt)b->zlen;
	r->open = true;
	return 0;
}

long gt_body_read(struct gt_body_reader *r, char *buf, size_t n)
{
	int e;

	if (!r->open)
		return -1;
	r->z.next_out = (Bytef *)buf;
	r->z.avail_out = (uInt)n;
	e = inflate(&r->z, Z_NO_FLUSH);
	if (e != Z_OK && e != Z_STREAM_END && !(e == Z_BUF_ERROR &&
						 r->z.avail_out < n))
		return -1;
	return (long)(n - r->z.avail_out);
}

void gt_body_read_end(struct gt_body_reader *r)
{
	if (r->open)
		inflateEnd(&r->z);
	r->open = false;
}
