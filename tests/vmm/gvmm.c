// SPDX-License-Identifier: GPL-2.0
/*
 * gvmm - tiny test VMM: one KVM VM, one memory slot, N vCPU threads
 * named like QEMU's ("CPU <n>/KVM"), each running a synthetic guest
 * workload (see usage()).  This is the command line, the threads, the
 * sampling and the reports, for every architecture; the command line is
 * the same on all, so the boot scenarios run unchanged (arch_text says
 * what a mode does on the one built).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gvmm.h"

#define VCPU_STACK_SIZE		(64 * 1024)
static const char *prog = "gvmm";
static struct vm vm;
static pthread_barrier_t start_barrier;

static void usage(FILE *f)
{
	const struct arch_text *t = &arch_text;

	fprintf(f,
"usage: %s [options] VCPU_SPEC...\n"
"\n"
"Runs one KVM VM%s with one vCPU thread per VCPU_SPEC, named \"CPU <n>/KVM\".\n"
"\n"
"options:\n"
"  -t, --time SECONDS   run that long, then exit 0 (default: until\n"
"                       SIGTERM/SIGINT, which also exit 0)\n"
"  --name NAME          VM name, only for tools reading the command line;\n"
"  -name NAME           also QEMU style: -name guest=NAME[,...]\n"
"  --irqchip            %s\n"
"  -q, --quiet          print nothing on stdout (errors go to stderr)\n"
"  --stats              hold a binary stats fd (KVM_GET_STATS_FD) of the VM\n"
"                       and of each vCPU open, as QEMU does, for readers in\n"
"                       other processes (tests/stress/gstress)\n"
"  --sample HZ          interrupt each vCPU HZ times a second on average, at\n"
"                       random times, and count its %s there; every second\n"
"                       print \"vcpu <i> samples <N> cpl3 <M>\" (totals; cpl3\n"
"                       is %s)\n"
"  --layout             print the guest code ranges (\"layout NAME START END\",\n"
"                       e.g. alt_user, alt_kernel) and exit\n"
"  -h, --help           this text\n"
"\n"
"VCPU_SPEC is MODE[@CPU][+exit=SECONDS]:\n"
"  user        spin at %s (register loop, no exits)\n"
"  kernel      spin at %s (register loop, no exits)\n",
		prog, t->vm, t->irqchip, t->level, t->user, t->user,
		t->kernel);
	fprintf(f,
"  alt:P[:L]   alternate: P%% of each cycle at %s, 100-P%% at %s; a cycle\n"
"              is %d slices of L loop iterations (default L=%d), switching\n"
"              with %s\n"
"  altx:P[:L]  alt whose %s half starts with a %s: a system call that\n"
"              exits to the host from the guest kernel once a cycle\n"
"  exits:N:M   N %s, then M %s, then report %s;\n"
"              gvmm prints \"vcpu <i> done cpuid <N> io <M>\", then\n"
"              \"vcpu <i> time ns <T>\" (since its first KVM_RUN), and stops\n"
"              running that vCPU: its thread sleeps until exit\n"
"%s",
		t->user, t->kernel, ALT_SLICES, ALT_DEFAULT_LOOPS, t->syscall,
		t->kernel, t->call, t->call, t->io, t->done, t->modes);
	fprintf(f,
"modifiers:\n"
"  @CPU        pin the vCPU thread to host CPU CPU\n"
"  +exit=S     the vCPU thread calls pthread_exit() S seconds after start\n"
"              (prints \"vcpu <i> exited\"); the process keeps running\n"
"\n"
"stdout: \"vcpu <i> tid <tid> mode <spec>\" per vCPU, then \"ready pid <pid>\".\n"
"exit status: 0 ok, 1 KVM/system failure, 2 bad usage.\n"
"%s"
"\n"
"example: %s --name vm1 -t 5 user@0 kernel@1 alt:25 exits:1000:200\n",
		t->env, prog);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (code == EXIT_USAGE)
		fprintf(stderr, "try '%s --help'\n", prog);
	_exit(code);
}

void out(struct vm *v, const char *fmt, ...)
{
	va_list ap;

	if (v->quiet)
		return;
	flockfile(stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	funlockfile(stdout);
}

static bool parse_uint(const char *s, size_t len, unsigned long max,
		       unsigned long *val)
{
	char buf[32], *end;

	if (len == 0 || len >= sizeof(buf) || s[0] < '0' || s[0] > '9')
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*val = strtoul(buf, &end, 10);
	return !errno && *end == '\0' && *val <= max;
}

static bool parse_seconds(const char *s, size_t len, double *val)
{
	char buf[32], *end;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*val = strtod(buf, &end);
	return !errno && *end == '\0' && *val >= 0 && isfinite(*val);
}

/* Parses the MODE part (up to len) of a VCPU_SPEC. */
static bool parse_mode(const char *s, size_t len, struct vcpu_spec *spec)
{
	const char *arg = memchr(s, ':', len);
	size_t mlen = arg ? (size_t)(arg - s) : len;
	unsigned long a = 0, b = 0;
	const char *colon;

#define IS(name) (mlen == strlen(name) && !strncmp(s, name, mlen))
	if (IS("user") || IS("kernel") || IS("io") || IS("cpuid") ||
	    IS("idle") || arch_mode(s, mlen) >= 0) {
		if (arg)
			return false;
		spec->mode = IS("user") ? GUEST_MODE_USER :
			     IS("kernel") ? GUEST_MODE_KERNEL :
			     IS("io") ? GUEST_MODE_IO :
			     IS("cpuid") ? GUEST_MODE_CPUID :
			     IS("idle") ? GUEST_MODE_IDLE : arch_mode(s, mlen);
		return true;
	}
	if (!arg)
		return false;
	arg++;
	len -= arg - s;
	colon = memchr(arg, ':', len);
	if (IS("alt") || IS("altx")) {
		unsigned long loops = ALT_DEFAULT_LOOPS;
		size_t plen = colon ? (size_t)(colon - arg) : len;

		if (!parse_uint(arg, plen, 100, &a))
			return false;
		if (colon && !parse_uint(colon + 1, len - plen - 1,
					 UINT32_MAX / ALT_SLICES, &loops))
			return false;
		if (loops == 0)
			return false;
		spec->mode = IS("alt") ? GUEST_MODE_ALT : GUEST_MODE_ALTX;
		spec->arg1 = a * loops;
		spec->arg2 = (ALT_SLICES - a) * loops;
		return true;
	}
	if (IS("exits")) {
		if (!colon ||
		    !parse_uint(arg, colon - arg, INT32_MAX, &a) ||
		    !parse_uint(colon + 1, len - (colon - arg) - 1, INT32_MAX,
				&b))
			return false;
		spec->mode = GUEST_MODE_EXITS;
		spec->arg1 = a;
		spec->arg2 = b;
		return true;
	}
#undef IS
	return false;
}

/* VCPU_SPEC: MODE[@CPU][+exit=SECONDS], modifiers in any order. */
static void parse_spec(const char *text, struct vcpu_spec *spec)
{
	size_t len = strcspn(text, "@+");
	const char *p = text + len;

	memset(spec, 0, sizeof(*spec));
	spec->text = text;
	spec->cpu = -1;
	spec->exit_after = -1;
	if (!parse_mode(text, len, spec))
		die(EXIT_USAGE, "bad vCPU mode in '%s'", text);

	while (*p) {
		char kind = *p++;
		unsigned long cpu;

		len = strcspn(p, "@+");
		if (kind == '@') {
			if (!parse_uint(p, len, CPU_SETSIZE - 1, &cpu))
				die(EXIT_USAGE, "bad host CPU in '%s'", text);
			spec->cpu = cpu;
		} else if (len > 5 && !strncmp(p, "exit=", 5)) {
			if (!parse_seconds(p + 5, len - 5, &spec->exit_after))
				die(EXIT_USAGE, "bad exit time in '%s'", text);
		} else {
			die(EXIT_USAGE, "bad modifier in '%s'", text);
		}
		p += len;
	}
}

static const char *need_arg(int argc, char **argv, int i)
{
	if (i + 1 >= argc)
		die(EXIT_USAGE, "option %s needs an argument", argv[i]);
	return argv[i + 1];
}

static const char *qemu_name(const char *arg)
{
	static char name[256];

	if (!strncmp(arg, "guest=", 6))
		arg += 6;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, ","), arg);
	return name;
}

static void add_vcpu(const char *text)
{
	struct vcpu *v;

	if (vm.nr_vcpus == GVMM_MAX_VCPUS)
		die(EXIT_USAGE, "at most %d vCPUs", GVMM_MAX_VCPUS);
	v = &vm.vcpus[vm.nr_vcpus];
	v->index = vm.nr_vcpus++;
	parse_spec(text, &v->spec);
}

static void parse_args(int argc, char **argv, double *run_time)
{
	bool opts_done = false;
	int i;

	vm.vcpus = calloc(GVMM_MAX_VCPUS, sizeof(*vm.vcpus));
	if (!vm.vcpus)
		die(EXIT_KVM, "out of memory");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts_done || a[0] != '-') {
			add_vcpu(a);
		} else if (!strcmp(a, "--")) {
			opts_done = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--layout")) {
			print_layout();
			exit(0);
		} else if (!strcmp(a, "-t") || !strcmp(a, "--time")) {
			const char *v = need_arg(argc, argv, i++);

			if (!parse_seconds(v, strlen(v), run_time) ||
			    *run_time <= 0)
				die(EXIT_USAGE, "bad run time '%s'", v);
		} else if (!strcmp(a, "--name") || !strcmp(a, "-name")) {
			vm.name = qemu_name(need_arg(argc, argv, i++));
		} else if (!strcmp(a, "--irqchip")) {
			vm.irqchip = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			vm.quiet = true;
		} else if (!strcmp(a, "--stats")) {
			vm.stats = true;
		} else if (!strcmp(a, "--sample")) {
			const char *v = need_arg(argc, argv, i++);
			char *end;

			errno = 0;
			vm.sample_hz = strtod(v, &end);
			if (errno || end == v || *end || !(vm.sample_hz > 0) ||
			    vm.sample_hz > 10000)
				die(EXIT_USAGE, "bad --sample rate '%s' (0 < HZ <= 10000)", v);
		} else {
			die(EXIT_USAGE, "unknown option '%s'", a);
		}
	}
	if (vm.nr_vcpus == 0)
		die(EXIT_USAGE, "no VCPU_SPEC given");
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	char name[16];
	int ret;

	v->tid = syscall(SYS_gettid);
	snprintf(name, sizeof(name), "CPU %d/KVM", v->index);
	pthread_setname_np(pthread_self(), name);
	if (v->spec.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(v->spec.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			die(EXIT_KVM, "vcpu %d: cannot pin to CPU %d: %s",
			    v->index, v->spec.cpu, strerror(errno));
	}

	ret = pthread_barrier_wait(&start_barrier);	/* tid is known */
	if (ret && ret != PTHREAD_BARRIER_SERIAL_THREAD)
		die(EXIT_KVM, "pthread_barrier_wait: %s", strerror(ret));
	ret = pthread_barrier_wait(&start_barrier);	/* lines printed */
	if (ret && ret != PTHREAD_BARRIER_SERIAL_THREAD)
		die(EXIT_KVM, "pthread_barrier_wait: %s", strerror(ret));

	vcpu_run(v);
	/* kicked: the main thread asked this thread to exit */
	out(v->vm, "vcpu %d exited\n", v->index);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --sample: signal every live vCPU; every second, print the counts. */
static void sample_tick(double t, double *next_sample, double *next_print)
{
	int i;

	if (t >= *next_sample) {
		for (i = 0; i < vm.nr_vcpus; i++)
			if (!vm.vcpus[i].kicked)
				pthread_kill(vm.vcpus[i].thread, SIGUSR2);
		/* exponential gaps: times independent of the guest's cycle */
		*next_sample = t - log(1 - drand48()) / vm.sample_hz;
	}
	if (t >= *next_print) {
		for (i = 0; i < vm.nr_vcpus; i++) {
			struct vcpu *v = &vm.vcpus[i];
			uint64_t n = __atomic_load_n(&v->samples, __ATOMIC_ACQUIRE);

			out(&vm, "vcpu %d samples %llu cpl3 %llu\n", i,
			    (unsigned long long)n, (unsigned long long)
			    __atomic_load_n(&v->samples_cpl3, __ATOMIC_RELAXED));
		}
		*next_print = t + 1;
	}
}

/* Waits for SIGTERM/SIGINT, -t expiry and +exit= deadlines. */
static void main_loop(double run_time, const sigset_t *stop)
{
	double start = now(), next_sample = start, next_print = start + 1;

	srand48(getpid() ^ (long)(start * 1e6));
	for (;;) {
		double t = now(), next = INFINITY;
		struct timespec ts;
		int i, sig;

		if (vm.sample_hz > 0) {
			sample_tick(t, &next_sample, &next_print);
			next = next_sample < next_print ? next_sample : next_print;
		}

		for (i = 0; i < vm.nr_vcpus; i++) {
			struct vcpu *v = &vm.vcpus[i];
			double due = start + v->spec.exit_after;

			if (v->spec.exit_after < 0 || v->kicked)
				continue;
			if (due <= t) {
				pthread_kill(v->thread, SIGUSR1);
				v->kicked = true;
			} else if (due < next) {
				next = due;
			}
		}
		if (run_time > 0) {
			if (start + run_time <= t)
				return;
			if (start + run_time < next)
				next = start + run_time;
		}
		if (isinf(next)) {
			sig = sigwaitinfo(stop, NULL);
		} else {
			double d = next - t;

			ts.tv_sec = (time_t)d;
			ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
			sig = sigtimedwait(stop, NULL, &ts);
		}
		if (sig > 0)
			return;
	}
}

int main(int argc, char **argv)
{
	double run_time = 0;
	struct sigaction sa;
	pthread_attr_t attr;
	sigset_t stop;
	int i, ret;

	parse_args(argc, argv, &run_time);
	arch_init(&vm);

	/* SIGTERM/SIGINT are taken synchronously by the main thread only. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = vcpu_sample_handler;	/* no SA_RESTART */
	sigaction(SIGUSR2, &sa, NULL);

	vm_create(&vm);
	for (i = 0; i < vm.nr_vcpus; i++)
		vcpu_create(&vm, &vm.vcpus[i]);

	ret = pthread_barrier_init(&start_barrier, NULL, vm.nr_vcpus + 1);
	if (ret)
		die(EXIT_KVM, "pthread_barrier_init: %s", strerror(ret));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_STACK_SIZE);
	for (i = 0; i < vm.nr_vcpus; i++) {
		ret = pthread_create(&vm.vcpus[i].thread, &attr, vcpu_thread,
				     &vm.vcpus[i]);
		if (ret)
			die(EXIT_KVM, "pthread_create: %s", strerror(ret));
	}
	pthread_attr_destroy(&attr);

	pthread_barrier_wait(&start_barrier);
	for (i = 0; i < vm.nr_vcpus; i++)
		out(&vm, "vcpu %d tid %d mode %s\n", i, (int)vm.vcpus[i].tid,
		    vm.vcpus[i].spec.text);
	out(&vm, "ready pid %d\n", (int)getpid());
	pthread_barrier_wait(&start_barrier);

	main_loop(run_time, &stop);
	fflush(stdout);
	_exit(0);
}
