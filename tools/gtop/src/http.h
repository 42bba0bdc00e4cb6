/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http.h - the exporter's HTTP, pure: parse a request head held in a
 * bounded buffer, write a response head, parse --listen ADDR:PORT.  No
 * I/O, no allocation; fuzzed (fuzz/fuzz_http.c).
 *
 * gtop answers GET /metrics (a query string is ignored) and nothing
 * else: 404 for other paths, 405 for other methods, 400 for anything
 * malformed, 431 for a head that does not fit GT_HTTP_REQ_MAX bytes, 505
 * for HTTP versions other than 1.0 and 1.1.  Every response closes the
 * connection.
 */
#ifndef GTOP_HTTP_H
#define GTOP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define GT_HTTP_REQ_MAX 4096	/* request head, bytes */

enum gt_http_status {
	GT_HTTP_MORE = 0,		/* incomplete: read more */
	GT_HTTP_OK = 200,
	GT_HTTP_BAD_REQUEST = 400,
	GT_HTTP_NOT_FOUND = 404,
	GT_HTTP_BAD_METHOD = 405,
	GT_HTTP_TOO_LARGE = 431,
	GT_HTTP_UNAVAILABLE = 503,	/* no sample yet */
	GT_HTTP_BAD_VERSION = 505,
};

/*
 * Parse the request head in buf[0..len) (need not be NUL-terminated),
 * of a buffer that holds at most max bytes.  Returns GT_HTTP_MORE while
 * the head is incomplete and could still be valid, else the status to
 * answer with.  A request line that is already wrong is answered before
 * the head is complete; a head that fills max bytes is 431.
 */
enum gt_http_status gt_http_parse(const char *buf, size_t len, size_t max);

/* "OK", "Not Found", ... */
const char *gt_http_reason(enum gt_http_status s);

/*
 * The response head for status s and a body of body_len bytes
 * (Content-Type text/plain; version=0.0.4 for 200, Allow: GET for 405,
 * Connection: close).  Returns its length, or 0 if it does not fit n.
 */
size_t gt_http_head(char *buf, size_t n, enum gt_http_status s,
		    size_t body_len);

/* The body of an error response: one line of text. */
const char *gt_http_error_body(enum gt_http_status s);

/*
 * --listen argument: "PORT", ":PORT", "HOST:PORT" or "[V6]:PORT";
 * HOST is numeric IPv4/IPv6 or "localhost"; no host means 127.0.0.1.
 * PORT 0 asks for any free port.  Returns 0 with host (numeric, hostsz
 * >= 46) and *port set, or -1.
 */
int gt_parse_listen(const char *arg, char *host, size_t hostsz, int *port);

#endif
