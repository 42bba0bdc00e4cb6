/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source.h - the ONE interface to the outside world.  Everything gtop
 * learns about the host goes through a struct gt_source: reading small
 * files, listing directories and reading symlinks below two roots
 * (procfs and debugfs), enumerating processes, and the clocks.
 *
 * Implementations:
 *   gt_source_fs_new(root)  files below <root>/proc and
 *                           <root>/sys/kernel/debug; root "/" is the
 *                           live host, anything else a fixture tree.
 *                           A fixture root holding numbered frame
 *                           directories 0/, 1/, ... advances one frame
 *                           per sample (and stays on the last), and a
 *                           frame's "clock" file ("<monotonic seconds>
 *                           <unix seconds>") replaces the clocks.
 *                           Files re-read at every sample are kept open
 *                           and re-read with pread(2).
 *   gt_source_live_new(p2)  the live host ("/"), clock ticks from
 *                           libproc2; with p2 (the default, gtop
 *                           --no-libproc2 clears it) processes are
 *                           enumerated by libproc2 (procps_pids_reap)
 *                           instead of readdir.
 *   gt_source_mem_new()     in-memory files for unit tests
 *                           (source_mem.h; not in the gtop binary).
 */
#ifndef GTOP_SOURCE_H
#define GTOP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "parse.h"

enum gt_root { GT_ROOT_PROC, GT_ROOT_DEBUGFS, GT_NROOTS };

/* What the process enumerator reports for every process. */
struct gt_proc_brief {
	int pid;
	bool has_stat;		/* the fields below are filled in */
	bool watch;		/* read its stat at every refresh (kept
				 * open) to see a change of thread count
				 * or guest time at once */
	uint64_t starttime;
	long nlwp;
	uint64_t guest;		/* field 43, 0 if unknown */
	char comm[GT_COMM_MAX];
};

typedef int (*gt_name_cb)(void *ctx, const char *name);
typedef int (*gt_proc_cb)(void *ctx, const struct gt_proc_brief *p);

struct gt_source;

struct gt_source_ops {
	/* Read a whole file into buf (NUL-terminated, truncated to size-1).
	 * Returns bytes read or -errno. */
	ssize_t (*read)(struct gt_source *s, enum gt_root root,
			const char *path, char *buf, size_t size);
	/* Like read, for a file read again at every sample: it may be kept
	 * open and re-read with pread(2) (-ESRCH: the task is gone). */
	ssize_t (*reread)(struct gt_source *s, enum gt_root root,
			  const char *path, char *buf, size_t size);
	/* End of a sample: close kept files that were not re-read. */
	void (*sweep)(struct gt_source *s);
	/* Call cb for each entry except "." and "..".  A non-zero return
	 * from cb stops the walk.  Returns 0 or -errno. */
	int (*list)(struct gt_source *s, enum gt_root root, const char *path,
		    gt_name_cb cb, void *ctx);
	/* readlink(2); returns length (NUL-terminated) or -errno. */
	ssize_t (*readlink)(struct gt_source *s, enum gt_root root,
			    const char *path, char *buf, size_t size);
	/* Enumerate processes (pids, with has_stat if cheap, or watch).
	 * Returns 0 or -errno. */
	int (*procs)(struct gt_source *s, gt_proc_cb cb, void *ctx);
	/* Monotonic nanoseconds and Unix time in seconds. */
	void (*clock)(struct gt_source *s, uint64_t *mono_ns,
		      double *realtime);
	/* Clock ticks per second of /proc counters. */
	long (*hz)(struct gt_source *s);
	/* Called before each sample (fixture frames). */
	void (*advance)(struct gt_source *s);
	void (*destroy)(struct gt_source *s);
};

struct gt_source {
	const struct gt_source_ops *ops;
	void *priv;
};

struct gt_source *gt_source_fs_new(const char *root);
struct gt_source *gt_source_live_new(bool libproc2_procs);
void gt_source_destroy(struct gt_source *s);

/*
 * Generic process enumeration: the numeric entries of the proc root,
 * without reading anything (has_stat false).  Used by the fs and mem
 * sources.
 */
int gt_source_procs_generic(struct gt_source *s, gt_proc_cb cb, void *ctx);
/* A reread that just reads (sources without a file cache). */
ssize_t gt_source_reread_plain(struct gt_source *s, enum gt_root root,
			       const char *path, char *buf, size_t size);
void gt_source_sweep_none(struct gt_source *s);

#endif
