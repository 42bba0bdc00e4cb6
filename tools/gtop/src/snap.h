/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snap.h - a raw snapshot: counters exactly as read at one instant, no
 * arithmetic.  Built by scan.c from a gt_source, consumed by model.c.
 * All memory of a snapshot lives in its arena.
 */
#ifndef GTOP_SNAP_H
#define GTOP_SNAP_H

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"
#include "util.h"

/* Exit reasons are interned to small ids (1..GT_REASON_IDS-1); 0 is
 * "none".  More distinct names than that share the name "?". */
#define GT_REASON_IDS 4096
uint16_t gt_reason_id(const char *name);
const char *gt_reason_name(uint16_t id);

/*
 * What gtop keeps of the times it reads (for live figures and
 * recordings alike, so that a replay shows what the live run showed):
 * cumulative nanosecond counters (exit timing totals, schedstat, KVM's
 * halt times) floored to whole microseconds, never rounded, so that no
 * delta drifts; standard deviations to 8 significant bits (0.4%).
 * Shortest and longest exits stay exact.
 */
#define GT_NS_QUANTUM 1000
static inline uint64_t gt_quant_ns(uint64_t ns)
{
	return ns - ns % GT_NS_QUANTUM;
}

static inline uint64_t gt_quant_sd(uint64_t ns)
{
	int e = ns ? 64 - __builtin_clzll(ns) - 8 : 0;

	return e > 0 ? ns >> e << e : ns;
}

struct gt_xstat {
	uint16_t reason;
	bool has_stddev, has_user;
	uint64_t count, min_ns, max_ns, total_ns, stddev_ns, user_exits;
};

/* One vCPU's exit_timing file. */
struct gt_xt {
	int n;
	struct gt_xstat *rows;	/* exit reasons, sorted by reason id */
	bool has_guest, has_halted;
	struct gt_xstat guest;	/* <guest>: entries, time in guest */
	struct gt_xstat halted;	/* <halted>: time halted/blocked */
};

struct gt_vcpu_raw {
	int tid;
	int index;		/* -1 when unknown */
	int processor;		/* -1 when unknown */
	const char *comm;
	struct gt_times t;
	bool has_sched;		/* schedstat readable */
	uint64_t run_ns, wait_ns;	/* schedstat: on a CPU, run queue delay */
	const struct gt_xt *xt;	/* NULL: exit timing not readable */
};

/*
 * KVM's statistics in debugfs kvm/<pid>-<fd>/<name>: the vCPU statistics
 * summed by KVM over the VM's vCPUs (any kernel, no patch needed).
 */
struct gt_kvmstat {
	uint64_t exits;		/* "exits" */
	uint64_t halt_exits;	/* "halt_exits" */
	uint64_t halt_wait_ns;	/* "halt_wait_ns": blocked in a halt */
	uint64_t halt_poll_ns;	/* "halt_poll_success_ns" + "_fail_ns" */
	bool has_halt_exits, has_halt_wait, has_halt_poll;
};

struct gt_vm_raw {
	int pid;
	uint64_t starttime;
	const char *name;	/* from the command line, else comm */
	const char *uuid;	/* from the command line, NULL if none */
	const char *comm;
	const char *cgroup;	/* cgroup v2 path, NULL if unknown */
	long nlwp;
	struct gt_times t;	/* of the process: all threads */
	int nvcpus;
	struct gt_vcpu_raw *vcpus;	/* sorted by index, then tid */
	const struct gt_kvmstat *ks;	/* NULL: not read or unreadable */
};

/* Why exit timing is or is not available. */
enum gt_xt_state {
	GT_XT_OK,		/* at least one exit_timing file parsed */
	GT_XT_NO_VCPUS,		/* debugfs fine, nothing to read (yet) */
	GT_XT_NOT_MOUNTED,	/* debugfs not mounted */
	GT_XT_DENIED,		/* EACCES: not root */
	GT_XT_LOCKDOWN,		/* EPERM: kernel lockdown */
	GT_XT_NO_KVM,		/* no kvm directory in debugfs */
	GT_XT_UNSUPPORTED,	/* vcpuN dirs without exit_timing: old kernel */
	GT_XT_BAD,		/* exit_timing files that do not parse */
	GT_XT_OFF,		/* readable, but a sysctl is 0: not collected
				 * (set by the model, not the scanner) */
};

/* KVM's per-VM statistics files (read where exit timing falls short). */
enum gt_ks_state {
	GT_KS_UNUSED,		/* not needed: none read */
	GT_KS_OK,		/* read for at least one VM */
	GT_KS_MISSING,		/* no such files (no debugfs directory) */
	GT_KS_DENIED,		/* EACCES: not root */
	GT_KS_LOCKDOWN,		/* EPERM: lockdown (writable debugfs files) */
};

struct gt_snap {
	struct gt_arena arena;
	uint64_t mono_ns;
	double realtime;
	long hz;
	bool has_uptime, has_load;
	double uptime, load[3];
	bool has_sysctl;	/* collect_guest_utilization readable */
	long sysctl;
	int sysctl_err;		/* errno when not readable */
	bool has_xt_sysctl;	/* collect_guest_exit_timing readable */
	long xt_sysctl;
	bool stat_ok;
	struct gt_cpu_raw total;
	int ncpus;
	struct gt_cpu_raw *cpus;
	enum gt_xt_state xt_state;
	enum gt_ks_state ks_state;
	int nprocs;		/* processes enumerated */
	int nvms;
	struct gt_vm_raw *vms;	/* sorted by pid */
};

void gt_snap_clear(struct gt_snap *s);	/* back to empty, keeps memory */
void gt_snap_free(struct gt_snap *s);
const struct gt_vm_raw *gt_snap_find_vm(const struct gt_snap *s, int pid);

#endif
