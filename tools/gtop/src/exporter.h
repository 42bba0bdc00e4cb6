/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exporter.h - gtop --listen: serves GET /metrics from the last
 * completed sample.  One thread: the sampling loop sleeps in
 * gt_exporter_serve(), which polls the non-blocking sockets until the
 * next sample is due.  Bounded everywhere: GT_EXP_CONNS connections
 * (when all are taken, the oldest one still sending its request is
 * dropped), GT_HTTP_REQ_MAX bytes of request each (fixed buffers),
 * GT_EXP_TIMEOUT_MS per connection from accept to the last byte of the
 * response, and at most one published body per connection plus the
 * current one (each deflated; a connection inflates 16 KiB at a time).  A client can make gtop do nothing but copy the last
 * body out; it cannot delay a sample or make memory grow.
 */
#ifndef GTOP_EXPORTER_H
#define GTOP_EXPORTER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define GT_EXP_CONNS 16
#define GT_EXP_TIMEOUT_MS 5000
#define GT_EXP_LINGER_MS 1000	/* draining a client after the answer */

struct gt_exporter;

/* Bind and listen on host:port (numeric); NULL with a message in err. */
struct gt_exporter *gt_exporter_new(const char *host, int port, char *err,
				    size_t errlen);
/* The port bound (useful with port 0). */
int gt_exporter_port(const struct gt_exporter *x);
/*
 * Render the next body into the buffer gt_exporter_begin() returns
 * (NULL when out of memory): the text is deflated as it is written
 * (expbody.h), never held whole.  gt_exporter_publish() serves it from
 * then on; -1 when out of memory (503 until the next body).
 */
struct gt_buf *gt_exporter_begin(struct gt_exporter *x);
int gt_exporter_publish(struct gt_exporter *x);
/* Drop the current body before rendering the next (clients still
 * sending it keep it): one body in memory instead of two. */
void gt_exporter_release(struct gt_exporter *x);
/* Serve until CLOCK_MONOTONIC deadline_ns or *stop. */
void gt_exporter_serve(struct gt_exporter *x, uint64_t deadline_ns,
		       volatile sig_atomic_t *stop);
void gt_exporter_free(struct gt_exporter *x);

/* Counters for tests and diagnostics. */
struct gt_exporter_stats {
	unsigned long accepted, answered, timeouts, evicted, refused;
	unsigned long by_status[6];	/* 200 400 404 405 431 505 */
	size_t body_len, body_stored;	/* the last body: text, deflated */
};
const struct gt_exporter_stats *gt_exporter_stats(const struct gt_exporter *x);

#endif
