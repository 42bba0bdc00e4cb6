// SPDX-License-Identifier: GPL-2.0
/*
 * unit_live.c - what a live host does that fixtures rarely show: a host
 * that loses ticks (tick-counted guest figures scaled by each CPU's tick
 * rate), more files read every sample than fds to keep them open, and
 * files pread(2) cannot read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "scan.h"
#include "source.h"

#include "memfix.h"

static const struct gt_vm_view *vm_of(const struct gt_view *v, int pid)
{
	for (int i = 0; i < v->nvms; i++)
		if (v->vms[i].raw->pid == pid)
			return &v->vms[i];
	return NULL;
}

/*
 * A host that loses ticks (a VM itself, no steal time): per second cpu0
 * counts only 50 ticks, all guest (40 user, 10 system), of a vCPU that
 * spins in its guest; its utime (sum_exec_runtime) grows by 90.  cpu1
 * is busy 40% with a second vCPU in the guest kernel and counts 30 of
 * those 40 ticks (idle is in time: 60).  Guest figures are scaled by
 * each CPU's tick rate, the VM's by its vCPUs' mix, then clamped.
 */
static void lost_ticks_frame(struct gt_source *s, unsigned f)
{
	gt_source_mem_clock(s, 1000000000ULL * (10 + f), 1700000000.0 + f);
	put(s, P, "sys/kernel/collect_guest_utilization", "1\n");
	put(s, P, "stat",
	    "cpu  %u 0 0 %u 0 0 0 0 %u 0 %u %u\n"
	    "cpu0 %u 0 0 0 0 0 0 0 %u 0 %u %u\n"
	    "cpu1 %u 0 0 %u 0 0 0 0 %u 0 0 %u\nintr 1\n",
	    80 * f, 60 * f, 80 * f, 40 * f, 40 * f,
	    50 * f, 50 * f, 40 * f, 10 * f, 30 * f, 60 * f, 30 * f, 30 * f);
	stat_file(s, "100/stat", 100, "gvmm", 130 * f, 0, 2, 500, 0, 80 * f,
		  40 * f, 40 * f, true);
	stat_file(s, "100/task/101/stat", 101, "CPU 0/KVM", 90 * f, 0, 2,
		  501, 0, 50 * f, 40 * f, 10 * f, true);
	stat_file(s, "100/task/102/stat", 102, "CPU 1/KVM", 40 * f, 0, 2,
		  501, 1, 30 * f, 0, 30 * f, true);
}

static void lost_ticks(void)
{
	struct gt_source *s = gt_source_mem_new();
	struct gt_scanner *sc = gt_scanner_new(s);
	struct gt_snap a = { 0 }, b = { 0 };
	struct gt_view v = { 0 };

	lost_ticks_frame(s, 0);
	CHECK_INT(gt_scanner_sample(sc, &a), 0);
	lost_ticks_frame(s, 1);
	CHECK_INT(gt_scanner_sample(sc, &b), 0);
	CHECK_INT(gt_view_build(&v, &a, &b), 0);
	const struct gt_vm_view *w = vm_of(&v, 100);

	CHECK(w && w->nvcpus == 2);
	if (w && w->nvcpus == 2) {
		/* cpu0 counted 50 of 100 busy ticks: rate 0.5; guest 100
		 * is clamped to %CPU 90, user 80 + system 20 shrunk to it */
		CHECK_VAL(&w->vcpus[0], GT_F_CPU, 90);
		CHECK_VAL(&w->vcpus[0], GT_F_GUEST, 90);
		CHECK_VAL(&w->vcpus[0], GT_F_GUEST_USER, 72);
		CHECK_VAL(&w->vcpus[0], GT_F_GUEST_SYSTEM, 18);
		CHECK_VAL(&w->vcpus[0], GT_F_HOST, 0);
		/* cpu1 counted 30 of 40 busy ticks: rate 0.75 */
		CHECK_VAL(&w->vcpus[1], GT_F_CPU, 40);
		CHECK_VAL(&w->vcpus[1], GT_F_GUEST, 40);
		CHECK_VAL(&w->vcpus[1], GT_F_GUEST_USER, 0);
		CHECK_VAL(&w->vcpus[1], GT_F_GUEST_SYSTEM, 40);
		CHECK_VAL(&w->vcpus[1], GT_F_HOST, 0);
		/* the VM: guest 50/0.5 + 30/0.75 = 140, clamped to 130;
		 * user 40/0.5 = 80 and system 10/0.5 + 30/0.75 = 60 shrunk */
		CHECK_VAL(&w->row, GT_F_CPU, 130);
		CHECK_VAL(&w->row, GT_F_GUEST, 130);
		CHECK_VAL(&w->row, GT_F_GUEST_USER, 74.29);
		CHECK_VAL(&w->row, GT_F_GUEST_SYSTEM, 55.71);
		CHECK_VAL(&w->row, GT_F_HOST, 0);
	}
	/* the CPU rows stay shares of the ticks counted */
	CHECK_VAL(&v.cpus[0], GT_F_GUEST_USER, 80);
	CHECK_VAL(&v.cpus[1], GT_F_GUEST_SYSTEM, 33.33);
	gt_view_free(&v);
	gt_snap_free(&a);
	gt_snap_free(&b);
	gt_scanner_free(sc);
	gt_source_destroy(s);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;	/* the directory's own fd */
}

/*
 * More files read every sample than the fd budget (RLIMIT_NOFILE - 128):
 * the files kept open stay kept (the others are read by path), sample
 * after sample.  Lowers this process's fd limit for good, and drops
 * CAP_SYS_RESOURCE (gtop raises a hard limit when it may): run last.
 */
#define NFILES 300

static void fs_budget(void)
{
	char dir[] = "/tmp/gtop-unit-XXXXXX", path[160], buf[32], want[32];
	struct rlimit rl = { 400, 400 };
	struct __user_cap_header_struct ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct cd[2];
	struct gt_source *s;
	int base, kept[3];

	if (!syscall(SYS_capget, &ch, cd)) {
		cd[0].effective &= ~(1u << CAP_SYS_RESOURCE);
		syscall(SYS_capset, &ch, cd);
	}
	if (!mkdtemp(dir) || setrlimit(RLIMIT_NOFILE, &rl)) {
		CHECK(!"mkdtemp, setrlimit");
		return;
	}
	snprintf(path, sizeof(path), "%s/proc", dir);
	mkdir(path, 0755);
	for (int i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/proc/f%d", dir, i);
		FILE *f = fopen(path, "w");

		if (f) {
			fprintf(f, "%d\n", i);
			fclose(f);
		}
	}
	base = count_fds();
	s = gt_source_fs_new(dir);
	for (int k = 0; k < 3; k++) {
		int good = 0;

		for (int i = 0; i < NFILES; i++) {
			snprintf(path, sizeof(path), "f%d", i);
			snprintf(want, sizeof(want), "%d\n", i);
			good += s->ops->reread(s, P, path, buf, sizeof(buf)) > 0 &&
				!strcmp(buf, want);
		}
		CHECK_INT(good, NFILES);
		s->ops->sweep(s);
		kept[k] = count_fds() - base;
	}
	/* budget 400 - 128 = 272 */
	CHECK_INT(kept[0], 272);
	CHECK_INT(kept[1], 272);
	CHECK_INT(kept[2], 272);
	gt_source_destroy(s);
	CHECK_INT(count_fds(), base);
	for (int i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/proc/f%d", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
}

/*
 * A file pread(2) cannot read (ESPIPE, like debugfs simple attributes):
 * read by path every time, its fd not kept.  A pipe stands in for it.
 */
static void fs_plain(void)
{
	char dir[] = "/tmp/gtop-unit-XXXXXX", path[160], target[64], buf[32];
	struct gt_source *s;
	int pfd[2], base;

	if (!mkdtemp(dir) || pipe(pfd)) {
		CHECK(!"mkdtemp, pipe");
		return;
	}
	snprintf(path, sizeof(path), "%s/proc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/attr", dir);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", pfd[0]);
	CHECK_INT(symlink(target, path), 0);
	base = count_fds();
	s = gt_source_fs_new(dir);
	for (int k = 0; k < 3; k++) {
		char want[16];

		snprintf(want, sizeof(want), "%d\n", k);
		CHECK_INT(write(pfd[1], want, 2), 2);
		CHECK_INT(s->ops->reread(s, P, "attr", buf, sizeof(buf)), 2);
		CHECK_STR(buf, want);
		s->ops->sweep(s);
		CHECK_INT(count_fds(), base);	/* nothing kept open */
	}
	gt_source_destroy(s);
	close(pfd[0]);
	close(pfd[1]);
	unlink(path);
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
}

void test_live(void)
{
	lost_ticks();
	fs_plain();
}

void test_live_last(void)
{
	fs_budget();
}
