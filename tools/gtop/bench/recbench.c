// SPDX-License-Identifier: GPL-2.0
/*
 * recbench.c - figures for bench/record.sh on a synthetic host
 * (synth.c), sampled in virtual time (no sleeping):
 *
 *   recbench record FILE [opts]   gtop -w FILE: the scanner, the model
 *                                 and the recorder on every sample;
 *                                 then the replay of FILE (decoding
 *                                 speed, a jump to its last record)
 *   recbench fixture DIR [opts]   fixture frames DIR/0 ... (gtop --root)
 *   recbench audit - [opts]       reads the synthetic host's files as gtop
 *                                 does and checks them against what a
 *                                 real vCPU cannot break over an
 *                                 interval (see audit() below)
 *
 * opts: --vms N --vcpus N --others N --cpus N --load idle|mixed|busy
 *       --samples N --step SECONDS --seed N
 * Prints "BENCH name value" lines.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "parse.h"
#include "recwire.h"
#include "synth.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int usage(void)
{
	fprintf(stderr, "usage: recbench record FILE|fixture DIR|audit - [--vms N] "
		"[--vcpus N] [--others N] [--cpus N] [--load idle|mixed|busy] "
		"[--samples N] [--step S] [--seed N]\n");
	return 2;
}

/* Where the bits go: per group and entry, bits a vCPU a sample
 * (GTOP_RECBENCH_BITS=1). */
static void breakdown(const struct rw_stats *s, double bytes, double per)
{
	static const char *const gname[RW_G_N] = { "H", "C", "P", "S", "K",
		"V", "X", "G", "L", "VT" };
	static const char *const ent[RW_G_N][24] = {
		[RW_G_HEAD] = { "hz", "has_up", "up", "has_load", "l0", "l1",
			"l2", "has_sc", "sc", "sc_err", "has_xsc", "xsc",
			"stat_ok", "xt", "ks", "nprocs", "ncpus", "nvms" },
		[RW_G_CPU] = { "id", "ncols", "user", "nice", "system", "idle",
			"iowait", "irq", "softirq", "steal", "guest",
			"guest_nice", "guest_user", "guest_system" },
		[RW_G_VCPU] = { "tid", "index", "proc", "ut", "st", "g", "gu",
			"gs", "has_g", "has_split", "has_sched", "run", "wait",
			"has_xt", "xt_ch", "comm_ch" },
		[RW_G_XS] = { "count", "min", "max", "total", "sd", "user",
			"has_sd", "has_user" },
		[RW_G_KS] = { "exits", "halt_exits", "wait", "poll", "has_he",
			"has_wait", "has_poll" },
		[RW_G_VM] = { "start", "nlwp", "ut", "st", "g", "gu", "gs",
			"has_g", "has_split", "nvcpus", "has_ks", "ks_ch",
			"strs", "vmap" },
		[RW_G_XT] = { "n", "has_guest", "has_halted" },
		[RW_G_XG] = { "count", "min", "max", "total", "sd", "user",
			"has_sd", "has_user" },
		[RW_G_XH] = { "count", "min", "max", "total", "sd", "user",
			"has_sd", "has_user" },
		[RW_G_VT] = { "ut", "st", "g", "gu", "gs" },
	};
	static const char *const mname[RW_M_N] = { "ndefs", "vm_head",
		"vref", "fidgap" };
	double sum = 0;

	for (int g = 0; g < RW_G_N; g++) {
		double t = 0;

		for (int i = 0; i < 24; i++)
			t += s->bits[g][i];
		if (!s->n[g])
			continue;
		printf("BITS %s %.3f (%lu vectors)\n", gname[g], t / per,
		       s->n[g]);
		for (int i = 0; i < 24; i++)
			if (s->bits[g][i] >= per * 0.005)
				printf("BITS %s.%s %.3f\n", gname[g], ent[g][i],
				       s->bits[g][i] / per);
		sum += t;
	}
	for (int r = 0; r < RW_STATS_ROWS; r++)
		for (int i = 0; i < S_N; i++)
			if (s->rows[r][i] >= per * 0.005)
				printf("BITS S[fid %d].%s %.3f\n", r,
				       ent[RW_G_XS][i], s->rows[r][i] / per);
	for (int k = 0; k < RW_M_N; k++) {
		printf("BITS misc.%s %.3f\n", mname[k], s->misc[k] / per);
		sum += s->misc[k];
	}
	for (int k = 0; k < RW_S_N; k++)
		sum += s->str[k];
	printf("BITS strings %.3f\nBITS same_row %.3f\n",
	       (s->str[0] + s->str[1] + s->str[2] + s->str[3] + s->str[4] +
		s->str[5]) / per, s->same / per);
	sum += s->same;
	printf("BITS coded %.3f\nBITS rest (frames, heads, flush) %.3f\n",
	       sum / per, (bytes * 8 - sum) / per);
}

static int record(const char *file, struct synth_cfg *c, long samples)
{
	static struct rw_stats bits;
	struct gt_engine e;
	struct gt_engine_cfg cfg = { .sort_key = GT_F_CPU, .sort_dir = -1,
				     .record = file, .delay = c->step_s };
	double t0, cpu0, scan_ms, dec_ms;
	const struct gt_recorder_stats *st;

	unlink(file);
	cfg.src = synth_new(c);
	if (!cfg.src || gt_engine_init(&e, &cfg)) {
		fprintf(stderr, "recbench: %s\n", e.err);
		return 1;
	}
	if (getenv("GTOP_RECBENCH_BITS"))
		rw_stats_sink(&bits);
	cpu0 = gt_cpu_ms();
	for (long i = 0; i < samples; i++)
		if (gt_engine_sample(&e)) {
			fprintf(stderr, "recbench: %s\n", e.err);
			return 1;
		}
	scan_ms = gt_cpu_ms() - cpu0;
	st = gt_recorder_stats(e.rec);
	double hour = 3600 / c->step_s / (double)samples;

	printf("BENCH samples %ld\nBENCH vms %d\nBENCH vcpus %d\n", samples,
	       e.view.nvms, e.view.nvcpus);
	printf("BENCH bytes %llu\nBENCH keyframes %lu\n",
	       (unsigned long long)st->bytes, st->keyframes);
	printf("BENCH bytes_per_sample %.0f\n", (double)st->bytes /
	       (double)samples);
	printf("BENCH bytes_per_vcpu_sample %.2f\n", (double)st->bytes /
	       (double)samples / (e.view.nvcpus ? e.view.nvcpus : 1));
	printf("BENCH mib_per_hour %.2f\n", (double)st->bytes * hour / 1048576);
	printf("BENCH rec_ms_per_sample %.3f\n", st->cpu_ms / (double)samples);
	printf("BENCH rec_cpu_pct %.4f\n", st->cpu_ms / (double)samples /
	       (c->step_s * 1e3) * 100);
	printf("BENCH sample_ms %.3f\n", scan_ms / (double)samples);
	if (getenv("GTOP_RECBENCH_BITS")) {
		rw_stats_sink(NULL);
		breakdown(&bits, (double)st->bytes, (double)samples *
			  (e.view.nvcpus ? e.view.nvcpus : 1));
	}
	gt_engine_fini(&e);

	/* the replay: every record in order, then a jump to the last */
	struct gt_engine_cfg rc = { .sort_key = GT_F_CPU, .sort_dir = -1,
				    .replay = file };

	if (gt_engine_init(&e, &rc)) {
		fprintf(stderr, "recbench: %s\n", e.err);
		return 1;
	}
	t0 = gt_cpu_ms();
	while (!gt_engine_sample(&e))
		;
	dec_ms = gt_cpu_ms() - t0;
	printf("BENCH replay_ms_per_record %.3f\n", dec_ms /
	       (double)gt_engine_count(&e));
	t0 = now_ms();
	if (gt_engine_seek(&e, gt_engine_count(&e) - 1)) {
		fprintf(stderr, "recbench: %s\n", e.err);
		return 1;
	}
	printf("BENCH seek_last_ms %.1f\n", now_ms() - t0);
	gt_engine_fini(&e);
	return 0;
}

static int fixture(const char *dir, struct synth_cfg *c, long frames)
{
	struct gt_source *s = synth_new(c);

	if (!s)
		return 1;
	for (long f = 0; f < frames; f++) {
		s->ops->advance(s);
		if (synth_write_frame(s, dir, (int)f)) {
			perror("recbench: fixture");
			return 1;
		}
	}
	gt_source_destroy(s);
	return 0;
}


/*
 * What a real vCPU thread cannot break over an interval of wall time W
 * (the sample's clock; virt/kvm/exit_timing.c charges each guest run and
 * each exit, less its halted time, and counts a halt in progress up to
 * the read):
 *   guest + exits + halted + run queue wait <= W   (each part of W once)
 *   guest + exits <= run time (schedstat: time on a CPU)
 *   <guest> entries = exits of the interval (+-1: the run in progress)
 * and, as a plausibility figure, how far each reason's total strays
 * from count x its mean (a sum of many exits: the mean's noise shrinks
 * with the count).  Tolerance: 1 us per part for the counters' flooring
 * and 0.1% of W for reads of one vCPU's files at slightly different
 * times.
 */
struct aud {
	uint64_t g, gn, h, x, xn, run, wait;
	bool ok;
};

static struct aud read_vcpu(struct gt_source *src, int pid, int tid, int j)
{
	static char buf[65536];
	struct gt_xrow r[64];
	struct aud a = { 0 };
	char path[128];
	bool trunc;
	ssize_t n;
	int nr;

	snprintf(path, sizeof(path), "kvm/%d-12/vcpu%d/exit_timing", pid, j);
	n = src->ops->read(src, GT_ROOT_DEBUGFS, path, buf, sizeof(buf));
	if (n < 0 || (nr = gt_parse_exit_timing(buf, (size_t)n, r, 64,
						&trunc)) < 0)
		return a;
	for (int i = 0; i < nr; i++) {
		if (!strcmp(r[i].reason, "<guest>")) {
			a.g = r[i].total_ns;
			a.gn = r[i].count;
		} else if (!strcmp(r[i].reason, "<halted>")) {
			a.h = r[i].total_ns;
		} else {
			a.x += r[i].total_ns;
			a.xn += r[i].count;
		}
	}
	snprintf(path, sizeof(path), "%d/task/%d/schedstat", pid, tid);
	n = src->ops->read(src, GT_ROOT_PROC, path, buf, sizeof(buf));
	a.ok = n > 0 && !gt_parse_schedstat(buf, (size_t)n, &a.run, &a.wait);
	return a;
}

static int audit(struct synth_cfg *c, long samples)
{
	struct gt_source *src = synth_new(c);
	int nv = c->vms * c->vcpus;
	struct aud *prev = calloc((size_t)nv, sizeof(*prev));
	long n = 0, over = 0, overrun = 0, entries = 0;
	double worst = 0, mono0 = 0, real;
	uint64_t mono;

	if (!src || !prev)
		return 1;
	for (long k = 0; k < samples; k++) {
		src->ops->advance(src);
		src->ops->clock(src, &mono, &real);
		for (int i = 0; i < nv; i++) {
			int pid = 10000 + (i / c->vcpus) * (c->vcpus + 2);
			int j = i % c->vcpus;
			struct aud a = read_vcpu(src, pid, pid + 1 + j, j);
			const struct aud *p = &prev[i];

			if (k && a.ok && p->ok) {
				double w = (double)mono - mono0;
				double sum = (double)(a.g - p->g) +
					     (double)(a.x - p->x) +
					     (double)(a.h - p->h) +
					     (double)(a.wait - p->wait);
				double tol = 4e3 + w * 1e-3;

				n++;
				if (sum > w + tol)
					over++;
				if (sum / w > worst)
					worst = sum / w;
				if ((double)(a.g - p->g) + (double)(a.x - p->x) >
				    (double)(a.run - p->run) + tol)
					overrun++;
				long d = (long)(a.gn - p->gn) - (long)(a.xn - p->xn);

				if (d < -1 || d > 1)
					entries++;
			}
			prev[i] = a;
		}
		mono0 = (double)mono;
	}
	printf("BENCH audit_intervals %ld\n", n);
	printf("BENCH audit_parts_over_wall %ld (%.2f%%), largest sum %.3f x the interval\n",
	       over, n ? 100.0 * (double)over / (double)n : 0, worst);
	printf("BENCH audit_guest_exits_over_run %ld (%.2f%%)\n", overrun,
	       n ? 100.0 * (double)overrun / (double)n : 0);
	printf("BENCH audit_entries_not_exits %ld (%.2f%%)\n", entries,
	       n ? 100.0 * (double)entries / (double)n : 0);
	free(prev);
	gt_source_destroy(src);
	return 0;
}

int main(int argc, char **argv)
{
	struct synth_cfg c = { .vms = 500, .vcpus = 4, .others = 100,
			       .cpus = 32, .load = SYNTH_MIXED, .seed = 1,
			       .step_s = 2 };
	long samples = 1800;

	if (argc < 3)
		return usage();
	for (int i = 3; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!strcmp(o, "--vms"))
			c.vms = atoi(v);
		else if (!strcmp(o, "--vcpus"))
			c.vcpus = atoi(v);
		else if (!strcmp(o, "--others"))
			c.others = atoi(v);
		else if (!strcmp(o, "--cpus"))
			c.cpus = atoi(v);
		else if (!strcmp(o, "--samples"))
			samples = atol(v);
		else if (!strcmp(o, "--step"))
			c.step_s = atof(v);
		else if (!strcmp(o, "--seed"))
			c.seed = (unsigned)atoi(v);
		else if (!strcmp(o, "--load"))
			c.load = !strcmp(v, "idle") ? SYNTH_IDLE :
				 !strcmp(v, "busy") ? SYNTH_BUSY : SYNTH_MIXED;
		else
			return usage();
	}
	if (c.vms < 1 || c.vcpus < 1 || c.vcpus > 64 || c.cpus < 1 ||
	    samples < 2 || c.step_s <= 0)
		return usage();
	if (!strcmp(argv[1], "record"))
		return record(argv[2], &c, samples);
	if (!strcmp(argv[1], "fixture"))
		return fixture(argv[2], &c, samples);
	if (!strcmp(argv[1], "audit"))
		return audit(&c, samples);
	return usage();
}
