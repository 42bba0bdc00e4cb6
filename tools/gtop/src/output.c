// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - the batch formats: text (like top -b), JSON Lines, CSV;
 * Prometheus in prom.c.  Driven by the field table.
 */
#define _GNU_SOURCE
#include "output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* --------------------------------------------------------------- text */

static void text_exits(struct gt_buf *b, const struct gt_view *v,
		       const struct gt_vm_view *vm)
{
	struct gt_detail d;
	struct gt_columns c;

	if (gt_detail_build(&d, v, vm->raw->pid) || !d.nvcpus_xt) {
		gt_detail_free(&d);
		return;
	}
	int w = 20;

	for (size_t i = 0; i < gt_exit_ncolumns; i++)
		if (gt_exit_columns[i] != GT_F_REASON)
			w += gt_fields[gt_exit_columns[i]].width + 1;
	gt_layout_columns(gt_exit_columns, gt_exit_ncolumns, GT_F_REASON, w,
			  &c);
	gt_buf_printf(b, "\nExit reasons of %d (%s), %d of %d vCPUs:\n",
		      vm->raw->pid, vm->raw->name, d.nvcpus_xt, d.nvcpus);
	gt_render_header(b, &c);
	gt_buf_putc(b, '\n');
	for (int i = 0; i < d.n; i++) {
		gt_render_row(b, &d.rows[i], &c, false);
		gt_buf_putc(b, '\n');
	}
	if (d.has_guest) {
		gt_render_row(b, &d.guest, &c, false);
		gt_buf_putc(b, '\n');
	}
	if (d.has_halted) {
		gt_render_row(b, &d.halted, &c, false);
		gt_buf_putc(b, '\n');
	}
	if (d.has_shares)
		gt_buf_printf(b, "time: %.1f%% in guest, %.1f%% in exits, "
			      "%.1f%% halted\n", d.guest_share, d.exit_share,
			      d.halted_share);
	gt_render_wall_text(b, &vm->row);
	gt_buf_putc(b, '\n');
	if (vm->row.val[GT_F_SOURCES].ok)
		gt_buf_printf(b, "Sources: %s\n", vm->row.val[GT_F_SOURCES].s);
	gt_detail_free(&d);
}

static void out_text(struct gt_buf *b, const struct gt_view *v,
		     const struct gt_out_opts *o)
{
	struct gt_columns c;
	char st[160], st2[160];
	int namew = gt_fields[GT_F_NAME].width, others = 0;

	if (o->iteration)
		gt_buf_putc(b, '\n');
	gt_render_title(b, v);
	gt_buf_putc(b, '\n');
	gt_render_cpu_totals(b, &v->cpu_total);
	gt_buf_printf(b, "\n%s\n%s\n", gt_status_split(v, st, sizeof(st)),
		      gt_status_xt(v, st2, sizeof(st2)));
	gt_render_wall_legend(b);
	gt_buf_puts(b, "\n\n");
	for (int i = 0; i < v->norder; i++) {
		int w = gt_str_width(v->vms[v->order[i]].raw->name);

		if (w > namew)
			namew = w;
	}
	if (o->vcpus && namew < 16)
		namew = 16;
	for (size_t i = 0; i < gt_vm_ncolumns; i++)
		if (gt_vm_columns[i] != GT_F_NAME)
			others += gt_fields[gt_vm_columns[i]].width + 1;
	gt_layout_columns(gt_vm_columns, gt_vm_ncolumns, GT_F_NAME,
			  others + namew + 6, &c);
	gt_render_header(b, &c);
	gt_buf_putc(b, '\n');
	for (int i = 0; i < v->norder; i++) {
		const struct gt_vm_view *vm = &v->vms[v->order[i]];

		gt_render_row(b, &vm->row, &c, false);
		gt_buf_putc(b, '\n');
		for (int k = 0; o->vcpus && k < vm->nvcpus; k++) {
			gt_render_row(b, &vm->vcpus[k], &c,
				      k == vm->nvcpus - 1);
			gt_buf_putc(b, '\n');
		}
	}
	for (int i = 0; o->exit_reasons && i < v->norder; i++)
		text_exits(b, v, &v->vms[v->order[i]]);
}

/* --------------------------------------------------------------- json */

static void json_fields(struct gt_buf *b, const struct gt_row *r,
			unsigned scope, bool *first)
{
	char num[64];

	for (int f = 0; f < GT_NFIELDS; f++) {
		if (!(gt_fields[f].scope & scope) ||
		    GT_K_PICTURE(gt_fields[f].kind))
			continue;
		if (f == GT_F_CPU_ID && !r->val[f].ok)
			continue;	/* the total row */
		const char *s = gt_field_machine(r, f, num, sizeof(num));

		if (!*first)
			gt_buf_putc(b, ',');
		gt_buf_putc(b, '"');
		gt_buf_puts(b, gt_fields[f].name);
		gt_buf_puts(b, "\":");
		*first = false;
		if (!s)
			gt_buf_puts(b, "null");
		else if (gt_fields[f].kind == GT_K_STR)
			gt_buf_json_str(b, s);
		else
			gt_buf_puts(b, s);
	}
}

static void json_row(struct gt_buf *b, const struct gt_row *r, unsigned scope)
{
	bool first = true;

	gt_buf_putc(b, '{');
	json_fields(b, r, scope, &first);
	gt_buf_putc(b, '}');
}

static void json_exits(struct gt_buf *b, const struct gt_view *v,
		       const struct gt_vm_view *vm)
{
	struct gt_detail d;

	gt_buf_puts(b, ",\"exit_reasons\":");
	if (gt_detail_build(&d, v, vm->raw->pid) || !d.nvcpus_xt) {
		gt_buf_puts(b, "null");
		gt_detail_free(&d);
		return;
	}
	gt_buf_putc(b, '[');
	for (int i = 0; i < d.n; i++) {
		if (i)
			gt_buf_putc(b, ',');
		json_row(b, &d.rows[i], GT_S_EXIT);
	}
	gt_buf_puts(b, "],\"guest\":");
	if (d.has_guest)
		json_row(b, &d.guest, GT_S_EXIT);
	else
		gt_buf_puts(b, "null");
	gt_buf_puts(b, ",\"halted\":");
	if (d.has_halted)
		json_row(b, &d.halted, GT_S_EXIT);
	else
		gt_buf_puts(b, "null");
	gt_detail_free(&d);
}

static void json_num(struct gt_buf *b, const char *key, bool ok, double v,
		     const char *fmt)
{
	gt_buf_printf(b, ",\"%s\":", key);
	if (ok && isfinite(v))
		gt_buf_printf(b, fmt, v);
	else
		gt_buf_puts(b, "null");
}

static void out_json(struct gt_buf *b, const struct gt_view *v,
		     const struct gt_out_opts *o)
{
	const struct gt_snap *s = v->cur;

	gt_buf_printf(b, "{\"schema\":%d,\"time\":%.3f", GT_SCHEMA_VERSION,
		      s->realtime);
	json_num(b, "interval", v->dt > 0, v->dt, "%.3f");
	json_num(b, "uptime", s->has_uptime, s->uptime, "%.2f");
	gt_buf_puts(b, ",\"load\":");
	if (s->has_load)
		gt_buf_printf(b, "[%.2f,%.2f,%.2f]", s->load[0], s->load[1],
			      s->load[2]);
	else
		gt_buf_puts(b, "null");
	gt_buf_printf(b, ",\"vm_count\":%d,\"vcpu_count\":%d", v->nvms,
		      v->nvcpus);
	gt_buf_printf(b, ",\"guest_split\":\"%s\"", gt_split_name(v->split));
	json_num(b, "sysctl", s->has_sysctl, (double)s->sysctl, "%.0f");
	gt_buf_printf(b, ",\"exit_timing\":\"%s\"", gt_xt_name(v->xt));
	gt_buf_printf(b, ",\"kvm_stats\":\"%s\"", gt_ks_name(s->ks_state));
	gt_buf_puts(b, ",\"cpu_total\":");
	json_row(b, &v->cpu_total, GT_S_CPU);
	gt_buf_puts(b, ",\"cpus\":[");
	for (int i = 0; i < v->ncpus; i++) {
		if (i)
			gt_buf_putc(b, ',');
		json_row(b, &v->cpus[i], GT_S_CPU);
	}
	gt_buf_puts(b, "],\"vms\":[");
	for (int i = 0; i < v->norder; i++) {
		const struct gt_vm_view *vm = &v->vms[v->order[i]];
		bool first = true;

		if (i)
			gt_buf_putc(b, ',');
		gt_buf_putc(b, '{');
		json_fields(b, &vm->row, GT_S_VM, &first);
		gt_buf_puts(b, ",\"vcpus\":[");
		for (int k = 0; k < vm->nvcpus; k++) {
			if (k)
				gt_buf_putc(b, ',');
			json_row(b, &vm->vcpus[k], GT_S_VCPU);
		}
		gt_buf_putc(b, ']');
		if (o->exit_reasons)
			json_exits(b, v, vm);
		gt_buf_putc(b, '}');
	}
	gt_buf_puts(b, "]}\n");
}

/* ---------------------------------------------------------------- csv */

#define CSV_SCOPE (GT_S_VM | GT_S_VCPU)

static void csv_row(struct gt_buf *b, const struct gt_view *v,
		    const struct gt_row *r, const char *kind)
{
	char num[64];

	gt_buf_printf(b, "%d,%.3f,%s", GT_SCHEMA_VERSION, v->cur->realtime,
		      kind);
	for (int f = 0; f < GT_NFIELDS; f++) {
		if (!(gt_fields[f].scope & CSV_SCOPE) ||
		    GT_K_PICTURE(gt_fields[f].kind))
			continue;
		const char *s = gt_field_machine(r, f, num, sizeof(num));

		gt_buf_putc(b, ',');
		if (s)
			gt_buf_csv_str(b, s);
	}
	gt_buf_putc(b, '\n');
}

static void out_csv(struct gt_buf *b, const struct gt_view *v,
		    const struct gt_out_opts *o)
{
	if (o->iteration == 0) {
		gt_buf_puts(b, "schema,time,kind");
		for (int f = 0; f < GT_NFIELDS; f++)
			if ((gt_fields[f].scope & CSV_SCOPE) &&
			    !GT_K_PICTURE(gt_fields[f].kind))
				gt_buf_printf(b, ",%s", gt_fields[f].name);
		gt_buf_putc(b, '\n');
	}
	for (int i = 0; i < v->norder; i++) {
		const struct gt_vm_view *vm = &v->vms[v->order[i]];

		csv_row(b, v, &vm->row, "vm");
		for (int k = 0; o->vcpus && k < vm->nvcpus; k++)
			csv_row(b, v, &vm->vcpus[k], "vcpu");
	}
}

void gt_output(struct gt_buf *b, const struct gt_view *v,
	       const struct gt_out_opts *o)
{
	switch (o->fmt) {
	case GT_OUT_TEXT:
		out_text(b, v, o);
		break;
	case GT_OUT_JSON:
		out_json(b, v, o);
		break;
	case GT_OUT_CSV:
		out_csv(b, v, o);
		break;
	case GT_OUT_PROM:
		gt_prom_render(b, v, o->self);
		break;
	}
}
