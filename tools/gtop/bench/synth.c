// SPDX-License-Identifier: GPL-2.0
/*
 * synth.c - a synthetic KVM host for the benchmarks (see synth.h).
 *
 * VM i is pid 10000 + i * (vcpus + 2), a QEMU with -name, -uuid and a
 * libvirt cgroup; its vCPU j is thread pid + 1 + j ("CPU j/KVM") with
 * debugfs kvm/PID-12/vcpuJ/{pid,exit_timing}.  Ordinary processes are
 * pids 100 on.
 *
 * Each vCPU spends every interval of wall time once, as a real vCPU
 * thread does (recbench audit checks it): in its guest, in exits (the
 * time from an exit to the next entry, less halts: virt/kvm/
 * exit_timing.c), halted, waiting for a CPU, or elsewhere (asleep in
 * the VMM, scheduling: a small rest).  What varies at random is the
 * workload: each reason's exit count (+-20% of its rate, independently)
 * and a light guest's own work (+-20%); the rest follows from it:
 *   - a reason's exit time is the sum of its exits, each of a mean
 *     (a vCPU's own, within +-20% of the reason's) and a deviation of
 *     40% of it, so the total strays from count x mean by 40% / sqrt(count);
 *   - `<guest>` counts one entry per exit, and its time is what the
 *     interval leaves to the guest (busy) or the guest's work (light);
 *   - `<halted>` counts the HLT exits (each blocks) and, as the kernel
 *     does, a halt in progress up to the read, so an idle vCPU's halted
 *     time grows with the clock;
 *   - schedstat's run time is guest + exits + a little; its wait is
 *     random (a shared host);
 *   - clock ticks (stat fields 14, 15, 43, 53, 54) are the cumulative
 *     times floored to ticks (guest time is in utime, as in Linux).
 * The table has the kernel's columns (no stddev_ns since the kernel
 * dropped its sum of squares; open_ns).  Samples are STEP apart plus up
 * to 1 ms of timer lateness, and each vCPU's files are read 5 us
 * after the previous vCPU's, give or take 20 us.
 */
#define _GNU_SOURCE
#include "synth.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NR 6
#define HZ 100
#define HLT 1
#define IO 4			/* completed in userspace (user_exits) */
#define TICK_NS 1e7

static const char *const reason[NR] = { "EXTERNAL_INTERRUPT", "HLT",
	"MSR_WRITE", "EPT_MISCONFIG", "IO_INSTRUCTION", "CPUID" };
static const double mean_ns[NR] = { 900, 1500, 1200, 3500, 9000, 800 };
/* exits per second of a light and of a busy vCPU */
static const double light[NR] = { 15, 20, 20, 3, 1, 0 };
static const double busy[NR] = { 250, 50, 250, 300, 100, 50 };

struct xr {
	uint64_t count, min, max, total, user;
};

struct vst {
	uint64_t run, wait;		/* schedstat, ns */
	double gu_ns, gs_ns, ker_ns, vmm_ns;	/* for the ticks */
	struct xr x[NR], guest, halted;	/* halted: completed halts */
	double fac[NR];			/* this vCPU's exit means */
	uint64_t open_halt;		/* ns of the halt in progress */
	int cpu;
};

enum { HALTED, LIGHT, BUSY };

struct synth {
	struct synth_cfg c;
	struct vst *v;
	uint64_t (*cpu)[12];
	uint64_t rng;
	long k;			/* samples so far */
	double t_ns;		/* virtual time of the current sample */
	double *rd;		/* read time of each vCPU's files, from t_ns */
	bool started;
};

static uint64_t rnd(struct synth *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static double urand(struct synth *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

/* mean +- rel * mean, uniformly */
static double jit(struct synth *s, double mean, double rel)
{
	double v = mean * (1 + rel * (2 * urand(s) - 1));

	return v > 0 ? v : 0;
}

/* standard normal (Box-Muller) */
static double gauss(struct synth *s)
{
	double u = urand(s), v = urand(s);

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(6.283185307179586 * v);
}

static int kind(const struct synth *s, int vm)
{
	switch (s->c.load) {
	case SYNTH_IDLE:
		return HALTED;
	case SYNTH_BUSY:
		return BUSY;
	default:
		return vm % 5 == 0 ? BUSY : LIGHT;
	}
}

/* n events of mean length mean and deviation rel * mean; their sum */
static double events(struct synth *s, struct xr *x, uint64_t n, double mean,
		     double rel)
{
	double t;

	if (!n)
		return 0;
	t = (double)n * mean + gauss(s) * rel * mean * sqrt((double)n);
	if (t < (double)n * mean * 0.3)
		t = (double)n * mean * 0.3;
	x->count += n;
	x->total += (uint64_t)t;
	if (!x->min) {
		x->min = (uint64_t)jit(s, mean * 0.3, 0.2);
		x->max = (uint64_t)jit(s, mean * 8, 0.5);
	} else if (urand(s) < 0.05) {
		x->max += (uint64_t)jit(s, mean, 1);
	} else if (urand(s) < 0.02 && x->min > 10) {
		x->min -= 1 + rnd(s) % 10;
	}
	return (double)(uint64_t)t;
}

/* The exits of an interval; returns their time, *n their number. */
static double exit_mix(struct synth *s, struct vst *v, const double *rate,
		       double dt, uint64_t *n, uint64_t *hlt)
{
	double e = 0;

	*n = 0;
	for (int r = 0; r < NR; r++) {
		uint64_t c = (uint64_t)(jit(s, rate[r] * dt, 0.2) + urand(s));
		double t = events(s, &v->x[r], c, mean_ns[r] * v->fac[r], 0.4);

		e += t;
		*n += c;
		if (r == IO) {
			v->x[r].user += c;
			v->vmm_ns += t * 0.7;	/* handled in the VMM */
			v->ker_ns += t * 0.3;
		} else {
			v->ker_ns += t;
		}
		if (r == HLT)
			*hlt = c;
	}
	return e;
}

static void guest_time(struct synth *s, struct vst *v, uint64_t n, double g,
		       double user)
{
	struct xr *x = &v->guest;

	if (!n || g <= 0)
		return;
	x->count += n;
	x->total += (uint64_t)g;
	if (!x->min) {
		x->min = (uint64_t)(g / (double)n * 0.05) + 1;
		x->max = (uint64_t)(g / (double)n * 6);
	} else if (urand(s) < 0.05) {
		x->max += (uint64_t)jit(s, g / (double)n, 1);
	}
	v->gu_ns += g * user;
	v->gs_ns += g * (1 - user);
}

/* A vCPU's interval of w ns of wall time. */
static void step_vcpu(struct synth *s, struct vst *v, int k, double w)
{
	double dt = w / 1e9, e, g, h, wait, rest;
	uint64_t n = 0, hlt = 0;

	if (k == HALTED) {
		/* asleep in a halt; now and then a timer wakes it */
		if (urand(s) >= 0.02) {
			v->open_halt += (uint64_t)w;
			return;
		}
		uint64_t c[2] = { 1, 1 };

		e = events(s, &v->x[0], c[0], mean_ns[0] * v->fac[0], 0.4) +
		    events(s, &v->x[HLT], c[1], mean_ns[HLT] * v->fac[HLT], 0.4);
		v->ker_ns += e;
		g = jit(s, 4e4, 0.3);
		guest_time(s, v, 2, g, 0.2);
		wait = jit(s, 2e3, 0.5);
		v->wait += (uint64_t)wait;
		v->run += (uint64_t)(g + e + 5e3);
		h = w - g - e - wait - 5e3;
		/* the halt in progress ends, a new one begins */
		v->halted.count++;
		v->halted.total += v->open_halt + (uint64_t)(h * 0.5);
		if (!v->halted.min || v->halted.min > v->open_halt)
			v->halted.min = v->open_halt;
		if (v->halted.max < v->open_halt)
			v->halted.max = v->open_halt;
		v->open_halt = (uint64_t)(h * 0.5);
		return;
	}
	e = exit_mix(s, v, k == BUSY ? busy : light, dt, &n, &hlt);
	wait = jit(s, k == BUSY ? 2e6 : 2e5, 0.5);
	rest = jit(s, 0.002 * w, 0.5);
	if (k == BUSY) {
		/* short halts; the guest has the rest */
		struct xr tmp = v->halted;

		h = events(s, &tmp, hlt, 2e5, 1);
		g = w - e - h - wait - rest;
		guest_time(s, v, n, g, jit(s, 0.6, 0.1));
	} else {
		g = jit(s, 0.02 * w, 0.2);
		guest_time(s, v, n, g, 0.5);
		h = w - e - g - wait - rest;
	}
	if (h < 0)
		h = 0;
	/* the halts of the interval, the last perhaps still going on */
	uint64_t done = hlt, open = 0;

	if (hlt && urand(s) < h / w) {
		done--;
		open = (uint64_t)(h / (double)hlt * urand(s));
	}
	v->halted.count += done + (v->open_halt ? 1 : 0);
	v->halted.total += v->open_halt + (uint64_t)h - open;
	if (!v->halted.min && hlt)
		v->halted.min = (uint64_t)(h / (double)hlt * 0.1);
	if (hlt && v->halted.max < (uint64_t)(h / (double)hlt * 3))
		v->halted.max = (uint64_t)(h / (double)hlt * 3);
	v->open_halt = open;
	v->wait += (uint64_t)wait;
	v->run += (uint64_t)(g + e + rest * 0.5);
	v->ker_ns += rest * 0.5;
	if (urand(s) < 0.1)
		v->cpu = (int)(rnd(s) % (uint64_t)s->c.cpus);
}

static void step(struct synth *s, double t_ns)
{
	int nv = s->c.vms * s->c.vcpus;
	double demand = 0, dt = (t_ns - s->t_ns) / 1e9;

	for (int i = 0; i < nv; i++) {
		int k = kind(s, i / s->c.vcpus);
		double rd = 5e3 * i + 2e4 * urand(s);

		step_vcpu(s, &s->v[i], k, t_ns + rd - s->t_ns - s->rd[i]);
		s->rd[i] = rd;
		demand += k == BUSY ? 1 : k == LIGHT ? 0.03 : 0.0001;
	}
	s->t_ns = t_ns;
	double b = demand / s->c.cpus > 1 ? 1 : demand / s->c.cpus;
	double t = dt * HZ;

	for (int c = 0; c < s->c.cpus; c++) {
		uint64_t *v = s->cpu[c];
		uint64_t g = (uint64_t)jit(s, b * 0.9 * t, 0.05);

		v[0] += (uint64_t)jit(s, b * 0.95 * t, 0.05) + g / 20;
		v[2] += (uint64_t)jit(s, b * 0.05 * t + 1, 0.3);
		v[3] += (uint64_t)jit(s, (1 - b) * t, 0.05);
		v[8] += g;
		v[10] += g * 6 / 10;
		v[11] += g - g * 6 / 10;
	}
}

/* the next sample's time: STEP on, up to 1 ms late */
static double next_t(struct synth *s)
{
	return ((double)s->k * s->c.step_s + 1000) * 1e9 + 1e6 * urand(s);
}

/* Clock ticks of a vCPU (stat fields 14, 15, 43, 53, 54). */
static void ticks(const struct vst *v, uint64_t *ut, uint64_t *st,
		  uint64_t *g, uint64_t *gu, uint64_t *gs)
{
	*gu = (uint64_t)(v->gu_ns / TICK_NS);
	*gs = (uint64_t)(v->gs_ns / TICK_NS);
	*g = (uint64_t)((v->gu_ns + v->gs_ns) / TICK_NS);
	*ut = (uint64_t)((v->gu_ns + v->gs_ns + v->vmm_ns) / TICK_NS);
	*st = (uint64_t)(v->ker_ns / TICK_NS);
}

/* ------------------------------------------------------------ files */

static int vm_pid(const struct synth *s, int i)
{
	return 10000 + i * (s->c.vcpus + 2);
}

/* VM index of pid, -1 if none. */
static int vm_of(const struct synth *s, int pid)
{
	int w = s->c.vcpus + 2;

	if (pid < 10000 || (pid - 10000) % w || (pid - 10000) / w >= s->c.vms)
		return -1;
	return (pid - 10000) / w;
}

static int pidstat(char *b, size_t n, int pid, const char *comm, char st,
		   uint64_t ut, uint64_t stm, int nlwp, long start, int cpu,
		   uint64_t g, uint64_t gu, uint64_t gs)
{
	return snprintf(b, n, "%d (%s) %c 1 %d %d 0 -1 4194560 100 0 0 0 %llu "
			"%llu 0 0 20 0 %d 0 %ld 123456789 300 "
			"18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 %d 0 "
			"0 0 %llu 0 0 0 0 0 0 0 0 0 %llu %llu\n", pid, comm, st,
			pid, pid, (unsigned long long)ut,
			(unsigned long long)stm, nlwp, start, cpu,
			(unsigned long long)g, (unsigned long long)gu,
			(unsigned long long)gs);
}

static int xt_file(char *b, size_t n, const struct vst *v)
{
	int o = snprintf(b, n, "%-24s %10s %12s %12s %16s %12s %10s %12s\n",
			 "reason", "count", "min_ns", "max_ns", "total_ns",
			 "avg_ns", "user_exits", "open_ns");

	for (int r = 0; r <= NR + 1 && o < (int)n; r++) {
		struct xr x = r < NR ? v->x[r] : r == NR ? v->guest : v->halted;
		const char *name = r < NR ? reason[r] : r == NR ? "<guest>" :
				   "<halted>";
		uint64_t open = r == NR + 1 ? v->open_halt : 0;

		if (!x.count && r < NR)
			continue;
		if (open) {	/* a halt in progress counts up to now */
			x.count++;
			x.total += open;
			if (x.max < open)
				x.max = open;
		}
		o += snprintf(b + o, n - (size_t)o, "%-24s %10llu %12llu %12llu "
			      "%16llu %12llu %10llu %12llu\n", name,
			      (unsigned long long)x.count,
			      (unsigned long long)(x.count ? x.min : 0),
			      (unsigned long long)x.max,
			      (unsigned long long)x.total,
			      (unsigned long long)(x.count ? x.total /
						   x.count : 0),
			      (unsigned long long)x.user,
			      (unsigned long long)open);
	}
	return o;
}

static ssize_t proc_file(struct synth *s, const char *p, char *b, size_t n)
{
	int pid, tid, k = 0, i, o = 0;

	if (!strcmp(p, "stat")) {
		uint64_t t[12] = { 0 };

		for (int c = 0; c < s->c.cpus; c++)
			for (int j = 0; j < 12; j++)
				t[j] += s->cpu[c][j];
		for (int c = -1; c < s->c.cpus && o < (int)n; c++) {
			const uint64_t *v = c < 0 ? t : s->cpu[c];
			char id[16] = "cpu ";

			if (c >= 0)
				snprintf(id, sizeof(id), "cpu%d", c);
			o += snprintf(b + o, n - (size_t)o, "%s", id);
			for (int j = 0; j < 12 && o < (int)n; j++)
				o += snprintf(b + o, n - (size_t)o, " %llu",
					      (unsigned long long)v[j]);
			if (o < (int)n)
				b[o++] = '\n';
		}
		return o < (int)n ? o : (ssize_t)n - 1;
	}
	if (!strcmp(p, "uptime"))
		return snprintf(b, n, "%.2f 1.00\n", s->t_ns / 1e9);
	if (!strcmp(p, "loadavg"))
		return snprintf(b, n, "%.2f 1.00 1.00 1/500 9999\n",
				1 + (double)(rnd(s) % 100) / 100);
	if (!strcmp(p, "sys/kernel/collect_guest_utilization") ||
	    !strcmp(p, "sys/kernel/collect_guest_exit_timing"))
		return snprintf(b, n, "1\n");
	if (sscanf(p, "%d/%n", &pid, &k) != 1)
		return -ENOENT;
	p += k;
	if (pid >= 100 && pid < 100 + s->c.others) {
		if (!strcmp(p, "stat"))
			return pidstat(b, n, pid, "sleep", 'S', 1, 1, 1, 500, 0,
				       0, 0, 0);
		if (!strcmp(p, "cmdline"))
			return snprintf(b, n, "sleep%c3600", 0) + 1;
		return -ENOENT;
	}
	if ((i = vm_of(s, pid)) < 0)
		return -ENOENT;
	const struct vst *v = &s->v[i * s->c.vcpus];
	int nv = s->c.vcpus;

	if (!strcmp(p, "cmdline"))
		return snprintf(b, n, "qemu-system-x86_64%c-name%cguest=vm%d,"
				"debug-threads=on%c-uuid%c00000000-0000-4000-"
				"8000-%012d%c", 0, 0, i, 0, 0, i, 0);
	if (!strcmp(p, "cgroup"))
		return snprintf(b, n, "0::/machine.slice/machine-qemu\\x2d%d"
				"\\x2dvm%d.scope/libvirt/emulator\n", i + 1, i);
	if (!strcmp(p, "stat")) {
		uint64_t t[5] = { 50, 20 }, u[5];

		for (int j = 0; j < nv; j++) {
			ticks(&v[j], &u[0], &u[1], &u[2], &u[3], &u[4]);
			for (int q = 0; q < 5; q++)
				t[q] += u[q];
		}
		return pidstat(b, n, pid, "qemu-system-x86", 'S', t[0], t[1],
			       nv + 1, 1000 + i, 0, t[2], t[3], t[4]);
	}
	if (sscanf(p, "task/%d/%n", &tid, &k) != 1)
		return -ENOENT;
	p += k;
	if (tid == pid && !strcmp(p, "stat"))
		return pidstat(b, n, pid, "qemu-system-x86", 'S', 50, 20, nv + 1,
			       1000 + i, 0, 0, 0, 0);
	int j = tid - pid - 1;
	char comm[32];

	if (j < 0 || j >= nv)
		return -ENOENT;
	v += j;
	if (!strcmp(p, "schedstat"))
		return snprintf(b, n, "%llu %llu %llu\n",
				(unsigned long long)v->run,
				(unsigned long long)v->wait,
				(unsigned long long)(v->guest.count / 4 + 1));
	uint64_t ut, st, g, gu, gs;

	ticks(v, &ut, &st, &g, &gu, &gs);
	if (strcmp(p, "stat"))
		return -ENOENT;
	snprintf(comm, sizeof(comm), "CPU %d/KVM", j);
	return pidstat(b, n, tid, comm, 'R', ut, st, nv + 1, 1001 + i,
		       v->cpu, g, gu, gs);
}

static ssize_t dbg_file(struct synth *s, const char *p, char *b, size_t n)
{
	int pid, fd, j, k = 0, i;

	if (sscanf(p, "kvm/%d-%d/vcpu%d/%n", &pid, &fd, &j, &k) != 3 ||
	    (i = vm_of(s, pid)) < 0 || j < 0 || j >= s->c.vcpus)
		return -ENOENT;
	if (!strcmp(p + k, "pid"))
		return snprintf(b, n, "%d\n", pid + 1 + j);
	if (!strcmp(p + k, "exit_timing"))
		return xt_file(b, n, &s->v[i * s->c.vcpus + j]);
	return -ENOENT;
}

static ssize_t s_read(struct gt_source *src, enum gt_root root,
		      const char *path, char *buf, size_t size)
{
	struct synth *s = src->priv;
	ssize_t r;

	if (!size)
		return -EINVAL;
	r = root == GT_ROOT_PROC ? proc_file(s, path, buf, size) :
	    dbg_file(s, path, buf, size);
	if (r >= (ssize_t)size)
		r = (ssize_t)size - 1;
	if (r >= 0)
		buf[r] = '\0';
	return r;
}

static int s_list(struct gt_source *src, enum gt_root root, const char *path,
		  gt_name_cb cb, void *ctx)
{
	struct synth *s = src->priv;
	char name[32];
	int pid, fd, i, k = 0;

	if (root == GT_ROOT_DEBUGFS) {
		if (!*path)
			return cb(ctx, "kvm"), 0;
		if (!strcmp(path, "kvm")) {
			for (i = 0; i < s->c.vms; i++) {
				snprintf(name, sizeof(name), "%d-12",
					 vm_pid(s, i));
				if (cb(ctx, name))
					break;
			}
			return 0;
		}
		if (sscanf(path, "kvm/%d-%d%n", &pid, &fd, &k) == 2 &&
		    !path[k] && vm_of(s, pid) >= 0) {
			for (i = 0; i < s->c.vcpus; i++) {
				snprintf(name, sizeof(name), "vcpu%d", i);
				if (cb(ctx, name))
					break;
			}
			return 0;
		}
		return -ENOENT;
	}
	if (!*path) {
		for (i = 0; i < s->c.others + s->c.vms; i++) {
			snprintf(name, sizeof(name), "%d", i < s->c.others ?
				 100 + i : vm_pid(s, i - s->c.others));
			if (cb(ctx, name))
				break;
		}
		return 0;
	}
	if (sscanf(path, "%d/task%n", &pid, &k) == 1 && !path[k]) {
		if (pid >= 100 && pid < 100 + s->c.others) {
			snprintf(name, sizeof(name), "%d", pid);
			return cb(ctx, name), 0;
		}
		if (vm_of(s, pid) < 0)
			return -ENOENT;
		for (i = 0; i <= s->c.vcpus; i++) {
			snprintf(name, sizeof(name), "%d", pid + i);
			if (cb(ctx, name))
				break;
		}
		return 0;
	}
	return -ENOENT;		/* fd directories: none */
}

static ssize_t s_readlink(struct gt_source *src, enum gt_root root,
			  const char *path, char *buf, size_t size)
{
	(void)src;
	(void)root;
	(void)path;
	(void)buf;
	(void)size;
	return -ENOENT;
}

static void s_clock(struct gt_source *src, uint64_t *mono, double *real)
{
	struct synth *s = src->priv;

	*mono = (uint64_t)s->t_ns;
	*real = 1700000000 + s->t_ns / 1e9 - 1000;
}

static long s_hz(struct gt_source *src)
{
	(void)src;
	return HZ;
}

static void s_advance(struct gt_source *src)
{
	struct synth *s = src->priv;

	if (s->started) {
		s->k++;
		step(s, next_t(s));
	}
	s->started = true;
}

static void s_destroy(struct gt_source *src)
{
	struct synth *s = src->priv;

	free(s->v);
	free(s->rd);
	free(s->cpu);
	free(s);
	free(src);
}

static const struct gt_source_ops synth_ops = {
	.read = s_read,
	.reread = gt_source_reread_plain,
	.sweep = gt_source_sweep_none,
	.list = s_list,
	.readlink = s_readlink,
	.procs = gt_source_procs_generic,
	.clock = s_clock,
	.hz = s_hz,
	.advance = s_advance,
	.destroy = s_destroy,
};

struct gt_source *synth_new(const struct synth_cfg *c)
{
	struct gt_source *src = calloc(1, sizeof(*src));
	struct synth *s = calloc(1, sizeof(*s));

	if (!src || !s)
		goto fail;
	s->c = *c;
	s->rng = 0x9e3779b97f4a7c15ULL ^ c->seed;
	s->v = calloc((size_t)(c->vms * c->vcpus) + 1, sizeof(*s->v));
	s->rd = calloc((size_t)(c->vms * c->vcpus) + 1, sizeof(*s->rd));
	s->cpu = calloc((size_t)c->cpus, sizeof(*s->cpu));
	if (!s->v || !s->rd || !s->cpu)
		goto fail;
	for (int i = 0; i < c->vms * c->vcpus; i++) {
		s->v[i].cpu = i % c->cpus;
		for (int r = 0; r < NR; r++)
			s->v[i].fac[r] = jit(s, 1, 0.2);
	}
	/* some history before sample 0 (at 1000 s) */
	s->t_ns = (1000 - 31 * c->step_s) * 1e9;
	for (int i = 30; i > 0; i--)
		step(s, (1000 - i * c->step_s) * 1e9);
	step(s, 1000 * 1e9);
	src->ops = &synth_ops;
	src->priv = s;
	return src;
fail:
	if (s) {
		free(s->v);
		free(s->rd);
		free(s->cpu);
	}
	free(s);
	free(src);
	return NULL;
}

/* ----------------------------------------------------------- fixture */

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int dump(struct gt_source *src, const char *dir, int n,
		enum gt_root root, const char *path)
{
	static char buf[65536];
	char full[512];
	ssize_t len = src->ops->read(src, root, path, buf, sizeof(buf));
	FILE *f;

	if (len < 0)
		return 0;
	snprintf(full, sizeof(full), "%s/%d/%s/%s", dir, n,
		 root == GT_ROOT_PROC ? "proc" : "sys/kernel/debug", path);
	if (mkdirs(full) || !(f = fopen(full, "w")))
		return -1;
	fwrite(buf, 1, (size_t)len, f);
	return fclose(f);
}

int synth_write_frame(struct gt_source *src, const char *dir, int n)
{
	static const char *const top[] = { "stat", "uptime", "loadavg",
		"sys/kernel/collect_guest_utilization",
		"sys/kernel/collect_guest_exit_timing" };
	struct synth *s = src->priv;
	char p[128];
	int r = 0;
	FILE *f;

	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		r |= dump(src, dir, n, GT_ROOT_PROC, top[i]);
	for (int i = 0; i < s->c.others; i++) {
		snprintf(p, sizeof(p), "%d/stat", 100 + i);
		r |= dump(src, dir, n, GT_ROOT_PROC, p);
		snprintf(p, sizeof(p), "%d/cmdline", 100 + i);
		r |= dump(src, dir, n, GT_ROOT_PROC, p);
	}
	for (int i = 0; i < s->c.vms; i++) {
		int pid = vm_pid(s, i);
		static const char *const vf[] = { "stat", "cmdline", "cgroup" };

		for (size_t k = 0; k < 3; k++) {
			snprintf(p, sizeof(p), "%d/%s", pid, vf[k]);
			r |= dump(src, dir, n, GT_ROOT_PROC, p);
		}
		for (int j = -1; j < s->c.vcpus; j++) {
			int tid = pid + 1 + j;

			snprintf(p, sizeof(p), "%d/task/%d/stat", pid, tid);
			r |= dump(src, dir, n, GT_ROOT_PROC, p);
			if (j < 0)
				continue;
			snprintf(p, sizeof(p), "%d/task/%d/schedstat", pid, tid);
			r |= dump(src, dir, n, GT_ROOT_PROC, p);
			snprintf(p, sizeof(p), "kvm/%d-12/vcpu%d/pid", pid, j);
			r |= dump(src, dir, n, GT_ROOT_DEBUGFS, p);
			snprintf(p, sizeof(p), "kvm/%d-12/vcpu%d/exit_timing",
				 pid, j);
			r |= dump(src, dir, n, GT_ROOT_DEBUGFS, p);
		}
	}
	snprintf(p, sizeof(p), "%s/%d/clock", dir, n);
	if (!(f = fopen(p, "w")))
		return -1;
	fprintf(f, "%.6f %.6f\n", s->t_ns / 1e9,
		1700000000 + s->t_ns / 1e9 - 1000);
	return fclose(f) | r;
}
