// SPDX-License-Identifier: GPL-2.0
/* output.c - rendering and batch formats, driven by the field table. */
#define _GNU_SOURCE
#include "output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------- status */

const char *gt_split_name(enum gt_split_state s)
{
	switch (s) {
	case GT_SPLIT_ON: return "on";
	case GT_SPLIT_OFF: return "off";
	case GT_SPLIT_UNSUPPORTED: return "unsupported";
	default: return "unknown";
	}
}

const char *gt_xt_name(enum gt_xt_state s)
{
	switch (s) {
	case GT_XT_OK: return "ok";
	case GT_XT_NO_VCPUS: return "no_vcpus";
	case GT_XT_NOT_MOUNTED: return "not_mounted";
	case GT_XT_DENIED: return "denied";
	case GT_XT_LOCKDOWN: return "lockdown";
	case GT_XT_NO_KVM: return "no_kvm";
	case GT_XT_UNSUPPORTED: return "unsupported";
	case GT_XT_OFF: return "off";
	default: return "malformed";
	}
}

const char *gt_status_split(const struct gt_view *v, char *buf, size_t n)
{
	const struct gt_snap *s = v->cur;

	switch (v->split) {
	case GT_SPLIT_ON:
		snprintf(buf, n, "Guest split: on "
			 "(kernel.collect_guest_utilization=%ld)", s->sysctl);
		break;
	case GT_SPLIT_OFF:
		snprintf(buf, n, "Guest split: off, sysctl "
			 "kernel.collect_guest_utilization=0 (set it to 1)");
		break;
	case GT_SPLIT_UNSUPPORTED:
		snprintf(buf, n, "Guest split: n/a, kernel lacks "
			 "guest_user/guest_system; total guest shown");
		break;
	default:
		if (!s->stat_ok)
			snprintf(buf, n, "Guest split: unknown, /proc/stat "
				 "unreadable");
		else
			snprintf(buf, n, "Guest split: unknown, cannot read "
				 "kernel.collect_guest_utilization: %s",
				 strerror(s->sysctl_err));
		break;
	}
	return buf;
}

const char *gt_status_xt(const struct gt_view *v, char *buf, size_t n)
{
	static const char *const why[] = {
		[GT_XT_OK] = "Exit timing: readable (debugfs)",
		[GT_XT_NO_VCPUS] = "Exit timing: no vCPUs in debugfs yet",
		[GT_XT_NOT_MOUNTED] = "Exit timing: n/a, debugfs not mounted "
				      "(mount -t debugfs none /sys/kernel/debug)",
		[GT_XT_DENIED] = "Exit timing: n/a, debugfs not readable "
				 "(needs root)",
		[GT_XT_LOCKDOWN] = "Exit timing: n/a, debugfs blocked by "
				   "kernel lockdown",
		[GT_XT_NO_KVM] = "Exit timing: n/a, no kvm directory in "
				 "debugfs (kvm not loaded?)",
		[GT_XT_UNSUPPORTED] = "Exit timing: n/a, kernel lacks "
				      "vcpuN/exit_timing in debugfs",
		[GT_XT_BAD] = "Exit timing: n/a, exit_timing files malformed",
		[GT_XT_OFF] = "Exit timing: off, sysctl "
			      "kernel.collect_guest_utilization=0 (set it to 1)",
	};

	if (v->xt == GT_XT_OFF && v->cur && v->cur->has_sysctl &&
	    v->cur->sysctl)
		snprintf(buf, n, "Exit timing: off, sysctl "
			 "kernel.collect_guest_exit_timing=0 (set it to 1)");
	else
		snprintf(buf, n, "%s", v->xt <= GT_XT_OFF ? why[v->xt] : "?");
	return buf;
}

/* ------------------------------------------------------------- render */

void gt_render_title(struct gt_buf *b, const struct gt_view *v)
{
	const struct gt_snap *s = v->cur;
	time_t t = (time_t)s->realtime;
	struct tm tm;
	char up[48];

	localtime_r(&t, &tm);
	gt_buf_printf(b, "gtop - %02d:%02d:%02d", tm.tm_hour, tm.tm_min,
		      tm.tm_sec);
	if (s->has_uptime)
		gt_buf_printf(b, " up %s,", gt_fmt_uptime(up, sizeof(up),
							   s->uptime));
	if (s->has_load)
		gt_buf_printf(b, " load: %.2f %.2f %.2f,", s->load[0],
			      s->load[1], s->load[2]);
	gt_buf_printf(b, " VMs: %d, vCPUs: %d", v->nvms, v->nvcpus);
}

static void pct(struct gt_buf *b, const struct gt_row *r, enum gt_field f,
		const char *label)
{
	if (r->val[f].ok)
		gt_buf_printf(b, "%5.1f %s", r->val[f].v, label);
	else
		gt_buf_printf(b, "    - %s", label);
}

void gt_render_cpu_totals(struct gt_buf *b, const struct gt_row *c)
{
	gt_buf_puts(b, "%Cpu(s):");
	pct(b, c, GT_F_HOST_USER, "hu,");
	pct(b, c, GT_F_HOST_SYSTEM, "hs,");
	pct(b, c, GT_F_GUEST, "guest (");
	pct(b, c, GT_F_GUEST_USER, "gu,");
	pct(b, c, GT_F_GUEST_SYSTEM, "gs),");
	pct(b, c, GT_F_STEAL, "st,");
	pct(b, c, GT_F_IDLE, "id");
}

static void cell(struct gt_buf *b, const char *text, int w, bool right,
		 bool first)
{
	char tmp[256];

	if (!first)
		gt_buf_putc(b, ' ');
	if (w > (int)sizeof(tmp) / 4)
		w = (int)sizeof(tmp) / 4;
	gt_fit(tmp, sizeof(tmp), text, w, right);
	gt_buf_puts(b, tmp);
}

static bool right_aligned(enum gt_field f)
{
	enum gt_kind k = gt_fields[f].kind;

	return k != GT_K_STR;
}

static void rtrim(struct gt_buf *b, size_t from)
{
	while (b->len > from && b->p[b->len - 1] == ' ')
		b->p[--b->len] = '\0';
}

void gt_render_header(struct gt_buf *b, const struct gt_columns *c)
{
	size_t from = b->len;

	for (int i = 0; i < c->n; i++)
		cell(b, gt_fields[c->f[i]].title, c->w[i],
		     right_aligned(c->f[i]), i == 0);
	rtrim(b, from);
}

void gt_render_row(struct gt_buf *b, const struct gt_row *r,
		   const struct gt_columns *c, bool last_child)
{
	char text[128];
	size_t from = b->len;

	for (int i = 0; i < c->n; i++) {
		enum gt_field f = c->f[i];

		if (r->kind == GT_ROW_VCPU && f == GT_F_PID) {
			f = GT_F_TID;
		} else if (r->kind == GT_ROW_VCPU && f == GT_F_NAME) {
			char idx[16] = "?", cpu[16] = "";

			if (r->val[GT_F_INDEX].ok)
				snprintf(idx, sizeof(idx), "%.0f",
					 r->val[GT_F_INDEX].v);
			if (r->val[GT_F_LAST_CPU].ok)
				snprintf(cpu, sizeof(cpu), " @%.0f",
					 r->val[GT_F_LAST_CPU].v);
			snprintf(text, sizeof(text), "%s vcpu%s%s",
				 last_child ? "`-" : "|-", idx, cpu);
			cell(b, text, c->w[i], false, i == 0);
			continue;
		} else if (r->kind == GT_ROW_VCPU && f == GT_F_VCPUS) {
			cell(b, "", c->w[i], false, i == 0);
			continue;
		}
		gt_field_text(r, f, text, sizeof(text));
		if (i == c->n - 1 && gt_fields[f].kind == GT_K_STR) {
			/* last column: never cut (the screen clips) */
			gt_buf_putc(b, ' ');
			gt_buf_puts(b, text);
			continue;
		}
		cell(b, text, c->w[i], right_aligned(f), i == 0);
	}
	rtrim(b, from);
}

/* --------------------------------------------------------------- text */

static void text_exits(struct gt_buf *b, const struct gt_view *v,
		       const struct gt_snap *prev, const struct gt_vm_view *vm)
{
	struct gt_detail d;
	struct gt_columns c;

	if (gt_detail_build(&d, prev, v->cur, vm->raw->pid) || !d.nvcpus_xt) {
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
	gt_detail_free(&d);
}

static void out_text(struct gt_buf *b, const struct gt_view *v,
		     const struct gt_snap *prev, const struct gt_out_opts *o)
{
	struct gt_columns c;
	char st[160], st2[160];
	int namew = gt_fields[GT_F_NAME].width, others = 0;

	if (o->iteration)
		gt_buf_putc(b, '\n');
	gt_render_title(b, v);
	gt_buf_putc(b, '\n');
	gt_render_cpu_totals(b, &v->cpu_total);
	gt_buf_printf(b, "\n%s\n%s\n\n", gt_status_split(v, st, sizeof(st)),
		      gt_status_xt(v, st2, sizeof(st2)));
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
		text_exits(b, v, prev, &v->vms[v->order[i]]);
}

/* --------------------------------------------------------------- json */

static void json_fields(struct gt_buf *b, const struct gt_row *r,
			unsigned scope, bool *first)
{
	char num[64];

	for (int f = 0; f < GT_NFIELDS; f++) {
		if (!(gt_fields[f].scope & scope))
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
		       const struct gt_snap *prev, const struct gt_vm_view *vm)
{
	struct gt_detail d;

	gt_buf_puts(b, ",\"exit_reasons\":");
	if (gt_detail_build(&d, prev, v->cur, vm->raw->pid) || !d.nvcpus_xt) {
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
		     const struct gt_snap *prev, const struct gt_out_opts *o)
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
			json_exits(b, v, prev, vm);
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
		if (!(gt_fields[f].scope & CSV_SCOPE))
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
			if (gt_fields[f].scope & CSV_SCOPE)
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
	       const struct gt_snap *prev, const struct gt_out_opts *o)
{
	switch (o->fmt) {
	case GT_OUT_TEXT:
		out_text(b, v, prev, o);
		break;
	case GT_OUT_JSON:
		out_json(b, v, prev, o);
		break;
	case GT_OUT_CSV:
		out_csv(b, v, o);
		break;
	case GT_OUT_PROM:
		gt_prom_render(b, v, o->self);
		break;
	}
}
