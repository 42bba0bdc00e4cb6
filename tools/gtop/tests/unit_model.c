// SPDX-License-Identifier: GPL-2.0
/*
 * unit_model.c - scanner (VM grouping, states) and model (deltas,
 * rates, clamping, ranking, detail) against an in-memory host.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "scan.h"
#include "source.h"

#include "memfix.h"

struct host {
	struct gt_source *s;
	bool split;		/* new kernel columns and fields */
	const char *sysctl;	/* NULL: no sysctl file */
};

/*
 * Frame f of a host: 2 CPUs; VM 100 (QEMU, 2 vCPUs in debugfs with
 * exit timing), VM 90 (cloud-hypervisor names "vcpuN"), VM 70 (an
 * unnamed thread with guest time), VM 80 (only a kvm-vm fd), and the
 * non-VMs 1 (init), 50 (java, 2 threads), 60 (single thread called
 * "CPU 0/KVM").
 */
static void frame(struct host *h, unsigned f)
{
	struct gt_source *s = h->s;
	bool sp = h->split;

	gt_source_mem_clock(s, 1000000000ULL * (10 + f), 1700000000.0 + f);
	if (h->sysctl)
		put(s, P, "sys/kernel/collect_guest_utilization", "%s\n",
		    h->sysctl);
	/* per second: cpu0 user 60 (guest 40: gu 30 gs 10) sys 20 idle 20,
	 * cpu1 user 10 sys 10 idle 80 */
	char t0[32] = "", t1[32] = "";

	if (sp) {
		snprintf(t0, sizeof(t0), " %u %u", 30 * f, 10 * f);
		snprintf(t1, sizeof(t1), " 0 0");
	}
	put(s, P, "stat",
	    "cpu  %u 0 %u %u 0 0 0 0 %u 0%s\n"
	    "cpu0 %u 0 %u %u 0 0 0 0 %u 0%s\n"
	    "cpu1 %u 0 %u %u 0 0 0 0 0 0%s\nintr 1 2\n",
	    100 + f * 70, 50 + f * 30, 1000 + f * 100, 40 * f, t0,
	    100 + f * 60, 50 + f * 20, 500 + f * 20, 40 * f, t0,
	    f * 10, f * 10, 500 + f * 80, t1);
	put(s, P, "uptime", "%u.00 1.00\n", 10 + f);
	put(s, P, "loadavg", "0.10 0.20 0.30 1/100 1000\n");

	stat_file(s, "1/stat", 1, "init", 5, 5, 1, 1, 0, 0, 0, 0, sp);
	stat_file(s, "50/stat", 50, "java", 9, 9, 2, 2, 0, 0, 0, 0, sp);
	stat_file(s, "50/task/50/stat", 50, "java", 9, 9, 2, 2, 0, 0, 0, 0, sp);
	stat_file(s, "50/task/51/stat", 51, "GC Thread#0", 0, 0, 2, 2, 0, 0, 0, 0, sp);
	stat_file(s, "60/stat", 60, "CPU 0/KVM", 1, 1, 1, 3, 0, 0, 0, 0, sp);

	/* VM 100: 2 vCPUs.  vcpu0 60%/s (guest 50: gu 40 gs 10), vcpu1 30% */
	static const char cmd[] = "qemu\0-name\0guest=web,debug-threads=on\0";

	gt_source_mem_put_len(s, P, "100/cmdline", cmd, sizeof(cmd) - 1);
	stat_file(s, "100/stat", 100, "qemu-system-x86", 100 + f * 85,
		  10 + f * 15, 3, 500, 0, 50 + f * 70, 40 * f, 10 + f * 30, sp);
	stat_file(s, "100/task/100/stat", 100, "qemu-system-x86", 1, 1, 3, 500,
		  0, 0, 0, 0, sp);
	stat_file(s, "100/task/101/stat", 101, "CPU 0/KVM", 50 + f * 55,
		  5 + f * 5, 3, 501, 1, 40 + f * 50, 30 * f + 5, 5 + f * 10, sp);
	stat_file(s, "100/task/102/stat", 102, "CPU 1/KVM", 20 + f * 25,
		  5 + f * 5, 3, 501, 0, 10 + f * 20, 10 * f, 10 + f * 10, sp);
	put(s, D, "kvm/100-7/vcpu0/pid", "101\n");
	put(s, D, "kvm/100-7/vcpu1/pid", "102\n");
	put(s, D, "kvm/100-7/vcpu0/exit_timing",
	    "reason count min_ns max_ns total_ns avg_ns stddev_ns user_exits\n"
	    "cpuid %u 500 500 %u 500 0 0\nio %u 100 700 %u 400 100 %u\n"
	    "<guest> %u 1 9 %u 5 1 0\n<halted> 1 5 5 5 5 0 0\n",
	    2 * f, 1000 * f, 10 * f, 4000 * f, 10 * f, 12 * f, 500000000 * f);
	put(s, D, "kvm/100-7/vcpu1/exit_timing",
	    "reason count min_ns max_ns total_ns avg_ns stddev_ns user_exits\n"
	    "cpuid %u 1000 1000 %u 1000 0 0\n<guest> %u 1 9 %u 5 1 0\n",
	    2 * f, 2000 * f, 2 * f, 100000000 * f);
	put(s, D, "kvm/halt_exits", "0\n");

	/* VM 90: cloud-hypervisor thread names */
	stat_file(s, "90/stat", 90, "cloud-hyperviso", 10 * f, 0, 3, 400, 0,
		  5 * f, 0, 0, sp);
	stat_file(s, "90/task/90/stat", 90, "cloud-hyperviso", 0, 0, 3, 400, 0, 0, 0, 0, sp);
	stat_file(s, "90/task/91/stat", 91, "vcpu0", 5 * f, 0, 3, 401, 0, 5 * f, 0, 0, sp);
	stat_file(s, "90/task/92/stat", 92, "vcpu1", 5 * f, 0, 3, 401, 1, 0, 0, 0, sp);

	/* VM 70: no vCPU names, one thread has guest time */
	stat_file(s, "70/stat", 70, "myvmm", 10, 0, 2, 300, 0, 0, 0, 0, sp);
	stat_file(s, "70/task/70/stat", 70, "myvmm", 0, 0, 2, 300, 0, 0, 0, 0, sp);
	stat_file(s, "70/task/71/stat", 71, "worker", 10, 0, 2, 301, 1, 7, 0, 0, sp);

	/* VM 80: only a kvm-vm file descriptor */
	stat_file(s, "80/stat", 80, "tinyvmm", 1, 0, 2, 200, 0, 0, 0, 0, sp);
	stat_file(s, "80/task/80/stat", 80, "tinyvmm", 0, 0, 2, 200, 0, 0, 0, 0, sp);
	stat_file(s, "80/task/81/stat", 81, "helper", 0, 0, 2, 201, 0, 0, 0, 0, sp);
	put(s, P, "80/fd/0", "/dev/null");
	put(s, P, "80/fd/3", "anon_inode:kvm-vm");
}

static struct host new_host(bool split, const char *sysctl)
{
	struct host h = { gt_source_mem_new(), split, sysctl };

	return h;
}

static const struct gt_vm_view *vm_of(const struct gt_view *v, int pid)
{
	for (int i = 0; i < v->nvms; i++)
		if (v->vms[i].raw->pid == pid)
			return &v->vms[i];
	return NULL;
}

/* Sample frame 0 and frame 1 into a, b and build v. */
static void two(struct host *h, struct gt_scanner *sc, struct gt_snap *a,
		struct gt_snap *b, struct gt_view *v)
{
	frame(h, 0);
	CHECK_INT(gt_scanner_sample(sc, a), 0);
	frame(h, 1);
	CHECK_INT(gt_scanner_sample(sc, b), 0);
	CHECK_INT(gt_view_build(v, a, b), 0);
}

static void grouping(void)
{
	struct host h = new_host(true, "1");
	struct gt_scanner *sc = gt_scanner_new(h.s);
	struct gt_snap s = { 0 };

	frame(&h, 0);
	CHECK_INT(gt_scanner_sample(sc, &s), 0);
	CHECK_INT(s.nprocs, 7);
	CHECK_INT(s.nvms, 4);
	int pids[4] = { 70, 80, 90, 100 };

	for (int i = 0; i < 4 && i < s.nvms; i++)
		CHECK_INT(s.vms[i].pid, pids[i]);
	const struct gt_vm_raw *web = gt_snap_find_vm(&s, 100);

	CHECK(web != NULL);
	if (web) {
		CHECK_STR(web->name, "web");
		CHECK_INT(web->nvcpus, 2);
		CHECK_INT(web->vcpus[0].tid, 101);
		CHECK_INT(web->vcpus[0].index, 0);
		CHECK_INT(web->vcpus[1].index, 1);
		CHECK(web->vcpus[0].xt != NULL);
		CHECK_INT(web->vcpus[1].processor, 0);
	}
	const struct gt_vm_raw *ch = gt_snap_find_vm(&s, 90);

	CHECK(ch && ch->nvcpus == 2 && ch->vcpus[1].index == 1 &&
	      !ch->vcpus[0].xt);
	CHECK_STR(ch ? ch->name : NULL, "cloud-hyperviso");
	const struct gt_vm_raw *anon = gt_snap_find_vm(&s, 70);

	CHECK(anon && anon->nvcpus == 1 && anon->vcpus[0].index == -1 &&
	      anon->vcpus[0].tid == 71);
	const struct gt_vm_raw *fd = gt_snap_find_vm(&s, 80);

	CHECK(fd && fd->nvcpus == 0);
	CHECK(!gt_snap_find_vm(&s, 50) && !gt_snap_find_vm(&s, 60));
	CHECK_INT(s.xt_state, GT_XT_OK);
	CHECK_INT(gt_split_state(&s), GT_SPLIT_ON);

	/* debugfs index wins over the thread name */
	put(h.s, D, "kvm/100-7/vcpu0/pid", "102\n");
	put(h.s, D, "kvm/100-7/vcpu1/pid", "101\n");
	struct gt_scanner *sc2 = gt_scanner_new(h.s);

	CHECK_INT(gt_scanner_sample(sc2, &s), 0);
	web = gt_snap_find_vm(&s, 100);
	CHECK(web && web->vcpus[0].tid == 102 && web->vcpus[1].tid == 101);
	gt_scanner_free(sc2);
	gt_snap_free(&s);
	gt_scanner_free(sc);
	gt_source_destroy(h.s);
}

static void figures(void)
{
	struct host h = new_host(true, "1");
	struct gt_scanner *sc = gt_scanner_new(h.s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };

	two(&h, sc, &a, &b, &v);
	CHECK_NEAR(v.dt, 1.0, 1e-9);
	CHECK_INT(v.split, GT_SPLIT_ON);
	/* cpu0: user 60 of which guest 40 -> host user 20; total 100 */
	const struct gt_row *c0 = &v.cpus[0];

	CHECK_VAL(c0, GT_F_HOST_USER, 20);
	CHECK_VAL(c0, GT_F_HOST_SYSTEM, 20);
	CHECK_VAL(c0, GT_F_GUEST, 40);
	CHECK_VAL(c0, GT_F_GUEST_USER, 30);
	CHECK_VAL(c0, GT_F_GUEST_SYSTEM, 10);
	CHECK_VAL(c0, GT_F_IDLE, 20);
	CHECK_VAL(c0, GT_F_CPU_ID, 0);
	CHECK_NEAR(gt_cpu_guest_unsplit(c0), 0, 1e-9);
	/* all: 200 ticks, user 70, guest 40, system 30 */
	CHECK_VAL(&v.cpu_total, GT_F_HOST_USER, 15);
	CHECK_VAL(&v.cpu_total, GT_F_GUEST, 20);
	CHECK_VAL(&v.cpu_total, GT_F_HOST_SYSTEM, 15);
	CHECK_VAL(&v.cpu_total, GT_F_IDLE, 50);
	CHECK_NOVAL(&v.cpu_total, GT_F_CPU_ID);

	const struct gt_vm_view *w = vm_of(&v, 100);

	CHECK(w != NULL);
	if (!w)
		return;
	CHECK_VAL(&w->row, GT_F_CPU, 100);
	CHECK_VAL(&w->row, GT_F_GUEST, 70);
	CHECK_VAL(&w->row, GT_F_GUEST_USER, 40);
	CHECK_VAL(&w->row, GT_F_GUEST_SYSTEM, 30);
	CHECK_VAL(&w->row, GT_F_HOST, 30);
	CHECK_VAL(&w->row, GT_F_VCPUS, 2);
	CHECK_STR(w->row.val[GT_F_NAME].s, "web");
	/* exits: vcpu0 cpuid 2 + io 10, vcpu1 cpuid 2 */
	CHECK_VAL(&w->row, GT_F_EXITS, 14);
	CHECK_VAL(&w->row, GT_F_EXIT_TIME, (1000 + 4000 + 2000) / 1e9 * 100);
	CHECK_STR(w->row.val[GT_F_TOP_EXIT].s, "io");
	const struct gt_row *v0 = &w->vcpus[0], *v1 = &w->vcpus[1];

	CHECK_VAL(v0, GT_F_CPU, 60);
	CHECK_VAL(v0, GT_F_GUEST, 50);
	CHECK_VAL(v0, GT_F_GUEST_USER, 30);
	CHECK_VAL(v0, GT_F_GUEST_SYSTEM, 10);
	CHECK_VAL(v0, GT_F_HOST, 10);
	CHECK_VAL(v0, GT_F_INDEX, 0);
	CHECK_VAL(v0, GT_F_TID, 101);
	CHECK_VAL(v0, GT_F_LAST_CPU, 1);
	CHECK_VAL(v0, GT_F_EXITS, 12);
	CHECK_STR(v0->val[GT_F_TOP_EXIT].s, "io");
	CHECK_VAL(v1, GT_F_EXITS, 2);
	CHECK_STR(v1->val[GT_F_TOP_EXIT].s, "cpuid");
	/* VM 90 has no exit timing: unknown, not 0 */
	const struct gt_vm_view *chv = vm_of(&v, 90);

	CHECK(chv && !chv->row.val[GT_F_EXITS].ok &&
	      !chv->row.val[GT_F_EXIT_TIME].ok && chv->row.val[GT_F_CPU].ok);
	/* VM 80: no vCPUs, exit figures unknown */
	const struct gt_vm_view *fdv = vm_of(&v, 80);

	CHECK(fdv && !fdv->row.val[GT_F_EXITS].ok);
	CHECK_INT(v.nvcpus, 5);

	/* first sample alone: identities known, rates unknown */
	struct gt_view v1st = { 0 };

	CHECK_INT(gt_view_build(&v1st, NULL, &a), 0);
	w = vm_of(&v1st, 100);
	CHECK(w && w->row.val[GT_F_PID].ok && !w->row.val[GT_F_CPU].ok &&
	      !w->row.val[GT_F_EXITS].ok && !v1st.cpus[0].val[GT_F_IDLE].ok);
	/* no time between the samples: no rates */
	CHECK_INT(gt_view_build(&v1st, &b, &b), 0);
	CHECK(v1st.dt == 0 && !vm_of(&v1st, 100)->row.val[GT_F_CPU].ok);
	gt_view_free(&v1st);

	/* counters going backwards: clamped to 0, never negative/huge */
	struct gt_snap c = { 0 };

	frame(&h, 0);
	gt_source_mem_clock(h.s, 12000000000ULL, 1700000002.0);
	CHECK_INT(gt_scanner_sample(sc, &c), 0);
	CHECK_INT(gt_view_build(&v, &b, &c), 0);
	w = vm_of(&v, 100);
	CHECK(w != NULL);
	if (w) {
		CHECK_VAL(&w->row, GT_F_CPU, 0);
		CHECK_VAL(&w->row, GT_F_GUEST, 0);
		CHECK_VAL(&w->row, GT_F_HOST, 0);
		CHECK_VAL(&w->row, GT_F_EXITS, 0);
		CHECK_NOVAL(&w->row, GT_F_TOP_EXIT);
	}
	CHECK_NOVAL(&v.cpus[0], GT_F_IDLE);	/* no time at all */
	CHECK_NOVAL(&v.cpus[0], GT_F_HOST_USER);

	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_snap_free(&c);
	gt_scanner_free(sc);
	gt_source_destroy(h.s);
}

static void vanish(void)
{
	struct host h = new_host(true, "1");
	struct gt_scanner *sc = gt_scanner_new(h.s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };

	frame(&h, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	frame(&h, 1);
	/* VM 90 exits between listing and reading; VM 100 loses vcpu1;
	 * a task of VM 70 is listed without a stat file */
	gt_source_mem_put(h.s, P, "90/stat", NULL, ENOENT);
	gt_source_mem_put(h.s, P, "100/task/102/stat", NULL, ESRCH);
	gt_source_mem_put(h.s, P, "70/task/72/stat", NULL, ENOENT);
	CHECK_INT(gt_scanner_sample(sc, &b), 0);
	CHECK(!gt_snap_find_vm(&b, 90));
	CHECK(gt_snap_find_vm(&b, 100) && gt_snap_find_vm(&b, 100)->nvcpus == 1);
	CHECK_INT(gt_view_build(&v, &a, &b), 0);
	CHECK_INT(v.nvms, 3);
	/* the process disappears completely */
	gt_source_mem_remove(h.s, P, "100");
	frame(&h, 2);
	gt_source_mem_remove(h.s, P, "100");
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK(!gt_snap_find_vm(&a, 100));
	/* pid reuse: same pid, new start time -> no rates */
	frame(&h, 3);
	stat_file(h.s, "70/stat", 70, "myvmm", 99, 0, 2, 999, 0, 0, 0, 0, true);
	CHECK_INT(gt_scanner_sample(sc, &b), 0);
	CHECK_INT(gt_view_build(&v, &a, &b), 0);
	const struct gt_vm_view *r = vm_of(&v, 70);

	CHECK(r && !r->row.val[GT_F_CPU].ok);
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(h.s);
}

/*
 * Build a host, apply tweak_a before the first sample and tweak_b before
 * the second, and check the view's states; want_exits: an exit rate.
 */
static void states_run(bool split, const char *sysctl,
		       void (*tweak_a)(struct gt_source *),
		       void (*tweak_b)(struct gt_source *), int want_split,
		       int want_xt, bool want_gu, bool want_exits)
{
	struct host h = new_host(split, sysctl);
	struct gt_scanner *sc = gt_scanner_new(h.s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };

	frame(&h, 0);
	if (tweak_a)
		tweak_a(h.s);
	gt_scanner_sample(sc, &a);
	frame(&h, 1);
	if (tweak_b)
		tweak_b(h.s);
	gt_scanner_sample(sc, &b);
	gt_view_build(&v, &a, &b);
	CHECK_INT(v.split, want_split);
	CHECK_INT(v.xt, want_xt);
	const struct gt_vm_view *w = vm_of(&v, 100);

	CHECK(w && w->row.val[GT_F_GUEST_USER].ok == want_gu &&
	      v.cpus[0].val[GT_F_GUEST_USER].ok == want_gu);
	CHECK(w && w->row.val[GT_F_GUEST].ok && w->row.val[GT_F_CPU].ok);
	CHECK(w && w->row.val[GT_F_EXITS].ok == want_exits);
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(h.s);
}

/* The same tweak before both samples. */
static void states_case(bool split, const char *sysctl,
			void (*tweak)(struct gt_source *), int want_split,
			int want_xt, bool want_gu)
{
	states_run(split, sysctl, tweak, tweak, want_split, want_xt, want_gu,
		   want_xt == GT_XT_OK);
}

static void exit_timing_sysctl_off(struct gt_source *s)
{
	put(s, P, "sys/kernel/collect_guest_exit_timing", "0\n");
}

static void exit_timing_sysctl_on(struct gt_source *s)
{
	put(s, P, "sys/kernel/collect_guest_exit_timing", "1\n");
}

static void deny_debugfs(struct gt_source *s)
{
	gt_source_mem_deny(s, D, "kvm", EACCES);
}

static void lockdown(struct gt_source *s)
{
	gt_source_mem_put(s, D, "kvm/100-7/vcpu0/exit_timing", NULL, EPERM);
	gt_source_mem_put(s, D, "kvm/100-7/vcpu1/exit_timing", NULL, EPERM);
}

static void unmounted(struct gt_source *s)
{
	gt_source_mem_remove(s, D, "kvm");
}

static void no_kvm(struct gt_source *s)
{
	gt_source_mem_remove(s, D, "kvm");
	gt_source_mem_put(s, D, "tracing/x", "", 0);
}

static void old_debugfs(struct gt_source *s)
{
	gt_source_mem_remove(s, D, "kvm/100-7/vcpu0/exit_timing");
	gt_source_mem_remove(s, D, "kvm/100-7/vcpu1/exit_timing");
}

static void garbage(struct gt_source *s)
{
	gt_source_mem_put(s, D, "kvm/100-7/vcpu0/exit_timing", "\x01\x02 garbage", 0);
	gt_source_mem_put(s, D, "kvm/100-7/vcpu1/exit_timing", "reason\n1 2\n", 0);
}

static void half_garbage(struct gt_source *s)
{
	gt_source_mem_put(s, D, "kvm/100-7/vcpu1/exit_timing", "junk", 0);
}

static void states(void)
{
	states_case(true, "1", NULL, GT_SPLIT_ON, GT_XT_OK, true);
	states_case(true, "0", NULL, GT_SPLIT_OFF, GT_XT_OFF, false);
	/* kernel.collect_guest_exit_timing=0: exit timing off, split on */
	states_case(true, "1", exit_timing_sysctl_off, GT_SPLIT_ON, GT_XT_OFF,
		    true);
	states_case(true, "1", exit_timing_sysctl_on, GT_SPLIT_ON, GT_XT_OK,
		    true);
	/*
	 * Exit timing switched off, or on, between the samples: the interval
	 * was only partly collected, so its exit rate is unknown, not too low.
	 */
	states_run(true, "1", exit_timing_sysctl_on, exit_timing_sysctl_off,
		   GT_SPLIT_ON, GT_XT_OFF, true, false);
	states_run(true, "1", exit_timing_sysctl_off, exit_timing_sysctl_on,
		   GT_SPLIT_ON, GT_XT_OK, true, false);
	states_case(false, NULL, NULL, GT_SPLIT_UNSUPPORTED, GT_XT_OK, false);
	states_case(true, NULL, NULL, GT_SPLIT_UNKNOWN, GT_XT_OK, false);
	states_case(true, "1", deny_debugfs, GT_SPLIT_ON, GT_XT_DENIED, true);
	states_case(true, "1", lockdown, GT_SPLIT_ON, GT_XT_LOCKDOWN, true);
	states_case(true, "1", unmounted, GT_SPLIT_ON, GT_XT_NOT_MOUNTED, true);
	states_case(true, "1", no_kvm, GT_SPLIT_ON, GT_XT_NO_KVM, true);
	states_case(true, "1", old_debugfs, GT_SPLIT_ON, GT_XT_UNSUPPORTED, true);
	states_case(true, "1", garbage, GT_SPLIT_ON, GT_XT_BAD, true);
	/* one vCPU unreadable: the VM's exit figures are unknown, but
	 * exit timing as such works */
	struct host h = new_host(true, "1");
	struct gt_scanner *sc = gt_scanner_new(h.s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };

	frame(&h, 0);
	half_garbage(h.s);
	gt_scanner_sample(sc, &a);
	frame(&h, 1);
	half_garbage(h.s);
	gt_scanner_sample(sc, &b);
	gt_view_build(&v, &a, &b);
	CHECK_INT(v.xt, GT_XT_OK);
	const struct gt_vm_view *w = vm_of(&v, 100);

	CHECK(w && !w->row.val[GT_F_EXITS].ok && w->vcpus[0].val[GT_F_EXITS].ok &&
	      !w->vcpus[1].val[GT_F_EXITS].ok);
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(h.s);
}

static void ranking(void)
{
	struct host h = new_host(true, "1");
	struct gt_scanner *sc = gt_scanner_new(h.s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };

	two(&h, sc, &a, &b, &v);
	/* %CPU: 100 -> 100, 90 -> 10, 70 -> 0, 80 -> 0 */
	gt_view_rank(&v, GT_F_CPU, -1, NULL);
	CHECK_INT(v.norder, 4);
	CHECK_INT(v.vms[v.order[0]].raw->pid, 100);
	CHECK_INT(v.vms[v.order[1]].raw->pid, 90);
	CHECK_INT(v.vms[v.order[2]].raw->pid, 70);	/* tie: by pid */
	CHECK_INT(v.vms[v.order[3]].raw->pid, 80);
	gt_view_rank(&v, GT_F_CPU, +1, NULL);
	CHECK_INT(v.vms[v.order[0]].raw->pid, 70);
	CHECK_INT(v.vms[v.order[3]].raw->pid, 100);
	/* unknown figures last in both directions */
	gt_view_rank(&v, GT_F_EXITS, -1, NULL);
	CHECK_INT(v.vms[v.order[0]].raw->pid, 100);
	gt_view_rank(&v, GT_F_EXITS, +1, NULL);
	CHECK_INT(v.vms[v.order[0]].raw->pid, 100);
	gt_view_rank(&v, GT_F_NAME, +1, NULL);
	CHECK_STR(v.vms[v.order[0]].raw->name, "cloud-hyperviso");
	CHECK_STR(v.vms[v.order[3]].raw->name, "web");
	gt_view_rank(&v, GT_F_PID, -1, NULL);
	CHECK_INT(v.vms[v.order[0]].raw->pid, 100);
	/* filter by name (case-insensitive) and by pid */
	gt_view_rank(&v, GT_F_CPU, -1, "WE");
	CHECK_INT(v.norder, 1);
	CHECK_INT(v.vms[v.order[0]].raw->pid, 100);
	gt_view_rank(&v, GT_F_CPU, -1, "8");
	CHECK_INT(v.norder, 1);
	gt_view_rank(&v, GT_F_CPU, -1, "nomatch");
	CHECK_INT(v.norder, 0);
	gt_view_rank(&v, GT_F_CPU, -1, "");
	CHECK_INT(v.norder, 4);

	/* detail: per reason across vCPUs */
	struct gt_detail d;

	CHECK_INT(gt_detail_build(&d, &v, 100), 0);
	CHECK_INT(d.nvcpus, 2);
	CHECK_INT(d.nvcpus_xt, 2);
	CHECK_INT(d.n, 2);
	/* sorted by total time: io (4000 ns) first */
	CHECK_STR(d.rows[0].val[GT_F_REASON].s, "io");
	CHECK_VAL(&d.rows[0], GT_F_COUNT, 10);
	CHECK_VAL(&d.rows[0], GT_F_USER_EXITS, 10);
	CHECK_VAL(&d.rows[0], GT_F_MIN_NS, 100);
	CHECK_VAL(&d.rows[0], GT_F_MAX_NS, 700);
	CHECK_VAL(&d.rows[0], GT_F_STDDEV_NS, 100);
	CHECK_VAL(&d.rows[0], GT_F_TIME_PCT, 4000.0 / 7000 * 100);
	CHECK_VAL(&d.rows[0], GT_F_EXITS, 10);
	/* cpuid: vcpu0 2 exits of 500 ns, vcpu1 2 exits of 1000 ns: mean
	 * 750, combined stddev 250 */
	CHECK_STR(d.rows[1].val[GT_F_REASON].s, "cpuid");
	CHECK_VAL(&d.rows[1], GT_F_COUNT, 4);
	CHECK_VAL(&d.rows[1], GT_F_AVG_NS, 750);
	CHECK_VAL(&d.rows[1], GT_F_STDDEV_NS, 250);
	CHECK_VAL(&d.rows[1], GT_F_MIN_NS, 500);
	CHECK_VAL(&d.rows[1], GT_F_MAX_NS, 1000);
	CHECK_VAL(&d.rows[1], GT_F_USER_EXITS, 0);
	CHECK(d.has_guest && d.has_halted);
	CHECK_VAL(&d.guest, GT_F_TOTAL_NS, 600000000);
	CHECK(d.has_shares);
	CHECK_NEAR(d.exit_share + d.guest_share + d.halted_share, 100, 1e-6);
	gt_detail_sort(&d, GT_F_COUNT, +1);
	CHECK_STR(d.rows[0].val[GT_F_REASON].s, "cpuid");
	gt_detail_free(&d);
	CHECK_INT(gt_detail_build(&d, &v, 12345), -1);
	gt_detail_free(&d);
	CHECK_INT(gt_detail_build(&d, &v, 90), 0);
	CHECK_INT(d.nvcpus_xt, 0);
	CHECK_INT(d.n, 0);
	gt_detail_free(&d);

	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(h.s);
}

/* Non-VMs are not read at every refresh: young ones every second, old
 * ones every 30 s or so; VMs that appear late are found. */
static void schedule(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 };

	put(s, P, "stat", "cpu 1 1 1 1\n");
	put(s, P, "uptime", "1000.00 1.00\n");
	/* 400 started at 990 s (young), 401 at 1 s (old); one thread each */
	stat_file(s, "400/stat", 400, "qemu", 1, 1, 1, 99000, 0, 0, 0, 0, true);
	stat_file(s, "401/stat", 401, "oldvmm", 1, 1, 1, 100, 0, 0, 0, 0, true);
	gt_source_mem_clock(s, 1000000000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK_INT(a.nvms, 0);
	/* both start vCPU threads; 0.5 s later nothing is due yet */
	stat_file(s, "400/stat", 400, "qemu", 1, 1, 2, 99000, 0, 0, 0, 0, true);
	stat_file(s, "400/task/400/stat", 400, "qemu", 1, 1, 2, 99000, 0, 0, 0, 0, true);
	stat_file(s, "400/task/402/stat", 402, "CPU 0/KVM", 1, 1, 2, 99001, 0, 0, 0, 0, true);
	stat_file(s, "401/stat", 401, "oldvmm", 1, 1, 2, 100, 0, 0, 0, 0, true);
	stat_file(s, "401/task/401/stat", 401, "oldvmm", 1, 1, 2, 100, 0, 0, 0, 0, true);
	stat_file(s, "401/task/403/stat", 403, "CPU 0/KVM", 1, 1, 2, 101, 0, 0, 0, 0, true);
	gt_source_mem_clock(s, 1000500000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK_INT(a.nvms, 0);
	/* 1.5 s: the young one is checked again and found */
	gt_source_mem_clock(s, 1001500000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK(a.nvms == 1 && a.vms[0].pid == 400 && a.vms[0].nvcpus == 1);
	/* the old one within 40 s */
	gt_source_mem_clock(s, 1040000000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK(a.nvms == 2 && gt_snap_find_vm(&a, 401));
	/* a debugfs directory makes any process a VM at once */
	stat_file(s, "500/stat", 500, "x", 1, 1, 1, 100, 0, 0, 0, 0, true);
	gt_source_mem_clock(s, 1041000000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK(!gt_snap_find_vm(&a, 500));
	put(s, D, "kvm/500-3/vcpu0/pid", "500\n");
	gt_source_mem_clock(s, 1041100000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK(gt_snap_find_vm(&a, 500) != NULL);
	gt_snap_free(&a);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/* An enumerator that has the scanner watch every process's stat (the
 * libproc2 one, source_live.c): an old process that starts vCPU threads
 * is found within a second, not within 30 s; a reused pid is noticed. */
struct watch_ctx {
	gt_proc_cb cb;
	void *ctx;
};

static int watch_cb(void *c, const struct gt_proc_brief *b)
{
	struct watch_ctx *w = c;
	struct gt_proc_brief x = *b;

	x.watch = true;
	return w->cb(w->ctx, &x);
}

static int watch_procs(struct gt_source *s, gt_proc_cb cb, void *ctx)
{
	struct watch_ctx w = { cb, ctx };

	return gt_source_procs_generic(s, watch_cb, &w);
}

static void watch(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_source_ops ops = *s->ops;
	const struct gt_source_ops *mem_ops = s->ops;
	struct gt_scanner *sc;
	struct gt_snap a = { 0 };

	ops.procs = watch_procs;
	s->ops = &ops;
	sc = gt_scanner_new(s);
	put(s, P, "stat", "cpu 1 1 1 1\n");
	put(s, P, "uptime", "1000.00 1.00\n");
	stat_file(s, "401/stat", 401, "oldvmm", 1, 1, 1, 100, 0, 0, 0, 0, true);
	gt_source_mem_clock(s, 1000000000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK_INT(a.nvms, 0);
	CHECK_INT(a.nprocs, 1);
	stat_file(s, "401/stat", 401, "oldvmm", 1, 1, 2, 100, 0, 0, 0, 0, true);
	stat_file(s, "401/task/401/stat", 401, "oldvmm", 1, 1, 2, 100, 0, 0, 0, 0, true);
	stat_file(s, "401/task/403/stat", 403, "CPU 0/KVM", 1, 1, 2, 101, 0, 0, 0, 0, true);
	gt_source_mem_clock(s, 1001500000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK(a.nvms == 1 && a.vms[0].pid == 401 && a.vms[0].nvcpus == 1);
	/* the pid is reused by a process that is no VM */
	gt_source_mem_remove(s, P, "401");
	stat_file(s, "401/stat", 401, "sh", 1, 1, 1, 150000, 0, 0, 0, 0, true);
	gt_source_mem_clock(s, 1002000000000ULL, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK_INT(a.nvms, 0);
	gt_snap_free(&a);
	gt_scanner_free(sc);
	s->ops = mem_ops;
	gt_source_destroy(s);
}

/* The fs source keeps re-read files open and re-reads them from 0. */
static void fs_cache(void)
{
	char dir[] = "/tmp/gtop-unit-XXXXXX", path[128], buf[64];
	struct gt_source *s;
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/proc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/file", dir);
	f = fopen(path, "w");
	fputs("one\n", f);
	fclose(f);
	s = gt_source_fs_new(dir);
	CHECK_INT(s->ops->reread(s, P, "file", buf, sizeof(buf)), 4);
	CHECK_STR(buf, "one\n");
	f = fopen(path, "r+");	/* same inode, new content */
	fputs("two\n", f);
	fclose(f);
	CHECK_INT(s->ops->reread(s, P, "file", buf, sizeof(buf)), 4);
	CHECK_STR(buf, "two\n");
	s->ops->sweep(s);	/* read in this sample: kept */
	CHECK_INT(s->ops->reread(s, P, "file", buf, sizeof(buf)), 4);
	s->ops->sweep(s);
	s->ops->sweep(s);	/* not read: closed; reopened on demand */
	unlink(path);
	CHECK_INT(s->ops->reread(s, P, "file", buf, sizeof(buf)), -ENOENT);
	CHECK_INT(s->ops->read(s, P, "missing", buf, sizeof(buf)), -ENOENT);
	CHECK_INT(s->ops->reread(s, P, "missing", buf, sizeof(buf)), -ENOENT);
	gt_source_destroy(s);
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
}

void test_scan(void)
{
	grouping();
	vanish();
	states();
	schedule();
	watch();
	fs_cache();
}

void test_model(void)
{
	figures();
	ranking();
}
