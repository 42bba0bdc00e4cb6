// SPDX-License-Identifier: GPL-2.0
/*
 * source_live.c - the live host: the fs source rooted at "/" for files
 * (with its pread cache), the clock tick rate from libproc2 and, unless
 * --no-libproc2, the process list from libproc2 (procps_pids_reap).
 *
 * libproc2 is asked for the pid only.  With any item of the stat file
 * (start time, thread count, guest time, command), procps 4.0.2 opens,
 * reads, parses (sscanf) and closes /proc/<pid>/stat of every process at
 * every refresh, and the scanner then reads the stat of every VM again
 * (libproc2 cannot read fields 53/54): 4 system calls a process and 2
 * reads of each VM's stat.  With the pid alone 4.0.2 lists /proc and
 * stats each entry (later versions read the stat anyway), and the
 * scanner watches the stat of every process itself, kept open and
 * re-read with pread(2) (the brief's "watch"): one read of each stat a
 * refresh.  libproc2 cannot read the new fields nor debugfs, has no
 * alternate /proc root for fixtures, and its STAT_TIC_SUM_TOTAL counts
 * guest time twice, so all counters are parsed by parse.c.
 *
 * PIDS_VAL() takes four arguments in procps 4.0.2 (Debian 12) and three
 * from 4.0.5; PVAL() below indexes the stack directly, which is what
 * both expand to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libproc2/misc.h>
#include <libproc2/pids.h>

#include "source.h"
#include "util.h"

#define PVAL(i, type, stack) ((stack)->head[(i)].result.type)

enum { I_PID };

static enum pids_item items[] = {
	[I_PID] = PIDS_ID_PID,
};

struct live_priv {
	struct gt_source *fs;
	struct pids_info *info;
	bool libproc2_procs;
	long hz;
};

static ssize_t live_read(struct gt_source *s, enum gt_root root,
			 const char *path, char *buf, size_t size)
{
	struct live_priv *p = s->priv;

	return p->fs->ops->read(p->fs, root, path, buf, size);
}

static ssize_t live_reread(struct gt_source *s, enum gt_root root,
			   const char *path, char *buf, size_t size)
{
	struct live_priv *p = s->priv;

	return p->fs->ops->reread(p->fs, root, path, buf, size);
}

static void live_sweep(struct gt_source *s)
{
	struct live_priv *p = s->priv;

	p->fs->ops->sweep(p->fs);
}

static int live_list(struct gt_source *s, enum gt_root root,
		     const char *path, gt_name_cb cb, void *ctx)
{
	struct live_priv *p = s->priv;

	return p->fs->ops->list(p->fs, root, path, cb, ctx);
}

static ssize_t live_readlink(struct gt_source *s, enum gt_root root,
			     const char *path, char *buf, size_t size)
{
	struct live_priv *p = s->priv;

	return p->fs->ops->readlink(p->fs, root, path, buf, size);
}

static int live_procs(struct gt_source *s, gt_proc_cb cb, void *ctx)
{
	struct live_priv *p = s->priv;
	struct pids_fetch *f;

	if (!p->libproc2_procs)
		return gt_source_procs_generic(s, cb, ctx);
	if (!p->info && procps_pids_new(&p->info, items,
					(int)GT_ARRAY_SIZE(items)) < 0) {
		p->info = NULL;
		return gt_source_procs_generic(s, cb, ctx);
	}
	f = procps_pids_reap(p->info, PIDS_FETCH_TASKS_ONLY);
	if (!f)
		return errno ? -errno : -EIO;
	for (int i = 0; i < f->counts->total; i++) {
		struct gt_proc_brief b;

		memset(&b, 0, sizeof(b));
		b.pid = PVAL(I_PID, s_int, f->stacks[i]);
		b.watch = true;
		if (cb(ctx, &b))
			break;
	}
	return 0;
}

static void live_clock(struct gt_source *s, uint64_t *mono_ns,
		       double *realtime)
{
	struct live_priv *p = s->priv;

	p->fs->ops->clock(p->fs, mono_ns, realtime);
}

static long live_hz(struct gt_source *s)
{
	struct live_priv *p = s->priv;

	return p->hz;
}

static void live_advance(struct gt_source *s)
{
	(void)s;
}

static void live_destroy(struct gt_source *s)
{
	struct live_priv *p = s->priv;

	if (p->info)
		procps_pids_unref(&p->info);
	gt_source_destroy(p->fs);
	free(p);
	free(s);
}

static const struct gt_source_ops live_ops = {
	.read = live_read,
	.reread = live_reread,
	.sweep = live_sweep,
	.list = live_list,
	.readlink = live_readlink,
	.procs = live_procs,
	.clock = live_clock,
	.hz = live_hz,
	.advance = live_advance,
	.destroy = live_destroy,
};

struct gt_source *gt_source_live_new(bool libproc2_procs)
{
	struct gt_source *s = calloc(1, sizeof(*s));
	struct live_priv *p = calloc(1, sizeof(*p));

	if (!s || !p || !(p->fs = gt_source_fs_new("/"))) {
		free(s);
		free(p);
		return NULL;
	}
	p->libproc2_procs = libproc2_procs;
	p->hz = procps_hertz_get();
	if (p->hz <= 0)
		p->hz = p->fs->ops->hz(p->fs);
	s->ops = &live_ops;
	s->priv = p;
	return s;
}
