// SPDX-License-Identifier: GPL-2.0
/* ui_draw.c - draws the UI state with ncursesw; decides nothing. */
#define _GNU_SOURCE
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "hist.h"
#include "render.h"
#include "ui.h"

enum { C_HU = 1, C_HS, C_GU, C_GS, C_GN, C_ST, C_HDR, C_VCPU, C_WARN,
       C_SORT, C_WK, C_WV, C_WH, C_WW };

/* wall bar segments (enum gt_wseg order) */
static const short wseg_color[GT_NWSEGS] = { C_GU, C_GS, C_GN, C_HS, C_HU,
					     C_WH, C_ST };

/* bar segments: host user, host system, guest user, guest system,
 * guest not split, steal */
#define NSEG 6
static const short seg_color[NSEG] = { C_HU, C_HS, C_GU, C_GS, C_GN, C_ST };
static const char seg_mono[NSEG] = { '|', 's', 'u', 'k', 'g', '!' };

void gt_ui_init_colors(struct gt_ui *u)
{
	if (!u->color || !has_colors()) {
		u->color = false;
		return;
	}
	start_color();
	use_default_colors();
	init_pair(C_HU, COLOR_GREEN, -1);
	init_pair(C_HS, COLOR_RED, -1);
	init_pair(C_GU, COLOR_CYAN, -1);
	init_pair(C_GS, COLOR_BLUE, -1);
	init_pair(C_GN, COLOR_MAGENTA, -1);
	init_pair(C_ST, COLOR_YELLOW, -1);
	init_pair(C_HDR, COLOR_BLACK, COLOR_GREEN);
	init_pair(C_VCPU, COLOR_CYAN, -1);
	init_pair(C_WARN, COLOR_YELLOW, -1);
	init_pair(C_SORT, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_WK, COLOR_RED, -1);
	init_pair(C_WV, COLOR_GREEN, -1);
	init_pair(C_WH, COLOR_WHITE, -1);
	init_pair(C_WW, COLOR_YELLOW, -1);
}

static attr_t pair(const struct gt_ui *u, short p)
{
	return u->color ? COLOR_PAIR(p) : A_NORMAL;
}

/* Print s at (y, x) fitted to w columns. */
static void put(int y, int x, const char *s, int w, attr_t a)
{
	char tmp[1024];

	if (w <= 0 || y < 0 || y >= LINES)
		return;
	if (w > (int)sizeof(tmp) / 4)
		w = (int)sizeof(tmp) / 4;
	gt_fit(tmp, sizeof(tmp), s, w, false);
	attrset(a);
	mvaddstr(y, x, tmp);
	attrset(A_NORMAL);
}

/*
 * Print s from line y, wrapped at spaces to the screen width, at most
 * max lines (continuations indented by two); returns the next line.
 */
static int put_wrapped(int y, const char *s, int max)
{
	int indent = 0;

	for (int n = 0; *s && n < max && y < LINES; n++, y++) {
		int w = COLS - indent, len = (int)strlen(s), cut = len;

		if (len > w) {
			cut = w;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut <= 0)
				cut = w;
		}
		char part[512];

		snprintf(part, sizeof(part), "%.*s", cut, s);
		put(y, indent, part, w, A_NORMAL);
		s += cut;
		while (*s == ' ')
			s++;
		indent = 2;
	}
	return y;
}

static void seg_values(const struct gt_row *r, double v[NSEG])
{
	const struct gt_val *x = r->val;

	v[0] = x[GT_F_HOST_USER].ok ? x[GT_F_HOST_USER].v : 0;
	v[1] = x[GT_F_HOST_SYSTEM].ok ? x[GT_F_HOST_SYSTEM].v : 0;
	v[2] = x[GT_F_GUEST_USER].ok ? x[GT_F_GUEST_USER].v : 0;
	v[3] = x[GT_F_GUEST_SYSTEM].ok ? x[GT_F_GUEST_SYSTEM].v : 0;
	v[4] = gt_cpu_guest_unsplit(r);
	v[5] = x[GT_F_STEAL].ok ? x[GT_F_STEAL].v : 0;
}

static void draw_bar(const struct gt_ui *u, int y, int x, int w,
		     const char *label, const struct gt_row *r)
{
	double v[NSEG];
	int cells[NSEG], inner, lw = (int)strlen(label);
	char num[16];

	inner = w - lw - 3;	/* label [ bar ] space */
	if (inner < 6)
		return;
	put(y, x, label, lw, A_BOLD);
	mvaddch(y, x + lw, '[');
	seg_values(r, v);
	gt_layout_bar(v, NSEG, inner, cells);
	if (r->val[GT_F_IDLE].ok)
		snprintf(num, sizeof(num), "%.1f%%", 100.0 - r->val[GT_F_IDLE].v);
	else
		snprintf(num, sizeof(num), "-");
	int nl = (int)strlen(num), pos = 0;

	move(y, x + lw + 1);
	for (int s = 0; s < NSEG; s++)
		for (int k = 0; k < cells[s] && pos < inner - nl - 1; k++) {
			attrset(pair(u, seg_color[s]) | (u->color ? A_BOLD : 0));
			addch((chtype)(u->color ? '|' : seg_mono[s]));
			pos++;
		}
	attrset(A_NORMAL);
	for (; pos < inner - nl; pos++)
		addch(' ');
	attrset(A_BOLD);
	addstr(num);
	attrset(A_NORMAL);
	addch(']');
}

/* The wall bar's legend, each letter in its segment's color. */
static void draw_legend(const struct gt_ui *u, int y)
{
	int x = 0;

	if (y >= LINES)
		return;
	put(y, x, "Wall:", 5, A_BOLD);
	x = 5;
	for (int s = 0; s < GT_NWSEGS && x < COLS; s++) {
		char item[40];

		snprintf(item, sizeof(item), " %c %s", gt_wsegs[s].ch,
			 gt_wsegs[s].label);
		put(y, x, item, COLS - x, A_NORMAL);
		if (x + 1 < COLS)
			mvaddch(y, x + 1, (chtype)gt_wsegs[s].ch |
				pair(u, wseg_color[s]) | A_BOLD);
		x += (int)strlen(item);
	}
	if (x < COLS)
		put(y, x, " . idle", COLS - x, A_NORMAL);
}

/* Color the segments of a row's wall bar at column x, width w. */
static void draw_wall_bar(const struct gt_ui *u, int y, int x, int w,
			  const struct gt_row *r, bool selected)
{
	int cells[GT_NWSEGS], pos = x + 1;

	if (!u->color || selected || w < 3 || x + w > COLS ||
	    gt_wall_cells(r, w - 2, cells))
		return;
	for (int s = 0; s < GT_NWSEGS; s++)
		for (int k = 0; k < cells[s] && pos < x + w - 1; k++, pos++)
			mvaddch(y, pos, (chtype)gt_wsegs[s].ch |
				pair(u, wseg_color[s]) | A_BOLD);
}

static int draw_header(struct gt_ui *u, const struct gt_screen *sc)
{
	const struct gt_view *v = &u->e.view;
	struct gt_buf b = { 0 };
	char st[200];
	int y = 0;

	gt_render_title(&b, v);
	put(y++, 0, b.p ? b.p : "", COLS, A_BOLD);
	if (sc->bar_cols > 0) {
		int idw = 1;

		for (int m = v->ncpus; m >= 10; m /= 10)
			idw++;
		for (int i = 0; i < v->ncpus; i++) {
			int row = i % sc->bar_rows, col = i / sc->bar_rows;
			char label[16];

			snprintf(label, sizeof(label), "%*.0f", idw,
				 v->cpus[i].val[GT_F_CPU_ID].v);
			draw_bar(u, y + row, col * sc->bar_w, sc->bar_w, label,
				 &v->cpus[i]);
		}
		y += sc->bar_rows;
	}
	gt_buf_reset(&b);
	gt_render_cpu_totals(&b, &v->cpu_total);
	put(y++, 0, b.p, COLS, A_NORMAL);
	gt_status_split(v, st, sizeof(st));
	put(y++, 0, st, COLS, v->split == GT_SPLIT_ON ? A_NORMAL :
	    pair(u, C_WARN));
	gt_status_xt(v, st, sizeof(st));
	put(y++, 0, st, COLS, v->xt == GT_XT_OK ? A_NORMAL : pair(u, C_WARN));
	draw_legend(u, y++);
	gt_buf_free(&b);
	return y;
}

static void draw_footer(struct gt_ui *u, int y, const char *keys)
{
	char right[200];

	if (y < 0)
		return;
	if (u->msg[0] && gt_now_ns() < u->msg_until) {
		put(y, 0, u->msg, COLS, A_BOLD);
		return;
	}
	char rec[48] = "";

	if (u->e.rp)
		snprintf(rec, sizeof(rec), " rec %zu/%zu", u->e.pos + 1,
			 gt_engine_count(&u->e));
	snprintf(right, sizeof(right), "sort:%s %s%s%s %.1fs%s%s",
		 gt_fields[u->mode == UI_DETAIL ? u->dkey : u->e.sort_key].name,
		 (u->mode == UI_DETAIL ? u->ddir : u->e.sort_dir) < 0 ?
		 "desc" : "asc", u->e.filter[0] ? "  filter: " : "",
		 u->e.filter, u->delay, rec, u->paused ? " [PAUSED]" : "");
	int rw = gt_str_width(right);

	/* the state (right) wins over the key hints (left) */
	if (rw > COLS)
		rw = COLS;
	put(y, 0, keys, COLS - rw - 1, A_NORMAL);
	put(y, COLS - rw, right, rw, A_BOLD);
}

static void draw_table_header(struct gt_ui *u, int y,
			      const struct gt_columns *c, enum gt_field key)
{
	struct gt_buf b = { 0 };

	gt_render_header(&b, c);
	put(y, 0, b.p ? b.p : "", COLS, u->color ? pair(u, C_HDR) : A_REVERSE);
	for (int i = 0; i < c->n; i++)
		if (c->f[i] == key) {
			char t[64];

			gt_fit(t, sizeof(t), gt_fields[key].title, c->w[i],
			       gt_fields[key].kind != GT_K_STR);
			put(y, c->x[i], t, c->w[i],
			    (u->color ? pair(u, C_SORT) : A_NORMAL) | A_BOLD |
			    A_UNDERLINE);
		}
	gt_buf_free(&b);
}

static void draw_main(struct gt_ui *u)
{
	const struct gt_view *v = &u->e.view;
	struct gt_screen sc;
	struct gt_columns c;
	struct gt_buf b = { 0 };

	gt_layout_screen(COLS, LINES, v->ncpus, 3, &sc);
	int y = draw_header(u, &sc);

	gt_layout_columns(gt_vm_columns, gt_vm_ncolumns, GT_F_NAME, COLS, &c);
	draw_table_header(u, y++, &c, u->e.sort_key);
	u->top = gt_layout_scroll(u->top, u->sel, u->nlines, sc.table_rows);
	for (int i = u->top; i < u->nlines && y < LINES &&
	     (sc.footer_y < 0 || y < sc.footer_y); i++, y++) {
		const struct gt_ui_line *l = &u->lines[i];
		const struct gt_vm_view *vm = &v->vms[l->vm];
		const struct gt_row *r = l->vcpu < 0 ? &vm->row :
					 &vm->vcpus[l->vcpu];
		attr_t a = l->vcpu < 0 ? A_NORMAL : pair(u, C_VCPU);

		gt_buf_reset(&b);
		gt_render_row(&b, r, &c, l->vcpu == vm->nvcpus - 1);
		if (i == u->sel)
			a = A_REVERSE | A_BOLD;
		put(y, 0, b.p, COLS, a);
		for (int k = 0; k < c.n; k++)
			if (c.f[k] == GT_F_WALL_BAR)
				draw_wall_bar(u, y, c.x[k], c.w[k], r,
					      i == u->sel);
	}
	if (!u->nlines)
		put(y, 0, v->nvms ? "  (no VM matches the filter; Esc clears "
			  "it)" : "  (no VMs found)", COLS, A_NORMAL);
	draw_footer(u, sc.footer_y, u->e.rp ? "q:quit t/T:step b:jump "
		    "p:play h:help" : "q:quit h:help Enter:expand e:exits "
		    "s:sort /:filter");
	gt_buf_free(&b);
}

/* The VM's sparklines over its whole history (an hour at most), each
 * cell the mean of the refreshes it covers; returns the next line. */
static int draw_history(struct gt_ui *u, int y, const struct gt_vm_view *vm)
{
	static const struct { enum gt_field f; const char *label; } h[] = {
		{ GT_F_HIST_CPU, "%CPU " }, { GT_F_HIST_USER, "GUSR " },
	};
	char lv[256], sp[1024], line[1100];
	size_t n = 0;

	for (size_t i = 0; i < GT_ARRAY_SIZE(h) && y < LINES - 2; i++) {
		int w = COLS - 6 < (int)sizeof(lv) - 1 ? COLS - 6 :
			(int)sizeof(lv) - 1;
		size_t k = gt_hist_levels(u->e.hist, vm, h[i].f, w, lv,
					  sizeof(lv));

		if (!k)
			continue;
		if (!n++)
			put(y++, 0, "History, oldest left (full: all vCPUs busy, "
			    "all guest time in user mode):", COLS, A_NORMAL);
		snprintf(line, sizeof(line), "%s%s", h[i].label,
			 gt_render_spark(sp, sizeof(sp), lv));
		put(y++, 0, line, COLS, A_NORMAL);
	}
	return y;
}

static void draw_detail(struct gt_ui *u)
{
	const struct gt_detail *d = &u->detail;
	struct gt_columns c;
	struct gt_buf b = { 0 };
	char line[256], st[200];
	int y = 0, footer = LINES - 1;

	gt_render_title(&b, &u->e.view);
	put(y++, 0, b.p, COLS, A_BOLD);
	char rates[48];

	if (d->dt > 0)
		snprintf(rates, sizeof(rates), "rates over %.1fs", d->dt);
	else
		snprintf(rates, sizeof(rates), "%s", u->e.view.xt == GT_XT_OFF ?
			 "no rates (collection off)" : "no rates yet");
	snprintf(line, sizeof(line), "VM %d (%s): exits of %d/%d vCPUs, "
		 "counts since start, %s", u->detail_pid,
		 d->name ? d->name : "gone", d->nvcpus_xt, d->nvcpus, rates);
	put(y++, 0, line, COLS, A_NORMAL);
	if (d->has_shares)
		snprintf(line, sizeof(line), "vCPU time: %.1f%% in guest, "
			 "%.1f%% handling exits, %.1f%% halted",
			 d->guest_share, d->exit_share, d->halted_share);
	else
		snprintf(line, sizeof(line), "%s",
			 gt_status_xt(&u->e.view, st, sizeof(st)));
	put(y++, 0, line, COLS, d->has_shares ? A_NORMAL : pair(u, C_WARN));
	const struct gt_vm_view *vm = gt_view_find(&u->e.view, u->detail_pid);

	if (vm) {
		gt_buf_reset(&b);
		gt_render_wall_text(&b, &vm->row);
		y = put_wrapped(y, b.p, 3);
		if (vm->row.val[GT_F_SOURCES].ok) {
			snprintf(line, sizeof(line), "Sources: %s",
				 vm->row.val[GT_F_SOURCES].s);
			y = put_wrapped(y, line, 3);
		}
	}
	if (vm && u->e.hist)
		y = draw_history(u, y, vm);
	gt_layout_columns(gt_exit_columns, gt_exit_ncolumns, GT_F_REASON,
			  COLS, &c);
	draw_table_header(u, y++, &c, u->dkey);

	int specials = d->has_guest + d->has_halted;
	int rows = footer - y - (specials ? specials + 1 : 0);
	int total = d->n;

	if (rows < 1)
		rows = 1;
	u->dtop = gt_layout_scroll(u->dtop, u->dsel, total, rows);
	for (int i = u->dtop; i < total && i < u->dtop + rows; i++) {
		gt_buf_reset(&b);
		gt_render_row(&b, &d->rows[i], &c, false);
		put(y++, 0, b.p, COLS, i == u->dsel ? A_REVERSE : A_NORMAL);
	}
	if (!d->n)
		put(y++, 0, d->nvcpus_xt ? "  (no exits recorded)" :
		    "  (exit timing not available for this VM)", COLS,
		    A_NORMAL);
	if (specials) {
		y++;
		if (d->has_guest) {
			gt_buf_reset(&b);
			gt_render_row(&b, &d->guest, &c, false);
			put(y++, 0, b.p, COLS, A_BOLD);
		}
		if (d->has_halted) {
			gt_buf_reset(&b);
			gt_render_row(&b, &d->halted, &c, false);
			put(y++, 0, b.p, COLS, A_BOLD);
		}
	}
	draw_footer(u, footer, "Esc:back q:quit </>:sort R:reverse "
		    "arrows:scroll");
	gt_buf_free(&b);
}

static const char *const help_text[] = {
	"gtop - KVM guests like top",
	"",
	"  q            quit",
	"  h ?          this help (any key returns)",
	"  Up/Down j/k  move;  PgUp/PgDn  page;  Home/End  first/last",
	"  Enter space  expand/collapse the VM (vCPU rows), Right/Left too",
	"  e            exit reasons of the selected VM (Esc returns)",
	"  s            choose the sort column;  < >  previous/next column",
	"  R            reverse the sort order",
	"  d            set the refresh delay;  p  pause/resume",
	"  /            filter by name, pid, UUID or cgroup;  Esc  clears it",
	"  t T          replay: next / previous refresh;  b  jump to a time;",
	"               p  play / pause (gtop -r FILE)",
	"",
	"Percentages of VMs and vCPUs are of one CPU (a busy 4-vCPU VM shows",
	"400).  %GUSR/%GSYS split %GUEST by guest CPL; %HOST = %CPU - %GUEST;",
	"EXIT% is wall time from VM exits to entries (waits for a CPU",
	"included).  '-' means not known (see the status lines).",
	"vCPU rows: TID, vcpuN @last host CPU.",
	"CPU bars: host user, host system, guest user, guest system, guest",
	"(not split), steal; number = busy %.  Mono (-C): | s u k g !",
	"WALL TIME bars: each VM's and vCPU's wall time over the interval:",
	"u guest user, k guest kernel, g guest (not split), s host kernel",
	"for exits, v VMM userspace, h halted, w waiting for a CPU, . idle",
	"or unknown.  Where each comes from: the sources field, gtop(1).",
	"CPU HIST, USR HIST: %CPU and the guest user share of the split guest",
	"time at the last refreshes, newest right.",
};

static void draw_help(void)
{
	for (size_t i = 0; i < sizeof(help_text) / sizeof(help_text[0]); i++)
		put((int)i, 0, help_text[i], COLS, i ? A_NORMAL : A_BOLD);
}

static void draw_sort(struct gt_ui *u)
{
	int y = 1;

	put(0, 0, "Sort by (Enter: choose, Esc: cancel)", COLS, A_BOLD);
	for (size_t i = 0; i < gt_vm_ncolumns && y < LINES; i++, y++) {
		enum gt_field f = gt_vm_columns[i];
		char line[160];

		snprintf(line, sizeof(line), "  %-10s %-18s %s",
			 gt_fields[f].title, gt_fields[f].name,
			 gt_fields[f].help ? gt_fields[f].help : "");
		put(y, 0, line, COLS, (int)i == u->sort_sel ? A_REVERSE :
		    f == u->e.sort_key ? A_BOLD : A_NORMAL);
	}
}

void gt_ui_draw(struct gt_ui *u)
{
	erase();
	if (COLS < 20 || LINES < 5) {
		put(0, 0, "terminal too small", COLS, A_BOLD);
	} else {
		switch (u->mode) {
		case UI_MAIN: draw_main(u); break;
		case UI_DETAIL: draw_detail(u); break;
		case UI_HELP: draw_help(); break;
		case UI_SORT: draw_sort(u); break;
		}
	}
	refresh();
	if (!u->first_frame_ms)
		u->first_frame_ms = (double)(gt_now_ns() - u->start_ns) / 1e6;
}

bool gt_ui_prompt(struct gt_ui *u, const char *label, char *buf, size_t n)
{
	size_t len = strlen(buf);
	int y = LINES - 1;

	(void)u;
	timeout(-1);
	curs_set(1);
	for (;;) {
		move(y, 0);
		clrtoeol();
		attrset(A_BOLD);
		addstr(label);
		attrset(A_NORMAL);
		addstr(buf);
		refresh();
		int ch = getch();

		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			break;
		} else if (ch == 27) {
			curs_set(0);
			return false;
		} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (len)
				buf[--len] = '\0';
		} else if (ch == KEY_RESIZE) {
			y = LINES - 1;
		} else if (ch >= 32 && ch < 127 && len + 1 < n) {
			buf[len++] = (char)ch;
			buf[len] = '\0';
		}
	}
	curs_set(0);
	return true;
}
