// SPDX-License-Identifier: GPL-2.0
/* source_mem.c - in-memory gt_source for unit tests and fuzzing. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source_mem.h"
#include "util.h"

struct mem_file {
	enum gt_root root;
	char *path;
	char *content;		/* NULL: reading fails with -err */
	size_t len;
	int err;
	bool deny_list;		/* path is a directory that cannot be listed */
};

struct mem_priv {
	struct mem_file *f;
	size_t n, cap;
	uint64_t mono_ns;
	double realtime;
};

static struct mem_file *find(struct mem_priv *p, enum gt_root root,
			     const char *path, bool deny)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->f[i].root == root && p->f[i].deny_list == deny &&
		    !strcmp(p->f[i].path, path))
			return &p->f[i];
	return NULL;
}

static struct mem_file *add(struct mem_priv *p, enum gt_root root,
			    const char *path, bool deny)
{
	struct mem_file *f = find(p, root, path, deny);

	if (f)
		return f;
	if (!gt_grow((void **)&p->f, &p->cap, p->n + 1, sizeof(*p->f)))
		return NULL;
	f = &p->f[p->n];
	memset(f, 0, sizeof(*f));
	f->root = root;
	f->deny_list = deny;
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	p->n++;
	return f;
}

int gt_source_mem_put_len(struct gt_source *s, enum gt_root root,
			  const char *path, const char *content, size_t len)
{
	struct mem_file *f = add(s->priv, root, path, false);

	if (!f)
		return -1;
	free(f->content);
	f->content = malloc(len + 1);
	if (!f->content)
		return -1;
	memcpy(f->content, content, len);
	f->content[len] = '\0';
	f->len = len;
	f->err = 0;
	return 0;
}

int gt_source_mem_put(struct gt_source *s, enum gt_root root,
		      const char *path, const char *content, int err)
{
	struct mem_file *f;

	if (content)
		return gt_source_mem_put_len(s, root, path, content,
					     strlen(content));
	f = add(s->priv, root, path, false);
	if (!f)
		return -1;
	free(f->content);
	f->content = NULL;
	f->err = err;
	return 0;
}

void gt_source_mem_deny(struct gt_source *s, enum gt_root root,
			const char *dir, int err)
{
	struct mem_file *f = add(s->priv, root, dir, true);

	if (f)
		f->err = err;
}

void gt_source_mem_remove(struct gt_source *s, enum gt_root root,
			  const char *prefix)
{
	struct mem_priv *p = s->priv;
	size_t pl = strlen(prefix), o = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct mem_file *f = &p->f[i];

		if (f->root == root && !strncmp(f->path, prefix, pl) &&
		    (f->path[pl] == '/' || !f->path[pl])) {
			free(f->path);
			free(f->content);
			continue;
		}
		p->f[o++] = *f;
	}
	p->n = o;
}

void gt_source_mem_clock(struct gt_source *s, uint64_t mono_ns,
			 double realtime)
{
	struct mem_priv *p = s->priv;

	p->mono_ns = mono_ns;
	p->realtime = realtime;
}

static ssize_t mem_read(struct gt_source *s, enum gt_root root,
			const char *path, char *buf, size_t size)
{
	struct mem_file *f = find(s->priv, root, path, false);
	size_t n;

	if (!f)
		return -ENOENT;
	if (!f->content)
		return -(f->err ? f->err : EIO);
	if (!size)
		return -EINVAL;
	n = f->len;
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, f->content, n);
	buf[n] = '\0';
	return (ssize_t)n;
}

static int mem_list(struct gt_source *s, enum gt_root root, const char *path,
		    gt_name_cb cb, void *ctx)
{
	struct mem_priv *p = s->priv;
	struct mem_file *deny = find(p, root, path, true);
	size_t pl = strlen(path);
	char **seen = NULL;
	size_t nseen = 0;
	bool any = false;
	int ret = 0;

	if (deny)
		return -deny->err;
	seen = calloc(p->n + 1, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		struct mem_file *f = &p->f[i];
		const char *rest;
		char name[256];
		size_t k;

		if (f->root != root || f->deny_list)
			continue;
		if (pl) {
			if (strncmp(f->path, path, pl) || f->path[pl] != '/')
				continue;
			rest = f->path + pl + 1;
		} else {
			rest = f->path;
		}
		any = true;
		k = strcspn(rest, "/");
		if (!k || k >= sizeof(name))
			continue;
		memcpy(name, rest, k);
		name[k] = '\0';
		bool dup = false;

		for (size_t j = 0; j < nseen && !dup; j++)
			dup = !strcmp(seen[j], name);
		if (dup)
			continue;
		seen[nseen] = strdup(name);
		if (!seen[nseen])
			break;
		nseen++;
		if (cb(ctx, name))
			break;
	}
	if (!any && pl)
		ret = -ENOENT;
	for (size_t j = 0; j < nseen; j++)
		free(seen[j]);
	free(seen);
	return ret;
}

static ssize_t mem_readlink(struct gt_source *s, enum gt_root root,
			    const char *path, char *buf, size_t size)
{
	/* symlinks are files whose content is the target */
	return mem_read(s, root, path, buf, size);
}

static void mem_clockf(struct gt_source *s, uint64_t *mono_ns,
		       double *realtime)
{
	struct mem_priv *p = s->priv;

	*mono_ns = p->mono_ns;
	*realtime = p->realtime;
}

static long mem_hz(struct gt_source *s)
{
	(void)s;
	return 100;
}

static void mem_advance(struct gt_source *s)
{
	(void)s;
}

static void mem_destroy(struct gt_source *s)
{
	struct mem_priv *p = s->priv;

	for (size_t i = 0; i < p->n; i++) {
		free(p->f[i].path);
		free(p->f[i].content);
	}
	free(p->f);
	free(p);
	free(s);
}

static const struct gt_source_ops mem_ops = {
	.read = mem_read,
	.reread = gt_source_reread_plain,
	.sweep = gt_source_sweep_none,
	.list = mem_list,
	.readlink = mem_readlink,
	.procs = gt_source_procs_generic,
	.clock = mem_clockf,
	.hz = mem_hz,
	.advance = mem_advance,
	.destroy = mem_destroy,
};

struct gt_source *gt_source_mem_new(void)
{
	struct gt_source *s = calloc(1, sizeof(*s));
	struct mem_priv *p = calloc(1, sizeof(*p));

	if (!s || !p) {
		free(s);
		free(p);
		return NULL;
	}
	s->ops = &mem_ops;
	s->priv = p;
	return s;
}
