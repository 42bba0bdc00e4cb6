// SPDX-License-Identifier: GPL-2.0
/* exporter.c - the --listen HTTP server, poll-driven, non-blocking. */
#define _GNU_SOURCE
#include "exporter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine.h"
#include "expbody.h"
#include "http.h"

#define MS 1000000ULL
#define ACCEPT_BURST 64		/* accepts per wakeup */
#define OBUF (16 * 1024)	/* a connection's piece of the answer */

enum cstate { C_FREE, C_READ, C_WRITE, C_LINGER };

struct conn {
	int fd;
	enum cstate st;
	uint64_t born_ns, deadline_ns;
	size_t rlen;
	char req[GT_HTTP_REQ_MAX];
	struct gt_body *body;	/* 200: a reference, else NULL */
	struct gt_body_reader rd;	/* its text, piece by piece */
	char *obuf;		/* the piece being sent (head first) */
	size_t olen, opos;
	size_t want, got;	/* text bytes of the body, taken so far */
};

struct gt_exporter {
	int lfd, port;
	struct gt_body *cur;
	struct gt_body_writer w;
	bool writing;
	struct conn c[GT_EXP_CONNS];
	struct gt_exporter_stats st;
};

/* The answer's memory goes back (the socket stays, if open). */
static void conn_drop_answer(struct conn *c)
{
	gt_body_read_end(&c->rd);
	gt_body_put(c->body);
	c->body = NULL;
	free(c->obuf);
	c->obuf = NULL;
}

static void conn_close(struct conn *c)
{
	if (c->st == C_FREE)
		return;
	close(c->fd);
	conn_drop_answer(c);
	c->st = C_FREE;
}

struct gt_exporter *gt_exporter_new(const char *host, int port, char *err,
				    size_t errlen)
{
	struct gt_exporter *x = calloc(1, sizeof(*x));
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int one = 1;

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &a->sin6_addr);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &a->sin_addr);
		sl = sizeof(*a);
	}
	x->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
			SOCK_CLOEXEC, 0);
	if (x->lfd < 0 ||
	    setsockopt(x->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(x->lfd, (struct sockaddr *)&ss, sl) ||
	    listen(x->lfd, 64)) {
		snprintf(err, errlen, "cannot listen on %s%s%s:%d: %s",
			 ss.ss_family == AF_INET6 ? "[" : "", host,
			 ss.ss_family == AF_INET6 ? "]" : "", port,
			 strerror(errno));
		if (x->lfd >= 0)
			close(x->lfd);
		free(x);
		return NULL;
	}
	sl = sizeof(ss);
	getsockname(x->lfd, (struct sockaddr *)&ss, &sl);
	x->port = ntohs(ss.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	return x;
}

int gt_exporter_port(const struct gt_exporter *x)
{
	return x->port;
}

const struct gt_exporter_stats *gt_exporter_stats(const struct gt_exporter *x)
{
	return &x->st;
}

struct gt_buf *gt_exporter_begin(struct gt_exporter *x)
{
	if (x->writing || gt_body_begin(&x->w))
		return NULL;
	x->writing = true;
	return &x->w.text;
}

int gt_exporter_publish(struct gt_exporter *x)
{
	struct gt_body *b;

	if (!x->writing)
		return -1;
	x->writing = false;
	b = gt_body_end(&x->w);
	if (!b)
		return -1;
	gt_body_put(x->cur);
	x->cur = b;
	x->st.body_len = gt_body_len(b);
	x->st.body_stored = gt_body_stored(b);
	return 0;
}

void gt_exporter_release(struct gt_exporter *x)
{
	gt_body_put(x->cur);
	x->cur = NULL;
}

void gt_exporter_free(struct gt_exporter *x)
{
	if (!x)
		return;
	for (int i = 0; i < GT_EXP_CONNS; i++)
		conn_close(&x->c[i]);
	close(x->lfd);
	gt_body_put(x->cur);
	if (x->writing)
		gt_body_put(gt_body_end(&x->w));
	free(x);
}

static int status_slot(enum gt_http_status s)
{
	switch (s) {
	case GT_HTTP_OK: return 0;
	case GT_HTTP_BAD_REQUEST: return 1;
	case GT_HTTP_NOT_FOUND: return 2;
	case GT_HTTP_BAD_METHOD: return 3;
	case GT_HTTP_TOO_LARGE: return 4;
	default: return 5;
	}
}

/* The answer is sent: stop writing, drain what the client still sends
 * (closing with unread data would reset the connection and could cut
 * the answer short), for a short while. */
static void conn_done(struct conn *c, uint64_t now)
{
	shutdown(c->fd, SHUT_WR);
	conn_drop_answer(c);
	c->st = C_LINGER;
	if (c->deadline_ns > now + GT_EXP_LINGER_MS * MS)
		c->deadline_ns = now + GT_EXP_LINGER_MS * MS;
}

/* The next piece of the answer into obuf; false when it is all sent
 * (or the body turned out damaged: then the connection is closed). */
static bool conn_fill(struct conn *c)
{
	long n = c->body ? gt_body_read(&c->rd, c->obuf, OBUF) : 0;

	if (n < 0 || (n == 0 && c->got != c->want) ||
	    (size_t)n > c->want - c->got) {
		conn_close(c);
		return false;
	}
	c->got += (size_t)n;
	c->olen = (size_t)n;
	c->opos = 0;
	return n > 0;
}

static void conn_write(struct conn *c, uint64_t now)
{
	for (;;) {
		ssize_t w;

		if (c->opos == c->olen && !conn_fill(c)) {
			if (c->st == C_WRITE)
				conn_done(c, now);
			return;
		}
		w = send(c->fd, c->obuf + c->opos, c->olen - c->opos,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(c);
			return;
		}
		c->opos += (size_t)w;
	}
}

static void conn_answer(struct gt_exporter *x, struct conn *c,
			enum gt_http_status s, uint64_t now)
{
	const char *err = NULL;
	size_t blen;

	x->st.by_status[status_slot(s)]++;
	x->st.answered++;
	c->st = C_WRITE;
	c->want = c->got = 0;
	c->obuf = malloc(OBUF);
	if (!c->obuf) {
		conn_close(c);
		return;
	}
	if (s == GT_HTTP_OK && x->cur &&
	    !gt_body_read_begin(&c->rd, x->cur)) {
		c->body = x->cur;
		gt_body_get(c->body);
		c->want = blen = gt_body_len(c->body);
	} else {
		if (s == GT_HTTP_OK)
			s = GT_HTTP_UNAVAILABLE;	/* no body yet */
		err = gt_http_error_body(s);
		blen = strlen(err);
	}
	c->olen = gt_http_head(c->obuf, OBUF, s, blen);
	if (err && c->olen + blen <= OBUF) {
		memcpy(c->obuf + c->olen, err, blen);
		c->olen += blen;
	}
	c->opos = 0;
	conn_write(c, now);
}

static void conn_read(struct gt_exporter *x, struct conn *c, uint64_t now)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->req + c->rlen,
				 sizeof(c->req) - c->rlen, MSG_DONTWAIT);
		enum gt_http_status s;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);	/* gone before a whole request */
			return;
		}
		c->rlen += (size_t)n;
		s = gt_http_parse(c->req, c->rlen, sizeof(c->req));
		if (s != GT_HTTP_MORE) {
			conn_answer(x, c, s, now);
			return;
		}
	}
}

static void conn_drain(struct conn *c)
{
	char sink[4096];

	for (;;) {
		ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(c);	/* EOF or error: done */
		return;
	}
}

/* A slot for a new connection: a free one, else the oldest one still
 * sending its request or being drained; NULL if all are answering. */
static struct conn *slot(struct gt_exporter *x)
{
	struct conn *old = NULL;

	for (int i = 0; i < GT_EXP_CONNS; i++) {
		struct conn *c = &x->c[i];

		if (c->st == C_FREE)
			return c;
		if (c->st != C_WRITE && (!old || c->born_ns < old->born_ns))
			old = c;
	}
	if (old) {
		x->st.evicted++;
		conn_close(old);
	}
	return old;
}

static void do_accept(struct gt_exporter *x, uint64_t now)
{
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int fd = accept4(x->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0)
			return;	/* EAGAIN, or EMFILE & co: try later */
		c = slot(x);
		if (!c) {
			x->st.refused++;
			close(fd);
			continue;
		}
		x->st.accepted++;
		memset(c, 0, offsetof(struct conn, req));
		c->fd = fd;
		c->st = C_READ;
		c->born_ns = now;
		c->deadline_ns = now + GT_EXP_TIMEOUT_MS * MS;
		conn_read(x, c, now);	/* the request may be there already */
	}
}

void gt_exporter_serve(struct gt_exporter *x, uint64_t deadline_ns,
		       volatile sig_atomic_t *stop)
{
	struct pollfd pf[GT_EXP_CONNS + 1];
	struct conn *pc[GT_EXP_CONNS + 1];

	while (!*stop) {
		uint64_t now = gt_now_ns(), until = deadline_ns;
		int n = 1, r;

		if (now >= deadline_ns)
			return;
		pf[0] = (struct pollfd){ .fd = x->lfd, .events = POLLIN };
		for (int i = 0; i < GT_EXP_CONNS; i++) {
			struct conn *c = &x->c[i];

			if (c->st == C_FREE)
				continue;
			if (c->deadline_ns <= now) {
				if (c->st != C_LINGER)
					x->st.timeouts++;
				conn_close(c);
				continue;
			}
			if (c->deadline_ns < until)
				until = c->deadline_ns;
			pc[n] = c;
			pf[n++] = (struct pollfd){ .fd = c->fd,
				.events = c->st == C_WRITE ? POLLOUT : POLLIN };
		}
		r = poll(pf, (nfds_t)n, (int)((until - now + MS - 1) / MS));
		if (r <= 0)
			continue;	/* timeout or EINTR: look again */
		now = gt_now_ns();
		for (int i = 1; i < n; i++) {
			struct conn *c = pc[i];

			if (!pf[i].revents)
				continue;
			if (c->st == C_READ)
				conn_read(x, c, now);
			else if (c->st == C_WRITE)
				conn_write(c, now);
			else if (c->st == C_LINGER)
				conn_drain(c);
		}
		if (pf[0].revents & POLLIN)
			do_accept(x, now);
	}
}
