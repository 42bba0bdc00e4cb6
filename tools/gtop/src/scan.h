/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scan.h - turns a gt_source into raw snapshots.  Finds the VM
 * processes and their vCPU threads, reads their counters and the
 * exit_timing files.  Keeps caches between samples (which processes
 * are VMs, which threads are vCPUs, the debugfs layout) so a refresh
 * reads one stat file per process plus one per vCPU.
 */
#ifndef GTOP_SCAN_H
#define GTOP_SCAN_H

#include "snap.h"
#include "source.h"

struct gt_scanner;

struct gt_scanner *gt_scanner_new(struct gt_source *src);
void gt_scanner_free(struct gt_scanner *sc);
/* Fill *out (cleared first).  Returns 0, or -1 when out of memory. */
int gt_scanner_sample(struct gt_scanner *sc, struct gt_snap *out);

#endif
