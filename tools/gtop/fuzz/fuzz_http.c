// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_http.c - libFuzzer target for the exporter's request parser,
 * response heads and --listen parsing.  The request is parsed whole and
 * byte by byte (as it arrives from a slow client): once a verdict is
 * reached, more bytes must not change it.
 */
#include <stdio.h>

#include "fuzz.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool valid(enum gt_http_status s)
{
	return s == GT_HTTP_MORE || s == GT_HTTP_OK ||
	       s == GT_HTTP_BAD_REQUEST || s == GT_HTTP_NOT_FOUND ||
	       s == GT_HTTP_BAD_METHOD || s == GT_HTTP_TOO_LARGE ||
	       s == GT_HTTP_BAD_VERSION;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max = size < GT_HTTP_REQ_MAX ? size : GT_HTTP_REQ_MAX;
	char *buf = fuzz_copy(data, max);
	char head[256], host[64], *str;
	enum gt_http_status whole, s = GT_HTTP_MORE;
	size_t n;
	int port;

	if (!buf)
		return 0;
	whole = gt_http_parse(buf, max, GT_HTTP_REQ_MAX);
	FUZZ_ASSERT(valid(whole));
	FUZZ_ASSERT(max < GT_HTTP_REQ_MAX || whole != GT_HTTP_MORE);
	for (n = 0; n <= max && s == GT_HTTP_MORE; n++)
		s = gt_http_parse(buf, n, GT_HTTP_REQ_MAX);
	FUZZ_ASSERT(s == whole);	/* the first verdict is final */
	n = gt_http_head(head, sizeof(head), whole, size);
	FUZZ_ASSERT(n < sizeof(head));
	free(buf);

	str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	if (!gt_parse_listen(str, host, sizeof(host), &port))
		FUZZ_ASSERT(port >= 0 && port <= 65535 && host[0]);
	free(str);
	return 0;
}
