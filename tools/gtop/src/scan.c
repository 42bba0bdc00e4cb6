// SPDX-License-Identifier: GPL-2.0
/*
 * scan.c - builds raw snapshots from a gt_source.
 *
 * A process is a VM when any of these holds (cheapest first):
 *   - it owns a /sys/kernel/debug/kvm/<pid>-<fd> directory;
 *   - its guest_time (stat field 43) is non-zero;
 *   - one of its threads has a vCPU thread name or guest time;
 *   - one of its fds is anon_inode:kvm-vm or anon_inode:kvm-vcpu:N.
 * A VM stays a VM for the life of the process (pid + start time).  A
 * refresh lists /proc and reads the stat of VMs and their vCPU threads
 * (kept open, see source.h) and their exit_timing files; other
 * processes are not read at all, except when new and then on a
 * schedule: every second while younger than a minute (a new VMM
 * creates its vCPU threads then), every 30 s (spread) after that.
 * With an enumerator that has the stat (has_stat) or asks for it to be
 * watched (libproc2, the default: the stat of every process is then
 * kept open and re-read with pread(2) at every refresh, one read of
 * each), a change of the thread count or guest time also triggers a
 * check.  The
 * vCPU threads of a VM are re-listed when its thread count changes or
 * every 10 s.
 */
#define _GNU_SOURCE
#include "scan.h"

#include "kvmfs.h"
#include "quant.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000ULL
#define YOUNG_NS (60 * NS)		/* processes younger: check often */
#define RECHECK_YOUNG_NS (1 * NS)
#define RECHECK_NS (30 * NS)
#define VCPU_RECHECK_NS (10 * NS)
#define FD_SCAN_MAX 512

enum { CLS_UNKNOWN, CLS_VM, CLS_NOTVM };

/* a vCPU's reported times (quant.h): <guest>, <halted>, run, wait */
enum { QC_GUEST, QC_HALTED, QC_RUN, QC_WAIT, QC_N };

struct vcache {
	int tid, index;
	struct gt_qc q[QC_N];
};

struct pcache {
	int pid;
	bool known;		/* starttime valid */
	uint64_t starttime;
	int cls;
	long nlwp;		/* at the last classification */
	uint64_t checked_ns, next_ns;
	char *name;
	char uuid[37];		/* "" if none (read with the name) */
	char *cgroup;		/* cgroup v2 path (read with the name) */
	int nvc;
	struct vcache *vc;
	bool vc_valid;
	long vc_nlwp;
	uint64_t vc_ns;
};

struct task {			/* scratch: one thread of the current VM */
	int tid;
	int index;
	bool vcpu;
	struct gt_pidstat ps;
};

struct gt_scanner {
	struct gt_source *src;
	uint64_t now;
	double uptime;		/* seconds, 0 if unknown */
	long hz;
	struct gt_kvmfs *kfs;
	struct pcache *pc;
	size_t npc;
	struct gt_proc_brief *br;
	size_t nbr, cbr;
	struct task *tv;
	size_t ntv, ctv;
	int *tids;
	size_t ntids, ctids;
	char *big;
	size_t bigsz;
	char file[65536];
};

/* ------------------------------------------------------------ helpers */

static ssize_t rd(struct gt_scanner *sc, enum gt_root root, const char *path)
{
	return sc->src->ops->read(sc->src, root, path, sc->file,
				  sizeof(sc->file));
}

/* Read and parse a stat file; keep: it will be read every sample. */
static int read_pidstat(struct gt_scanner *sc, const char *path,
			struct gt_pidstat *ps, bool keep)
{
	char buf[1024];
	ssize_t n = keep ? sc->src->ops->reread(sc->src, GT_ROOT_PROC, path,
						 buf, sizeof(buf)) :
			   sc->src->ops->read(sc->src, GT_ROOT_PROC, path, buf,
					      sizeof(buf));

	if (n < 0)
		return (int)n;
	return gt_parse_pid_stat(buf, (size_t)n, ps) ? -EINVAL : 0;
}

/* ---------------------------------------------------------- processes */

static int brief_cb(void *ctx, const struct gt_proc_brief *b)
{
	struct gt_scanner *sc = ctx;

	if (!gt_grow((void **)&sc->br, &sc->cbr, sc->nbr + 1, sizeof(*sc->br)))
		return 1;
	sc->br[sc->nbr++] = *b;
	return 0;
}

static int brief_cmp(const void *a, const void *b)
{
	const struct gt_proc_brief *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void pc_drop(struct pcache *p)
{
	free(p->name);
	free(p->cgroup);
	free(p->vc);
}

static void pc_reset(struct pcache *p, int pid)
{
	pc_drop(p);
	memset(p, 0, sizeof(*p));
	p->pid = pid;
}

/* Rebuild the cache in the order of sc->br (sorted by pid). */
static int pc_merge(struct gt_scanner *sc)
{
	struct pcache *np = calloc(sc->nbr ? sc->nbr : 1, sizeof(*np));
	size_t j = 0;

	if (!np)
		return -1;
	for (size_t i = 0; i < sc->nbr; i++) {
		const struct gt_proc_brief *b = &sc->br[i];

		while (j < sc->npc && sc->pc[j].pid < b->pid)
			pc_drop(&sc->pc[j++]);
		if (j < sc->npc && sc->pc[j].pid == b->pid)
			np[i] = sc->pc[j++];
		else
			np[i].pid = b->pid;
		if (b->has_stat && np[i].known && np[i].starttime != b->starttime)
			pc_reset(&np[i], b->pid);	/* pid reused */
	}
	while (j < sc->npc)
		pc_drop(&sc->pc[j++]);
	free(sc->pc);
	sc->pc = np;
	sc->npc = sc->nbr;
	return 0;
}

static int tid_cb(void *ctx, const char *name)
{
	struct gt_scanner *sc = ctx;
	long tid;

	if (!gt_parse_int(name, 1, 0x7fffffff, &tid) || name[0] == '+')
		return 0;
	if (!gt_grow((void **)&sc->tids, &sc->ctids, sc->ntids + 1,
		  sizeof(*sc->tids)))
		return 1;
	sc->tids[sc->ntids++] = (int)tid;
	return 0;
}

static bool push_task(struct gt_scanner *sc, const struct task *t)
{
	if (!gt_grow((void **)&sc->tv, &sc->ctv, sc->ntv + 1, sizeof(*sc->tv)))
		return false;
	sc->tv[sc->ntv++] = *t;
	return true;
}

/* Read every thread of pid into sc->tv.  Returns the vCPU count. */
static int scan_threads(struct gt_scanner *sc, int pid)
{
	char path[64];
	int nv = 0;

	sc->ntids = 0;
	sc->ntv = 0;
	gt_path(path, sizeof(path), GT_I(pid), "/task", NULL);
	if (sc->src->ops->list(sc->src, GT_ROOT_PROC, path, tid_cb, sc) < 0)
		return 0;
	for (size_t i = 0; i < sc->ntids; i++) {
		struct task t = { .tid = sc->tids[i] };
		const struct gt_kvm_dir *d;
		int di, ci;

		gt_path(path, sizeof(path), GT_I(pid), "/task/", GT_I(t.tid),
			"/stat", NULL);
		if (read_pidstat(sc, path, &t.ps, false))
			continue;	/* thread exited meanwhile */
		di = gt_kvmfs_vcpu(sc->kfs, pid, t.tid, &d);
		ci = gt_vcpu_index_from_comm(t.ps.comm);
		t.vcpu = di >= 0 || ci >= 0 || t.ps.t.guest > 0;
		t.index = di >= 0 ? di : ci;
		if (!push_task(sc, &t))
			break;
		nv += t.vcpu;
	}
	return nv;
}

/* The vCPU threads debugfs knows for pid into sc->tv; 0 if none. */
static int dbg_threads(struct gt_scanner *sc, int pid)
{
	int tid[512], idx[512], n;
	char path[64];

	n = gt_kvmfs_vcpus(sc->kfs, pid, tid, idx, 512);
	if (n <= 0 || n > 512)
		return 0;	/* unknown, or too many: list the threads */
	sc->ntv = 0;
	for (int i = 0; i < n; i++) {
		struct task t = { .tid = tid[i], .index = idx[i], .vcpu = true };

		gt_path(path, sizeof(path), GT_I(pid), "/task/", GT_I(t.tid),
			"/stat", NULL);
		if (read_pidstat(sc, path, &t.ps, true))
			continue;	/* stale vcpuN/pid */
		if (!push_task(sc, &t))
			break;
	}
	return sc->ntv > 0;
}

struct fdctx {
	struct gt_scanner *sc;
	int pid, n;
	bool found;
};

static int fd_cb(void *ctx, const char *name)
{
	struct fdctx *f = ctx;
	char path[64], target[64];

	if (++f->n > FD_SCAN_MAX)
		return 1;
	snprintf(path, sizeof(path), "%d/fd/%.20s", f->pid, name);
	if (f->sc->src->ops->readlink(f->sc->src, GT_ROOT_PROC, path, target,
				      sizeof(target)) > 0 &&
	    gt_is_kvm_fd_link(target)) {
		f->found = true;
		return 1;
	}
	return 0;
}

static bool has_kvm_fd(struct gt_scanner *sc, int pid)
{
	struct fdctx f = { .sc = sc, .pid = pid };
	char path[32];

	snprintf(path, sizeof(path), "%d/fd", pid);
	sc->src->ops->list(sc->src, GT_ROOT_PROC, path, fd_cb, &f);
	return f.found;
}

/* Is it time to look at a process that was not a VM? */
static bool due(const struct gt_scanner *sc, const struct pcache *p,
		const struct gt_proc_brief *b)
{
	if (p->cls == CLS_UNKNOWN || sc->now >= p->next_ns)
		return true;
	if (gt_kvmfs_has_pid(sc->kfs, p->pid))
		return true;
	return b->has_stat && (b->guest > 0 || (b->nlwp != p->nlwp &&
		sc->now - p->checked_ns >= RECHECK_YOUNG_NS));
}

static bool classify(struct gt_scanner *sc, struct pcache *p,
		     const struct gt_pidstat *ps, bool *threads_fresh)
{
	bool dbg = gt_kvmfs_has_pid(sc->kfs, p->pid);

	*threads_fresh = false;
	if (p->cls == CLS_VM)
		return true;
	p->nlwp = ps->nlwp;
	p->checked_ns = sc->now;
	p->cls = CLS_NOTVM;
	if (ps->t.guest > 0 || dbg) {
		p->cls = CLS_VM;
	} else if (ps->nlwp > 1) {
		if (scan_threads(sc, p->pid) > 0) {
			p->cls = CLS_VM;
			*threads_fresh = true;
		} else if (has_kvm_fd(sc, p->pid)) {
			p->cls = CLS_VM;
		}
	}
	if (p->cls == CLS_NOTVM) {
		double age = sc->uptime - (double)ps->starttime / (double)sc->hz;
		/* spread the periodic checks over 8 s */
		uint64_t jitter = (uint64_t)(p->pid % 16) * (NS / 2);

		p->next_ns = sc->now + (sc->uptime > 0 && age >= 0 &&
					age * NS < YOUNG_NS ? RECHECK_YOUNG_NS :
					RECHECK_NS + jitter);
	}
	return p->cls == CLS_VM;
}

static const char *vm_name(struct gt_scanner *sc, struct pcache *p,
			   const char *comm)
{
	char path[32], name[128];
	ssize_t n;

	if (p->name)
		return p->name;
	snprintf(path, sizeof(path), "%d/cmdline", p->pid);
	n = rd(sc, GT_ROOT_PROC, path);
	if (n <= 0)
		return comm;	/* not exec'd yet or gone: try again later */
	gt_vm_uuid_from_cmdline(sc->file, (size_t)n, p->uuid, sizeof(p->uuid));
	if (gt_vm_name_from_cmdline(sc->file, (size_t)n, name, sizeof(name)) ||
	    (p->cgroup && gt_vm_name_from_cgroup(p->cgroup, name,
						 sizeof(name))))
		p->name = strdup(name);
	else
		p->name = strdup(comm[0] ? comm : "?");
	return p->name ? p->name : comm;
}

/* The cgroup v2 path: read when found and again when its threads are
 * re-listed (a manager may move the process after it started). */
static void vm_cgroup(struct gt_scanner *sc, struct pcache *p)
{
	char path[32], cg[256];
	ssize_t n;

	snprintf(path, sizeof(path), "%d/cgroup", p->pid);
	n = rd(sc, GT_ROOT_PROC, path);
	if (n <= 0 || gt_parse_cgroup2(sc->file, (size_t)n, cg, sizeof(cg)))
		return;
	if (p->cgroup && !strcmp(p->cgroup, cg))
		return;
	free(p->cgroup);
	p->cgroup = strdup(cg);
}

/* Run queue delay of a vCPU thread (schedstat, read every sample). */
static void read_sched(struct gt_scanner *sc, int pid, struct gt_vcpu_raw *v)
{
	char path[64], buf[128];
	ssize_t n;

	gt_path(path, sizeof(path), GT_I(pid), "/task/", GT_I(v->tid),
		"/schedstat", NULL);
	n = sc->src->ops->reread(sc->src, GT_ROOT_PROC, path, buf, sizeof(buf));
	v->has_sched = n > 0 && !gt_parse_schedstat(buf, (size_t)n, &v->run_ns,
						    &v->wait_ns);
	v->run_ns = gt_quant_ns(v->run_ns);	/* snap.h */
	v->wait_ns = gt_quant_ns(v->wait_ns);
}

/*
 * KVM's per-VM statistics are read only where exit timing does not
 * give the figures (a stock kernel, the sysctls at 0, a vCPU without
 * its file): each is an open, a read and a close (debugfs refuses
 * pread), too dear for every VM of a large host at every refresh.
 */
static bool want_kvm_stats(const struct gt_snap *s, const struct gt_vm_raw *vm)
{
	if ((s->has_sysctl && !s->sysctl) || (s->has_xt_sysctl && !s->xt_sysctl))
		return true;
	for (int i = 0; i < vm->nvcpus; i++)
		if (!vm->vcpus[i].xt)
			return true;
	return !vm->nvcpus;
}

/*
 * A vCPU's <guest>, <halted>, run and wait times as reported (quant.h):
 * in steps that follow how much each moved last time, carried forward.
 */
static void report(struct pcache *p, struct gt_vcpu_raw *v, struct gt_xt *xt)
{
	struct vcache *c = NULL;

	for (int i = 0; i < p->nvc && !c; i++)
		if (p->vc[i].tid == v->tid)
			c = &p->vc[i];
	if (!c)
		return;		/* not cached: as read, in microseconds */
	if (v->has_sched) {
		v->run_ns = gt_q_report(&c->q[QC_RUN], v->run_ns);
		v->wait_ns = gt_q_report(&c->q[QC_WAIT], v->wait_ns);
	}
	if (xt && xt->has_guest)
		xt->guest.total_ns = gt_q_report(&c->q[QC_GUEST],
						 xt->guest.total_ns);
	if (xt && xt->has_halted)
		xt->halted.total_ns = gt_q_report(&c->q[QC_HALTED],
						  xt->halted.total_ns);
}

static int vcpu_cmp(const void *a, const void *b)
{
	const struct gt_vcpu_raw *x = a, *y = b;

	if (x->index != y->index) {
		if (x->index < 0 || y->index < 0)
			return x->index < 0 ? 1 : -1;
		return x->index < y->index ? -1 : 1;
	}
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* Fill *vm; returns -1 if the process vanished. */
static int build_vm(struct gt_scanner *sc, struct gt_snap *s,
		    struct pcache *p, const struct gt_pidstat *psp,
		    bool threads_fresh, struct gt_vm_raw *vm)
{
	const struct gt_pidstat ps = *psp;
	char path[64];

	memset(vm, 0, sizeof(*vm));
	vm->pid = p->pid;
	vm->starttime = p->starttime;
	if (!p->vc_ns)		/* found now; later with the re-lists */
		vm_cgroup(sc, p);
	vm->comm = gt_arena_strdup(&s->arena, ps.comm);
	vm->name = gt_arena_strdup(&s->arena, vm_name(sc, p, ps.comm));
	vm->uuid = p->uuid[0] ? gt_arena_strdup(&s->arena, p->uuid) : NULL;
	vm->cgroup = p->cgroup ? gt_arena_strdup(&s->arena, p->cgroup) : NULL;
	vm->nlwp = ps.nlwp;
	vm->t = ps.t;
	if (!vm->comm || !vm->name)
		return -1;

	/* re-list now and then (threads get their names after creation),
	 * spread over 8 s so that VMs found together are not re-listed
	 * together */
	if (!p->vc_valid || p->vc_nlwp != ps.nlwp || sc->now - p->vc_ns >=
	    VCPU_RECHECK_NS + (uint64_t)(p->pid % 16) * (NS / 2)) {
		if (p->vc_ns && (!p->vc_valid || p->vc_nlwp != ps.nlwp))
			gt_kvmfs_relist_pid(sc->kfs, p->pid);
		if (p->vc_ns)
			vm_cgroup(sc, p);
		if (!dbg_threads(sc, p->pid) && !threads_fresh)
			scan_threads(sc, p->pid);
		int nv = 0;

		for (size_t i = 0; i < sc->ntv; i++)
			nv += sc->tv[i].vcpu;
		struct vcache *ov = p->vc;
		int onvc = p->nvc;

		p->vc = calloc((size_t)(nv ? nv : 1), sizeof(*p->vc));
		p->nvc = 0;
		for (size_t i = 0; p->vc && i < sc->ntv; i++) {
			struct vcache *c;

			if (!sc->tv[i].vcpu)
				continue;
			c = &p->vc[p->nvc++];
			c->tid = sc->tv[i].tid;
			c->index = sc->tv[i].index;
			for (int k = 0; k < onvc; k++)	/* keep its reports */
				if (ov[k].tid == c->tid)
					memcpy(c->q, ov[k].q, sizeof(c->q));
		}
		free(ov);
		p->vc_valid = p->vc != NULL;
		p->vc_nlwp = ps.nlwp;
		p->vc_ns = sc->now;
	} else {
		sc->ntv = 0;
		for (int i = 0; i < p->nvc; i++) {
			struct task t = { .tid = p->vc[i].tid,
					  .index = p->vc[i].index,
					  .vcpu = true };

			gt_path(path, sizeof(path), GT_I(p->pid), "/task/",
				GT_I(t.tid), "/stat", NULL);
			if (read_pidstat(sc, path, &t.ps, true)) {
				p->vc_valid = false;	/* rescan next time */
				continue;
			}
			if (!push_task(sc, &t))
				break;
		}
	}

	int nv = 0;

	for (size_t i = 0; i < sc->ntv; i++)
		nv += sc->tv[i].vcpu;
	vm->vcpus = gt_arena_alloc(&s->arena,
				   (size_t)(nv ? nv : 1) * sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -1;
	for (size_t i = 0; i < sc->ntv; i++) {
		const struct task *t = &sc->tv[i];
		struct gt_vcpu_raw *v;
		const struct gt_kvm_dir *d;
		struct gt_xt *xt;
		int di;

		if (!t->vcpu)
			continue;
		v = &vm->vcpus[vm->nvcpus++];
		v->tid = t->tid;
		v->index = t->index;
		v->processor = t->ps.processor;
		v->comm = gt_arena_strdup(&s->arena, t->ps.comm);
		v->t = t->ps.t;
		di = gt_kvmfs_vcpu(sc->kfs, p->pid, t->tid, &d);
		xt = di >= 0 ? gt_kvmfs_read_xt(sc->kfs, s, d, di) : NULL;
		read_sched(sc, p->pid, v);
		report(p, v, xt);
		v->xt = xt;
		if (!v->comm)
			return -1;
	}
	qsort(vm->vcpus, (size_t)vm->nvcpus, sizeof(*vm->vcpus), vcpu_cmp);
	if (want_kvm_stats(s, vm))
		vm->ks = gt_kvmfs_read_stats(sc->kfs, s, p->pid);
	return 0;
}

/* ------------------------------------------------------------- sample */

static void read_cpus(struct gt_scanner *sc, struct gt_snap *s)
{
	ssize_t n;

	for (;;) {
		if (!sc->big) {
			sc->bigsz = 64 * 1024;
			sc->big = malloc(sc->bigsz);
			if (!sc->big)
				return;
		}
		n = sc->src->ops->read(sc->src, GT_ROOT_PROC, "stat", sc->big,
				       sc->bigsz);
		if (n < 0)
			return;
		if ((size_t)n + 1 < sc->bigsz || sc->bigsz >= 16u << 20)
			break;
		free(sc->big);	/* filled the buffer: retry bigger */
		sc->big = NULL;
		sc->bigsz *= 2;
		char *nb = malloc(sc->bigsz);

		if (!nb)
			return;
		sc->big = nb;
	}
	int ncpu = gt_parse_proc_stat(sc->big, (size_t)n, &s->total, NULL, 0);

	if (ncpu < 0)
		return;
	s->cpus = gt_arena_alloc(&s->arena,
				 (size_t)(ncpu ? ncpu : 1) * sizeof(*s->cpus));
	if (!s->cpus)
		return;
	s->ncpus = gt_parse_proc_stat(sc->big, (size_t)n, &s->total, s->cpus,
				      ncpu);
	s->stat_ok = s->ncpus >= 0;
	if (s->ncpus < 0)
		s->ncpus = 0;
}

static void read_misc(struct gt_scanner *sc, struct gt_snap *s)
{
	ssize_t n = rd(sc, GT_ROOT_PROC, "uptime");

	s->has_uptime = n > 0 && !gt_parse_uptime(sc->file, (size_t)n,
						   &s->uptime);
	n = rd(sc, GT_ROOT_PROC, "loadavg");
	s->has_load = n > 0 && !gt_parse_loadavg(sc->file, (size_t)n, s->load);
	n = rd(sc, GT_ROOT_PROC, "sys/kernel/collect_guest_utilization");
	if (n >= 0 && !gt_parse_sysctl_int(sc->file, (size_t)n, &s->sysctl)) {
		s->has_sysctl = true;
	} else {
		s->has_sysctl = false;
		s->sysctl_err = n < 0 ? (int)-n : EINVAL;
	}
	/* Exit timing's own switch; absent before it existed (then: on). */
	n = rd(sc, GT_ROOT_PROC, "sys/kernel/collect_guest_exit_timing");
	s->has_xt_sysctl = n >= 0 &&
			   !gt_parse_sysctl_int(sc->file, (size_t)n, &s->xt_sysctl);
}

int gt_scanner_sample(struct gt_scanner *sc, struct gt_snap *s)
{
	struct gt_vm_raw *vms = NULL;
	size_t nvms = 0, cvms = 0;
	int ret = 0;

	gt_snap_clear(s);
	sc->src->ops->advance(sc->src);
	sc->src->ops->clock(sc->src, &s->mono_ns, &s->realtime);
	sc->now = s->mono_ns;
	s->hz = sc->src->ops->hz(sc->src);
	read_cpus(sc, s);
	read_misc(sc, s);

	s->xt_state = gt_kvmfs_scan(sc->kfs, sc->now);

	sc->nbr = 0;
	sc->src->ops->procs(sc->src, brief_cb, sc);
	if (sc->nbr)
		qsort(sc->br, sc->nbr, sizeof(*sc->br), brief_cmp);
	size_t o = 0;

	for (size_t i = 0; i < sc->nbr; i++)	/* drop duplicate pids */
		if (!o || sc->br[o - 1].pid != sc->br[i].pid)
			sc->br[o++] = sc->br[i];
	sc->nbr = o;
	if (pc_merge(sc)) {
		ret = -1;
		goto out;
	}
	s->nprocs = (int)sc->nbr;
	sc->uptime = s->has_uptime ? s->uptime : 0;
	sc->hz = s->hz > 0 ? s->hz : 100;
	for (size_t i = 0; i < sc->nbr; i++) {
		struct pcache *p = &sc->pc[i];
		struct gt_proc_brief *b = &sc->br[i];
		struct gt_pidstat ps;
		char path[32];
		bool fresh, have = false;

		gt_path(path, sizeof(path), GT_I(p->pid), "/stat", NULL);
		if (p->cls != CLS_VM && b->watch && !b->has_stat) {
			if (read_pidstat(sc, path, &ps, true))
				continue;	/* vanished */
			have = b->has_stat = true;
			b->starttime = ps.starttime;
			b->nlwp = ps.nlwp;
			b->guest = ps.t.guest;
			if (p->known && p->starttime != ps.starttime)
				pc_reset(p, p->pid);	/* pid reused */
		}
		if (p->cls != CLS_VM && !due(sc, p, b))
			continue;	/* a known non-VM: nothing to read */
		if (!have && read_pidstat(sc, path, &ps, p->cls == CLS_VM))
			continue;	/* vanished */
		if (p->known && p->starttime != ps.starttime)
			pc_reset(p, p->pid);	/* pid reused */
		p->known = true;
		p->starttime = ps.starttime;
		if (!classify(sc, p, &ps, &fresh))
			continue;
		if (!gt_grow((void **)&vms, &cvms, nvms + 1, sizeof(*vms))) {
			ret = -1;
			break;
		}
		if (!build_vm(sc, s, p, &ps, fresh, &vms[nvms]))
			nvms++;
	}
	s->vms = gt_arena_alloc(&s->arena, (nvms ? nvms : 1) * sizeof(*vms));
	if (s->vms) {
		if (nvms)
			memcpy(s->vms, vms, nvms * sizeof(*vms));
		s->nvms = (int)nvms;
	} else {
		ret = -1;
	}

	s->xt_state = gt_kvmfs_state(sc->kfs, s->xt_state);
	s->ks_state = gt_kvmfs_stats_state(sc->kfs);
	sc->src->ops->sweep(sc->src);
out:
	free(vms);
	return ret;
}

struct gt_scanner *gt_scanner_new(struct gt_source *src)
{
	struct gt_scanner *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return NULL;
	sc->src = src;
	sc->kfs = gt_kvmfs_new(src);
	if (!sc->kfs) {
		free(sc);
		return NULL;
	}
	return sc;
}

void gt_scanner_free(struct gt_scanner *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->npc; i++)
		pc_drop(&sc->pc[i]);
	gt_kvmfs_free(sc->kfs);
	free(sc->pc);
	free(sc->br);
	free(sc->tv);
	free(sc->tids);
	free(sc->big);
	free(sc);
}
