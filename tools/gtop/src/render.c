// SPDX-License-Identifier: GPL-2.0
/*
 * render.c - text shared by the screen and the batch text output: status
 * lines, the title, CPU totals, table headers and rows (the wall time
 * bar in characters), the bar legend.  Driven by the field table.
 */
#define _GNU_SOURCE
#include "render.h"

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

	static const char *const ks[] = {
		[GT_KS_UNUSED] = "",
		[GT_KS_OK] = "; KVM stats: ok",
		[GT_KS_MISSING] = "; KVM stats: n/a",
		[GT_KS_DENIED] = "; KVM stats: denied",
		[GT_KS_LOCKDOWN] = "; KVM stats: lockdown",
	};
	const char *tail = v->cur && v->cur->ks_state <= GT_KS_LOCKDOWN ?
			   ks[v->cur->ks_state] : "";

	if (v->xt == GT_XT_OFF && v->cur && v->cur->has_sysctl &&
	    v->cur->sysctl)
		snprintf(buf, n, "Exit timing: off, sysctl "
			 "kernel.collect_guest_exit_timing=0 (set it to 1)%s",
			 tail);
	else
		snprintf(buf, n, "%s%s", v->xt <= GT_XT_OFF ? why[v->xt] : "?",
			 tail);
	return buf;
}

const char *gt_ks_name(enum gt_ks_state s)
{
	switch (s) {
	case GT_KS_UNUSED: return "unused";
	case GT_KS_OK: return "ok";
	case GT_KS_DENIED: return "denied";
	case GT_KS_LOCKDOWN: return "lockdown";
	default: return "missing";
	}
}

/* ------------------------------------------------------------- render */

void gt_render_title(struct gt_buf *b, const struct gt_view *v)
{
	const struct gt_snap *s = v->cur;
	time_t t = fabs(s->realtime) < 1e15 ? (time_t)s->realtime : 0;
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
		} else if (gt_fields[f].kind == GT_K_SPARK) {
			if (r->kind != GT_ROW_VM)
				text[0] = '\0';
			else if (r->val[f].ok)
				gt_render_spark(text, sizeof(text), r->val[f].s);
			else
				snprintf(text, sizeof(text), "-");
			cell(b, text, c->w[i], true, i == 0);
			continue;
		} else if (gt_fields[f].kind == GT_K_BAR) {
			gt_render_wall_bar(text, sizeof(text), r, c->w[i]);
			cell(b, text, c->w[i], false, i == 0);
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


/* --------------------------------------------------------- sparklines */

static bool utf8;

void gt_render_set_utf8(bool on)
{
	utf8 = on;
}

char *gt_render_spark(char *buf, size_t n, const char *levels)
{
	static const char ascii[] = "_.:-=+*#";
	size_t o = 0;

	if (!n)
		return buf;
	for (; *levels && o + 4 < n; levels++) {
		int l = *levels - '0';

		if (l < 0 || l > 7) {
			buf[o++] = ' ';
		} else if (utf8) {	/* U+2581 LOWER ONE EIGHTH BLOCK on */
			buf[o++] = (char)0xe2;
			buf[o++] = (char)0x96;
			buf[o++] = (char)(0x81 + l);
		} else {
			buf[o++] = ascii[l];
		}
	}
	buf[o] = '\0';
	return buf;
}

/* ----------------------------------------------------------- wall bar */

const struct gt_wseg_def gt_wsegs[GT_NWSEGS] = {
	/* the letters of the CPU bars where the meaning is the same:
	 * u guest user, k guest kernel, g guest, s host system */
	[GT_WS_GUEST_USER] = { 'u', "guest usr", "guest user mode" },
	[GT_WS_GUEST_SYSTEM] = { 'k', "guest krn", "guest kernel" },
	[GT_WS_GUEST] = { 'g', "guest", "guest (not split)" },
	[GT_WS_KERNEL] = { 's', "host krn", "host kernel for exits" },
	[GT_WS_VMM] = { 'v', "VMM", "VMM userspace" },
	[GT_WS_HALTED] = { 'h', "halt", "halted" },
	[GT_WS_WAIT] = { 'w', "wait", "waiting for a CPU" },
};

int gt_wall_cells(const struct gt_row *r, int inner, int cells[GT_NWSEGS])
{
	double pct[GT_NWSEGS];

	memset(cells, 0, GT_NWSEGS * sizeof(*cells));
	if (inner < 1 || !gt_wall_segments(r, pct))
		return -1;
	gt_layout_bar(pct, GT_NWSEGS, inner, cells);
	return 0;
}

char *gt_render_wall_bar(char *buf, size_t n, const struct gt_row *r, int w)
{
	int cells[GT_NWSEGS], inner = w - 2, pos = 0;

	if (n < 2)
		return buf;
	if (r->kind == GT_ROW_EXIT || r->kind == GT_ROW_CPU || w < 3 ||
	    (size_t)w >= n || gt_wall_cells(r, inner, cells)) {
		snprintf(buf, n, "-");
		return buf;
	}
	buf[pos++] = '[';
	for (int s = 0; s < GT_NWSEGS; s++)
		for (int k = 0; k < cells[s] && pos < inner + 1; k++)
			buf[pos++] = gt_wsegs[s].ch;
	while (pos < inner + 1)
		buf[pos++] = '.';
	buf[pos++] = ']';
	buf[pos] = '\0';
	return buf;
}

static void wall_part(struct gt_buf *b, const struct gt_row *r,
		      enum gt_field f, const char *label, const char *sep)
{
	if (r->val[f].ok)
		gt_buf_printf(b, "%.1f%% %s%s", r->val[f].v, label, sep);
	else
		gt_buf_printf(b, "- %s%s", label, sep);
}

void gt_render_wall_text(struct gt_buf *b, const struct gt_row *r)
{
	gt_buf_puts(b, "Wall time: ");
	wall_part(b, r, GT_F_W_GUEST, "guest", "");
	if (r->val[GT_F_W_GUEST_USER].ok && r->val[GT_F_W_GUEST_SYSTEM].ok)
		gt_buf_printf(b, " (%.1f user, %.1f kernel)",
			      r->val[GT_F_W_GUEST_USER].v,
			      r->val[GT_F_W_GUEST_SYSTEM].v);
	gt_buf_puts(b, ", ");
	wall_part(b, r, GT_F_W_KERNEL, "host kernel", ", ");
	wall_part(b, r, GT_F_W_VMM, "VMM", ", ");
	wall_part(b, r, GT_F_W_HALTED, "halted", ", ");
	wall_part(b, r, GT_F_W_WAIT, "wait", ", ");
	wall_part(b, r, GT_F_W_REST, "idle/unknown", "");
}

void gt_render_wall_legend(struct gt_buf *b)
{
	gt_buf_puts(b, "Wall:");
	for (int s = 0; s < GT_NWSEGS; s++)
		gt_buf_printf(b, " %c %s", gt_wsegs[s].ch, gt_wsegs[s].label);
	gt_buf_puts(b, " . idle");
}
