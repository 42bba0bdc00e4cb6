/* SPDX-License-Identifier: GPL-2.0 */
/*
 * expbody.h - the exporter's published body, kept deflated: 500 VMs x 4
 * vCPUs make 6 MB of Prometheus text, mostly the same labels again,
 * which deflate to a tenth.  The text is compressed as it is rendered
 * (through a 64 KiB buffer) and inflated piece by piece as it is sent,
 * so that neither a render nor a scrape holds the whole text.
 */
#ifndef GTOP_EXPBODY_H
#define GTOP_EXPBODY_H

#include <stdbool.h>
#include <stddef.h>
#include <zlib.h>

#include "util.h"

struct gt_body;

struct gt_body_writer {
	struct gt_buf text;	/* render into this */
	z_stream z;
	struct gt_buf out;	/* deflated so far */
	size_t len;		/* text bytes taken */
	bool bad;
};

/* Start a body; -1 when out of memory. */
int gt_body_begin(struct gt_body_writer *w);
/* The body rendered into w->text (reference count 1); NULL when out of
 * memory.  w is finished either way. */
struct gt_body *gt_body_end(struct gt_body_writer *w);

void gt_body_get(struct gt_body *b);
void gt_body_put(struct gt_body *b);	/* NULL: nothing */
size_t gt_body_len(const struct gt_body *b);	/* of the text */
size_t gt_body_stored(const struct gt_body *b);	/* deflated */

/* The text back, in pieces. */
struct gt_body_reader {
	const struct gt_body *b;
	z_stream z;
	bool open;
};

int gt_body_read_begin(struct gt_body_reader *r, const struct gt_body *b);
/* Up to n bytes of text into buf; 0 at the end, -1 when damaged. */
long gt_body_read(struct gt_body_reader *r, char *buf, size_t n);
void gt_body_read_end(struct gt_body_reader *r);

#endif
