// SPDX-License-Identifier: GPL-2.0
/* http.c - request head parsing and response heads (RFC 9112 subset). */
#define _GNU_SOURCE
#include "http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define METHOD_MAX 16

static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A control character that may not appear in a head line. */
static bool ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* The start of a request line that is not complete yet. */
static bool partial_line_bad(const char *p, size_t n)
{
	size_t m = 0;

	while (m < n && p[m] != ' ') {
		if (!tchar((unsigned char)p[m]) || ++m > METHOD_MAX)
			return true;
	}
	for (size_t i = m; i < n; i++)
		if (ctl((unsigned char)p[i]) && !(p[i] == '\r' && i == n - 1))
			return true;
	return false;
}

/* The request line (without its line end): 0 if fine, else a status. */
static enum gt_http_status request_line(const char *p, size_t n)
{
	size_t m = 0, t, tl = 0, q;
	const char *v;

	while (m < n && p[m] != ' ') {
		if (!tchar((unsigned char)p[m]) || m >= METHOD_MAX)
			return GT_HTTP_BAD_REQUEST;
		m++;
	}
	if (!m || m + 1 >= n)
		return GT_HTTP_BAD_REQUEST;
	t = m + 1;
	while (t + tl < n && p[t + tl] != ' ') {
		unsigned char c = (unsigned char)p[t + tl];

		if (c <= 0x20 || c >= 0x7f)
			return GT_HTTP_BAD_REQUEST;
		tl++;
	}
	if (!tl || t + tl + 1 >= n)
		return GT_HTTP_BAD_REQUEST;
	v = p + t + tl + 1;
	if (n - (t + tl + 1) != 8 || memcmp(v, "HTTP/", 5) ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
		return GT_HTTP_BAD_REQUEST;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return GT_HTTP_BAD_VERSION;
	if (m != 3 || memcmp(p, "GET", 3))
		return GT_HTTP_BAD_METHOD;
	if (p[t] != '/')
		return GT_HTTP_BAD_REQUEST;	/* only origin-form */
	for (q = 0; q < tl && p[t + q] != '?'; q++)
		;
	if (q != 8 || memcmp(p + t, "/metrics", 8))
		return GT_HTTP_NOT_FOUND;
	return 0;
}

/* One header field line (without its line end). */
static bool header_bad(const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && p[k] != ':') {
		if (!tchar((unsigned char)p[k]))
			return true;	/* also obs-fold: SP or HT first */
		k++;
	}
	if (!k || k == n)
		return true;
	for (size_t i = k + 1; i < n; i++)
		if (ctl((unsigned char)p[i]))
			return true;
	return false;
}

enum gt_http_status gt_http_parse(const char *buf, size_t len, size_t max)
{
	size_t i = 0, p;
	const char *nl;
	enum gt_http_status st;

	if (len > max)
		len = max;
	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;		/* empty lines before a request are allowed */
	nl = memchr(buf + i, '\n', len - i);
	if (!nl) {
		if (partial_line_bad(buf + i, len - i))
			return GT_HTTP_BAD_REQUEST;
		return len >= max ? GT_HTTP_TOO_LARGE : GT_HTTP_MORE;
	}
	size_t ll = (size_t)(nl - (buf + i));

	if (ll && nl[-1] == '\r')
		ll--;
	st = request_line(buf + i, ll);
	if (st)
		return st;
	p = (size_t)(nl - buf) + 1;
	for (;;) {
		const char *h = buf + p;
		const char *e = memchr(h, '\n', len - p);
		size_t hl;

		if (!e) {
			for (size_t k = 0; k < len - p; k++)
				if (ctl((unsigned char)h[k]) &&
				    !(h[k] == '\r' && k == len - p - 1))
					return GT_HTTP_BAD_REQUEST;
			return len >= max ? GT_HTTP_TOO_LARGE : GT_HTTP_MORE;
		}
		hl = (size_t)(e - h);
		if (hl && e[-1] == '\r')
			hl--;
		if (!hl)
			return GT_HTTP_OK;	/* the empty line: head done */
		if (header_bad(h, hl))
			return GT_HTTP_BAD_REQUEST;
		p = (size_t)(e - buf) + 1;
	}
}

const char *gt_http_reason(enum gt_http_status s)
{
	switch (s) {
	case GT_HTTP_OK: return "OK";
	case GT_HTTP_BAD_REQUEST: return "Bad Request";
	case GT_HTTP_NOT_FOUND: return "Not Found";
	case GT_HTTP_BAD_METHOD: return "Method Not Allowed";
	case GT_HTTP_TOO_LARGE: return "Request Header Fields Too Large";
	case GT_HTTP_BAD_VERSION: return "HTTP Version Not Supported";
	case GT_HTTP_UNAVAILABLE: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

const char *gt_http_error_body(enum gt_http_status s)
{
	switch (s) {
	case GT_HTTP_NOT_FOUND: return "gtop serves /metrics only\n";
	case GT_HTTP_BAD_METHOD: return "gtop answers GET only\n";
	case GT_HTTP_TOO_LARGE: return "request head too large\n";
	case GT_HTTP_BAD_VERSION: return "HTTP/1.0 or HTTP/1.1 only\n";
	case GT_HTTP_UNAVAILABLE: return "no sample yet\n";
	default: return "malformed request\n";
	}
}

size_t gt_http_head(char *buf, size_t n, enum gt_http_status s,
		    size_t body_len)
{
	int w = snprintf(buf, n, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
			 s ? (int)s : 500, gt_http_reason(s),
			 s == GT_HTTP_OK ? "text/plain; version=0.0.4; "
			 "charset=utf-8" : "text/plain; charset=utf-8",
			 body_len, s == GT_HTTP_BAD_METHOD ? "Allow: GET\r\n" :
			 "");

	return w > 0 && (size_t)w < n ? (size_t)w : 0;
}

int gt_parse_listen(const char *arg, char *host, size_t hostsz, int *port)
{
	const char *ps, *colon;
	char h[64];
	size_t hl;
	unsigned char addr[16];
	long pv = 0;

	if (!arg || !*arg || hostsz < 46)
		return -1;
	if (arg[0] == '[') {
		const char *rb = strchr(arg, ']');

		if (!rb || rb[1] != ':')
			return -1;
		hl = (size_t)(rb - arg - 1);
		if (hl >= sizeof(h))
			return -1;
		memcpy(h, arg + 1, hl);
		h[hl] = '\0';
		ps = rb + 2;
		if (inet_pton(AF_INET6, h, addr) != 1)
			return -1;
	} else {
		colon = strrchr(arg, ':');
		if (colon && memchr(arg, ':', (size_t)(colon - arg)))
			return -1;	/* IPv6 needs brackets */
		hl = colon ? (size_t)(colon - arg) : 0;
		ps = colon ? colon + 1 : arg;
		if (hl >= sizeof(h))
			return -1;
		memcpy(h, arg, hl);
		h[hl] = '\0';
		if (!hl || !strcmp(h, "localhost"))
			snprintf(h, sizeof(h), "127.0.0.1");
		else if (inet_pton(AF_INET, h, addr) != 1)
			return -1;
	}
	if (!*ps || strlen(ps) > 5)
		return -1;
	for (const char *c = ps; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		pv = pv * 10 + (*c - '0');
	}
	if (pv > 65535)
		return -1;
	snprintf(host, hostsz, "%s", h);
	*port = (int)pv;
	return 0;
}
