// SPDX-License-Identifier: GPL-2.0
/* util.c - arena, text buffer, UTF-8 helpers, number formatting. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

/* ---------------------------------------------------------------- arena */

struct gt_chunk {
	struct gt_chunk *next;
	size_t size, used;
	max_align_t data[];
};

#define GT_CHUNK_MIN (64 * 1024)

void *gt_arena_alloc(struct gt_arena *a, size_t n)
{
	struct gt_chunk *c = a->head;
	size_t al = _Alignof(max_align_t);

	n = (n + al - 1) & ~(al - 1);
	if (n == 0)
		n = al;
	if (!c || c->size - c->used < n) {
		size_t sz = n > GT_CHUNK_MIN ? n : GT_CHUNK_MIN;

		c = malloc(sizeof(*c) + sz);
		if (!c)
			return NULL;
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;

	c->used += n;
	a->bytes += n;
	memset(p, 0, n);
	return p;
}

char *gt_arena_strdup(struct gt_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = gt_arena_alloc(a, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

void gt_arena_reset(struct gt_arena *a)
{
	struct gt_chunk *c = a->head, *keep = NULL;

	/* keep the largest chunk to avoid malloc churn between samples */
	while (c) {
		struct gt_chunk *next = c->next;

		if (!keep || c->size > keep->size) {
			if (keep)
				free(keep);
			keep = c;
		} else {
			free(c);
		}
		c = next;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
	a->bytes = 0;
}

void gt_arena_free(struct gt_arena *a)
{
	gt_arena_reset(a);
	free(a->head);
	a->head = NULL;
}

/* ---------------------------------------------------------------- buffer */

bool gt_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;

	while (c < need)
		c *= 2;
	void *np = realloc(*p, c * elem);

	if (!np)
		return false;
	*p = np;
	*cap = c;
	return true;
}

static bool buf_grow(struct gt_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	if (b->sink && b->len) {
		b->sink(b, b->sink_arg);
		if (b->oom || b->len + extra + 1 <= b->cap)
			return !b->oom;
	}
	if (!gt_grow((void **)&b->p, &b->cap, b->len + extra + 1, 1)) {
		b->oom = true;
		return false;
	}
	return true;
}

bool gt_buf_reserve(struct gt_buf *b, size_t cap)
{
	char *p;

	if (cap <= b->cap)
		return true;
	p = realloc(b->p, cap);
	if (!p)
		return false;
	if (!b->p)
		p[0] = '\0';
	b->p = p;
	b->cap = cap;
	return true;
}

void gt_buf_putn(struct gt_buf *b, const char *s, size_t n)
{
	if (!buf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void gt_buf_putc(struct gt_buf *b, char c)
{
	gt_buf_putn(b, &c, 1);
}

void gt_buf_puts(struct gt_buf *b, const char *s)
{
	gt_buf_putn(b, s, strlen(s));
}

void gt_buf_vprintf(struct gt_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (!buf_grow(b, 64))
		return;
	/* usually it fits the room left: format once */
	va_copy(aq, ap);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->p[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (!buf_grow(b, (size_t)n)) {
			b->p[b->len] = '\0';
			return;
		}
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void gt_buf_printf(struct gt_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void gt_buf_reset(struct gt_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void gt_buf_free(struct gt_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	unsigned cp = c & (0x7f >> len);

	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool gt_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(p + i, n - i);

		if (!l)
			return false;
		i += l;
	}
	return true;
}

void gt_buf_json_str(struct gt_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	gt_buf_putc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];

		if (c == '"' || c == '\\') {
			gt_buf_putc(b, '\\');
			gt_buf_putc(b, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			gt_buf_printf(b, "\\u%04x", c);
			i++;
		} else {
			size_t l = utf8_seq(p + i, n - i);

			if (!l) {
				gt_buf_puts(b, "\\ufffd");
				i++;
			} else {
				gt_buf_putn(b, s + i, l);
				i += l;
			}
		}
	}
	gt_buf_putc(b, '"');
}

void gt_buf_prom_label(struct gt_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			gt_buf_puts(b, "\\\\");
		else if (*s == '"')
			gt_buf_puts(b, "\\\"");
		else if (*s == '\n')
			gt_buf_puts(b, "\\n");
		else
			gt_buf_putc(b, *s);
	}
}

void gt_buf_csv_str(struct gt_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		gt_buf_puts(b, s);
		return;
	}
	gt_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			gt_buf_putc(b, '"');
		gt_buf_putc(b, *s);
	}
	gt_buf_putc(b, '"');
}

/* ---------------------------------------------------------------- text */

size_t gt_sanitize(char *dst, size_t dstsz, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	if (!dstsz)
		return 0;
	for (size_t i = 0; i < n && s[i] && o + 1 < dstsz;) {
		size_t l = utf8_seq(s + i, n - i);

		if (l == 1 && (s[i] < 0x20 || s[i] == 0x7f))
			l = 0;
		if (!l) {
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + l >= dstsz)
			break;
		memcpy(dst + o, s + i, l);
		o += l;
		i += l;
	}
	dst[o] = '\0';
	return o;
}

/* Width of the character at s; sets *len to its byte length. */
static int char_width(const char *s, size_t *len)
{
	size_t l = utf8_seq((const unsigned char *)s, strnlen(s, 4));

	if (l <= 1) {
		*len = 1;
		return 1;
	}
	*len = l;
	mbstate_t st;
	wchar_t wc;

	memset(&st, 0, sizeof(st));
	if (mbrtowc(&wc, s, l, &st) != l)
		return 1;	/* non-UTF-8 locale: count as one column */
	int w = wcwidth(wc);

	return w < 0 ? 1 : w;
}

int gt_str_width(const char *s)
{
	int w = 0;
	size_t l;

	while (*s) {
		w += char_width(s, &l);
		s += l;
	}
	return w;
}

size_t gt_fit(char *dst, size_t dstsz, const char *s, int width, bool right)
{
	size_t o = 0;
	int w = 0;
	size_t l;
	const char *p = s;

	if (!dstsz)
		return 0;
	/* how much of s fits */
	size_t nbytes = 0;

	while (*p) {
		if ((unsigned char)*p < 0x80) {	/* ASCII: one column */
			if (w + 1 > width)
				break;
			w++;
			p++;
			nbytes++;
			continue;
		}
		int cw = char_width(p, &l);

		if (w + cw > width)
			break;
		w += cw;
		p += l;
		nbytes += l;
	}
	int pad = width - w;

	if (right)
		for (; pad > 0 && o + 1 < dstsz; pad--)
			dst[o++] = ' ';
	if (o + nbytes >= dstsz)
		nbytes = dstsz - o - 1;
	memcpy(dst + o, s, nbytes);
	for (size_t i = o; i < o + nbytes; i++)	/* never emit controls */
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
	o += nbytes;
	for (; pad > 0 && o + 1 < dstsz; pad--)
		dst[o++] = ' ';
	dst[o] = '\0';
	return o;
}

/* ---------------------------------------------------------------- numbers */

int gt_fmt_fixed(char *buf, size_t n, double v, int d)
{
	static const uint64_t p10[] = { 1, 10, 100, 1000 };
	char tmp[32];
	int k = 0, o = 0;

	if (d < 0 || d > 3)
		return snprintf(buf, n, "%.*f", d, v);

	bool neg = v < 0;
	double x = (neg ? -v : v) * (double)p10[d];

	/* below 2^32 the product is within 2^-22 of exact, so rounding is
	 * right unless the fraction is about .5: leave those to printf */
	if (n < 24 || !(x < 4e9) || fabs(x - floor(x) - 0.5) < 1e-6)
		return snprintf(buf, n, "%.*f", d, v);
	uint64_t r = (uint64_t)(x + 0.5);
	uint64_t ip = r / p10[d], fp = r % p10[d];

	if (neg && r)
		buf[o++] = '-';
	do {
		tmp[k++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	while (k)
		buf[o++] = tmp[--k];
	if (d) {
		buf[o++] = '.';
		for (int i = d - 1; i >= 0; i--) {
			buf[o + i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		o += d;
	}
	buf[o] = '\0';
	return o;
}

char *gt_fmt_duration_ns(char *buf, size_t n, double ns)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	int u = 0;

	if (!(ns >= 0) || !isfinite(ns)) {
		snprintf(buf, n, "-");
		return buf;
	}
	while (u < 3 && ns >= 999.5) {
		ns /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%.0f%s", ns, unit[u]);
	else if (ns < 9.995)
		snprintf(buf, n, "%.2f%s", ns, unit[u]);
	else if (ns < 99.95)
		snprintf(buf, n, "%.1f%s", ns, unit[u]);
	else
		snprintf(buf, n, "%.0f%s", ns, unit[u]);
	return buf;
}

char *gt_fmt_rate(char *buf, size_t n, double v)
{
	if (!isfinite(v) || v < 0)
		snprintf(buf, n, "-");
	else if (v < 99.95)
		gt_fmt_fixed(buf, n, v, 1);
	else if (v < 99999.5)
		gt_fmt_fixed(buf, n, v, 0);
	else if (v < 9.9995e6)
		snprintf(buf, n, "%.0fk", v / 1e3);
	else if (v < 9.9995e9)
		snprintf(buf, n, "%.0fM", v / 1e6);
	else
		snprintf(buf, n, "%.0fG", v / 1e9);
	return buf;
}

char *gt_fmt_count(char *buf, size_t n, uint64_t v)
{
	if (v < 10000000ULL)
		snprintf(buf, n, "%llu", (unsigned long long)v);
	else if (v < 10000000000ULL)
		snprintf(buf, n, "%.2fM", (double)v / 1e6);
	else if (v < 10000000000000ULL)
		snprintf(buf, n, "%.2fG", (double)v / 1e9);
	else
		snprintf(buf, n, "%.2fT", (double)v / 1e12);
	return buf;
}

char *gt_fmt_uptime(char *buf, size_t n, double secs)
{
	if (!(secs >= 0) || secs > 1e12) {
		snprintf(buf, n, "-");
		return buf;
	}
	unsigned long long s = (unsigned long long)secs;
	unsigned long long d = s / 86400, h = s % 86400 / 3600,
			   m = s % 3600 / 60;

	if (d)
		snprintf(buf, n, "%llu day%s, %2llu:%02llu", d,
			 d == 1 ? "" : "s", h, m);
	else if (h)
		snprintf(buf, n, "%2llu:%02llu", h, m);
	else
		snprintf(buf, n, "%llu min", m);
	return buf;
}

const char gt_path_int_marker[] = "";

char *gt_path(char *buf, size_t n, ...)
{
	va_list ap;
	const char *s;
	char *p = buf, *end = buf + n - 1;

	va_start(ap, n);
	while ((s = va_arg(ap, const char *))) {
		if (s == GT_PATH_INT) {
			long v = va_arg(ap, long);
			char tmp[24];
			int k = 0;
			unsigned long u = v < 0 ? 0UL - (unsigned long)v :
				(unsigned long)v;

			do {
				tmp[k++] = (char)('0' + u % 10);
				u /= 10;
			} while (u);
			if (v < 0)
				tmp[k++] = '-';
			while (k && p < end)
				*p++ = tmp[--k];
			continue;
		}
		while (*s && p < end)
			*p++ = *s++;
		if (*s) {	/* does not fit */
			va_end(ap);
			buf[0] = '\0';
			return NULL;
		}
	}
	va_end(ap);
	*p = '\0';
	return buf;
}

bool gt_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool gt_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	if (!*s || *s == ' ')
		return false;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool gt_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	if (!*s || *s == ' ')
		return false;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* ------------------------------------------------------------- times */

/* 1 to max decimal digits at *p (at least min); NULL if not. */
static const char *digits(const char *p, int min, int max, int *v)
{
	int n = 0, x = 0;

	while (n < max && *p >= '0' && *p <= '9') {
		x = x * 10 + (*p++ - '0');
		n++;
	}
	if (n < min)
		return NULL;
	*v = x;
	return p;
}

/* "HH:MM[:SS]" at p to the end of the string. */
static bool clock_of_day(const char *p, struct tm *tm)
{
	int h, m, s = 0;

	if (!(p = digits(p, 1, 2, &h)) || *p++ != ':' ||
	    !(p = digits(p, 2, 2, &m)))
		return false;
	if (*p == ':' && !(p = digits(p + 1, 2, 2, &s)))
		return false;
	if (*p || h > 23 || m > 59 || s > 60)
		return false;
	tm->tm_hour = h;
	tm->tm_min = m;
	tm->tm_sec = s;
	return true;
}

bool gt_parse_when(const char *s, double start, double *out)
{
	struct tm tm;
	time_t t0 = (time_t)start, t;
	const char *p;
	int y, mo, d;

	if (s[0] == '+' || s[0] == '@') {
		static const struct { char c; double k; } unit[] = {
			{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		};
		char num[32];
		size_t n = strlen(s + 1);
		double k = 1, v;

		if (!n || n >= sizeof(num) || s[1] < '0' || s[1] > '9')
			return false;
		memcpy(num, s + 1, n + 1);
		for (size_t i = 0; s[0] == '+' && i < GT_ARRAY_SIZE(unit); i++)
			if (num[n - 1] == unit[i].c) {
				k = unit[i].k;
				num[--n] = '\0';
				break;
			}
		if (!gt_parse_double(num, 0, 1e11, &v))
			return false;
		*out = s[0] == '@' ? v : start + v * k;
		return true;
	}
	if (!localtime_r(&t0, &tm))
		return false;
	tm.tm_isdst = -1;
	p = digits(s, 4, 4, &y);
	if (p && *p == '-') {		/* YYYY-MM-DD HH:MM[:SS] */
		if (!(p = digits(p + 1, 1, 2, &mo)) || *p++ != '-' ||
		    !(p = digits(p, 1, 2, &d)) || (*p != ' ' && *p != 'T') ||
		    mo < 1 || mo > 12 || d < 1 || d > 31 ||
		    !clock_of_day(p + 1, &tm))
			return false;
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		t = mktime(&tm);
	} else {			/* HH:MM[:SS]: the first after start */
		if (!clock_of_day(s, &tm))
			return false;
		t = mktime(&tm);
		if (t != (time_t)-1 && t < t0) {
			tm.tm_mday++;
			tm.tm_isdst = -1;
			t = mktime(&tm);
		}
	}
	if (t == (time_t)-1)
		return false;
	*out = (double)t;
	return true;
}
