// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - the Prometheus text exposition (format 0.0.4), driven by the
 * field table: every field with a .prom name is one metric family per
 * scope, gtop_<cpu|vm|vcpu>_<prom>, with one # HELP and one # TYPE line.
 *
 * Counters are the kernel's cumulative figures in base units (seconds,
 * counts), never rates over gtop's interval: PromQL's rate() makes those.
 * A figure gtop cannot know is left out, never exported as 0: guest
 * split counters while kernel.collect_guest_utilization is 0 (they are
 * frozen, a rate of them would read 0 while the guest runs), exit timing
 * counters while exit timing is off or unreadable, the split on a kernel
 * without it.  Names avoid node_exporter's node_cpu_guest_seconds_total
 * {mode="user"}, which means non-niced guest time, not guest CPL 3.
 *
 * Labels: cpu (CPU rows); vm (the VM name), uuid (when the command line
 * has one), cgroup (the VMM's cgroup v2 path, when known), pid (VM and
 * vCPU rows, exit reasons); vcpu (the vCPU index, when known) and tid
 * (vCPU rows); reason (exit reasons).
 */
#define _GNU_SOURCE
#include "output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GTOP_VERSION
#define GTOP_VERSION "0"
#endif

static void label(struct gt_buf *b, bool *first, const char *k,
		  const char *v)
{
	gt_buf_puts(b, *first ? "{" : ",");
	*first = false;
	gt_buf_puts(b, k);
	gt_buf_puts(b, "=\"");
	gt_buf_prom_label(b, v);
	gt_buf_putc(b, '"');
}

static void label_num(struct gt_buf *b, bool *first, const char *k, double v)
{
	char num[32];

	snprintf(num, sizeof(num), "%.0f", v);
	label(b, first, k, num);
}

/* The labels of one row; vm is NULL for CPU rows. */
static void labels(struct gt_buf *b, const struct gt_row *r,
		   const struct gt_vm_raw *vm)
{
	bool first = true;

	if (r->kind == GT_ROW_CPU) {
		label_num(b, &first, "cpu", r->val[GT_F_CPU_ID].v);
	} else {
		label(b, &first, "vm", vm->name);
		if (vm->uuid)
			label(b, &first, "uuid", vm->uuid);
		if (vm->cgroup)
			label(b, &first, "cgroup", vm->cgroup);
		label_num(b, &first, "pid", vm->pid);
	}
	if (r->kind == GT_ROW_VCPU) {
		if (r->val[GT_F_INDEX].ok)
			label_num(b, &first, "vcpu", r->val[GT_F_INDEX].v);
		label_num(b, &first, "tid", r->val[GT_F_TID].v);
	}
	if (r->kind == GT_ROW_EXIT)
		label(b, &first, "reason", r->val[GT_F_REASON].s);
	if (!first)
		gt_buf_putc(b, '}');
}

struct family {
	char name[96];
	const struct gt_field_def *d;
	const char *what;	/* "per CPU", "per VM", ... */
	bool header;
};

static void family_init(struct family *fm, enum gt_field f,
			const char *prefix, const char *what)
{
	fm->d = &gt_fields[f];
	snprintf(fm->name, sizeof(fm->name), "gtop_%s_%s", prefix, fm->d->prom);
	fm->what = what;
	fm->header = false;
}

static void sample(struct gt_buf *b, struct family *fm, const struct gt_row *r,
		   enum gt_field f, const struct gt_vm_raw *vm)
{
	const struct gt_field_def *d = fm->d;
	double v = r->val[f].v * d->prom_scale;

	if (!r->val[f].ok || !isfinite(v))
		return;
	if (!fm->header) {
		bool secs = strstr(fm->name, "_seconds") != NULL;

		gt_buf_printf(b, "# HELP %s %s%s, %s\n# TYPE %s %s\n", fm->name,
			      d->help, secs ? ", seconds" : "", fm->what,
			      fm->name, d->prom_type == GT_PROM_COUNTER ?
			      "counter" : "gauge");
		fm->header = true;
	}
	gt_buf_puts(b, fm->name);
	labels(b, r, vm);
	gt_buf_printf(b, " %.15g\n", v);
}

static void gauge(struct gt_buf *b, const char *name, const char *help,
		  double val)
{
	gt_buf_printf(b, "# HELP gtop_%s %s\n# TYPE gtop_%s gauge\n"
		      "gtop_%s %.15g\n", name, help, name, name, val);
}

static bool exported(enum gt_field f, unsigned scope)
{
	const struct gt_field_def *d = &gt_fields[f];

	return d->prom && (d->scope & scope) &&
	       (!d->prom_scope || (d->prom_scope & scope));
}

/* The exported figures of one exit reason of one VM. */
#define XF_MAX 8

struct xrow {
	const char *reason;	/* interned: outlives the detail */
	struct gt_val v[XF_MAX];
};

struct xvm {
	int n;			/* -1: not every vCPU has exit timing */
	struct xrow *rows;
};

/*
 * Exit reasons per VM (counts and times since the VM started).  Every
 * family needs all its samples together, so the VMs' exit tables are
 * all built first; only the exported figures of each are kept (about
 * 50 bytes a reason, where a detail row has every field: 3 MB at 500
 * VMs).
 */
static void exit_families(struct gt_buf *b, const struct gt_view *v)
{
	enum gt_field fs[XF_MAX];
	struct xvm *x;
	int nf = 0;

	if (v->xt == GT_XT_OFF || !v->norder)
		return;		/* frozen counters: unknown, left out */
	for (int f = 0; f < GT_NFIELDS && nf < XF_MAX; f++)
		if (exported((enum gt_field)f, GT_S_EXIT))
			fs[nf++] = (enum gt_field)f;
	x = calloc((size_t)v->norder, sizeof(*x));
	if (!x) {
		b->oom = true;
		return;
	}
	for (int i = 0; i < v->norder; i++) {
		struct gt_detail d;

		x[i].n = -1;
		/* only when every vCPU has exit timing */
		if (gt_detail_build(&d, v, v->vms[v->order[i]].raw->pid) ||
		    d.nvcpus_xt != d.nvcpus ||
		    !(x[i].rows = calloc((size_t)(d.n ? d.n : 1),
					 sizeof(*x[i].rows)))) {
			gt_detail_free(&d);
			continue;
		}
		for (int k = 0; k < d.n; k++) {
			x[i].rows[k].reason = d.rows[k].val[GT_F_REASON].s;
			for (int j = 0; j < nf; j++)
				x[i].rows[k].v[j] = d.rows[k].val[fs[j]];
		}
		x[i].n = d.n;
		gt_detail_free(&d);
	}
	for (int j = 0; j < nf; j++) {
		struct family fm;
		struct gt_row r = { .kind = GT_ROW_EXIT };

		family_init(&fm, fs[j], "vm", "per VM and exit reason");
		for (int i = 0; i < v->norder; i++) {
			for (int k = 0; k < x[i].n; k++) {
				gt_set_str(&r, GT_F_REASON, x[i].rows[k].reason);
				r.val[fs[j]] = x[i].rows[k].v[j];
				sample(b, &fm, &r, fs[j], v->vms[v->order[i]].raw);
			}
		}
	}
	for (int i = 0; i < v->norder; i++)
		free(x[i].rows);
	free(x);
}

void gt_prom_render(struct gt_buf *b, const struct gt_view *v,
		    const struct gt_prom_self *self)
{
	gt_buf_puts(b, "# HELP gtop_info gtop's version and output schema\n"
		    "# TYPE gtop_info gauge\n");
	gt_buf_printf(b, "gtop_info{version=\"%s\",schema=\"%d\"} 1\n",
		      GTOP_VERSION, GT_SCHEMA_VERSION);
	gauge(b, "vms", "VM processes found", v->nvms);
	gauge(b, "vcpus", "vCPU threads found", v->nvcpus);
	gauge(b, "guest_split_supported",
	      "1 if the kernel reports guest_user/guest_system",
	      v->split == GT_SPLIT_ON || v->split == GT_SPLIT_OFF);
	gauge(b, "guest_split_enabled",
	      "1 if kernel.collect_guest_utilization is 1", v->split == GT_SPLIT_ON);
	gauge(b, "exit_timing_readable",
	      "1 if debugfs exit_timing files could be read",
	      v->xt == GT_XT_OK || v->xt == GT_XT_OFF);
	gauge(b, "kvm_stats_readable",
	      "1 if KVM's per-VM debugfs statistics were read",
	      v->cur->ks_state == GT_KS_OK);
	gauge(b, "exit_timing_enabled",
	      "1 if exit timing is readable and collected", v->xt == GT_XT_OK);
	gauge(b, "sample_timestamp_seconds",
	      "wall clock time of the sample these figures come from",
	      v->cur->realtime);
	if (self) {
		gt_buf_printf(b, "# HELP gtop_samples_total samples taken since "
			      "gtop started\n# TYPE gtop_samples_total counter\n"
			      "gtop_samples_total %lu\n", self->samples);
		gauge(b, "sample_cpu_seconds",
		      "CPU time gtop spent on the last sample, seconds",
		      self->sample_cpu_ms / 1e3);
	}
	for (int f = 0; f < GT_NFIELDS; f++) {
		struct family fm;

		if (exported((enum gt_field)f, GT_S_CPU)) {
			family_init(&fm, (enum gt_field)f, "cpu", "per host CPU");
			for (int i = 0; i < v->ncpus; i++)
				sample(b, &fm, &v->cpus[i], (enum gt_field)f,
				       NULL);
		}
		if (exported((enum gt_field)f, GT_S_VM)) {
			family_init(&fm, (enum gt_field)f, "vm", "per VM");
			for (int i = 0; i < v->norder; i++) {
				const struct gt_vm_view *vm =
					&v->vms[v->order[i]];

				sample(b, &fm, &vm->row, (enum gt_field)f,
				       vm->raw);
			}
		}
		if (exported((enum gt_field)f, GT_S_VCPU)) {
			family_init(&fm, (enum gt_field)f, "vcpu",
				    "per vCPU thread");
			for (int i = 0; i < v->norder; i++) {
				const struct gt_vm_view *vm =
					&v->vms[v->order[i]];

				for (int k = 0; k < vm->nvcpus; k++)
					sample(b, &fm, &vm->vcpus[k],
					       (enum gt_field)f, vm->raw);
			}
		}
	}
	exit_families(b, v);
}
