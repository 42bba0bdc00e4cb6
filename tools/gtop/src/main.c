// SPDX-License-Identifier: GPL-2.0
/* main.c - gtop: options, then batch mode or the screen UI. */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine.h"
#include "exporter.h"
#include "opts.h"
#include "output.h"
#include "ui.h"

#ifndef GTOP_VERSION
#define GTOP_VERSION "0.1"
#endif

#define WARMUP_MAX_S 0.5

static volatile sig_atomic_t stop;
static uint64_t start_ns;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int run_batch(const struct gt_opts *o)
{
	struct gt_engine e;
	struct gt_buf b = { 0 };
	struct gt_out_opts oo = { .fmt = o->fmt, .vcpus = o->vcpus,
				  .exit_reasons = o->exit_reasons };
	double warm = o->delay < WARMUP_MAX_S ? o->delay : WARMUP_MAX_S;
	uint64_t next;
	int ret = 0;

	double first_ms = 0;

	struct gt_engine_cfg cfg;

	gt_opts_engine(o, &cfg);
	if (gt_engine_init(&e, &cfg)) {
		fprintf(stderr, "gtop: cannot initialise: %s\n",
			strerror(errno ? errno : ENOMEM));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* a first sample so that the first iteration has rates */
	next = gt_now_ns() + (uint64_t)(warm * 1e9);
	if (gt_engine_sample(&e))
		goto oom;
	first_ms = (double)(gt_now_ns() - start_ns) / 1e6;
	for (long i = 0; !stop && (!o->iterations || i < o->iterations); i++) {
		gt_sleep_until(next);
		if (stop)
			break;
		next = gt_now_ns() + (uint64_t)(o->delay * 1e9);
		if (gt_engine_sample(&e))
			goto oom;
		oo.iteration = (int)i;
		gt_buf_reset(&b);
		gt_output(&b, &e.view, &oo);
		if (b.oom)
			goto oom;
		if (write_all(b.p, b.len)) {
			if (errno != EPIPE) {
				fprintf(stderr, "gtop: write: %s\n",
					strerror(errno));
				ret = 1;
			}
			break;
		}
	}
	if (getenv("GTOP_STATS")) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "gtop-stats: first_sample_ms=%.1f cpu_ms=%.1f "
			"maxrss_kb=%ld vms=%d vcpus=%d\n", first_ms,
			gt_cpu_ms(), ru.ru_maxrss, e.view.nvms, e.view.nvcpus);
	}
	gt_buf_free(&b);
	gt_engine_fini(&e);
	return ret;
oom:
	fprintf(stderr, "gtop: out of memory\n");
	gt_buf_free(&b);
	gt_engine_fini(&e);
	return 1;
}

/*
 * --listen: sample every delay seconds; between samples serve the
 * Prometheus text of the last completed one.
 */
static int run_exporter(const struct gt_opts *o)
{
	struct gt_engine e;
	struct gt_buf b = { 0 };
	struct gt_prom_self self = { 0 };
	struct gt_exporter *x;
	char err[256];
	int ret = 0;

	x = gt_exporter_new(o->listen_host, o->listen_port, err, sizeof(err));
	if (!x) {
		fprintf(stderr, "gtop: %s\n", err);
		return 1;
	}
	struct gt_engine_cfg cfg;

	gt_opts_engine(o, &cfg);
	if (gt_engine_init(&e, &cfg)) {
		fprintf(stderr, "gtop: cannot initialise: %s\n",
			strerror(errno ? errno : ENOMEM));
		gt_exporter_free(x);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (long i = 0; !stop && (!o->iterations || i < o->iterations); i++) {
		uint64_t next = gt_now_ns() + (uint64_t)(o->delay * 1e9);

		if (gt_engine_sample(&e))
			goto oom;
		self.samples++;
		self.sample_cpu_ms = e.last_scan_ms;
		gt_buf_reset(&b);
		gt_prom_render(&b, &e.view, &self);
		if (b.oom || gt_exporter_publish(x, b.p, b.len))
			goto oom;
		if (i == 0) {
			fprintf(stderr, "gtop: serving http://%s%s%s:%d/metrics\n",
				strchr(o->listen_host, ':') ? "[" : "",
				o->listen_host,
				strchr(o->listen_host, ':') ? "]" : "",
				gt_exporter_port(x));
			fflush(stderr);
		}
		gt_exporter_serve(x, next, &stop);
	}
	goto out;
oom:
	fprintf(stderr, "gtop: out of memory\n");
	ret = 1;
out:
	gt_buf_free(&b);
	gt_engine_fini(&e);
	gt_exporter_free(x);
	return ret;
}

int main(int argc, char **argv)
{
	struct gt_opts o;
	char err[256];

	start_ns = gt_now_ns();
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");	/* machine formats need '.' */
	if (gt_opts_parse(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "gtop: %s\nTry 'gtop --help' for more "
			"information.\n", err);
		return GT_EXIT_USAGE;
	}
	if (o.help) {
		fputs(gt_usage(), stdout);
		return 0;
	}
	if (o.version) {
		printf("gtop %s\n", GTOP_VERSION);
		return 0;
	}
	if (o.listen)
		return run_exporter(&o);
	if (o.batch)
		return run_batch(&o);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "gtop: not a terminal; use -b for batch "
			"output\n");
		return 1;
	}
	return gt_ui_run(&o, start_ns);
}
