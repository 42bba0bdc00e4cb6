/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - small helpers with no knowledge of /proc, KVM or curses:
 * an arena allocator, a growable text buffer, counter deltas, UTF-8
 * sanitising and display-width fitting, human number formatting.
 */
#ifndef GTOP_UTIL_H
#define GTOP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Arena: many small allocations freed at once (one per snapshot). */
struct gt_chunk;
struct gt_arena {
	struct gt_chunk *head;
	size_t bytes;		/* total bytes handed out, for diagnostics */
};

void *gt_arena_alloc(struct gt_arena *a, size_t n);	/* zeroed, aligned */
char *gt_arena_strdup(struct gt_arena *a, const char *s);
void gt_arena_reset(struct gt_arena *a);	/* keeps one chunk */
void gt_arena_free(struct gt_arena *a);

/*
 * Grow the array *p of *cap elements of size elem to hold need, doubling
 * from 16; false (array unchanged) when out of memory.
 */
bool gt_grow(void **p, size_t *cap, size_t need, size_t elem);

/*
 * Growable NUL-terminated text buffer.  With a sink, it does not grow
 * beyond its capacity: when what is written next does not fit, the
 * sink takes the text so far (and sets len to 0), e.g. to compress it.
 */
struct gt_buf {
	char *p;
	size_t len, cap;
	bool oom;
	void (*sink)(struct gt_buf *b, void *arg);
	void *sink_arg;
};

void gt_buf_putc(struct gt_buf *b, char c);
void gt_buf_puts(struct gt_buf *b, const char *s);
void gt_buf_putn(struct gt_buf *b, const char *s, size_t n);
void gt_buf_printf(struct gt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void gt_buf_vprintf(struct gt_buf *b, const char *fmt, va_list ap);
void gt_buf_reset(struct gt_buf *b);
/* Make room for cap bytes at once (a body of a known size). */
bool gt_buf_reserve(struct gt_buf *b, size_t cap);
void gt_buf_free(struct gt_buf *b);
/* JSON string literal (quotes included); invalid UTF-8 becomes U+FFFD. */
void gt_buf_json_str(struct gt_buf *b, const char *s);
/* Prometheus label value (no quotes): \\, \" and \n escaped. */
void gt_buf_prom_label(struct gt_buf *b, const char *s);
/* CSV field: quoted when it contains , " or a line break. */
void gt_buf_csv_str(struct gt_buf *b, const char *s);

/*
 * Delta of a monotonic counter.  Counters are read non-atomically and
 * may be reset (task reuse), so a decrease is clamped to 0.
 */
static inline uint64_t gt_delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0;
}

/*
 * Copy at most n bytes of src into dst (size dstsz, always terminated),
 * replacing control characters and invalid UTF-8 by '?'.  Returns the
 * length written.
 */
size_t gt_sanitize(char *dst, size_t dstsz, const char *src, size_t n);
bool gt_utf8_valid(const char *s, size_t n);

/* Display columns of a sanitised UTF-8 string. */
int gt_str_width(const char *s);
/*
 * Fit s into exactly `width` display columns (truncate or pad with
 * spaces, left or right aligned).  Returns bytes written to dst.
 */
size_t gt_fit(char *dst, size_t dstsz, const char *s, int width, bool right);

/* printf("%.*f", d, v) for d <= 3 without printf; returns the length. */
int gt_fmt_fixed(char *buf, size_t n, double v, int d);

/* Human formatting; all return buf. */
char *gt_fmt_duration_ns(char *buf, size_t n, double ns);	/* 812ns 1.23us */
char *gt_fmt_rate(char *buf, size_t n, double v);	/* 12.3 1234 12.3k 1.2M */
char *gt_fmt_count(char *buf, size_t n, uint64_t v);	/* 123456 1.23M */
char *gt_fmt_uptime(char *buf, size_t n, double secs);	/* 3 days, 4:05 */

/*
 * Build a path without printf: strings, and integers given as
 * GT_PATH_INT followed by a long; NULL ends the list.  Returns buf, or
 * NULL (and "") if it does not fit.
 */
extern const char gt_path_int_marker[];
#define GT_PATH_INT gt_path_int_marker
#define GT_I(v) GT_PATH_INT, (long)(v)
char *gt_path(char *buf, size_t n, ...);

/* Strict decimal parsers: whole string, no sign, no overflow. */
bool gt_parse_u64(const char *s, uint64_t *out);
bool gt_parse_int(const char *s, long lo, long hi, long *out);
bool gt_parse_double(const char *s, double lo, double hi, double *out);

/*
 * A point in time for a recording that starts at Unix time start:
 * "+N[s|m|h|d]" after the start, "@N" Unix seconds, "HH:MM[:SS]" local
 * time (the first such time at or after the start's second), or
 * "YYYY-MM-DD HH:MM[:SS]" ('T' between works too).  Returns false for
 * anything else.
 */
bool gt_parse_when(const char *s, double start, double *out);

#endif
