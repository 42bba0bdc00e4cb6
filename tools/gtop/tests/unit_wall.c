// SPDX-License-Identifier: GPL-2.0
/*
 * unit_wall.c - the wall time decomposition of the pure model (wall.c)
 * on in-memory hosts whose figures are consistent, so the expected
 * shares are exact: a patched kernel (a halting vCPU, an exit-heavy one
 * with VMM work, one that waits for its shared CPU, one whose parts
 * exceed the interval), a stock kernel (KVM's debugfs statistics), and
 * missing or new sources.  Also the new parsers and the filter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "model.h"
#include "model_int.h"
#include "scan.h"
#include "source.h"

#include "memfix.h"

#define MS 1000000ULL

/* vcpuN/exit_timing with per second: exit time, guest, halted (ms),
 * of which the userspace exits' count */
static void xt_file(struct gt_source *s, const char *path, unsigned f,
		    unsigned exit_ms, unsigned guest_ms, unsigned halted_ms)
{
	put(s, D, path,
	    "reason count min_ns max_ns total_ns avg_ns stddev_ns user_exits\n"
	    "io %u 1 1 %llu 1 0 %u\n<guest> %u 1 1 %llu 1 0 0\n"
	    "<halted> %u 1 1 %llu 1 0 0\n",
	    100 * f, (unsigned long long)exit_ms * MS * f, 50 * f, 100 * f,
	    (unsigned long long)guest_ms * MS * f, 10 * f,
	    (unsigned long long)halted_ms * MS * f);
}

static void sched(struct gt_source *s, const char *path, unsigned f,
		  unsigned run_ms, unsigned wait_ms)
{
	put(s, P, path, "%llu %llu %u\n", (unsigned long long)run_ms * MS * f,
	    (unsigned long long)wait_ms * MS * f, 10 * f);
}

/* Two CPUs that keep their ticks (busy all the time: rate 1). */
static void host_frame(struct gt_source *s, unsigned f, bool split)
{
	gt_source_mem_clock(s, 1000000000ULL * (10 + f), 1700000000.0 + f);
	put(s, P, "stat", "cpu  %u 0 %u 0 0 0 0 0 %u 0%s\n"
	    "cpu0 %u 0 %u 0 0 0 0 0 %u 0%s\ncpu1 %u 0 %u 0 0 0 0 0 %u 0%s\n",
	    180 * f, 20 * f, 100 * f, split ? " 0 0" : "",
	    90 * f, 10 * f, 50 * f, split ? " 0 0" : "",
	    90 * f, 10 * f, 50 * f, split ? " 0 0" : "");
	put(s, P, "uptime", "%u.00 1.00\n", 100 + f);
}

/*
 * Patched kernel, per second:
 *   VM 100, 3 vCPUs:
 *     vcpu0 (halting): guest 200 ms (15 user, 5 sys ticks), exits 50 ms,
 *       VMM 2 ticks, halted 700 ms, wait 10 ms, stime 3
 *       -> guest 20 (15/5), VMM 2, wait 1 (in exits), kernel 5-2-1 = 2,
 *          halted 70, rest 5
 *     vcpu1 (exit-heavy): guest 500 ms (10/40), exits 450 ms of which
 *       VMM 15 ticks, wait 100 ms -> kernel 45-15-10 = 20, rest 5
 *     vcpu2 (shares CPU 1): guest 300 ms (all user), exits 100 ms, VMM
 *       2, halted 600 ms, wait 400 ms: 8 within exits, 32 within the
 *       halts -> kernel 0, halted 28, rest 0
 *   VM 200, 1 vCPU, no schedstat: guest 600, exits 300 (VMM 5), halted
 *     200 ms: 110% -> halted shrinks to 10, rest 0, wait unknown
 */
static void patched_frame(struct gt_source *s, unsigned f, bool split)
{
	host_frame(s, f, split);
	put(s, P, "sys/kernel/collect_guest_utilization", "1\n");
	put(s, P, "sys/kernel/collect_guest_exit_timing", "1\n");
	stat_file(s, "100/stat", 100, "qemu", 124 * f, 36 * f, 4, 500, 0,
		  100 * f, 55 * f, 45 * f, split);
	stat_file(s, "100/task/100/stat", 100, "qemu", 0, 0, 4, 500, 0, 0, 0, 0,
		  split);
	stat_file(s, "100/task/101/stat", 101, "CPU 0/KVM", 22 * f, 3 * f, 4,
		  501, 0, 20 * f, 15 * f, 5 * f, split);
	stat_file(s, "100/task/102/stat", 102, "CPU 1/KVM", 65 * f, 25 * f, 4,
		  501, 1, 50 * f, 10 * f, 40 * f, split);
	stat_file(s, "100/task/103/stat", 103, "CPU 2/KVM", 32 * f, 8 * f, 4,
		  501, 1, 30 * f, 30 * f, 0, split);
	sched(s, "100/task/101/schedstat", f, 250, 10);
	sched(s, "100/task/102/schedstat", f, 900, 100);
	sched(s, "100/task/103/schedstat", f, 400, 400);
	put(s, D, "kvm/100-9/vcpu0/pid", "101\n");
	put(s, D, "kvm/100-9/vcpu1/pid", "102\n");
	put(s, D, "kvm/100-9/vcpu2/pid", "103\n");
	xt_file(s, "kvm/100-9/vcpu0/exit_timing", f, 50, 200, 700);
	xt_file(s, "kvm/100-9/vcpu1/exit_timing", f, 450, 500, 0);
	xt_file(s, "kvm/100-9/vcpu2/exit_timing", f, 100, 300, 600);

	stat_file(s, "200/stat", 200, "gvmm", 65 * f, 20 * f, 2, 600, 0,
		  60 * f, 30 * f, 30 * f, split);
	stat_file(s, "200/task/201/stat", 201, "CPU 0/KVM", 65 * f, 20 * f, 2,
		  601, 0, 60 * f, 30 * f, 30 * f, split);
	put(s, D, "kvm/200-3/vcpu0/pid", "201\n");
	xt_file(s, "kvm/200-3/vcpu0/exit_timing", f, 300, 600, 200);
}

static const struct gt_vm_view *find(const struct gt_view *v, int pid)
{
	return gt_view_find(v, pid);
}

static double sum_parts(const struct gt_row *r)
{
	static const enum gt_field parts[] = {
		GT_F_W_GUEST, GT_F_W_KERNEL, GT_F_W_VMM, GT_F_W_HALTED,
		GT_F_W_WAIT, GT_F_W_REST,
	};
	double s = 0;

	for (size_t i = 0; i < GT_ARRAY_SIZE(parts); i++)
		if (r->val[parts[i]].ok)
			s += r->val[parts[i]].v;
	return s;
}

/* Build the view of frames 0 and 1 of a host. */
static void sample2(struct gt_source *s, void (*frame)(struct gt_source *,
		    unsigned, bool), bool split, struct gt_scanner *sc,
		    struct gt_snap *a, struct gt_snap *b, struct gt_view *v)
{
	frame(s, 0, split);
	CHECK_INT(gt_scanner_sample(sc, a), 0);
	frame(s, 1, split);
	CHECK_INT(gt_scanner_sample(sc, b), 0);
	CHECK_INT(gt_view_build(v, a, b), 0);
}

static void patched(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };
	const struct gt_vm_view *vm;

	sample2(s, patched_frame, true, sc, &a, &b, &v);
	vm = find(&v, 100);
	CHECK(vm && vm->nvcpus == 3);
	if (!vm || vm->nvcpus != 3)
		goto out;
	const struct gt_row *h = &vm->vcpus[0], *x = &vm->vcpus[1];
	const struct gt_row *w = &vm->vcpus[2];

	CHECK_VAL(h, GT_F_W_GUEST, 20);
	CHECK_VAL(h, GT_F_W_GUEST_USER, 15);
	CHECK_VAL(h, GT_F_W_GUEST_SYSTEM, 5);
	CHECK_VAL(h, GT_F_W_VMM, 2);
	CHECK_VAL(h, GT_F_W_WAIT, 1);
	CHECK_VAL(h, GT_F_W_KERNEL, 2);
	CHECK_VAL(h, GT_F_W_HALTED, 70);
	CHECK_VAL(h, GT_F_W_REST, 5);
	CHECK_STR(h->val[GT_F_SOURCES].s, "guest=exit_timing split=stat "
		  "kernel=exit_timing vmm=stat halted=exit_timing "
		  "wait=schedstat exits=exit_timing");

	CHECK_VAL(x, GT_F_W_GUEST, 50);
	CHECK_VAL(x, GT_F_W_GUEST_USER, 10);
	CHECK_VAL(x, GT_F_W_GUEST_SYSTEM, 40);
	CHECK_VAL(x, GT_F_W_VMM, 15);
	CHECK_VAL(x, GT_F_W_WAIT, 10);
	CHECK_VAL(x, GT_F_W_KERNEL, 20);
	CHECK_VAL(x, GT_F_W_HALTED, 0);
	CHECK_VAL(x, GT_F_W_REST, 5);

	CHECK_VAL(w, GT_F_W_GUEST, 30);
	CHECK_VAL(w, GT_F_W_GUEST_USER, 30);
	CHECK_VAL(w, GT_F_W_GUEST_SYSTEM, 0);
	CHECK_VAL(w, GT_F_W_VMM, 2);
	CHECK_VAL(w, GT_F_W_WAIT, 40);
	CHECK_VAL(w, GT_F_W_KERNEL, 0);
	CHECK_VAL(w, GT_F_W_HALTED, 28);
	CHECK_VAL(w, GT_F_W_REST, 0);

	/* the VM: its vCPUs' wall time together */
	const struct gt_row *r = &vm->row;

	CHECK_VAL(r, GT_F_W_GUEST, 100.0 / 3);
	CHECK_VAL(r, GT_F_W_GUEST_USER, 55.0 / 3);
	CHECK_VAL(r, GT_F_W_GUEST_SYSTEM, 15);
	CHECK_VAL(r, GT_F_W_KERNEL, 22.0 / 3);
	CHECK_VAL(r, GT_F_W_VMM, 19.0 / 3);
	CHECK_VAL(r, GT_F_W_HALTED, 98.0 / 3);
	CHECK_VAL(r, GT_F_W_WAIT, 17);
	CHECK_VAL(r, GT_F_W_REST, 10.0 / 3);
	for (int i = 0; i < 3; i++)
		CHECK_NEAR(sum_parts(&vm->vcpus[i]), 100, 1e-6);
	CHECK_NEAR(sum_parts(r), 100, 1e-6);
	/* the bar: guest user, guest sys, (unsplit 0), kernel, VMM, ... */
	double pct[GT_NWSEGS];

	CHECK(gt_wall_segments(h, pct));
	CHECK_NEAR(pct[GT_WS_GUEST_USER], 15, 1e-6);
	CHECK_NEAR(pct[GT_WS_GUEST], 0, 1e-9);
	CHECK_NEAR(pct[GT_WS_HALTED], 70, 1e-6);
	/* schedstat counter */
	CHECK_VAL(x, GT_F_WAIT_SEC, 0.1);
	CHECK_VAL(r, GT_F_WAIT_SEC, 0.51);

	/* more than the interval: halted shrinks first; no schedstat: the
	 * wait is unknown, not 0 */
	vm = find(&v, 200);
	CHECK(vm != NULL);
	if (vm) {
		r = &vm->vcpus[0];
		CHECK_VAL(r, GT_F_W_GUEST, 60);
		CHECK_VAL(r, GT_F_W_KERNEL, 25);
		CHECK_VAL(r, GT_F_W_VMM, 5);
		CHECK_VAL(r, GT_F_W_HALTED, 10);
		CHECK_NOVAL(r, GT_F_W_WAIT);
		CHECK_VAL(r, GT_F_W_REST, 0);
		CHECK_NOVAL(r, GT_F_WAIT_SEC);
		CHECK(!strstr(r->val[GT_F_SOURCES].s, "wait="));
		CHECK_NOVAL(&vm->row, GT_F_W_WAIT);
		CHECK_VAL(&vm->row, GT_F_W_HALTED, 10);
	}
	/* sorting by the bar: the share neither halted nor idle */
	CHECK_VAL(&find(&v, 100)->row, GT_F_WALL_BAR, 64);
	CHECK_VAL(&find(&v, 200)->row, GT_F_WALL_BAR, 90);
	gt_view_rank(&v, GT_F_WALL_BAR, -1, NULL);
	CHECK(v.norder == 2 && v.vms[v.order[0]].raw->pid == 200);
	CHECK_INT(gt_field_lookup("wall time", GT_S_VM), GT_F_WALL_BAR);
	/* the first sample alone: no interval, no decomposition */
	struct gt_view v1 = { 0 };

	CHECK_INT(gt_view_build(&v1, NULL, &b), 0);
	vm = find(&v1, 100);
	CHECK(vm && !vm->row.val[GT_F_W_GUEST].ok &&
	      !vm->vcpus[0].val[GT_F_W_REST].ok &&
	      !gt_wall_segments(&vm->row, pct));
	gt_view_free(&v1);
out:
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/*
 * A vCPU in its guest for less than a tick at a time: exit timing has
 * its guest time, no tick sampled it.  It stays unsplit, and the VM's
 * split is still known (its other vCPUs').
 */
static void unsampled_frame(struct gt_source *s, unsigned f, bool split)
{
	patched_frame(s, f, split);
	stat_file(s, "100/task/103/stat", 103, "CPU 2/KVM", 2 * f, 8 * f, 4,
		  501, 1, 0, 0, 0, split);
}

static void unsampled(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };
	const struct gt_vm_view *vm;
	double pct[GT_NWSEGS];

	sample2(s, unsampled_frame, true, sc, &a, &b, &v);
	vm = find(&v, 100);
	CHECK(vm && vm->nvcpus == 3);
	if (vm && vm->nvcpus == 3) {
		const struct gt_row *w = &vm->vcpus[2];

		CHECK_VAL(w, GT_F_W_GUEST, 30);
		CHECK_VAL(w, GT_F_W_GUEST_USER, 0);
		CHECK_VAL(w, GT_F_W_GUEST_SYSTEM, 0);
		CHECK(gt_wall_segments(w, pct));
		CHECK_NEAR(pct[GT_WS_GUEST], 30, 1e-6);
		CHECK_VAL(&vm->row, GT_F_W_GUEST, 100.0 / 3);
		CHECK_VAL(&vm->row, GT_F_W_GUEST_USER, 25.0 / 3);
		CHECK_VAL(&vm->row, GT_F_W_GUEST_SYSTEM, 15);
		CHECK(gt_wall_segments(&vm->row, pct));
		CHECK_NEAR(pct[GT_WS_GUEST], 10, 1e-6);
		CHECK_NEAR(sum_parts(&vm->row), 100, 1e-6);
	}
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/*
 * A paused VM: its vCPU thread sits in a userspace exit all the
 * interval (exit timing counts it as exit time), running for 10 ms:
 * host kernel at most what it ran, the rest is rest, not kernel.
 */
static void paused_frame(struct gt_source *s, unsigned f, bool split)
{
	patched_frame(s, f, split);
	stat_file(s, "400/stat", 400, "qemu", 0, 1 * f, 2, 800, 0, 0, 0, 0,
		  split);
	stat_file(s, "400/task/401/stat", 401, "CPU 0/KVM", 0, 1 * f, 2, 801,
		  0, 0, 0, 0, split);
	sched(s, "400/task/401/schedstat", f, 10, 0);
	put(s, D, "kvm/400-5/vcpu0/pid", "401\n");
	xt_file(s, "kvm/400-5/vcpu0/exit_timing", f, 1000, 0, 0);
}

static void paused(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };
	const struct gt_vm_view *vm;

	sample2(s, paused_frame, true, sc, &a, &b, &v);
	vm = find(&v, 400);
	CHECK(vm && vm->nvcpus == 1);
	if (vm && vm->nvcpus == 1) {
		CHECK_VAL(&vm->row, GT_F_W_GUEST, 0);
		CHECK_VAL(&vm->row, GT_F_W_KERNEL, 1);
		CHECK_VAL(&vm->row, GT_F_W_VMM, 0);
		CHECK_VAL(&vm->row, GT_F_W_REST, 99);
	}
	/* the others are within their run time: unchanged */
	vm = find(&v, 100);
	CHECK(vm && vm->vcpus[1].val[GT_F_W_KERNEL].v > 19.99);
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/* The split off: guest whole (no user/system), bars show it unsplit. */
static void no_split(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };
	const struct gt_vm_view *vm;
	double pct[GT_NWSEGS];

	sample2(s, patched_frame, false, sc, &a, &b, &v);
	vm = find(&v, 100);
	CHECK(vm != NULL);
	if (vm) {
		CHECK_VAL(&vm->vcpus[0], GT_F_W_GUEST, 20);
		CHECK_NOVAL(&vm->vcpus[0], GT_F_W_GUEST_USER);
		CHECK_VAL(&vm->vcpus[0], GT_F_W_REST, 5);
		CHECK(gt_wall_segments(&vm->vcpus[0], pct));
		CHECK_NEAR(pct[GT_WS_GUEST], 20, 1e-6);
		CHECK_NEAR(pct[GT_WS_GUEST_USER], 0, 1e-9);
		CHECK(!strstr(vm->row.val[GT_F_SOURCES].s, "split="));
	}
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/*
 * Exit timing switched off (collect_guest_exit_timing 0) in the second
 * sample: guest from guest_time, kernel from stime, halted unknown.
 */
static void xt_off_frame(struct gt_source *s, unsigned f, bool split)
{
	patched_frame(s, f, split);
	if (f)
		put(s, P, "sys/kernel/collect_guest_exit_timing", "0\n");
}

static void xt_off(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };
	const struct gt_vm_view *vm;

	sample2(s, xt_off_frame, true, sc, &a, &b, &v);
	vm = find(&v, 100);
	CHECK(vm != NULL);
	if (vm) {
		const struct gt_row *x = &vm->vcpus[1];

		CHECK_VAL(x, GT_F_W_GUEST, 50);
		CHECK_VAL(x, GT_F_W_KERNEL, 25);	/* stime */
		CHECK_VAL(x, GT_F_W_VMM, 15);
		CHECK_VAL(x, GT_F_W_WAIT, 10);
		CHECK_NOVAL(x, GT_F_W_HALTED);
		CHECK_VAL(x, GT_F_W_REST, 0);
		CHECK_STR(x->val[GT_F_SOURCES].s, "guest=stat split=stat "
			  "kernel=stat vmm=stat wait=schedstat");
		CHECK_NOVAL(x, GT_F_EXITS);
		CHECK_NEAR(sum_parts(&vm->row), 100, 1e-6);
	}
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/*
 * A stock kernel: no split, no exit_timing, KVM's per-VM statistics.
 * VM 300, 2 vCPUs, per second: vcpu0 utime 30 (guest 25) stime 10,
 * wait 5 ms; vcpu1 utime 10 (guest 8) stime 4, wait 15 ms; 1000 exits,
 * 100 halt exits, halt_wait_ns 900 ms, polls 50 + 30 ms.
 */
static void stock_frame(struct gt_source *s, unsigned f, bool split)
{
	host_frame(s, f, split);
	stat_file(s, "300/stat", 300, "qemu", 40 * f, 14 * f, 3, 700, 0,
		  33 * f, 0, 0, false);
	stat_file(s, "300/task/300/stat", 300, "qemu", 0, 0, 3, 700, 0, 0, 0, 0,
		  false);
	stat_file(s, "300/task/301/stat", 301, "CPU 0/KVM", 30 * f, 10 * f, 3,
		  701, 0, 25 * f, 0, 0, false);
	stat_file(s, "300/task/302/stat", 302, "CPU 1/KVM", 10 * f, 4 * f, 3,
		  701, 1, 8 * f, 0, 0, false);
	sched(s, "300/task/301/schedstat", f, 400, 5);
	sched(s, "300/task/302/schedstat", f, 140, 15);
	gt_source_mem_put_len(s, P, "300/cmdline", "qemu\0-m\0001\0", 10);
	put(s, P, "300/cgroup", "12:cpu:/legacy\n0::/machine.slice/"
	    "machine-qemu\\x2d3\\x2ddb.scope/libvirt/emulator\n");
	put(s, D, "kvm/300-11/vcpu0/pid", "301\n");
	put(s, D, "kvm/300-11/vcpu1/pid", "302\n");
	put(s, D, "kvm/300-11/exits", "%u\n", 7 + 1000 * f);
	put(s, D, "kvm/300-11/halt_exits", "%u\n", 100 * f);
	put(s, D, "kvm/300-11/halt_wait_ns", "%llu\n", 900 * MS * f);
	put(s, D, "kvm/300-11/halt_poll_success_ns", "%llu\n", 50 * MS * f);
	put(s, D, "kvm/300-11/halt_poll_fail_ns", "%llu\n", 30 * MS * f);
}

static void stock(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };
	const struct gt_vm_view *vm;

	sample2(s, stock_frame, false, sc, &a, &b, &v);
	CHECK_INT(v.xt, GT_XT_UNSUPPORTED);
	CHECK_INT(b.ks_state, GT_KS_OK);
	vm = find(&v, 300);
	CHECK(vm && vm->nvcpus == 2);
	if (!vm || vm->nvcpus != 2)
		goto out;
	const struct gt_row *c0 = &vm->vcpus[0], *r = &vm->row;

	CHECK_VAL(c0, GT_F_W_GUEST, 25);
	CHECK_NOVAL(c0, GT_F_W_GUEST_USER);
	CHECK_VAL(c0, GT_F_W_VMM, 5);
	CHECK_VAL(c0, GT_F_W_KERNEL, 10);
	CHECK_VAL(c0, GT_F_W_WAIT, 0.5);
	CHECK_NOVAL(c0, GT_F_W_HALTED);	/* per VM only */
	CHECK_VAL(c0, GT_F_W_REST, 59.5);
	CHECK_NOVAL(c0, GT_F_EXITS);
	CHECK_VAL(r, GT_F_W_GUEST, 16.5);
	CHECK_VAL(r, GT_F_W_VMM, 3.5);
	CHECK_VAL(r, GT_F_W_KERNEL, 3);	/* stime 140 ms less 80 ms polls */
	CHECK_VAL(r, GT_F_W_HALTED, 49);
	CHECK_VAL(r, GT_F_W_WAIT, 1);
	CHECK_VAL(r, GT_F_W_REST, 27);
	CHECK_NEAR(sum_parts(r), 100, 1e-6);
	CHECK_NOVAL(r, GT_F_EXITS);	/* exit timing's, not KVM's */
	CHECK_VAL(r, GT_F_KVM_EXITS, 1000);
	CHECK_VAL(r, GT_F_HALT_EXITS, 100);
	CHECK_VAL(r, GT_F_KVM_EXIT_COUNT, 1007);
	CHECK_VAL(r, GT_F_KVM_HALTED_SEC, 0.98);
	CHECK_NOVAL(r, GT_F_EXIT_TIME);
	CHECK_NOVAL(r, GT_F_TOP_EXIT);
	CHECK_STR(r->val[GT_F_SOURCES].s, "guest=stat kernel=stat-kvm_stats "
		  "vmm=stat halted=kvm_stats wait=schedstat");
	CHECK_STR(r->val[GT_F_CGROUP].s,
		  "/machine.slice/machine-qemu\\x2d3\\x2ddb.scope/libvirt/emulator");
	/* no -name: libvirt's domain name from its machine scope */
	CHECK_STR(r->val[GT_F_NAME].s, "db");
	/* --filter matches the cgroup */
	gt_view_rank(&v, GT_F_CPU, -1, "QEMU\\x2d3");
	CHECK_INT(v.norder, 1);
	gt_view_rank(&v, GT_F_CPU, -1, "kubepods");
	CHECK_INT(v.norder, 0);
out:
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/* Lockdown refuses debugfs files that have write permission (KVM's
 * statistics), not the read-only vcpuN/pid: halted unknown, says why. */
static void stock_lockdown_frame(struct gt_source *s, unsigned f, bool split)
{
	stock_frame(s, f, split);
	gt_source_mem_put(s, D, "kvm/300-11/exits", NULL, EPERM);
	gt_source_mem_put(s, D, "kvm/300-11/halt_wait_ns", NULL, EPERM);
}

static void stock_lockdown(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };
	const struct gt_vm_view *vm;

	sample2(s, stock_lockdown_frame, false, sc, &a, &b, &v);
	CHECK_INT(b.ks_state, GT_KS_LOCKDOWN);
	vm = find(&v, 300);
	CHECK(vm != NULL);
	if (vm) {
		CHECK_NOVAL(&vm->row, GT_F_W_HALTED);
		CHECK_NOVAL(&vm->row, GT_F_KVM_EXITS);
		CHECK_NOVAL(&vm->row, GT_F_KVM_EXIT_COUNT);
		CHECK_VAL(&vm->row, GT_F_W_KERNEL, 7);	/* stime */
		CHECK_VAL(&vm->row, GT_F_W_REST, 72);	/* halts in there */
	}
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/* KVM's statistics are not read while exit timing gives the figures. */
static void stats_only_when_needed(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 };

	patched_frame(s, 1, true);
	put(s, D, "kvm/100-9/exits", "5\n");
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK(gt_snap_find_vm(&a, 100) && !gt_snap_find_vm(&a, 100)->ks);
	CHECK_INT(a.ks_state, GT_KS_UNUSED);
	put(s, P, "sys/kernel/collect_guest_exit_timing", "0\n");
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	CHECK(gt_snap_find_vm(&a, 100) && gt_snap_find_vm(&a, 100)->ks &&
	      gt_snap_find_vm(&a, 100)->ks->exits == 5 &&
	      !gt_snap_find_vm(&a, 100)->ks->has_halt_wait);
	gt_snap_free(&a);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/* A vCPU that appears during the interval, schedstat garbage. */
static void new_vcpu(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };
	const struct gt_vm_view *vm;

	patched_frame(s, 0, true);
	gt_source_mem_remove(s, P, "100/task/103");
	gt_source_mem_remove(s, D, "kvm/100-9/vcpu2");
	stat_file(s, "100/stat", 100, "qemu", 0, 0, 3, 500, 0, 0, 0, 0, true);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	patched_frame(s, 1, true);
	put(s, P, "100/task/101/schedstat", "12 x 3\n");
	CHECK_INT(gt_scanner_sample(sc, &b), 0);
	CHECK_INT(gt_view_build(&v, &a, &b), 0);
	vm = find(&v, 100);
	CHECK(vm && vm->nvcpus == 3);
	if (vm && vm->nvcpus == 3) {
		CHECK_NOVAL(&vm->vcpus[0], GT_F_W_WAIT);
		CHECK_VAL(&vm->vcpus[0], GT_F_W_GUEST, 20);
		CHECK_NOVAL(&vm->vcpus[2], GT_F_W_GUEST);	/* new */
		CHECK_NOVAL(&vm->row, GT_F_W_GUEST);
		CHECK_NOVAL(&vm->row, GT_F_W_REST);
	}
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

/*
 * Property test of the decomposition on random inputs (non-atomic reads,
 * counters that jump, sources missing at random): every part within
 * [0, 100], parts + rest = 100 when rest is known, never more than 100,
 * a VM's parts the same whatever its vCPUs.
 */
static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : 0;
}

static void random_vcpu(struct gt_vcpu_raw *c, struct gt_vcpu_raw *p,
			struct gt_tsec *t, struct gt_xdelta *x)
{
	memset(c, 0, sizeof(*c));
	memset(p, 0, sizeof(*p));
	c->has_sched = p->has_sched = rnd(4) != 0;
	p->wait_ns = rnd(2000000000);
	p->run_ns = rnd(2000000000);
	c->run_ns = p->run_ns + rnd(1200000000);
	c->wait_ns = p->wait_ns + rnd(4) * rnd(800000000);
	if (!rnd(20))
		c->wait_ns = 0;		/* went backwards */
	memset(t, 0, sizeof(*t));
	t->ok = true;
	t->guest_ok = rnd(8) != 0;
	t->split_ok = rnd(3) != 0;
	t->ut = (double)rnd(1200) / 1000;
	t->st = (double)rnd(1200) / 1000;
	t->cpu = t->ut + t->st;
	t->g = t->guest_ok ? (double)rnd(1200) / 1000 : 0;
	if (t->g > t->cpu)
		t->g = t->cpu;
	t->gu = rnd(2) ? t->g * (double)rnd(100) / 100 : 0;
	t->gs = t->g - t->gu;
	memset(x, 0, sizeof(*x));
	x->ok = rnd(3) != 0;
	x->has_guest = x->ok && rnd(5);
	x->has_halted = x->ok && rnd(5);
	x->exit_s = (double)rnd(1200) / 1000;
	x->guest_s = (double)rnd(1200) / 1000;
	x->halted_s = (double)rnd(1200) / 1000;
}

static int rows_with_rest;

static void check_row(const struct gt_row *r, int *bad)
{
	static const enum gt_field parts[] = {
		GT_F_W_GUEST, GT_F_W_GUEST_USER, GT_F_W_GUEST_SYSTEM,
		GT_F_W_KERNEL, GT_F_W_VMM, GT_F_W_HALTED, GT_F_W_WAIT,
		GT_F_W_REST,
	};
	double sum = sum_parts(r);

	rows_with_rest += r->val[GT_F_W_REST].ok;
	for (size_t i = 0; i < GT_ARRAY_SIZE(parts); i++)
		if (r->val[parts[i]].ok && (r->val[parts[i]].v < -1e-9 ||
					    r->val[parts[i]].v > 100 + 1e-6))
			(*bad)++;
	if (sum > 100 + 1e-6 || (r->val[GT_F_W_REST].ok &&
				 fabs(sum - 100) > 1e-6))
		(*bad)++;
	if (r->val[GT_F_W_GUEST_USER].ok &&
	    r->val[GT_F_W_GUEST_USER].v + r->val[GT_F_W_GUEST_SYSTEM].v >
	    r->val[GT_F_W_GUEST].v + 1e-6)
		(*bad)++;
}

static void random_walls(void)
{
	struct gt_interval iv = { .dt = 1, .hz = 100, .xt_ok = true };
	int bad = 0;

	for (int it = 0; it < 20000; it++) {
		struct gt_wall vm = { 0 };
		struct gt_row vr = { 0 };
		int n = 1 + (int)rnd(4);

		for (int i = 0; i < n; i++) {
			struct gt_vcpu_raw c, p;
			struct gt_tsec t;
			struct gt_xdelta x;
			struct gt_wall w;
			struct gt_row r = { 0 };

			random_vcpu(&c, &p, &t, &x);
			gt_wall_vcpu(&w, &iv, &c, &p, &t, &x);
			gt_wall_add(&vm, &w);
			gt_wall_set(&r, &w);
			check_row(&r, &bad);
		}
		gt_wall_set(&vr, &vm);
		check_row(&vr, &bad);
	}
	CHECK_INT(bad, 0);
	CHECK(rows_with_rest > 10000);
}

#define S(lit) lit, strlen(lit)

static void parsers(void)
{
	uint64_t run = 0, wait = 0, x = 0;
	char cg[64];

	CHECK_INT(gt_parse_schedstat(S("123 456 7\n"), &run, &wait), 0);
	CHECK(run == 123 && wait == 456);
	CHECK_INT(gt_parse_schedstat(S("123 456\n"), &run, &wait), -1);
	CHECK_INT(gt_parse_schedstat(S("1 2 3 4\n"), &run, &wait), -1);
	CHECK_INT(gt_parse_schedstat(S("1 -2 3\n"), &run, &wait), -1);
	CHECK_INT(gt_parse_schedstat(S(""), &run, &wait), -1);
	CHECK_INT(gt_parse_schedstat(S("1 2 3\nx"), &run, &wait), -1);
	CHECK_INT(gt_parse_u64_file(S("18446744073709551615\n"), &x), 0);
	CHECK(x == UINT64_MAX);
	CHECK_INT(gt_parse_u64_file(S("18446744073709551616\n"), &x), -1);
	CHECK_INT(gt_parse_u64_file(S("7"), &x), 0);
	CHECK_INT(gt_parse_u64_file(S("7 8\n"), &x), -1);
	CHECK_INT(gt_parse_cgroup2(S("0::/a/b\n"), cg, sizeof(cg)), 0);
	CHECK_STR(cg, "/a/b");
	CHECK_INT(gt_parse_cgroup2(S("1:cpu:/x\n0::/\n"), cg, sizeof(cg)), 0);
	CHECK_STR(cg, "/");
	CHECK_INT(gt_parse_cgroup2(S("1:cpu:/x\n"), cg, sizeof(cg)), -1);
	CHECK_INT(gt_parse_cgroup2(S("0::relative\n"), cg, sizeof(cg)), -1);
	CHECK_INT(gt_parse_cgroup2(S("0::/a\033[2Jb"), cg, sizeof(cg)), 0);
	CHECK(!strchr(cg, '\033'));
	/* truncated to the buffer, still terminated */
	CHECK_INT(gt_parse_cgroup2(S("0::/0123456789"), cg, 8), 0);
	CHECK_INT((int)strlen(cg), 7);
	/* libvirt's domain name from the machine scope, any driver */
	CHECK_INT(gt_vm_name_from_cgroup("/machine.slice/machine-qemu\\x2d1"
					 "\\x2dweb.scope/libvirt/emulator", cg,
					 sizeof(cg)), 1);
	CHECK_STR(cg, "web");
	CHECK_INT(gt_vm_name_from_cgroup("/machine.slice/machine-ch\\x2d12"
					 "\\x2dmy\\x2dvm.scope", cg, sizeof(cg)),
		  1);
	CHECK_STR(cg, "my-vm");
	CHECK_INT(gt_vm_name_from_cgroup("/machine.slice/machine-qemu\\x2dweb"
					 ".scope", cg, sizeof(cg)), 0);
	CHECK_INT(gt_vm_name_from_cgroup("/kubepods.slice/cri-x.scope", cg,
					 sizeof(cg)), 0);
	CHECK_INT(gt_vm_name_from_cgroup("/machine-qemu\\x2d1\\x2d.scope", cg,
					 sizeof(cg)), 0);
	CHECK_INT(gt_vm_name_from_cgroup("/machine-x\\x2d1\\x2d\\x1b.scope",
					 cg, sizeof(cg)), 1);
	CHECK_STR(cg, "?");
}

void test_wall(void)
{
	patched();
	paused();
	unsampled();
	random_walls();
	no_split();
	xt_off();
	stock();
	stock_lockdown();
	stats_only_when_needed();
	new_vcpu();
	parsers();
}
