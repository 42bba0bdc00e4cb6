// SPDX-License-Identifier: GPL-2.0
/*
 * source_fs.c - gt_source over a directory tree: the live host ("/") or
 * a fixture tree mimicking /proc and debugfs, optionally with frames.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "source.h"
#include "util.h"

/* Files kept open for pread(2), by path (open addressing). */
struct fdent {
	char *path;		/* NULL: empty slot */
	size_t hash;		/* fc_hash(path) */
	int fd;			/* -1: failed, dropped at the next sweep;
				 * FD_PLAIN: not seekable, read by path */
	uint32_t gen;		/* sample it was last read in */
};

/* An entry for a file that pread(2) cannot read (ESPIPE: debugfs
 * simple attributes are nonseekable_open()ed): it is opened, read and
 * closed every time, without trying pread again.  It takes no fd. */
#define FD_PLAIN (-2)

struct fs_priv {
	char root[PATH_MAX];	/* "" for the live host */
	int nframes;		/* 0: no frames */
	int frame;		/* current frame, -1 before the first sample */
	struct fdent *fc;
	size_t fc_cap, fc_n;		/* slots, entries */
	size_t fc_fds, fc_max;		/* fds kept, fd budget */
	uint32_t gen;
};

static const char *const root_dir[GT_NROOTS] = {
	[GT_ROOT_PROC] = "/proc",
	[GT_ROOT_DEBUGFS] = "/sys/kernel/debug",
};

static int mkpath(struct fs_priv *p, enum gt_root root, const char *path,
		  char *out, size_t n)
{
	char *r;

	if (p->nframes)
		r = gt_path(out, n, p->root, "/", GT_I(p->frame < 0 ? 0 : p->frame),
			    root_dir[root], *path ? "/" : "", path, NULL);
	else
		r = gt_path(out, n, p->root, root_dir[root], *path ? "/" : "",
			    path, NULL);
	return r ? 0 : -ENAMETOOLONG;
}

/*
 * Read a whole file.  /proc and debugfs files return all they have in
 * one read when it fits (seq_file), so a short read is taken as the
 * end (saving the read that would return 0) unless `loop` is set:
 * cmdline is read page by page.
 */
static ssize_t read_path(const char *path, char *buf, size_t size, bool loop)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t got = 0;

	if (!size)
		return -EINVAL;
	if (fd < 0)
		return -errno;
	while (got + 1 < size) {
		ssize_t r = read(fd, buf + got, size - 1 - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;

			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (!loop && got + 1 < size)
			break;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

static ssize_t fs_read(struct gt_source *s, enum gt_root root,
		       const char *path, char *buf, size_t size)
{
	char full[PATH_MAX];
	int e = mkpath(s->priv, root, path, full, sizeof(full));

	if (e)
		return e;
	size_t l = strlen(path);

	return read_path(full, buf, size, l >= 7 && !strcmp(path + l - 7,
							    "cmdline"));
}

/* ------------------------------------------------------ the fd cache */

static size_t fc_hash(const char *p)
{
	uint64_t h = 14695981039346656037ULL;

	while (*p)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

/* The slot of path (hash: its fc_hash), or the empty one it would take. */
static struct fdent *fc_slot(struct fdent *t, size_t cap, const char *path,
			     size_t hash)
{
	size_t i = hash & (cap - 1);

	while (t[i].path && (t[i].hash != hash || strcmp(t[i].path, path)))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* Keep the entries read in the sample that ends, close the others. */
static void fc_rebuild(struct fs_priv *p, size_t cap, bool keep_all)
{
	struct fdent *t = calloc(cap, sizeof(*t));
	size_t n = 0, fds = 0;

	if (!t)
		return;		/* keep the old table */
	for (size_t i = 0; i < p->fc_cap; i++) {
		struct fdent *e = &p->fc[i];

		if (!e->path)
			continue;
		if ((e->fd >= 0 || e->fd == FD_PLAIN) &&
		    (keep_all || e->gen == p->gen)) {
			*fc_slot(t, cap, e->path, e->hash) = *e;
			n++;
			fds += e->fd >= 0;
			continue;
		}
		if (e->fd >= 0)
			close(e->fd);
		free(e->path);
	}
	free(p->fc);
	p->fc = t;
	p->fc_cap = cap;
	p->fc_n = n;
	p->fc_fds = fds;
}

static ssize_t pread_all(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got + 1 < size) {
		ssize_t r = pread(fd, buf + got, size - 1 - got, (off_t)got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got + 1 < size)
			break;	/* short read: all there is (see read_path) */
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

static ssize_t fs_reread(struct gt_source *s, enum gt_root root,
			 const char *path, char *buf, size_t size)
{
	struct fs_priv *p = s->priv;
	char full[PATH_MAX];
	int e = mkpath(p, root, path, full, sizeof(full));
	struct fdent *ent;
	ssize_t n;
	int fd;

	if (e)
		return e;
	if (!size)
		return -EINVAL;
	if ((p->fc_n + 1) * 2 > p->fc_cap)
		fc_rebuild(p, p->fc_cap ? p->fc_cap * 2 : 1024, true);
	if (!p->fc)
		return read_path(full, buf, size, false);
	/* a kept file first: the budget only limits new ones (checking it
	 * first would re-open every kept file once the budget is used up,
	 * and drop them all at the sweep) */
	size_t hash = fc_hash(full);

	ent = fc_slot(p->fc, p->fc_cap, full, hash);
	if (ent->path) {
		ent->gen = p->gen;
		if (ent->fd == FD_PLAIN)
			return read_path(full, buf, size, false);
		if (ent->fd < 0)
			return -ESRCH;
		n = pread_all(ent->fd, buf, size);
		if (n < 0) {	/* the task or VM is gone */
			close(ent->fd);
			ent->fd = -1;
		}
		return n;
	}
	if (p->fc_fds >= p->fc_max)
		return read_path(full, buf, size, false);	/* no budget */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = pread_all(fd, buf, size);
	if (n == -ESPIPE) {
		close(fd);
		fd = FD_PLAIN;
		n = read_path(full, buf, size, false);
	}
	if (n < 0) {
		if (fd >= 0)
			close(fd);
		return n;
	}
	ent->path = strdup(full);
	if (!ent->path) {
		if (fd >= 0)
			close(fd);
		return n;
	}
	ent->hash = hash;
	ent->fd = fd;
	ent->gen = p->gen;
	p->fc_n++;
	p->fc_fds += fd >= 0;
	return n;
}

static void fs_sweep(struct gt_source *s)
{
	struct fs_priv *p = s->priv;
	bool stale = false;

	/* usually every kept file was read again: nothing to drop */
	for (size_t i = 0; p->fc && i < p->fc_cap && !stale; i++)
		stale = p->fc[i].path && (p->fc[i].gen != p->gen ||
					  p->fc[i].fd == -1);
	if (stale)
		fc_rebuild(p, p->fc_cap, false);
	p->gen++;
}

static int fs_list(struct gt_source *s, enum gt_root root, const char *path,
		   gt_name_cb cb, void *ctx)
{
	char full[PATH_MAX];
	int e = mkpath(s->priv, root, path, full, sizeof(full));
	DIR *d;
	struct dirent *de;

	if (e)
		return e;
	d = opendir(full);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (cb(ctx, de->d_name))
			break;
	}
	closedir(d);
	return 0;
}

static ssize_t fs_readlink(struct gt_source *s, enum gt_root root,
			   const char *path, char *buf, size_t size)
{
	char full[PATH_MAX];
	int e = mkpath(s->priv, root, path, full, sizeof(full));
	ssize_t r;

	if (e)
		return e;
	if (size < 2)
		return -EINVAL;
	r = readlink(full, buf, size - 1);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return r;
}

static void fs_clock(struct gt_source *s, uint64_t *mono_ns, double *realtime)
{
	struct fs_priv *p = s->priv;
	struct timespec m, r;

	if (p->nframes) {
		char path[PATH_MAX + 32], buf[128];
		double v[2];

		snprintf(path, sizeof(path), "%s/%d/clock", p->root,
			 p->frame < 0 ? 0 : p->frame);
		if (read_path(path, buf, sizeof(buf), true) > 0 &&
		    sscanf(buf, "%lf %lf", &v[0], &v[1]) == 2 && v[0] >= 0 &&
		    v[0] < 1e9) {
			*mono_ns = (uint64_t)(v[0] * 1e9 + 0.5);
			*realtime = v[1];
			return;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	*mono_ns = (uint64_t)m.tv_sec * 1000000000ULL + (uint64_t)m.tv_nsec;
	*realtime = (double)r.tv_sec + r.tv_nsec / 1e9;
}

static long fs_hz(struct gt_source *s)
{
	long hz = sysconf(_SC_CLK_TCK);

	(void)s;
	return hz > 0 ? hz : 100;
}

static void fs_advance(struct gt_source *s)
{
	struct fs_priv *p = s->priv;

	if (p->nframes && p->frame + 1 < p->nframes)
		p->frame++;
}

static void fs_destroy(struct gt_source *s)
{
	struct fs_priv *p = s->priv;

	for (size_t i = 0; i < p->fc_cap; i++) {
		if (p->fc[i].path && p->fc[i].fd >= 0)
			close(p->fc[i].fd);
		free(p->fc[i].path);
	}
	free(p->fc);
	free(p);
	free(s);
}

static const struct gt_source_ops fs_ops = {
	.read = fs_read,
	.reread = fs_reread,
	.sweep = fs_sweep,
	.list = fs_list,
	.readlink = fs_readlink,
	.procs = gt_source_procs_generic,
	.clock = fs_clock,
	.hz = fs_hz,
	.advance = fs_advance,
	.destroy = fs_destroy,
};

struct gt_source *gt_source_fs_new(const char *root)
{
	struct gt_source *s = calloc(1, sizeof(*s));
	struct fs_priv *p = calloc(1, sizeof(*p));
	struct stat st;
	char path[PATH_MAX + 16];

	if (!s || !p || strlen(root) >= sizeof(p->root)) {
		free(s);
		free(p);
		return NULL;
	}
	/* "/" and "" mean the live host: paths start at /proc */
	if (strcmp(root, "/") != 0)
		snprintf(p->root, sizeof(p->root), "%s", root);
	size_t l = strlen(p->root);

	while (l > 0 && p->root[l - 1] == '/')
		p->root[--l] = '\0';
	p->frame = -1;
	/* fd budget for kept files: raise the soft limit if we may */
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ?
			      65536 : rl.rlim_max;

		/* root (as for debugfs) may raise a low hard limit, such as
		 * the kernel's 4096 for init and what it starts */
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 65536 &&
		    rl.rlim_cur < 65536 &&
		    !setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 65536, 65536 }))
			want = 65536;
		if (rl.rlim_cur < want) {
			rl.rlim_cur = want;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		getrlimit(RLIMIT_NOFILE, &rl);
		p->fc_max = rl.rlim_cur > 256 ? (size_t)rl.rlim_cur - 128 : 0;
	}
	if (p->root[0]) {
		for (;;) {
			snprintf(path, sizeof(path), "%s/%d", p->root,
				 p->nframes);
			if (stat(path, &st) || !S_ISDIR(st.st_mode))
				break;
			p->nframes++;
		}
	}
	s->ops = &fs_ops;
	s->priv = p;
	return s;
}

void gt_source_destroy(struct gt_source *s)
{
	if (s)
		s->ops->destroy(s);
}

/* ------------------------------------------------ generic enumeration */

struct gen_ctx {
	gt_proc_cb cb;
	void *ctx;
};

static int gen_one(void *vctx, const char *name)
{
	struct gen_ctx *g = vctx;
	struct gt_proc_brief b;
	long pid;

	if (name[0] < '1' || name[0] > '9' ||
	    !gt_parse_int(name, 1, 0x7fffffff, &pid))
		return 0;
	memset(&b, 0, sizeof(b));
	b.pid = (int)pid;
	return g->cb(g->ctx, &b);
}

int gt_source_procs_generic(struct gt_source *s, gt_proc_cb cb, void *ctx)
{
	struct gen_ctx g = { cb, ctx };

	return s->ops->list(s, GT_ROOT_PROC, "", gen_one, &g);
}

ssize_t gt_source_reread_plain(struct gt_source *s, enum gt_root root,
			       const char *path, char *buf, size_t size)
{
	return s->ops->read(s, root, path, buf, size);
}

void gt_source_sweep_none(struct gt_source *s)
{
	(void)s;
}
