/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - pure parsers for the text gtop reads.  They take a buffer
 * and a length (the buffer need not be NUL-terminated), never allocate,
 * never crash on garbage, and return -1 for anything malformed.
 */
#ifndef GTOP_PARSE_H
#define GTOP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ /proc/stat */

enum gt_cpu_col {
	GT_CPU_USER, GT_CPU_NICE, GT_CPU_SYSTEM, GT_CPU_IDLE, GT_CPU_IOWAIT,
	GT_CPU_IRQ, GT_CPU_SOFTIRQ, GT_CPU_STEAL, GT_CPU_GUEST,
	GT_CPU_GUEST_NICE,
	GT_CPU_GUEST_USER,	/* new: part of guest+guest_nice */
	GT_CPU_GUEST_SYSTEM,	/* new: part of guest+guest_nice */
	GT_CPU_NCOLS
};

struct gt_cpu_raw {
	int id;			/* N of cpuN, -1 for the "cpu" line */
	int ncols;		/* columns present (max GT_CPU_NCOLS kept) */
	uint64_t v[GT_CPU_NCOLS];
};

/* The guest split columns are present. */
static inline bool gt_cpu_has_split(const struct gt_cpu_raw *c)
{
	return c->ncols > GT_CPU_GUEST_SYSTEM;
}

/*
 * Parse /proc/stat.  Fills *total from the "cpu" line and up to max
 * entries of cpus[] from "cpuN" lines.  Returns the number of cpuN
 * lines (may exceed max: call again with more room), or -1 when there
 * is no valid "cpu" line or a cpu line is malformed.
 */
int gt_parse_proc_stat(const char *buf, size_t len, struct gt_cpu_raw *total,
		       struct gt_cpu_raw *cpus, int max);

/* ----------------------------------------------------- /proc/<pid>/stat */

#define GT_COMM_MAX 64

/*
 * The CPU times of a task (thread or process), in clock ticks, as
 * /proc/<pid>/stat has them.  guest is inside utime; guest_user and
 * guest_system split guest: never add them to a total.
 */
struct gt_times {
	uint64_t utime, stime;	/* fields 14, 15 */
	uint64_t guest;		/* field 43 guest_time */
	uint64_t guest_user, guest_system;	/* fields 53, 54 */
	bool has_guest;		/* field 43 present */
	bool has_split;		/* fields 53, 54 present */
};

struct gt_pidstat {
	int pid;
	char comm[GT_COMM_MAX];	/* sanitised: no control chars, valid UTF-8 */
	char state;
	int ppid;
	long nlwp;		/* field 20 */
	uint64_t starttime;	/* field 22 */
	int processor;		/* field 39, -1 if absent */
	struct gt_times t;
};

/* Fields are taken after the LAST ')' (comm may contain anything). */
int gt_parse_pid_stat(const char *buf, size_t len, struct gt_pidstat *out);

/* ------------------------------------------------- debugfs exit_timing */

#define GT_REASON_MAX 40

struct gt_xrow {
	char reason[GT_REASON_MAX];	/* "<guest>", "<halted>" kept as is */
	uint64_t count, min_ns, max_ns, total_ns;
	uint64_t avg_ns, stddev_ns, user_exits;
	bool has_avg, has_stddev, has_user;
};

/*
 * Parse an exit_timing file.  The first line is a header naming the
 * columns; "reason", "count", "min_ns", "max_ns" and "total_ns" are
 * required, "avg_ns", "stddev_ns", "user_exits" optional, unknown
 * columns ignored.  An empty file or a header alone is an empty table.
 * Returns the number of rows stored (rows beyond max are dropped and
 * *truncated set), or -1 for garbage.
 */
int gt_parse_exit_timing(const char *buf, size_t len, struct gt_xrow *rows,
			 int max, bool *truncated);

/* ---------------------------------------------------------- small files */

int gt_parse_uptime(const char *buf, size_t len, double *uptime);
int gt_parse_loadavg(const char *buf, size_t len, double load[3]);
/* A sysctl holding one integer; returns 0 and sets *val, or -1. */
int gt_parse_sysctl_int(const char *buf, size_t len, long *val);

/*
 * /proc/<pid>/task/<tid>/schedstat: "run_ns wait_ns timeslices" (time on
 * a CPU, time waiting on a run queue, both in ns since the thread
 * started).  Returns 0, or -1 for anything else.
 */
int gt_parse_schedstat(const char *buf, size_t len, uint64_t *run_ns,
		       uint64_t *wait_ns);

/* A file holding one unsigned decimal (KVM's debugfs stats files). */
int gt_parse_u64_file(const char *buf, size_t len, uint64_t *val);

/*
 * The cgroup v2 path ("0::/path" line) of /proc/<pid>/cgroup, sanitised
 * into out.  Returns 0, or -1 when there is none (cgroup v1 only).
 */
int gt_parse_cgroup2(const char *buf, size_t len, char *out, size_t outsz);

/* ---------------------------------------------------------- VM identity */

/*
 * VM name from a NUL-separated /proc/<pid>/cmdline: QEMU "-name
 * guest=X,..." / "-name X,..." (",," is a literal comma), "--name X",
 * "--name=X", Firecracker "--id X".  Returns 1 and the sanitised name,
 * or 0 if there is none.
 */
int gt_vm_name_from_cmdline(const char *buf, size_t len, char *out,
			    size_t outsz);

/*
 * libvirt's domain name from a cgroup path: its machine scope
 * "machine-DRIVER\x2dID\x2dNAME.scope" (any driver: qemu, lxc, ch).
 * Returns 1 and the sanitised name, or 0 if there is none.
 */
int gt_vm_name_from_cgroup(const char *path, char *out, size_t outsz);

/*
 * VM UUID from a NUL-separated /proc/<pid>/cmdline: QEMU "-uuid X"
 * ("--uuid", "-uuid=X" too), Cloud Hypervisor "--platform ...uuid=X...".
 * Only the canonical 8-4-4-4-12 hex form is taken; out gets it in lower
 * case (needs 37 bytes).  Returns 1, or 0 if there is none.
 */
int gt_vm_uuid_from_cmdline(const char *buf, size_t len, char *out,
			    size_t outsz);

/*
 * vCPU index from a thread name: "CPU 3/KVM" (QEMU, gvmm),
 * "fc_vcpu 3" (Firecracker), "vcpu3" (Cloud Hypervisor),
 * "crosvm_vcpu3" (crosvm), "kvm-vcpu-3" (kvmtool).  -1 if not a vCPU
 * thread name.
 */
int gt_vcpu_index_from_comm(const char *comm);

/* "<pid>-<fd>" debugfs directory name; returns 0 and the pid, or -1. */
int gt_parse_kvm_dirname(const char *name, int *pid);

/* "vcpu<N>"; returns N or -1. */
int gt_parse_vcpu_dirname(const char *name);

/* fd link target "anon_inode:kvm-vm" / "anon_inode:kvm-vcpu:N". */
bool gt_is_kvm_fd_link(const char *target);

#endif
