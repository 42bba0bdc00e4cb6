// SPDX-License-Identifier: GPL-2.0
/*
 * unit_record.c - the recording: codec round trips (every field, every
 * kind of change between samples), the file (torn tail, bad version,
 * truncated and garbage files, appending after a crash), and a replay
 * that gives the same batch output as the live run it recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "output.h"
#include "reccodec.h"
#include "record.h"
#include "scan.h"
#include "source.h"

#include "memfix.h"

/* ------------------------------------------------------- comparison */

static bool times_eq(const struct gt_times *a, const struct gt_times *b)
{
	return a->utime == b->utime && a->stime == b->stime &&
	       a->guest == b->guest && a->guest_user == b->guest_user &&
	       a->guest_system == b->guest_system &&
	       a->has_guest == b->has_guest && a->has_split == b->has_split;
}

static bool xs_eq(const struct gt_xstat *a, const struct gt_xstat *b)
{
	return a->reason == b->reason && a->has_stddev == b->has_stddev &&
	       a->has_user == b->has_user && a->count == b->count &&
	       a->min_ns == b->min_ns && a->max_ns == b->max_ns &&
	       a->total_ns == b->total_ns && a->stddev_ns == b->stddev_ns &&
	       a->user_exits == b->user_exits;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Every field of two snapshots; the first difference is reported. */
static bool snap_eq(const struct gt_snap *a, const struct gt_snap *b)
{
#define SAME(c) do { if (!(c)) { fprintf(stderr, "differ: %s\n", #c); \
	return false; } } while (0)
	SAME(a->mono_ns == b->mono_ns && a->realtime == b->realtime);
	SAME(a->hz == b->hz && a->has_uptime == b->has_uptime &&
	     a->uptime == b->uptime && a->has_load == b->has_load);
	SAME(!memcmp(a->load, b->load, sizeof(a->load)));
	SAME(a->has_sysctl == b->has_sysctl && a->sysctl == b->sysctl &&
	     a->sysctl_err == b->sysctl_err);
	SAME(a->has_xt_sysctl == b->has_xt_sysctl &&
	     a->xt_sysctl == b->xt_sysctl && a->stat_ok == b->stat_ok);
	SAME(a->xt_state == b->xt_state && a->ks_state == b->ks_state &&
	     a->nprocs == b->nprocs);
	SAME(!memcmp(&a->total, &b->total, sizeof(a->total)));
	SAME(a->ncpus == b->ncpus && a->nvms == b->nvms);
	for (int i = 0; i < a->ncpus; i++)
		SAME(!memcmp(&a->cpus[i], &b->cpus[i], sizeof(a->cpus[i])));
	for (int i = 0; i < a->nvms; i++) {
		const struct gt_vm_raw *x = &a->vms[i], *y = &b->vms[i];

		SAME(x->pid == y->pid && x->starttime == y->starttime);
		SAME(str_eq(x->name, y->name) && str_eq(x->uuid, y->uuid));
		SAME(str_eq(x->comm, y->comm) && str_eq(x->cgroup, y->cgroup));
		SAME(x->nlwp == y->nlwp && times_eq(&x->t, &y->t));
		SAME(!x->ks == !y->ks);
		if (x->ks)
			SAME(x->ks->exits == y->ks->exits &&
			     x->ks->halt_exits == y->ks->halt_exits &&
			     x->ks->halt_wait_ns == y->ks->halt_wait_ns &&
			     x->ks->halt_poll_ns == y->ks->halt_poll_ns &&
			     x->ks->has_halt_exits == y->ks->has_halt_exits &&
			     x->ks->has_halt_wait == y->ks->has_halt_wait &&
			     x->ks->has_halt_poll == y->ks->has_halt_poll);
		SAME(x->nvcpus == y->nvcpus);
		for (int k = 0; k < x->nvcpus; k++) {
			const struct gt_vcpu_raw *c = &x->vcpus[k];
			const struct gt_vcpu_raw *d = &y->vcpus[k];

			SAME(c->tid == d->tid && c->index == d->index &&
			     c->processor == d->processor);
			SAME(str_eq(c->comm, d->comm) && times_eq(&c->t, &d->t));
			SAME(c->has_sched == d->has_sched &&
			     c->run_ns == d->run_ns && c->wait_ns == d->wait_ns);
			SAME(!c->xt == !d->xt);
			if (!c->xt)
				continue;
			SAME(c->xt->n == d->xt->n &&
			     c->xt->has_guest == d->xt->has_guest &&
			     c->xt->has_halted == d->xt->has_halted);
			SAME(!c->xt->has_guest ||
			     xs_eq(&c->xt->guest, &d->xt->guest));
			SAME(!c->xt->has_halted ||
			     xs_eq(&c->xt->halted, &d->xt->halted));
			for (int j = 0; j < c->xt->n; j++)
				SAME(xs_eq(&c->xt->rows[j], &d->xt->rows[j]));
		}
	}
	return true;
#undef SAME
}

/* ------------------------------------------------------------ a host */

/*
 * Frame f of an in-memory host: VM 100 (2 vCPUs with exit timing, one
 * of them changing thread and name in frame 3, a new exit reason in
 * frame 2), VM 200 (no debugfs: KVM statistics none, comm only), VM 300
 * appearing in frame 2, VM 150 vanishing after frame 1.
 */
static void host_frame(struct gt_source *s, unsigned f)
{
	char x[1024];

	gt_source_mem_clock(s, 1000000000ULL * (50 + 2 * f),
			    1700000000.25 + 2 * f);
	put(s, P, "sys/kernel/collect_guest_utilization", "1\n");
	put(s, P, "stat", "cpu  %u 0 %u %u 0 0 0 0 %u 0 %u %u\n"
	    "cpu0 %u 0 %u %u 0 0 0 0 %u 0 %u %u\ncpu1 %u 0 9 %u 0 0 0 0 0 0 0 0\n",
	    100 + 70 * f, 50 + 30 * f, 1000 + 100 * f, 40 * f, 30 * f, 10 * f,
	    100 + 60 * f, 50 + 20 * f, 500 + 20 * f, 40 * f, 30 * f, 10 * f,
	    10 * f, 500 + 80 * f);
	put(s, P, "uptime", "%u.37 1.00\n", 50 + 2 * f);
	put(s, P, "loadavg", "0.%u0 0.20 0.30 1/100 1000\n", f % 10);

	static const char cmd[] = "qemu\0-name\0guest=web\0-uuid\0"
				  "C3F6E4E6-1B2A-4C5D-8E9F-0A1B2C3D4E5F\0";

	gt_source_mem_put_len(s, P, "100/cmdline", cmd, sizeof(cmd) - 1);
	put(s, P, "100/cgroup", "0::/machine.slice/web.scope\n");
	stat_file(s, "100/stat", 100, "qemu-system-x86", 100 + f * 85,
		  10 + f * 15, 3, 500, 0, 50 + f * 70, 40 * f, 10 + f * 30, true);
	stat_file(s, "100/task/100/stat", 100, "qemu-system-x86", 1, 1, 3, 500,
		  0, 0, 0, 0, true);
	stat_file(s, "100/task/101/stat", 101, "CPU 0/KVM", 50 + f * 55,
		  5 + f * 5, 3, 501, f % 2, 40 + f * 50, 30 * f + 5,
		  5 + f * 10, true);
	put(s, P, "100/task/101/schedstat", "%u %u 7\n", 1000000 * f,
	    333 * f);
	int t2 = f >= 3 ? 103 : 102;

	gt_source_mem_remove(s, P, "100/task/102");
	gt_source_mem_remove(s, P, "100/task/103");
	stat_file(s, f >= 3 ? "100/task/103/stat" : "100/task/102/stat", t2,
		  f >= 3 ? "CPU 1/KVM new" : "CPU 1/KVM", 20 + f * 25,
		  5 + f * 5, 3, 501, 0, 10 + f * 20, 10 * f, 10 + f * 10, true);
	put(s, D, "kvm/100-7/vcpu0/pid", "101\n");
	put(s, D, "kvm/100-7/vcpu1/pid", "%d\n", t2);
	snprintf(x, sizeof(x), "reason count min_ns max_ns total_ns avg_ns "
		 "stddev_ns user_exits\ncpuid %u 10 10 %u 10 0 0\n"
		 "io %u 100 %u %u 200 %u %u\n%s"
		 "<guest> %u 1 9 %u 5 1 0\n<halted> 1 5 5 5 5 0 0\n",
		 2 * f, 20 * f, 10 * f, 300 + f, 2000 * f, 100 + f, 12 * f,
		 f >= 2 ? "MSR_WRITE 5 1 2 9 1 0 0\n" : "",
		 10 * f, 500000000 * f);
	put(s, D, "kvm/100-7/vcpu0/exit_timing", "%s", x);
	put(s, D, "kvm/100-7/vcpu1/exit_timing",
	    "reason count min_ns max_ns total_ns avg_ns stddev_ns\n"
	    "cpuid %u 20 20 %u 20 0\n<guest> %u 1 9 %u 5 1\n",
	    2 * f, 40 * f, 2 * f, 100000000 * f);

	stat_file(s, "200/stat", 200, "tiny vmm", 10 * f, 1, 2, 400, 0, 5 * f,
		  0, 0, false);
	stat_file(s, "200/task/200/stat", 200, "tiny vmm", 0, 0, 2, 400, 0, 0,
		  0, 0, false);
	stat_file(s, "200/task/201/stat", 201, "vcpu0", 10 * f, 1, 2, 401, 1,
		  5 * f, 0, 0, false);
	if (f <= 1) {
		stat_file(s, "150/stat", 150, "gone", f, 0, 2, 300, 0, f, 0, 0,
			  true);
		stat_file(s, "150/task/151/stat", 151, "CPU 0/KVM", f, 0, 2,
			  301, 0, f, 0, 0, true);
	} else {
		gt_source_mem_remove(s, P, "150");
	}
	if (f >= 2) {
		stat_file(s, "300/stat", 300, "newvm", f, 0, 2, 900, 0, f, 0, 0,
			  true);
		stat_file(s, "300/task/301/stat", 301, "CPU 0/KVM", f, 0, 2,
			  901, 0, f, 0, 0, true);
	}
}

/* ------------------------------------------------------------ codec */

static int encode(struct gt_rc_enc *e, struct gt_buf *b,
		  const struct gt_snap *ref, const struct gt_snap *cur)
{
	gt_buf_reset(b);
	return gt_rc_encode(e, b, ref, cur, ref ? 0 : GT_RC_SESSION);
}

static void codec(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap live[2], dec[2];

	memset(live, 0, sizeof(live));
	memset(dec, 0, sizeof(dec));
	struct gt_rc_enc *e = calloc(1, sizeof(*e));
	struct gt_rc_dec *d = calloc(1, sizeof(*d));
	struct gt_buf b = { 0 };
	char err[128];
	size_t key_len = 0;

	for (unsigned f = 0; f < 6; f++) {
		struct gt_snap *cur = &live[f % 2], *prev = &live[(f + 1) % 2];
		struct gt_snap *dc = &dec[f % 2], *dp = &dec[(f + 1) % 2];

		host_frame(s, f);
		CHECK_INT(gt_scanner_sample(sc, cur), 0);
		CHECK_INT(encode(e, &b, f ? prev : NULL, cur), 0);
		CHECK_INT(gt_rc_decode(d, (uint8_t *)b.p, b.len, f ? dp : NULL,
				       dc, err, sizeof(err)), 0);
		CHECK(snap_eq(cur, dc));
		if (!f)
			key_len = b.len;
		else
			CHECK(b.len < key_len);
		/* peek: kind and clocks without decoding */
		unsigned kind, flags;
		uint64_t mono = f ? dp->mono_ns : 0;
		double rt = f ? dp->realtime : 0;

		CHECK_INT(gt_rc_peek((uint8_t *)b.p, b.len, &kind, &flags, &mono,
				     &rt), 0);
		CHECK(kind == (f ? GT_RC_DELTA : GT_RC_KEY) &&
		      flags == ((f ? 0u : GT_RC_SESSION) | GT_RC_QUANT));
		CHECK(mono == cur->mono_ns && rt == cur->realtime);
	}
	/* the snapshots had what the test means them to have */
	const struct gt_vm_raw *web = gt_snap_find_vm(&dec[1], 100);

	CHECK(web && web->nvcpus == 2 && web->vcpus[1].tid == 103 &&
	      !strcmp(web->vcpus[1].comm, "CPU 1/KVM new") && web->uuid &&
	      web->cgroup && web->vcpus[0].xt && web->vcpus[0].xt->n == 3 &&
	      web->vcpus[0].has_sched);
	CHECK(gt_snap_find_vm(&dec[1], 300) && !gt_snap_find_vm(&dec[1], 150));

	/* the same sample twice (its counters stopped): still a delta */
	CHECK_INT(encode(e, &b, &live[1], &live[1]), 0);
	CHECK(b.len < key_len / 2);
	CHECK_INT(gt_rc_decode(d, (uint8_t *)b.p, b.len, &dec[1], &dec[0], err,
			       sizeof(err)), 0);
	CHECK(snap_eq(&dec[0], &live[1]));

	/* a delta record needs its reference; garbage never crashes */
	CHECK_INT(gt_rc_decode(d, (uint8_t *)b.p, b.len, NULL, &dec[0], err,
			       sizeof(err)), -1);
	CHECK(strstr(err, "without the record before") != NULL);
	CHECK_INT(encode(e, &b, NULL, &live[1]), 0);
	for (size_t cut = 0; cut < b.len; cut++)
		CHECK_INT(gt_rc_decode(d, (uint8_t *)b.p, cut, NULL, &dec[0],
				       err, sizeof(err)), -1);
	CHECK_INT(gt_rc_decode(d, (uint8_t *)b.p, b.len, NULL, &dec[0], err,
			       sizeof(err)), 0);
	gt_buf_putc(&b, 0);
	CHECK_INT(gt_rc_decode(d, (uint8_t *)b.p, b.len, NULL, &dec[0], err,
			       sizeof(err)), -1);
	CHECK(strstr(err, "trailing") != NULL);
	b.len--;
	int flips = 0, fails = 0;

	for (size_t i = 2; i < b.len; i += 3) {	/* flipped bytes */
		b.p[i] ^= 0x5a;
		fails += gt_rc_decode(d, (uint8_t *)b.p, b.len, NULL, &dec[0],
				      err, sizeof(err)) != 0;
		b.p[i] ^= 0x5a;
		flips++;
	}
	CHECK(fails > 0 && fails <= flips);

	/* a sample larger than a recording holds: neither written nor
	 * read (a byte of a record must not become a KiB of memory) */
	struct gt_vm_raw big = { .pid = 1, .name = "b", .comm = "b",
				 .nvcpus = GT_RC_VCPUS_MAX + 1 };
	struct gt_snap huge = { .hz = 100, .nvms = 1, .vms = &big };

	CHECK_INT(encode(e, &b, NULL, &huge), -2);
	/* one written anyway (GT_RC_UNCHECKED, tests only) is refused */
	big.vcpus = calloc((size_t)big.nvcpus, sizeof(*big.vcpus));
	for (int i = 0; big.vcpus && i < big.nvcpus; i++) {
		big.vcpus[i].tid = 1;
		big.vcpus[i].comm = "v";
	}
	gt_buf_reset(&b);
	CHECK_INT(gt_rc_encode(e, &b, NULL, &huge, GT_RC_SESSION |
			       GT_RC_UNCHECKED), 0);
	/* identical vCPUs cost less than a byte each */
	CHECK(b.len < (size_t)big.nvcpus);
	CHECK_INT(gt_rc_decode(d, (uint8_t *)b.p, b.len, NULL, &dec[0], err,
			       sizeof(err)), -1);
	free(big.vcpus);
	CHECK_STR(err, "more vCPUs than a recording holds");

	gt_buf_free(&b);
	gt_rc_enc_free(e);
	gt_rc_dec_free(d);
	free(e);
	free(d);
	for (int i = 0; i < 2; i++) {
		gt_snap_free(&live[i]);
		gt_snap_free(&dec[i]);
	}
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/* ------------------------------------------------------------- files */

static char tmpdir[64];

static const char *tmp(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static long fsize(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void cut_to(const char *path, long size)
{
	CHECK_INT(truncate(path, size), 0);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fwrite(p, 1, n, f) == n);
	if (f)
		fclose(f);
}

static size_t read_file(const char *path, uint8_t *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t got = f ? fread(buf, 1, n, f) : 0;

	if (f)
		fclose(f);
	return got;
}

/* An engine over the in-memory host (or a recording). */
static int engine(struct gt_engine *e, struct gt_source *src,
		  const char *record, const char *replay)
{
	struct gt_engine_cfg cfg = { .sort_key = GT_F_CPU, .sort_dir = -1,
				     .record = record, .replay = replay,
				     .history = 3600, .delay = 2, .src = src };

	return gt_engine_init(e, &cfg);
}

/* Every output format of the engine's view. */
static void outputs(struct gt_buf *b, const struct gt_engine *e, int it)
{
	static const enum gt_out_fmt fmt[] = { GT_OUT_TEXT, GT_OUT_JSON,
					       GT_OUT_CSV, GT_OUT_PROM };

	for (size_t i = 0; i < GT_ARRAY_SIZE(fmt); i++) {
		struct gt_out_opts o = { .fmt = fmt[i], .vcpus = true,
					 .exit_reasons = true, .iteration = it };

		gt_output(b, &e->view, &o);
	}
}

/* Record frames first..last of the host (an engine each run); the
 * outputs of every refresh with an interval go to b. */
static void record_run(const char *path, unsigned first, unsigned last,
		       struct gt_buf *b)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_engine e;
	int it = 0;

	CHECK_INT(engine(&e, s, path, NULL), 0);
	for (unsigned f = first; f <= last; f++) {
		host_frame(s, f);
		CHECK_INT(gt_engine_sample(&e), 0);
		if (e.have_prev)
			outputs(b, &e, it++ ? 1 : 0);
	}
	gt_engine_fini(&e);
}

/* Replay path; the outputs of every refresh with an interval to b. */
static int replay_run(const char *path, struct gt_buf *b, char *err,
		      size_t errlen)
{
	struct gt_engine e;
	int r, it = 0, n = 0;

	if (engine(&e, NULL, NULL, path)) {
		snprintf(err, errlen, "%s", e.err);
		return -1;
	}
	while (!(r = gt_engine_sample(&e))) {
		if (gt_replay_rec(e.rp, e.pos)->flags & GT_RC_SESSION)
			it = 0;		/* as the run that recorded it */
		if (e.have_prev) {
			outputs(b, &e, it++ ? 1 : 0);
			n++;
		}
	}
	if (r < 0)
		snprintf(err, errlen, "%s", e.err);
	gt_engine_fini(&e);
	return r < 0 ? -1 : n;
}

static bool replay_fails(const char *path, const char *why)
{
	struct gt_buf b = { 0 };
	char err[400] = "";
	bool ok = replay_run(path, &b, err, sizeof(err)) < 0 &&
		  strstr(err, why);

	if (!ok)
		fprintf(stderr, "replay of %s: \"%s\", expected \"%s\"\n",
			path, err, why);
	gt_buf_free(&b);
	return ok;
}

/* The same figures: live and replayed outputs, byte for byte. */
static void same_output(void)
{
	struct gt_buf live = { 0 }, rep = { 0 };
	char err[400];

	unlink(tmp("a.rec"));
	record_run(tmp("a.rec"), 0, 5, &live);
	CHECK_INT(replay_run(tmp("a.rec"), &rep, err, sizeof(err)), 5);
	CHECK(live.len > 5000 && live.len == rep.len &&
	      !memcmp(live.p, rep.p, live.len));
	/* the outputs had figures, sparklines and exit tables */
	CHECK(strstr(rep.p, "\"guest_user_pct\":") && strstr(rep.p, "CPU HIST")
	      && strstr(rep.p, "Exit reasons of 100 (web)") &&
	      strstr(rep.p, "gtop_vcpu_exits_total{vm=\"web\""));
	gt_buf_free(&live);
	gt_buf_free(&rep);
}

/* A jump and a step back give the figures of a straight replay. */
static void seeking(void)
{
	struct gt_engine e;
	struct gt_buf seq[6], b = { 0 };
	int n = 0;

	memset(seq, 0, sizeof(seq));
	CHECK_INT(engine(&e, NULL, NULL, tmp("a.rec")), 0);
	CHECK_INT(gt_engine_count(&e), 6);
	while (n < 6 && !gt_engine_sample(&e))
		outputs(&seq[n++], &e, 1);
	CHECK_INT(n, 6);
	for (int i = 5; i >= 0; i--) {	/* jumps, backwards */
		gt_buf_reset(&b);
		CHECK_INT(gt_engine_seek(&e, (size_t)i), 0);
		CHECK(e.pos == (size_t)i && e.have_prev == (i > 0));
		outputs(&b, &e, 1);
		CHECK(b.len == seq[i].len && !memcmp(b.p, seq[i].p, b.len));
	}
	CHECK_INT(gt_engine_seek(&e, 6), -1);
	CHECK_INT(gt_engine_seek(&e, 5), 0);
	for (int i = 4; i >= 0; i--) {	/* steps back */
		gt_buf_reset(&b);
		CHECK_INT(gt_engine_back(&e), 0);
		outputs(&b, &e, 1);
		CHECK(b.len == seq[i].len && !memcmp(b.p, seq[i].p, b.len));
	}
	CHECK_INT(gt_engine_back(&e), -1);
	CHECK_INT(gt_engine_sample(&e), 0);	/* and on again */
	CHECK_INT(e.pos, 1);
	gt_engine_fini(&e);
	for (int i = 0; i < 6; i++)
		gt_buf_free(&seq[i]);
	gt_buf_free(&b);
}

/* A crash leaves a torn record: readers skip it, a writer cuts it. */
static void torn(void)
{
	struct gt_buf live = { 0 }, rep = { 0 }, more = { 0 };
	struct gt_replay *r;
	char err[400];
	long full = fsize(tmp("a.rec"));
	uint8_t h[8];

	r = gt_replay_open(tmp("a.rec"), err, sizeof(err));
	CHECK(r && gt_replay_count(r) == 6 && !gt_replay_torn(r));
	long last = r ? (long)gt_replay_rec(r, 5)->off - 8 : 0;

	gt_replay_close(r);
	/* every cut inside the last record, and into its header */
	for (long at = last + 1; at < full; at += (full - last) / 7 + 1) {
		cut_to(tmp("a.rec"), at);
		r = gt_replay_open(tmp("a.rec"), err, sizeof(err));
		CHECK(r && gt_replay_count(r) == 5 && gt_replay_torn(r));
		gt_replay_close(r);
		record_run(tmp("a.rec"), 0, 5, &live);	/* restore */
		cut_to(tmp("a.rec"), full);
	}
	/* a whole last record of zeros (lost pages): torn as well */
	uint8_t *zero = calloc(1, (size_t)(full - last));

	cut_to(tmp("a.rec"), last);
	FILE *f = fopen(tmp("a.rec"), "a");

	CHECK(f && fwrite(zero, 1, (size_t)(full - last), f) ==
	      (size_t)(full - last));
	if (f)
		fclose(f);
	free(zero);
	r = gt_replay_open(tmp("a.rec"), err, sizeof(err));
	CHECK(r && gt_replay_count(r) == 5 && gt_replay_torn(r));
	gt_replay_close(r);
	/* appending after the crash: the torn record is cut off, a new
	 * session starts (no interval across it) */
	cut_to(tmp("a.rec"), full - 3);
	struct gt_recorder *w = gt_recorder_open(tmp("a.rec"), err, sizeof(err));

	CHECK(w && gt_recorder_stats(w)->cut == (uint64_t)(full - 3 - last));
	CHECK(!gt_recorder_open(tmp("a.rec"), err, sizeof(err)) &&
	      strstr(err, "another gtop"));
	gt_recorder_close(w);
	CHECK_INT(fsize(tmp("a.rec")), last);
	gt_buf_reset(&live);
	record_run(tmp("a.rec"), 6, 8, &more);
	CHECK_INT(replay_run(tmp("a.rec"), &rep, err, sizeof(err)), 4 + 2);
	r = gt_replay_open(tmp("a.rec"), err, sizeof(err));
	CHECK(r && gt_replay_count(r) == 8 && !gt_replay_torn(r) &&
	      (gt_replay_rec(r, 5)->flags & GT_RC_SESSION));
	gt_replay_close(r);
	/* the second session replays to its own live outputs */
	CHECK(rep.len > more.len &&
	      !memcmp(rep.p + rep.len - more.len, more.p, more.len));
	/* a length that runs past the end is a torn header too */
	memcpy(h, "\xff\xff\xff\x00\x01\x02\x03\x04", 8);
	f = fopen(tmp("a.rec"), "a");
	CHECK(f && fwrite(h, 1, 8, f) == 8);
	if (f)
		fclose(f);
	r = gt_replay_open(tmp("a.rec"), err, sizeof(err));
	CHECK(r && gt_replay_count(r) == 8 && gt_replay_torn(r));
	gt_replay_close(r);
	gt_buf_free(&live);
	gt_buf_free(&rep);
	gt_buf_free(&more);
}

/* Files that are not (good) recordings: a message, never a crash. */
static void bad_files(void)
{
	static uint8_t d[1 << 16];
	struct gt_buf b = { 0 };
	size_t n;

	/* zlib's CRC-32, at every alignment and length */
	CHECK(gt_crc32("123456789", 9) == 0xcbf43926u);
	CHECK(gt_crc32("", 0) == 0);
	CHECK(gt_crc32("The quick brown fox jumps over the lazy dog", 43) ==
	      0x414fa339u);
	unlink(tmp("b.rec"));
	record_run(tmp("b.rec"), 0, 3, &b);
	gt_buf_free(&b);
	n = read_file(tmp("b.rec"), d, sizeof(d));
	CHECK(n > 200 && n < sizeof(d));

	write_file(tmp("x.rec"), "", 0);
	CHECK(replay_fails(tmp("x.rec"), "empty file, not a gtop recording"));
	write_file(tmp("x.rec"), "#!/bin/sh\necho hi\n", 18);
	CHECK(replay_fails(tmp("x.rec"), "not a gtop recording"));
	write_file(tmp("x.rec"), d, 5);
	CHECK(replay_fails(tmp("x.rec"), "truncated header (5 bytes)"));
	write_file(tmp("x.rec"), d, 31);
	CHECK(replay_fails(tmp("x.rec"), "truncated header"));
	write_file(tmp("x.rec"), d, 32);
	CHECK(replay_fails(tmp("x.rec"), "no samples recorded"));
	write_file(tmp("x.rec"), d, 40);
	CHECK(replay_fails(tmp("x.rec"), "no samples recorded (one torn"));
	CHECK(replay_fails(tmpdir, "not a regular file"));
	CHECK(replay_fails(tmp("missing.rec"), "No such file"));
	/* another version (header CRC right): named */
	d[8] = 7;
	uint32_t c = gt_crc32(d, 28);

	memcpy(d + 28, &c, 4);		/* the test host is little endian */
	write_file(tmp("x.rec"), d, n);
	CHECK(replay_fails(tmp("x.rec"), "recording format version 7; this "
			   "gtop reads version 5"));
	d[8] = GT_REC_VERSION;
	c = gt_crc32(d, 28);
	memcpy(d + 28, &c, 4);
	d[20] ^= 1;			/* header CRC wrong */
	write_file(tmp("x.rec"), d, n);
	CHECK(replay_fails(tmp("x.rec"), "damaged header"));
	d[20] ^= 1;
	/* a damaged record before the end: an error, not a torn tail */
	d[32 + 8 + 5] ^= 0x40;
	write_file(tmp("x.rec"), d, n);
	CHECK(replay_fails(tmp("x.rec"), "damaged record 0 at offset 32"));
	d[32 + 8 + 5] ^= 0x40;
	/* a record with a right CRC that does not decode */
	uint32_t len;

	memcpy(&len, d + 32, 4);
	for (uint32_t i = len / 2; i < len; i++)	/* its clocks stay */
		d[32 + 8 + i] = 0xff;
	c = gt_crc32(d + 40, len);
	memcpy(d + 36, &c, 4);
	write_file(tmp("x.rec"), d, n);
	CHECK(replay_fails(tmp("x.rec"), "record 0 at offset 32:"));
	/* one that says it is a delta without a keyframe before it */
	d[40] = GT_RC_DELTA;
	c = gt_crc32(d + 40, len);
	memcpy(d + 36, &c, 4);
	write_file(tmp("x.rec"), d, n);
	CHECK(replay_fails(tmp("x.rec"), "is not a sample of this format"));
	/* random bytes after a valid header */
	uint64_t x = 88172645463325252ULL;

	for (size_t i = 32; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		d[i] = (uint8_t)x;
	}
	write_file(tmp("x.rec"), d, n);
	struct gt_replay *r;
	char err[400];

	r = gt_replay_open(tmp("x.rec"), err, sizeof(err));
	CHECK(!r || gt_replay_torn(r));
	gt_replay_close(r);
	/* not a place to record to */
	CHECK(!gt_recorder_open(tmpdir, err, sizeof(err)));
	write_file(tmp("x.rec"), "garbage, not a recording at all", 32);
	CHECK(!gt_recorder_open(tmp("x.rec"), err, sizeof(err)) &&
	      strstr(err, "not a gtop recording"));
	CHECK_INT(fsize(tmp("x.rec")), 32);	/* left alone */
}

void test_record(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gtop-rec-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		CHECK(!"mkdtemp");
		return;
	}
	codec();
	same_output();
	seeking();
	torn();
	bad_files();
	static const char *const files[] = { "a.rec", "b.rec", "x.rec" };

	for (size_t i = 0; i < GT_ARRAY_SIZE(files); i++)
		unlink(tmp(files[i]));
	rmdir(tmpdir);
}
