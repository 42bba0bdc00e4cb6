/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmfs.h - KVM's debugfs tree: which <pid>-<fd> VM directories exist,
 * which thread each vcpuN belongs to (vcpuN/pid), and reading
 * vcpuN/exit_timing into a snapshot.  Cached between samples; part of
 * the scanner.
 */
#ifndef GTOP_KVMFS_H
#define GTOP_KVMFS_H

#include <stdbool.h>
#include <stdint.h>

#include "snap.h"
#include "source.h"

struct gt_kvmfs;
struct gt_kvm_dir;

struct gt_kvmfs *gt_kvmfs_new(struct gt_source *src);
void gt_kvmfs_free(struct gt_kvmfs *k);

/*
 * List kvm/ (new directories are listed at once, known ones again only
 * through gt_kvmfs_relist_pid()).  Returns GT_XT_NO_VCPUS when debugfs is usable, or why not.
 * Resets the exit_timing read counters.
 */
enum gt_xt_state gt_kvmfs_scan(struct gt_kvmfs *k, uint64_t now_ns);

bool gt_kvmfs_has_pid(struct gt_kvmfs *k, int pid);
/* Re-list the vcpuN directories of pid's VMs (thread count changed, a
 * vCPU thread vanished); also retries missing exit_timing files. */
void gt_kvmfs_relist_pid(struct gt_kvmfs *k, int pid);
/* The vCPUs debugfs knows for pid: up to max (tid, index) pairs;
 * returns how many there are. */
int gt_kvmfs_vcpus(struct gt_kvmfs *k, int pid, int *tid, int *index,
		   int max);
/* vCPU index of thread tid of pid, -1 if debugfs does not know it. */
int gt_kvmfs_vcpu(struct gt_kvmfs *k, int pid, int tid,
		  const struct gt_kvm_dir **dir);
/* Read and parse vcpu<index>/exit_timing; NULL if unreadable. */
struct gt_xt *gt_kvmfs_read_xt(struct gt_kvmfs *k, struct gt_snap *s,
			       const struct gt_kvm_dir *dir, int index);
/*
 * Read KVM's per-VM statistics files of pid's VM directories (summed
 * when there are several) into the snapshot's arena; NULL when there is
 * no directory or its "exits" file is unreadable.
 */
const struct gt_kvmstat *gt_kvmfs_read_stats(struct gt_kvmfs *k,
					     struct gt_snap *s, int pid);
/* How the statistics reads of this sample went. */
enum gt_ks_state gt_kvmfs_stats_state(const struct gt_kvmfs *k);
/* Final state after the reads of a sample. */
enum gt_xt_state gt_kvmfs_state(struct gt_kvmfs *k, enum gt_xt_state st);

#endif
