// SPDX-License-Identifier: GPL-2.0
/* main.c - gtop: options, then batch mode or the screen UI. */
#define _GNU_SOURCE
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <math.h>
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
#include "render.h"
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

static void note_cut(const struct gt_engine *e, const struct gt_opts *o)
{
	uint64_t cut = e->rec ? gt_recorder_stats(e->rec)->cut : 0;

	if (cut)
		fprintf(stderr, "gtop: %s: cut off a torn last record (%llu "
			"bytes) left by an interrupted gtop\n", o->record,
			(unsigned long long)cut);
	if (e->rp && gt_replay_torn(e->rp))
		fprintf(stderr, "gtop: %s: ignored a torn last record\n",
			o->replay);
}

/* Replay: the record to start at (--begin), and the end time. */
static int replay_range(struct gt_engine *e, const struct gt_opts *o,
			size_t *first, double *end)
{
	double start = gt_replay_rec(e->rp, 0)->realtime, t;

	*first = 0;
	*end = INFINITY;
	if (o->begin) {
		gt_parse_when(o->begin, start, &t);
		*first = gt_replay_find(e->rp, t);
		if (*first >= gt_engine_count(e)) {
			fprintf(stderr, "gtop: %s: no sample at or after %s\n",
				o->replay, o->begin);
			return -1;
		}
	}
	if (o->end)
		gt_parse_when(o->end, start, end);
	return 0;
}

static void print_stats(const struct gt_engine *e, double first_ms)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "gtop-stats: first_sample_ms=%.1f cpu_ms=%.1f "
		"maxrss_kb=%ld vms=%d vcpus=%d", first_ms, gt_cpu_ms(),
		ru.ru_maxrss, e->view.nvms, e->view.nvcpus);
	if (e->rec) {
		const struct gt_recorder_stats *r = gt_recorder_stats(e->rec);

		fprintf(stderr, " rec_records=%lu rec_keyframes=%lu "
			"rec_bytes=%llu rec_cpu_ms=%.1f", r->records,
			r->keyframes, (unsigned long long)r->bytes, r->cpu_ms);
	}
	fputc('\n', stderr);
}

/*
 * Batch mode (print) and the recorder alone (-w without an output):
 * live, a warm-up sample then one refresh every delay; replay, every
 * recorded refresh that has an interval, without waiting.
 */
static int run_batch(const struct gt_opts *o, bool print)
{
	struct gt_engine e;
	struct gt_buf b = { 0 };
	struct gt_out_opts oo = { .fmt = o->fmt, .vcpus = o->vcpus,
				  .exit_reasons = o->exit_reasons };
	double warm = o->delay < WARMUP_MAX_S ? o->delay : WARMUP_MAX_S;
	double first_ms, end = INFINITY;
	struct gt_engine_cfg cfg;
	uint64_t next = 0;
	size_t first = 0;
	long done = 0;
	int ret = 0, r;

	gt_opts_engine(o, &cfg);
	if (gt_engine_init(&e, &cfg)) {
		fprintf(stderr, "gtop: %s\n", e.err);
		return 1;
	}
	note_cut(&e, o);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (e.rp && replay_range(&e, o, &first, &end)) {
		gt_engine_fini(&e);
		return 1;
	}
	/* a first sample so that the first refresh has rates */
	next = gt_now_ns() + (uint64_t)(warm * 1e9);
	r = first ? gt_engine_seek(&e, first) : gt_engine_sample(&e);
	first_ms = (double)(gt_now_ns() - start_ns) / 1e6;
	while (r >= 0 && !stop && (!o->iterations || done < o->iterations)) {
		if (e.rp) {
			if (r == 1 || gt_engine_cur(&e)->realtime > end)
				break;
		} else {
			gt_sleep_until(next);
			if (stop)
				break;
			next = gt_now_ns() + (uint64_t)(o->delay * 1e9);
			if ((r = gt_engine_sample(&e)) < 0)
				break;
		}
		if (!e.rp || e.have_prev) {
			done++;
			oo.iteration = (int)(done - 1);
			gt_buf_reset(&b);
			if (print)
				gt_output(&b, &e.view, &oo);
			if (b.oom) {
				snprintf(e.err, sizeof(e.err), "out of memory");
				r = -1;
				break;
			}
			if (b.len && write_all(b.p, b.len)) {
				if (errno != EPIPE) {
					fprintf(stderr, "gtop: write: %s\n",
						strerror(errno));
					ret = 1;
				}
				break;
			}
		}
		if (e.rp)
			r = gt_engine_sample(&e);
	}
	if (r < 0) {
		fprintf(stderr, "gtop: %s\n", e.err);
		ret = 1;
	}
	if (getenv("GTOP_STATS"))
		print_stats(&e, first_ms);
	gt_buf_free(&b);
	gt_engine_fini(&e);
	return ret;
}

/*
 * --listen: sample every delay seconds; between samples serve the
 * Prometheus text of the last completed one.
 */
static int run_exporter(const struct gt_opts *o)
{
	struct gt_engine e;
	struct gt_prom_self self = { 0 };
	struct gt_exporter *x;
	struct gt_buf *b;
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
		fprintf(stderr, "gtop: %s\n", e.err);
		gt_exporter_free(x);
		return 1;
	}
	note_cut(&e, o);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (long i = 0; !stop && (!o->iterations || i < o->iterations); i++) {
		uint64_t next = gt_now_ns() + (uint64_t)(o->delay * 1e9);

		/* nobody is served while sampling: one body in memory, not
		 * two (clients still sending the old one keep it) */
		gt_exporter_release(x);
		if (gt_engine_sample(&e)) {
			fprintf(stderr, "gtop: %s\n", e.err);
			ret = 1;
			goto out;
		}
		self.samples++;
		self.sample_cpu_ms = e.last_scan_ms;
		/* 500 VMs x 4 vCPUs make 6 MB of text: deflated as it is
		 * rendered, to a tenth */
		b = gt_exporter_begin(x);
		if (!b)
			goto oom;
		gt_prom_render(b, &e.view, &self);
		if (gt_exporter_publish(x))
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
	gt_engine_fini(&e);
	gt_exporter_free(x);
	return ret;
}

int main(int argc, char **argv)
{
	struct gt_opts o;
	char err[256];

	start_ns = gt_now_ns();
	/* big buffers (snapshot and view chunks, the exporter's body)
	 * from mmap, so that freeing them gives the memory back: glibc's
	 * dynamic threshold would move them to the heap, where freed
	 * chunks stay in the RSS */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
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
	gt_render_set_utf8(!strcmp(nl_langinfo(CODESET), "UTF-8"));
	if (o.listen)
		return run_exporter(&o);
	if (o.batch || gt_opts_record_only(&o))
		return run_batch(&o, o.batch);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "gtop: not a terminal; use -b for batch "
			"output\n");
		return 1;
	}
	return gt_ui_run(&o, start_ns);
}
