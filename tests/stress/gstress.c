// SPDX-License-Identifier: GPL-2.0
/*
 * gstress - the soak of make check-stress (tests/boot/stress.sh), run in the
 * booted debug kernel while VMs run: it flips both sysctls, resets exit
 * timing tables and hammers every reader of the figures, checking each
 * value it reads.
 *
 * Threads:
 *   flipper   N changes of kernel.collect_guest_utilization and N of
 *             kernel.collect_guest_exit_timing, in a random order, each a
 *             write of the other value; every 8-24 changes it holds the
 *             state for 50-250 ms so that the vCPUs exit and enter in it,
 *             and every 100-200 changes, with the split on, until the
 *             proc reader has read every task twice (and at the end)
 *   resetter  writes to a random vCPU's exit_timing file (a reset) every
 *             20-100 ms
 *   proc      /proc/stat, every /proc/PID/stat and /proc/PID/task/TID/stat
 *   debugfs   every /sys/kernel/debug/kvm/PID-FD/vcpuN/exit_timing
 *   stats     the binary stats of every vCPU of every process (its vCPU
 *             fds taken with pidfd_getfd(), then KVM_GET_STATS_FD) and of
 *             its VM
 *
 * Checks (each failure is a "FAIL" line, the exit status is 1):
 *   - per CPU (/proc/stat cpu and cpuN lines), per task and per process,
 *     guest, guest_nice (cpu lines), guest_user and guest_system never go
 *     back (a task is its pid, tid and start time);
 *   - over an interval between two reads in which the split stayed on (no
 *     write to collect_guest_utilization began, the value 1), guest_user +
 *     guest_system grew as guest + guest_nice did, within TOL clock ticks
 *     (see tol_* below: /proc shows each nanosecond counter truncated to
 *     USER_HZ ticks on its own, and a reader can see a tick that another
 *     CPU is accounting half done);
 *   - every exit_timing table: the header names the documented columns
 *     (found by name), every value a number below 2^62, a row with count 0
 *     has no time, min <= avg <= max <= total, avg = total / count,
 *     open_ns <= max_ns, user_exits <= count; no row's max, total or open
 *     time and no vCPU's rows summed (exit + guest + halted time) above
 *     the wall time since its process started (+10% + 0.5 s: the TSC's
 *     conversion under TCG, as smoke.sh);
 *   - the binary stats timed_exits, exit_time_ns, guest_time_ns and
 *     halted_time_ns of every vCPU: never go back, below 2^62, and
 *     exit + guest + halted time within the same wall time bound.
 *
 * usage: gstress [-n FLIPS] [-t MAXSECS] [-m MINSECS] [-s SEED] [-c CPUS]
 *                [-H TICK_MS] [-V STRETCH_MS] [-p NICE] [-q]
 *   -n FLIPS   changes of each sysctl (default 1000)
 *   -t SECS    stop flipping after SECS even if not done (default 3600)
 *   -m SECS    run the readers at least SECS (default 0)
 *   -s SEED    random seed (default: from the clock; printed)
 *   -c CPUS    CPUs that account a process's or the cpu line's time
 *              (default: online CPUs), for the tolerances below
 *   -H MS      the host's tick (default 4: HZ=250)
 *   -V MS      vtime: allow a running stretch of guest time of MS per
 *              CPU at each end of an interval (default 0: tick accounting)
 *   -p NICE    the flipper thread's nice value (default -10)
 *   -q         no progress lines
 * Ends with both sysctls at 1.  Prints "gstress ..." figure lines.
 * Exit status: 0 all checks passed, 1 a check failed or FLIPS not done,
 * 2 usage or setup error.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define GU_PATH "/proc/sys/kernel/collect_guest_utilization"
#define ET_PATH "/proc/sys/kernel/collect_guest_exit_timing"
#define KVM_DBG "/sys/kernel/debug/kvm"
#define USER_HZ 100
#define HUGE_VAL64 (1ULL << 62)

/*
 * Tolerances of the interval check, in clock ticks (1/USER_HZ s).  The
 * kernel adds the same nanoseconds to guest (or guest_nice) and to one of
 * guest_user and guest_system in one go, so in nanoseconds the two sides
 * grow exactly alike.  /proc truncates each counter to ticks on its own:
 * the growth of a truncated counter is the true growth -1 < e < +1 tick,
 * so with U columns on the split side and G on the guest side the sides
 * differ by less than U + G ticks.  And a read can catch a tick that
 * another CPU is accounting half done (guest added, the split not yet, or
 * the other way round): up to one tick of the accounting (4 ms at HZ=250,
 * 0.4 clock ticks) per CPU that accounts the counter, at each end.
 *   task:    U 2 + G 1 + 2 ends x 1 CPU x 0.4   < 3.8  -> 3
 *   process: U 2 + G 1 + 2 ends x C CPUs x 0.4  (C = 2: < 4.6 -> 4)
 *   cpuN:    U 2 + G 2 + 2 ends x 1 CPU x 0.4   < 4.8  -> 4
 *   cpu:     U 2 + G 2 + 2 ends x C CPUs x 0.4  (C = 2: < 5.6 -> 5)
 * (The CPUs' nanoseconds are summed before the cpu line is truncated.)
 * Nothing else may differ: a tick that samples PF_VCPU_USER adds to both
 * in the same interrupt.  Under nohz_full (vtime) the split lags guest by
 * the running stretch of guest time (kernel.rst), which this does not
 * allow for: gstress -V adds the stretch allowance below.
 */
static double tick_ms = 4.0;		/* the host's tick, -H */
static double vtime_slack_ticks;	/* -V MS: per CPU, per end */
static int ncpus = 2;

static double tol(int u, int g, int cpus)
{
	double t = u + g + 2.0 * cpus * (tick_ms / (1000.0 / USER_HZ)) +
		2.0 * cpus * vtime_slack_ticks;
	/* strictly less than t: the largest integer below it */
	double f = (double)(long)t;
	return f == t ? t - 1 : f;
}

/* ------------------------------------------------------------------ */

static atomic_int failures;
static atomic_bool stop_readers;
static atomic_bool stop_flipper;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int quiet;

static void fail(const char *fmt, ...)
{
	va_list ap;
	int n = atomic_fetch_add(&failures, 1);

	if (n >= 40) {
		if (n == 40)
			printf("gstress: FAIL (more failures not shown)\n");
		return;
	}
	pthread_mutex_lock(&out_lock);
	printf("gstress: FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	pthread_mutex_lock(&out_lock);
	printf("gstress: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t boot_ns(void)
{
	return now_ns(CLOCK_BOOTTIME);
}

/* xorshift64*, one state per thread */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static unsigned int rnd_below(uint64_t *s, unsigned int n)
{
	return (unsigned int)((rnd(s) >> 32) % n);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Latency of reads, by kind. */
enum kind { K_PROCSTAT, K_PIDSTAT, K_TASKSTAT, K_ET, K_STATS, K_NKINDS };
static const char *kind_name[K_NKINDS] = {
	"proc_stat", "pid_stat", "task_stat", "exit_timing", "stats_fd",
};
static atomic_ullong reads[K_NKINDS];
static atomic_ullong lat_max[K_NKINDS];
static atomic_ullong lat_sum[K_NKINDS];

static void lat_add(enum kind k, uint64_t ns)
{
	unsigned long long m = atomic_load(&lat_max[k]);

	atomic_fetch_add(&reads[k], 1);
	atomic_fetch_add(&lat_sum[k], ns);
	while (ns > m && !atomic_compare_exchange_weak(&lat_max[k], &m, ns))
		;
}

/*
 * Read a whole file into buf (NUL terminated); the time of open + reads +
 * close is the read's latency.  Returns the length, or -errno.
 */
static long read_file(const char *path, char *buf, size_t size, enum kind k)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	lat_add(k, now_ns(CLOCK_MONOTONIC) - t0);
	return (long)len;
}

/* ------------------------------------------------------------------ */
/* The split's switch: generation (odd while a write is under way), value */

static atomic_uint gu_gen;
static atomic_int gu_val;
/* full rounds of the proc reader, for the flipper's long holds */
static atomic_ulong proc_rounds;

struct gen {
	unsigned int g;
	int on;
	bool ok;	/* no write under way or begun during the read */
};

static void gen_begin(struct gen *s)
{
	s->g = atomic_load(&gu_gen);
	s->on = atomic_load(&gu_val);
}

static void gen_end(struct gen *s)
{
	s->ok = !(s->g & 1) && atomic_load(&gu_gen) == s->g;
}

/* Both samples clean, same generation, split on: an interval to check. */
static bool gen_on_between(const struct gen *a, const struct gen *b)
{
	return a->ok && b->ok && a->g == b->g && a->on && b->on;
}

static atomic_ullong intervals_cpu, intervals_task, intervals_proc;
static atomic_ullong intervals_cpu_grew, intervals_task_grew, intervals_proc_grew;
/* the largest |split - guest| difference seen, in ticks: cpuN, cpu, task, process */
static atomic_int diff_max[4];

static void diff_note(int k, double d)
{
	int v = (int)(d < 0 ? -d : d), m = atomic_load(&diff_max[k]);

	while (v > m && !atomic_compare_exchange_weak(&diff_max[k], &m, v))
		;
}

/* ------------------------------------------------------------------ */
/* Flipper */

static long nflips = 1000;
static int flip_nice = -10;
static unsigned int max_secs = 3600;
static atomic_long flips_gu, flips_et, writes_total;
static atomic_ullong write_lat_max, write_lat_sum;

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

static int read_int(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

static int set_sysctl(bool gu, int v)
{
	char s[4] = { (char)('0' + v), '\n', 0 };
	uint64_t t0, d;
	unsigned long long m;
	int r;

	if (gu)
		atomic_fetch_add(&gu_gen, 1);
	t0 = now_ns(CLOCK_MONOTONIC);
	r = write_str(gu ? GU_PATH : ET_PATH, s);
	d = now_ns(CLOCK_MONOTONIC) - t0;
	if (gu) {
		if (!r)
			atomic_store(&gu_val, v);
		atomic_fetch_add(&gu_gen, 1);
	}
	atomic_fetch_add(&writes_total, 1);
	atomic_fetch_add(&write_lat_sum, d);
	m = atomic_load(&write_lat_max);
	while (d > m && !atomic_compare_exchange_weak(&write_lat_max, &m, d))
		;
	return r;
}

static uint64_t seed;
static uint64_t flip_t0, flip_t1;
static atomic_long long_holds;

/*
 * A long hold with the split on: until the proc reader has done two more
 * full rounds (at most @max_s), so that every task is read twice within
 * one split-on interval however slow a round is (10 s and more on the
 * debug kernel under TCG).
 */
static void long_hold(unsigned int max_s)
{
	unsigned long r0 = atomic_load(&proc_rounds);
	uint64_t end = now_ns(CLOCK_MONOTONIC) + (uint64_t)max_s * 1000000000ULL;

	while (atomic_load(&proc_rounds) < r0 + 2 && now_ns(CLOCK_MONOTONIC) < end &&
	       !atomic_load(&stop_flipper))
		sleep_ms(50);
	atomic_fetch_add(&long_holds, 1);
}

static void *flipper(void *arg)
{
	uint64_t s = seed ^ 0x9e3779b97f4a7c15ULL;
	long n = 2 * nflips, i, left_gu = nflips, left_et = nflips;
	int cur_gu = read_int(GU_PATH), cur_et = read_int(ET_PATH);
	unsigned int until_hold = 8 + rnd_below(&s, 17);
	long until_long = 100 + rnd_below(&s, 101);
	uint64_t deadline;

	(void)arg;
	/*
	 * Above the busy vCPU threads, so that the flips do not wait for
	 * the CPU behind them: they are the point of the soak.
	 */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), flip_nice))
		note("flipper: cannot set nice %d: %s", flip_nice, strerror(errno));
	if (cur_gu < 0 || cur_et < 0) {
		fail("flipper: cannot read the sysctls");
		return NULL;
	}
	atomic_store(&gu_val, cur_gu);
	flip_t0 = now_ns(CLOCK_MONOTONIC);
	deadline = flip_t0 + (uint64_t)max_secs * 1000000000ULL;
	for (i = 0; i < n && !atomic_load(&stop_flipper); i++) {
		/* a random order with N of each: draw by what is left */
		bool gu = rnd_below(&s, (unsigned int)(left_gu + left_et)) < left_gu;
		int r;

		if (gu) {
			r = set_sysctl(true, !cur_gu);
			if (!r) {
				cur_gu = !cur_gu;
				left_gu--;
				atomic_fetch_add(&flips_gu, 1);
			}
		} else {
			r = set_sysctl(false, !cur_et);
			if (!r) {
				cur_et = !cur_et;
				left_et--;
				atomic_fetch_add(&flips_et, 1);
			}
		}
		if (r) {
			fail("flipper: write to %s: %s", gu ? GU_PATH : ET_PATH,
			     strerror(-r));
			break;
		}
		if (read_int(gu ? GU_PATH : ET_PATH) != (gu ? cur_gu : cur_et))
			fail("flipper: %s does not read back %d", gu ? GU_PATH : ET_PATH,
			     gu ? cur_gu : cur_et);
		if (--until_hold == 0) {
			sleep_ms(50 + rnd_below(&s, 201));
			until_hold = 8 + rnd_below(&s, 17);
		}
		/* every 100-200 flips, at the next moment the split is on */
		if (--until_long <= 0 && cur_gu) {
			long_hold(120);
			until_long = 100 + rnd_below(&s, 101);
		}
		if ((i + 1) % 1000 == 0)
			note("flips %ld of %ld, %.1f s", i + 1, n,
			     (now_ns(CLOCK_MONOTONIC) - flip_t0) / 1e9);
		if (now_ns(CLOCK_MONOTONIC) > deadline) {
			note("flipper: -t %u s reached", max_secs);
			break;
		}
	}
	flip_t1 = now_ns(CLOCK_MONOTONIC);
	/* end with both on, for the checks that follow, and hold */
	if (set_sysctl(true, 1) || set_sysctl(false, 1))
		fail("flipper: cannot turn both sysctls on at the end");
	long_hold(120);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Resetter */

static atomic_long resets_done, resets_gone;

static void *resetter(void *arg)
{
	uint64_t s = seed ^ 0x5851f42d4c957f2dULL;

	(void)arg;
	while (!atomic_load(&stop_readers)) {
		glob_t g;

		if (!glob(KVM_DBG "/*/vcpu*/exit_timing", 0, NULL, &g) && g.gl_pathc) {
			const char *p = g.gl_pathv[rnd_below(&s, (unsigned int)g.gl_pathc)];
			int r = write_str(p, "0\n");

			if (!r)
				atomic_fetch_add(&resets_done, 1);
			else if (r == -ENOENT || r == -EIO || r == -ENODEV)
				atomic_fetch_add(&resets_gone, 1);	/* VM gone */
			else
				fail("reset: write to %s: %s", p, strerror(-r));
		}
		globfree(&g);
		sleep_ms(20 + rnd_below(&s, 81));
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Task table: last values per task (pid, tid, start time) */

struct tsample {
	uint64_t guest, gu, gs;		/* clock ticks */
	struct gen gen;
};

struct tent {
	int pid, tid;			/* tid 0: the process line */
	unsigned long long start;
	unsigned long round;
	struct tsample last;
};

#define TTAB_BITS 16
#define TTAB_SIZE (1u << TTAB_BITS)
static struct tent *ttab;
static unsigned int ttab_used;
static unsigned long round_no;

static unsigned int thash(int pid, int tid, unsigned long long start)
{
	uint64_t h = (uint64_t)pid * 0x9e3779b97f4a7c15ULL ^
		(uint64_t)tid * 0xc2b2ae3d27d4eb4fULL ^ start * 0x165667b19e3779f9ULL;

	return (unsigned int)(h >> (64 - TTAB_BITS));
}

/* Drop the entries of tasks not seen for 2 rounds (rebuild the table). */
static void ttab_gc(void)
{
	struct tent *old = ttab;
	unsigned int i;

	ttab = calloc(TTAB_SIZE, sizeof(*ttab));
	ttab_used = 0;
	for (i = 0; i < TTAB_SIZE; i++) {
		struct tent *e = &old[i];
		unsigned int h;

		if (!e->pid || e->round + 2 < round_no)
			continue;
		h = thash(e->pid, e->tid, e->start);
		while (ttab[h].pid)
			h = (h + 1) & (TTAB_SIZE - 1);
		ttab[h] = *e;
		ttab_used++;
	}
	free(old);
}

static struct tent *tlookup(int pid, int tid, unsigned long long start, bool *isnew)
{
	unsigned int h = thash(pid, tid, start);

	for (;;) {
		struct tent *e = &ttab[h];

		if (!e->pid) {
			*isnew = true;
			e->pid = pid;
			e->tid = tid;
			e->start = start;
			ttab_used++;
			return e;
		}
		if (e->pid == pid && e->tid == tid && e->start == start) {
			*isnew = false;
			return e;
		}
		h = (h + 1) & (TTAB_SIZE - 1);
	}
}

/*
 * Fields of a stat line (1-based as in proc(5)), split after the last ')'.
 * Returns the number of fields found.
 */
static int stat_fields(char *buf, unsigned long long *f, int max, char *comm, size_t csize)
{
	char *l = strchr(buf, '('), *r = strrchr(buf, ')'), *p, *end;
	int n = 2;

	if (!l || !r || r < l)
		return 0;
	snprintf(comm, csize, "%.*s", (int)(r - l - 1), l + 1);
	f[1] = strtoull(buf, NULL, 10);
	p = r + 1;
	while (n < max) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		n++;
		if (n == 3) {		/* state: a letter */
			f[3] = (unsigned long long)*p;
			while (*p && *p != ' ')
				p++;
			continue;
		}
		f[n] = strtoull(p, &end, 10);
		if (end == p)
			return 0;
		p = end;
	}
	return n;
}

static void check_task(int pid, int tid, const char *path, char *buf, size_t bsize,
		       enum kind k)
{
	unsigned long long f[60];
	struct tsample cur;
	struct tent *e;
	char comm[64];
	bool isnew;
	long len;
	int nf;

	gen_begin(&cur.gen);
	len = read_file(path, buf, bsize, k);
	gen_end(&cur.gen);
	if (len <= 0)
		return;		/* gone */
	memset(f, 0, sizeof(f));
	nf = stat_fields(buf, f, 54, comm, sizeof(comm));
	if (nf < 54) {
		fail("%s: %d fields, not 54 (guest_user 53, guest_system 54): %.200s",
		     path, nf, buf);
		return;
	}
	cur.guest = f[43];
	cur.gu = f[53];
	cur.gs = f[54];
	e = tlookup(pid, tid, f[22], &isnew);
	e->round = round_no;
	if (!isnew) {
		struct tsample *o = &e->last;

		if (cur.guest < o->guest || cur.gu < o->gu || cur.gs < o->gs)
			fail("%s (%s): went back: guest %llu -> %llu, guest_user %llu -> %llu, guest_system %llu -> %llu",
			     path, comm, (unsigned long long)o->guest,
			     (unsigned long long)cur.guest, (unsigned long long)o->gu,
			     (unsigned long long)cur.gu, (unsigned long long)o->gs,
			     (unsigned long long)cur.gs);
		if (gen_on_between(&o->gen, &cur.gen)) {
			double dg = (double)cur.guest - (double)o->guest;
			double ds = ((double)cur.gu - (double)o->gu) +
				((double)cur.gs - (double)o->gs);
			/* a process: its threads may run on every CPU */
			double t = tid ? tol(2, 1, 1) : tol(2, 1, ncpus);

			diff_note(tid ? 2 : 3, ds - dg);
			atomic_fetch_add(tid ? &intervals_task : &intervals_proc, 1);
			if (dg > 0)
				atomic_fetch_add(tid ? &intervals_task_grew :
						 &intervals_proc_grew, 1);
			if (ds - dg > t || dg - ds > t)
				fail("%s (%s): split on, guest grew %.0f ticks, guest_user + guest_system %.0f (tolerance %.0f)",
				     path, comm, dg, ds, t);
		}
	}
	e->last = cur;
}

/* /proc/stat cpu lines: last values */
#define MAXCPU 64
struct csample {
	bool seen;
	uint64_t v[4];		/* guest guest_nice guest_user guest_system */
	struct gen gen;
};
static struct csample clast[MAXCPU + 1];	/* [0]: the cpu line */

static void check_proc_stat(char *buf, size_t bsize)
{
	struct gen g;
	char *line, *save = NULL;
	long len;

	gen_begin(&g);
	len = read_file("/proc/stat", buf, bsize, K_PROCSTAT);
	gen_end(&g);
	if (len <= 0) {
		fail("/proc/stat: read failed (%ld)", len);
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long c[16];
		char name[16];
		int n, idx;
		struct csample cur, *o;
		static const char *cn[4] = { "guest", "guest_nice", "guest_user", "guest_system" };

		if (strncmp(line, "cpu", 3))
			continue;
		n = sscanf(line, "%15s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   name, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7],
			   &c[8], &c[9], &c[10], &c[11]);
		if (n != 13) {
			fail("/proc/stat: '%s': %d columns, not 12", line, n - 1);
			continue;
		}
		idx = name[3] ? atoi(name + 3) + 1 : 0;
		if (idx > MAXCPU)
			continue;
		cur.seen = true;
		cur.v[0] = c[8];
		cur.v[1] = c[9];
		cur.v[2] = c[10];
		cur.v[3] = c[11];
		cur.gen = g;
		o = &clast[idx];
		if (o->seen) {
			int i;

			for (i = 0; i < 4; i++)
				if (cur.v[i] < o->v[i])
					fail("/proc/stat %s: %s went back: %llu -> %llu", name,
					     cn[i], (unsigned long long)o->v[i],
					     (unsigned long long)cur.v[i]);
			if (gen_on_between(&o->gen, &cur.gen)) {
				double dg = (double)(cur.v[0] - o->v[0]) + (double)(cur.v[1] - o->v[1]);
				double ds = (double)(cur.v[2] - o->v[2]) + (double)(cur.v[3] - o->v[3]);
				double t = tol(2, 2, idx ? 1 : ncpus);

				diff_note(idx ? 0 : 1, ds - dg);
				atomic_fetch_add(&intervals_cpu, 1);
				if (dg > 0)
					atomic_fetch_add(&intervals_cpu_grew, 1);
				if (ds - dg > t || dg - ds > t)
					fail("/proc/stat %s: split on, guest + guest_nice grew %.0f ticks, guest_user + guest_system %.0f (tolerance %.0f)",
					     name, dg, ds, t);
			}
		}
		*o = cur;
	}
}

static bool numeric(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void *proc_reader(void *arg)
{
	size_t bsize = 1 << 16;
	char *buf = malloc(bsize), path[96];

	(void)arg;
	ttab = calloc(TTAB_SIZE, sizeof(*ttab));
	while (!atomic_load(&stop_readers)) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		round_no++;
		check_proc_stat(buf, bsize);
		while (d && (de = readdir(d))) {
			DIR *td;
			struct dirent *te;
			int pid;

			if (!numeric(de->d_name))
				continue;
			pid = atoi(de->d_name);
			snprintf(path, sizeof(path), "/proc/%d/stat", pid);
			check_task(pid, 0, path, buf, bsize, K_PIDSTAT);
			snprintf(path, sizeof(path), "/proc/%d/task", pid);
			td = opendir(path);
			while (td && (te = readdir(td))) {
				if (!numeric(te->d_name))
					continue;
				int tid = atoi(te->d_name);

				snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
				check_task(pid, tid, path, buf, bsize, K_TASKSTAT);
			}
			if (td)
				closedir(td);
		}
		if (d)
			closedir(d);
		check_proc_stat(buf, bsize);
		atomic_fetch_add(&proc_rounds, 1);
		if (ttab_used > TTAB_SIZE / 2)
			ttab_gc();
	}
	free(buf);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Wall time since a process started */

static long clk_tck;

/* The start time of PID in ns of CLOCK_BOOTTIME, 0 if it is gone. */
static uint64_t proc_start_ns(int pid)
{
	char path[64], buf[1024], comm[64];
	unsigned long long f[24];
	int fd, n;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	n = stat_fields(buf, f, 22, comm, sizeof(comm));
	if (n < 22)
		return 0;
	return f[22] * (1000000000ULL / (unsigned long long)clk_tck);
}

/* The bound of a time measured since @start_ns: +10% + 0.5 s (TCG's TSC) */
static double wall_limit(uint64_t start_ns, uint64_t now)
{
	/* start is in clock ticks: up to one tick later than the truth */
	double wall = (double)(now - start_ns) + 1e9 / clk_tck;

	return wall * 1.1 + 5e8;
}

/* ------------------------------------------------------------------ */
/* debugfs exit_timing */

static atomic_ullong et_rows_checked, et_tables_checked;

static const char *et_cols[] = {
	"reason", "count", "min_ns", "max_ns", "total_ns", "avg_ns", "user_exits", "open_ns",
};
enum { C_REASON, C_COUNT, C_MIN, C_MAX, C_TOTAL, C_AVG, C_USER, C_OPEN, C_N };

static void check_et(const char *path, char *buf, size_t bsize)
{
	int pid = atoi(path + strlen(KVM_DBG "/")), col[C_N], ncols = 0, i;
	uint64_t s0, s1, now;
	double lim, sum = 0;
	char *line, *save = NULL, *tok, *tsave;
	bool header = true, wall_ok;
	long len;

	s0 = proc_start_ns(pid);
	len = read_file(path, buf, bsize, K_ET);
	now = boot_ns();
	s1 = proc_start_ns(pid);
	if (len < 0)
		return;		/* VM gone */
	/* the same process before and after: the wall time is known */
	wall_ok = s0 && s0 == s1;
	lim = wall_limit(s0, now);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v[C_N];
		char *names[32];
		int n = 0;

		for (tok = strtok_r(line, " \t", &tsave); tok && n < 32;
		     tok = strtok_r(NULL, " \t", &tsave))
			names[n++] = tok;
		if (header) {
			header = false;
			ncols = n;
			for (i = 0; i < C_N; i++) {
				int j;

				col[i] = -1;
				for (j = 0; j < n; j++)
					if (!strcmp(names[j], et_cols[i]))
						col[i] = j;
				if (col[i] < 0) {
					fail("%s: no column %s in the header", path, et_cols[i]);
					return;
				}
			}
			continue;
		}
		if (n != ncols) {
			fail("%s: row '%s' has %d columns, the header %d", path, names[0], n, ncols);
			continue;
		}
		for (i = 1; i < n; i++)
			if (!numeric(names[i]) || strtoull(names[i], NULL, 10) >= HUGE_VAL64) {
				fail("%s: row %s: column %d is '%s'", path, names[0], i + 1,
				     names[i]);
				break;
			}
		if (i < n)
			continue;
		for (i = 1; i < C_N; i++)
			v[i] = strtoull(names[col[i]], NULL, 10);
		atomic_fetch_add(&et_rows_checked, 1);
		if (v[C_COUNT] == 0) {
			if (v[C_MIN] || v[C_MAX] || v[C_TOTAL] || v[C_AVG] || v[C_OPEN] || v[C_USER])
				fail("%s: row %s with count 0 has time: min %llu max %llu total %llu avg %llu open %llu user_exits %llu",
				     path, names[col[C_REASON]], v[C_MIN], v[C_MAX], v[C_TOTAL],
				     v[C_AVG], v[C_OPEN], v[C_USER]);
		} else {
			if (!(v[C_MIN] <= v[C_AVG] && v[C_AVG] <= v[C_MAX] && v[C_MAX] <= v[C_TOTAL]))
				fail("%s: row %s: not min %llu <= avg %llu <= max %llu <= total %llu",
				     path, names[col[C_REASON]], v[C_MIN], v[C_AVG], v[C_MAX],
				     v[C_TOTAL]);
			if (v[C_AVG] != v[C_TOTAL] / v[C_COUNT])
				fail("%s: row %s: avg %llu != total %llu / count %llu", path,
				     names[col[C_REASON]], v[C_AVG], v[C_TOTAL], v[C_COUNT]);
			if (v[C_OPEN] > v[C_MAX])
				fail("%s: row %s: open %llu > max %llu", path,
				     names[col[C_REASON]], v[C_OPEN], v[C_MAX]);
			if (v[C_USER] > v[C_COUNT])
				fail("%s: row %s: user_exits %llu > count %llu", path,
				     names[col[C_REASON]], v[C_USER], v[C_COUNT]);
		}
		if (wall_ok && (v[C_MAX] > lim || v[C_TOTAL] > lim || v[C_OPEN] > lim))
			fail("%s: row %s: max %llu, total %llu or open %llu ns above the wall time bound %.0f ns",
			     path, names[col[C_REASON]], v[C_MAX], v[C_TOTAL], v[C_OPEN], lim);
		sum += (double)v[C_TOTAL];
	}
	if (header) {
		fail("%s: empty", path);
		return;
	}
	atomic_fetch_add(&et_tables_checked, 1);
	if (wall_ok && sum > lim)
		fail("%s: rows sum to %.0f ns (exit + guest + halted), above the wall time bound %.0f ns",
		     path, sum, lim);
}

static void *et_reader(void *arg)
{
	size_t bsize = 1 << 16;
	char *buf = malloc(bsize);

	(void)arg;
	while (!atomic_load(&stop_readers)) {
		glob_t g;
		size_t i;

		if (!glob(KVM_DBG "/*/vcpu*/exit_timing", 0, NULL, &g))
			for (i = 0; i < g.gl_pathc && !atomic_load(&stop_readers); i++)
				check_et(g.gl_pathv[i], buf, bsize);
		else
			sleep_ms(10);
		globfree(&g);
	}
	free(buf);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Binary stats through KVM_GET_STATS_FD */

static const char *stat_names[4] = {
	"timed_exits", "exit_time_ns", "guest_time_ns", "halted_time_ns",
};

struct sent {
	int pid, vcpu;
	uint64_t start;
	unsigned long round;
	uint64_t v[4];
};
#define STAB_SIZE 4096
static struct sent stab[STAB_SIZE];
static unsigned long stats_round;
static atomic_ullong stats_vcpus_checked, stats_vm_reads;

static struct sent *slookup(int pid, int vcpu, uint64_t start, bool *isnew)
{
	unsigned int i, free_i = STAB_SIZE;

	for (i = 0; i < STAB_SIZE; i++) {
		if (stab[i].pid == pid && stab[i].vcpu == vcpu && stab[i].start == start) {
			*isnew = false;
			return &stab[i];
		}
		if (free_i == STAB_SIZE &&
		    (!stab[i].pid || stab[i].round + 3 < stats_round))
			free_i = i;
	}
	if (free_i == STAB_SIZE)
		free_i = 0;
	memset(&stab[free_i], 0, sizeof(stab[free_i]));
	stab[free_i].pid = pid;
	stab[free_i].vcpu = vcpu;
	stab[free_i].start = start;
	*isnew = true;
	return &stab[free_i];
}

/*
 * Read the stats named stat_names[] of the stats fd @sfd into v (absent:
 * ~0).  Returns 0, or -1 (with a failure reported) on a malformed file.
 */
static int read_stats(int sfd, uint64_t v[4], const char *what)
{
	struct kvm_stats_header h;
	char *descs = NULL;
	size_t dsize;
	unsigned int i, j;
	int ret = -1;

	for (j = 0; j < 4; j++)
		v[j] = ~0ULL;
	if (pread(sfd, &h, sizeof(h), 0) != sizeof(h)) {
		fail("%s: stats header: %s", what, strerror(errno));
		return -1;
	}
	if (h.num_desc == 0 || h.num_desc > 4096 || h.name_size > 4096) {
		fail("%s: stats header: %u descriptors, names of %u bytes", what,
		     h.num_desc, h.name_size);
		return -1;
	}
	dsize = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(dsize * h.num_desc);
	if (pread(sfd, descs, dsize * h.num_desc, h.desc_offset) != (ssize_t)(dsize * h.num_desc)) {
		fail("%s: stats descriptors: %s", what, strerror(errno));
		goto out;
	}
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * dsize);

		d->name[h.name_size - 1] = '\0';
		for (j = 0; j < 4; j++) {
			if (strcmp(d->name, stat_names[j]))
				continue;
			if (pread(sfd, &v[j], 8, h.data_offset + d->offset) != 8) {
				fail("%s: stat %s: %s", what, d->name, strerror(errno));
				goto out;
			}
		}
	}
	ret = 0;
out:
	free(descs);
	return ret;
}

/* The stats fd's id string ("kvm-PID/vcpu-N" or "kvm-PID"): the vCPU, -1 */
static int stats_vcpu(int sfd)
{
	struct kvm_stats_header h;
	char id[256];
	int pid, vcpu;

	if (pread(sfd, &h, sizeof(h), 0) != sizeof(h) || !h.name_size)
		return -2;
	memset(id, 0, sizeof(id));
	if (pread(sfd, id, h.name_size < sizeof(id) ? h.name_size : sizeof(id) - 1,
		  h.id_offset) <= 0)
		return -2;
	id[sizeof(id) - 1] = '\0';
	if (sscanf(id, "kvm-%d/vcpu-%d", &pid, &vcpu) == 2)
		return vcpu;
	if (sscanf(id, "kvm-%d", &pid) == 1)
		return -1;
	return -2;
}

/*
 * A binary stats fd (anon_inode:kvm-vcpu-stats:N or kvm-vm-stats) that
 * process @pid holds as @fd: taken with pidfd_getfd() (KVM answers
 * KVM_GET_STATS_FD only in the VM's own process; gvmm --stats and QEMU
 * hold theirs open), read and checked.
 */
static void check_stats_fd(int pid, int pidfd, int fd, bool vm)
{
	char what[96];
	uint64_t v[4], s0, s1, now, t0;
	int sfd, vcpu;
	struct sent *e;
	bool isnew;
	unsigned int j;
	double lim;

	s0 = proc_start_ns(pid);
	t0 = now_ns(CLOCK_MONOTONIC);
	sfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (sfd < 0)
		return;		/* closed meanwhile */
	vcpu = stats_vcpu(sfd);
	if (vcpu < -1 || (vm != (vcpu == -1))) {
		fail("pid %d fd %d: a %s stats fd without a matching id", pid, fd,
		     vm ? "VM" : "vCPU");
		close(sfd);
		return;
	}
	if (vm)
		snprintf(what, sizeof(what), "pid %d VM stats", pid);
	else
		snprintf(what, sizeof(what), "pid %d vcpu %d stats", pid, vcpu);
	if (read_stats(sfd, v, what)) {
		close(sfd);
		return;
	}
	/* the last reference to a VM whose process is gone may be ours */
	close(sfd);
	lat_add(K_STATS, now_ns(CLOCK_MONOTONIC) - t0);
	now = boot_ns();
	s1 = proc_start_ns(pid);
	if (vm) {
		atomic_fetch_add(&stats_vm_reads, 1);
		return;
	}
	for (j = 0; j < 4; j++)
		if (v[j] == ~0ULL) {
			fail("%s: no stat %s", what, stat_names[j]);
			return;
		} else if (v[j] >= HUGE_VAL64) {
			fail("%s: %s = %llu", what, stat_names[j], (unsigned long long)v[j]);
		}
	atomic_fetch_add(&stats_vcpus_checked, 1);
	if (!s0 || s0 != s1)
		return;
	lim = wall_limit(s0, now);
	if ((double)v[1] + (double)v[2] + (double)v[3] > lim)
		fail("%s: exit_time_ns %llu + guest_time_ns %llu + halted_time_ns %llu above the wall time bound %.0f ns",
		     what, (unsigned long long)v[1], (unsigned long long)v[2],
		     (unsigned long long)v[3], lim);
	e = slookup(pid, vcpu, s0, &isnew);
	e->round = stats_round;
	if (!isnew)
		for (j = 0; j < 4; j++)
			if (v[j] < e->v[j])
				fail("%s: %s went back: %llu -> %llu", what, stat_names[j],
				     (unsigned long long)e->v[j], (unsigned long long)v[j]);
	memcpy(e->v, v, sizeof(e->v));
}

static void *stats_reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_readers)) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		int found = 0;

		stats_round++;
		while (d && (de = readdir(d)) && !atomic_load(&stop_readers)) {
			char path[96], link[96];
			DIR *fdd;
			struct dirent *fe;
			int pid, pidfd;

			if (!numeric(de->d_name))
				continue;
			pid = atoi(de->d_name);
			snprintf(path, sizeof(path), "/proc/%d/fd", pid);
			fdd = opendir(path);
			if (!fdd)
				continue;
			pidfd = -1;
			while ((fe = readdir(fdd))) {
				char lp[128];
				ssize_t n;
				bool vm;

				if (!numeric(fe->d_name))
					continue;
				snprintf(lp, sizeof(lp), "/proc/%d/fd/%d", pid, atoi(fe->d_name));
				n = readlink(lp, link, sizeof(link) - 1);
				if (n <= 0)
					continue;
				link[n] = '\0';
				vm = !strcmp(link, "anon_inode:kvm-vm-stats");
				if (!vm && strncmp(link, "anon_inode:kvm-vcpu-stats:", 26))
					continue;
				if (pidfd < 0)
					pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
				if (pidfd < 0)
					break;
				found++;
				check_stats_fd(pid, pidfd, atoi(fe->d_name), vm);
			}
			closedir(fdd);
			if (pidfd >= 0)
				close(pidfd);
		}
		if (d)
			closedir(d);
		if (!found)
			sleep_ms(10);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: gstress [-n FLIPS] [-t MAXSECS] [-m MINSECS] [-s SEED] [-c CPUS]\n"
		"               [-H TICK_MS] [-V STRETCH_MS] [-p FLIPPER_NICE] [-q]\n");
}

int main(int argc, char **argv)
{
	unsigned int min_secs = 0;
	pthread_t tf, tr, tp, te, ts;
	uint64_t t0, t1;
	int o, k, rc;

	seed = now_ns(CLOCK_MONOTONIC) ^ ((uint64_t)getpid() << 32);
	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	while ((o = getopt(argc, argv, "n:t:m:s:c:H:V:p:qh")) != -1) {
		switch (o) {
		case 'n': nflips = atol(optarg); break;
		case 't': max_secs = (unsigned int)atoi(optarg); break;
		case 'm': min_secs = (unsigned int)atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'c': ncpus = atoi(optarg); break;
		case 'H': tick_ms = atof(optarg); break;
		case 'V': vtime_slack_ticks = atof(optarg) / (1000.0 / USER_HZ); break;
		case 'p': flip_nice = atoi(optarg); break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (nflips < 0 || optind != argc || ncpus < 1 || !seed) {
		usage(stderr);
		return 2;
	}
	clk_tck = sysconf(_SC_CLK_TCK);
	if (access(GU_PATH, W_OK) || access(ET_PATH, W_OK)) {
		fprintf(stderr, "gstress: the sysctls are not writable (root, patched kernel?)\n");
		return 2;
	}
	printf("gstress: seed 0x%llx, %ld flips of each sysctl, %d CPUs, tolerances in ticks: task %.0f, process %.0f, cpuN %.0f, cpu %.0f\n",
	       (unsigned long long)seed, nflips, ncpus, tol(2, 1, 1), tol(2, 1, ncpus),
	       tol(2, 2, 1), tol(2, 2, ncpus));
	fflush(stdout);
	t0 = now_ns(CLOCK_MONOTONIC);
	pthread_create(&tp, NULL, proc_reader, NULL);
	pthread_create(&te, NULL, et_reader, NULL);
	pthread_create(&ts, NULL, stats_reader, NULL);
	pthread_create(&tr, NULL, resetter, NULL);
	pthread_create(&tf, NULL, flipper, NULL);
	pthread_join(tf, NULL);
	while (now_ns(CLOCK_MONOTONIC) - t0 < (uint64_t)min_secs * 1000000000ULL)
		sleep_ms(100);
	/* a last round of reads with both switches on */
	sleep_ms(1000);
	atomic_store(&stop_readers, true);
	pthread_join(tr, NULL);
	pthread_join(tp, NULL);
	pthread_join(te, NULL);
	pthread_join(ts, NULL);
	t1 = now_ns(CLOCK_MONOTONIC);

	printf("gstress flips collect_guest_utilization %ld collect_guest_exit_timing %ld (asked %ld each) writes %ld in %.1f s, write latency max %.1f ms avg %.1f ms\n",
	       atomic_load(&flips_gu), atomic_load(&flips_et), nflips,
	       atomic_load(&writes_total), (flip_t1 - flip_t0) / 1e9,
	       atomic_load(&write_lat_max) / 1e6,
	       atomic_load(&writes_total) ?
	       atomic_load(&write_lat_sum) / 1e6 / atomic_load(&writes_total) : 0.0);
	printf("gstress resets %ld (%ld of a vCPU already gone), long holds %ld\n",
	       atomic_load(&resets_done), atomic_load(&resets_gone), atomic_load(&long_holds));
	{
		unsigned long long total = 0, mx = 0;

		for (k = 0; k < K_NKINDS; k++) {
			unsigned long long n = atomic_load(&reads[k]);

			total += n;
			if (atomic_load(&lat_max[k]) > mx)
				mx = atomic_load(&lat_max[k]);
			printf("gstress reads %s %llu latency max %.2f ms avg %.3f ms\n",
			       kind_name[k], n, atomic_load(&lat_max[k]) / 1e6,
			       n ? atomic_load(&lat_sum[k]) / 1e6 / n : 0.0);
		}
		printf("gstress reads total %llu max reader latency %.2f ms in %.1f s\n",
		       total, mx / 1e6, (t1 - t0) / 1e9);
	}
	printf("gstress checked et_tables %llu et_rows %llu vcpu_stats %llu vm_stats %llu\n",
	       atomic_load(&et_tables_checked), atomic_load(&et_rows_checked),
	       atomic_load(&stats_vcpus_checked), atomic_load(&stats_vm_reads));
	printf("gstress split-on intervals (with guest time): cpu %llu %llu task %llu %llu process %llu %llu\n",
	       atomic_load(&intervals_cpu), atomic_load(&intervals_cpu_grew),
	       atomic_load(&intervals_task), atomic_load(&intervals_task_grew),
	       atomic_load(&intervals_proc), atomic_load(&intervals_proc_grew));
	printf("gstress split-on largest difference in ticks (tolerance): cpuN %d (%.0f) cpu %d (%.0f) task %d (%.0f) process %d (%.0f)\n",
	       atomic_load(&diff_max[0]), tol(2, 2, 1), atomic_load(&diff_max[1]), tol(2, 2, ncpus),
	       atomic_load(&diff_max[2]), tol(2, 1, 1), atomic_load(&diff_max[3]), tol(2, 1, ncpus));
	rc = atomic_load(&failures) ? 1 : 0;
	if (atomic_load(&flips_gu) < nflips || atomic_load(&flips_et) < nflips) {
		printf("gstress: FAIL only %ld and %ld of %ld flips done\n",
		       atomic_load(&flips_gu), atomic_load(&flips_et), nflips);
		rc = 1;
	}
	printf("gstress failures %d\n", atomic_load(&failures));
	return rc;
}
