// SPDX-License-Identifier: GPL-2.0
/* kvmfs.c - KVM debugfs layout cache and exit_timing reader. */
#define _GNU_SOURCE
#include "kvmfs.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XROWS_MAX 512

struct dvcpu {
	int index, tid;
	bool no_xt;		/* no exit_timing file (until re-listed) */
};

struct gt_kvm_dir {		/* one debugfs kvm/<pid>-<fd> directory */
	char name[32];
	int pid;
	int nv;
	struct dvcpu *v;
	uint64_t listed_ns;
};

struct gt_kvmfs {
	struct gt_source *src;
	uint64_t now;
	struct gt_kvm_dir *dd;	/* sorted by pid, name */
	size_t ndd;
	int ok, noent, acces, perm, bad;
	int ks_ok, ks_tried, ks_acces, ks_perm;	/* statistics files */
	struct gt_xrow rows[XROWS_MAX];
	char file[65536];
};

static int dd_cmp(const void *a, const void *b)
{
	const struct gt_kvm_dir *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct dlist {
	struct gt_kvmfs *k;
	struct gt_kvm_dir *d;
	size_t n, cap;
	const char *dir;
	struct dvcpu *v;
	size_t nv, cv;
};

static int dir_cb(void *ctx, const char *name)
{
	struct dlist *l = ctx;
	int pid;

	if (strlen(name) >= sizeof(l->d->name) ||
	    gt_parse_kvm_dirname(name, &pid))
		return 0;
	if (!gt_grow((void **)&l->d, &l->cap, l->n + 1, sizeof(*l->d)))
		return 1;
	memset(&l->d[l->n], 0, sizeof(l->d[l->n]));
	snprintf(l->d[l->n].name, sizeof(l->d[l->n].name), "%s", name);
	l->d[l->n].pid = pid;
	l->n++;
	return 0;
}

static int vcpu_cb(void *ctx, const char *name)
{
	struct dlist *l = ctx;
	int idx = gt_parse_vcpu_dirname(name);
	char path[96], buf[32];
	long tid;
	ssize_t n;

	if (idx < 0)
		return 0;
	snprintf(path, sizeof(path), "kvm/%s/vcpu%d/pid", l->dir, idx);
	n = l->k->src->ops->read(l->k->src, GT_ROOT_DEBUGFS, path, buf,
				 sizeof(buf));
	if (n <= 0 || gt_parse_sysctl_int(buf, (size_t)n, &tid) || tid <= 0 ||
	    tid > 0x7fffffff)
		return 0;
	if (!gt_grow((void **)&l->v, &l->cv, l->nv + 1, sizeof(*l->v)))
		return 1;
	l->v[l->nv].index = idx;
	l->v[l->nv].tid = (int)tid;
	l->v[l->nv].no_xt = false;
	l->nv++;
	return 0;
}

static void list_vcpus(struct gt_kvmfs *k, struct gt_kvm_dir *d)
{
	struct dlist l = { .k = k, .dir = d->name };
	char path[64];

	snprintf(path, sizeof(path), "kvm/%s", d->name);
	k->src->ops->list(k->src, GT_ROOT_DEBUGFS, path, vcpu_cb, &l);
	free(d->v);
	d->v = l.v;
	d->nv = (int)l.nv;
	d->listed_ns = k->now;
}

static int any_cb(void *ctx, const char *name)
{
	(void)name;
	*(int *)ctx = 1;
	return 1;
}

/* Why listing kvm/ failed. */
static enum gt_xt_state list_error(struct gt_kvmfs *k, int err)
{
	int any = 0, e;

	if (err == -EACCES)
		return GT_XT_DENIED;
	if (err == -EPERM)
		return GT_XT_LOCKDOWN;
	e = k->src->ops->list(k->src, GT_ROOT_DEBUGFS, "", any_cb, &any);
	if (e == -EACCES)
		return GT_XT_DENIED;
	if (e == -EPERM)
		return GT_XT_LOCKDOWN;
	if (e < 0 || !any)
		return GT_XT_NOT_MOUNTED;	/* empty mount point */
	return GT_XT_NO_KVM;
}

static void drop_all(struct gt_kvmfs *k)
{
	for (size_t i = 0; i < k->ndd; i++)
		free(k->dd[i].v);
	free(k->dd);
	k->dd = NULL;
	k->ndd = 0;
}

enum gt_xt_state gt_kvmfs_scan(struct gt_kvmfs *k, uint64_t now_ns)
{
	struct dlist l = { .k = k };
	size_t j = 0;
	int e;

	k->now = now_ns;
	k->ok = k->noent = k->acces = k->perm = k->bad = 0;
	k->ks_ok = k->ks_tried = k->ks_acces = k->ks_perm = 0;
	e = k->src->ops->list(k->src, GT_ROOT_DEBUGFS, "kvm", dir_cb, &l);
	if (e < 0) {
		free(l.d);
		drop_all(k);
		return list_error(k, e);
	}
	if (l.n)
		qsort(l.d, l.n, sizeof(*l.d), dd_cmp);
	for (size_t i = 0; i < l.n; i++) {
		/* two entries with one name cannot happen; be safe anyway */
		if (i && !dd_cmp(&l.d[i - 1], &l.d[i]))
			l.d[i].name[0] = '\0';
		while (j < k->ndd && dd_cmp(&k->dd[j], &l.d[i]) < 0)
			free(k->dd[j++].v);
		if (j < k->ndd && !dd_cmp(&k->dd[j], &l.d[i])) {
			l.d[i] = k->dd[j++];	/* known: re-listed on demand */
			continue;
		}
		if (l.d[i].name[0])
			list_vcpus(k, &l.d[i]);
	}
	while (j < k->ndd)
		free(k->dd[j++].v);
	free(k->dd);
	k->dd = l.d;
	k->ndd = l.n;
	return GT_XT_NO_VCPUS;
}

/* The dirs of a pid are adjacent; returns the first and the count. */
static struct gt_kvm_dir *first_of(struct gt_kvmfs *k, int pid, size_t *n)
{
	size_t lo = 0, hi = k->ndd;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->dd[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*n = 0;
	while (lo + *n < k->ndd && k->dd[lo + *n].pid == pid)
		(*n)++;
	return *n ? &k->dd[lo] : NULL;
}

bool gt_kvmfs_has_pid(struct gt_kvmfs *k, int pid)
{
	size_t n;

	return first_of(k, pid, &n) != NULL;
}

void gt_kvmfs_relist_pid(struct gt_kvmfs *k, int pid)
{
	size_t n;
	struct gt_kvm_dir *d = first_of(k, pid, &n);

	for (size_t i = 0; i < n; i++)
		if (d[i].listed_ns != k->now && d[i].name[0])
			list_vcpus(k, &d[i]);
}

int gt_kvmfs_vcpus(struct gt_kvmfs *k, int pid, int *tid, int *index,
		   int max)
{
	size_t n;
	struct gt_kvm_dir *d = first_of(k, pid, &n);
	int c = 0;

	for (size_t i = 0; i < n; i++)
		for (int v = 0; v < d[i].nv; v++, c++)
			if (c < max) {
				tid[c] = d[i].v[v].tid;
				index[c] = d[i].v[v].index;
			}
	return c;
}

int gt_kvmfs_vcpu(struct gt_kvmfs *k, int pid, int tid,
		  const struct gt_kvm_dir **dir)
{
	size_t n;
	struct gt_kvm_dir *d = first_of(k, pid, &n);

	for (size_t i = 0; i < n; i++)
		for (int v = 0; v < d[i].nv; v++)
			if (d[i].v[v].tid == tid) {
				*dir = &d[i];
				return d[i].v[v].index;
			}
	return -1;
}

static int xs_cmp(const void *a, const void *b)
{
	const struct gt_xstat *x = a, *y = b;

	return (x->reason > y->reason) - (x->reason < y->reason);
}

static void xs_from_row(struct gt_xstat *x, const struct gt_xrow *r)
{
	x->count = r->count;
	x->min_ns = r->min_ns;
	x->max_ns = r->max_ns;
	x->total_ns = gt_quant_ns(r->total_ns);
	x->stddev_ns = gt_quant_sd(r->stddev_ns);
	x->has_stddev = r->has_stddev;
	x->user_exits = r->user_exits;
	x->has_user = r->has_user;
}

/* Sort by reason and merge rows of the same reason. */
static void xt_normalise(struct gt_xt *xt)
{
	int o = 0;

	qsort(xt->rows, (size_t)xt->n, sizeof(*xt->rows), xs_cmp);
	for (int i = 0; i < xt->n; i++) {
		struct gt_xstat *x = &xt->rows[i];

		if (o && xt->rows[o - 1].reason == x->reason) {
			struct gt_xstat *p = &xt->rows[o - 1];

			if (x->min_ns < p->min_ns)
				p->min_ns = x->min_ns;
			if (x->max_ns > p->max_ns)
				p->max_ns = x->max_ns;
			p->count += x->count;
			p->total_ns += x->total_ns;
			p->user_exits += x->user_exits;
			p->has_stddev = false;
			continue;
		}
		xt->rows[o++] = *x;
	}
	xt->n = o;
}

struct gt_xt *gt_kvmfs_read_xt(struct gt_kvmfs *k, struct gt_snap *s,
			       const struct gt_kvm_dir *dir, int index)
{
	char path[96];
	bool trunc;
	ssize_t n;
	int rows;

	struct dvcpu *dv = NULL;

	for (int i = 0; i < dir->nv; i++)
		if (dir->v[i].index == index)
			dv = &dir->v[i];
	if (dv && dv->no_xt) {	/* known missing: old kernel */
		k->noent++;
		return NULL;
	}
	gt_path(path, sizeof(path), "kvm/", dir->name, "/vcpu", GT_I(index),
		"/exit_timing", NULL);
	n = k->src->ops->reread(k->src, GT_ROOT_DEBUGFS, path, k->file,
				sizeof(k->file));
	if (n < 0) {
		if (n == -ENOENT && dv)
			dv->no_xt = true;
		if (n == -ENOENT)
			k->noent++;
		else if (n == -EPERM)
			k->perm++;
		else if (n == -EACCES)
			k->acces++;
		else
			k->bad++;
		return NULL;
	}
	rows = gt_parse_exit_timing(k->file, (size_t)n, k->rows, XROWS_MAX,
				    &trunc);
	if (rows < 0) {
		k->bad++;
		return NULL;
	}
	struct gt_xt *xt = gt_arena_alloc(&s->arena, sizeof(*xt));

	if (!xt)
		return NULL;
	xt->rows = gt_arena_alloc(&s->arena,
				  (size_t)(rows ? rows : 1) * sizeof(*xt->rows));
	if (!xt->rows)
		return NULL;
	for (int i = 0; i < rows; i++) {
		const struct gt_xrow *r = &k->rows[i];

		if (!strcmp(r->reason, "<guest>")) {
			xs_from_row(&xt->guest, r);
			xt->has_guest = true;
		} else if (!strcmp(r->reason, "<halted>")) {
			xs_from_row(&xt->halted, r);
			xt->has_halted = true;
		} else if (r->reason[0] != '<' || !strcmp(r->reason, "<other>")) {
			/* <other>: exits of reasons beyond the kernel's table;
			 * other <specials> are unknown and skipped */
			struct gt_xstat *x = &xt->rows[xt->n++];

			xs_from_row(x, r);
			x->reason = gt_reason_id(r->reason);
		}
	}
	xt_normalise(xt);
	k->ok++;
	return xt;
}

/* One statistics file of a VM directory; false if unreadable. */
static bool read_stat(struct gt_kvmfs *k, const struct gt_kvm_dir *d,
		      const char *name, uint64_t *v)
{
	char path[96];
	ssize_t n;
	uint64_t x;

	gt_path(path, sizeof(path), "kvm/", d->name, "/", name, NULL);
	n = k->src->ops->reread(k->src, GT_ROOT_DEBUGFS, path, k->file,
				sizeof(k->file));
	k->ks_perm += n == -EPERM;
	k->ks_acces += n == -EACCES;
	if (n < 0 || gt_parse_u64_file(k->file, (size_t)n, &x))
		return false;
	*v += x;
	return true;
}

const struct gt_kvmstat *gt_kvmfs_read_stats(struct gt_kvmfs *k,
					     struct gt_snap *s, int pid)
{
	size_t n;
	struct gt_kvm_dir *d = first_of(k, pid, &n);
	struct gt_kvmstat st = { .has_halt_exits = true, .has_halt_wait = true,
				 .has_halt_poll = true };
	struct gt_kvmstat *out;

	if (!n)
		return NULL;
	k->ks_tried++;
	for (size_t i = 0; i < n; i++) {
		uint64_t ok = 0, fail = 0;

		if (!d[i].name[0] || !read_stat(k, &d[i], "exits", &st.exits))
			return NULL;
		st.has_halt_exits &= read_stat(k, &d[i], "halt_exits",
					       &st.halt_exits);
		st.has_halt_wait &= read_stat(k, &d[i], "halt_wait_ns",
					      &st.halt_wait_ns);
		st.has_halt_poll &= read_stat(k, &d[i], "halt_poll_success_ns",
					      &ok) &&
				    read_stat(k, &d[i], "halt_poll_fail_ns",
					      &fail);
		st.halt_poll_ns += ok + fail;
	}
	st.halt_wait_ns = gt_quant_ns(st.halt_wait_ns);	/* snap.h */
	st.halt_poll_ns = gt_quant_ns(st.halt_poll_ns);
	out = gt_arena_alloc(&s->arena, sizeof(*out));
	if (out)
		*out = st;
	k->ks_ok += out != NULL;
	return out;
}

enum gt_ks_state gt_kvmfs_stats_state(const struct gt_kvmfs *k)
{
	if (!k->ks_tried)
		return GT_KS_UNUSED;
	if (k->ks_ok)
		return GT_KS_OK;
	if (k->ks_perm)
		return GT_KS_LOCKDOWN;
	if (k->ks_acces)
		return GT_KS_DENIED;
	return GT_KS_MISSING;
}

enum gt_xt_state gt_kvmfs_state(struct gt_kvmfs *k, enum gt_xt_state st)
{
	if (st != GT_XT_NO_VCPUS)
		return st;
	if (k->ok)
		return GT_XT_OK;
	if (k->perm)
		return GT_XT_LOCKDOWN;
	if (k->acces)
		return GT_XT_DENIED;
	if (k->bad)
		return GT_XT_BAD;
	if (k->noent)
		return GT_XT_UNSUPPORTED;
	return st;
}

struct gt_kvmfs *gt_kvmfs_new(struct gt_source *src)
{
	struct gt_kvmfs *k = calloc(1, sizeof(*k));

	if (k)
		k->src = src;
	return k;
}

void gt_kvmfs_free(struct gt_kvmfs *k)
{
	if (!k)
		return;
	drop_all(k);
	free(k);
}
