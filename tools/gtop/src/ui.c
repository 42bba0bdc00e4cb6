// SPDX-License-Identifier: GPL-2.0
/* ui.c - UI state, keys and the refresh loop. */
#define _GNU_SOURCE
#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "util.h"

#define WARMUP_MAX_S 0.5
#define MSG_NS 3000000000ULL

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static void message(struct gt_ui *u, const char *fmt, const char *arg)
{
	snprintf(u->msg, sizeof(u->msg), fmt, arg);
	u->msg_until = gt_now_ns() + MSG_NS;
}

/* ------------------------------------------------------------ lines */

static int find_expanded(const struct gt_ui *u, int pid)
{
	for (int i = 0; i < u->nexpanded; i++)
		if (u->expanded[i] == pid)
			return i;
	return -1;
}

bool gt_ui_is_expanded(const struct gt_ui *u, int pid)
{
	return (find_expanded(u, pid) >= 0) != u->expand_all;
}

static void toggle_expanded(struct gt_ui *u, int pid)
{
	int i = find_expanded(u, pid);

	if (i >= 0) {
		u->expanded[i] = u->expanded[--u->nexpanded];
		return;
	}
	if (!gt_grow((void **)&u->expanded, &u->cap_expanded,
		     (size_t)u->nexpanded + 1, sizeof(*u->expanded)))
		return;
	u->expanded[u->nexpanded++] = pid;
}

static int line_pid(const struct gt_ui *u, int i)
{
	return u->e.view.vms[u->lines[i].vm].raw->pid;
}

static int line_tid(const struct gt_ui *u, int i)
{
	const struct gt_ui_line *l = &u->lines[i];

	return l->vcpu < 0 ? 0 : u->e.view.vms[l->vm].raw->vcpus[l->vcpu].tid;
}

static void remember_sel(struct gt_ui *u)
{
	if (u->sel >= 0 && u->sel < u->nlines) {
		u->sel_pid = line_pid(u, u->sel);
		u->sel_tid = line_tid(u, u->sel);
	}
}

static bool add_line(struct gt_ui *u, int vm, int vcpu)
{
	if (!gt_grow((void **)&u->lines, &u->cap_lines, (size_t)u->nlines + 1,
		     sizeof(*u->lines)))
		return false;
	u->lines[u->nlines++] = (struct gt_ui_line){ vm, vcpu };
	return true;
}

/* Rebuild the visible lines and keep the selected VM/vCPU selected. */
void gt_ui_build_lines(struct gt_ui *u)
{
	const struct gt_view *v = &u->e.view;
	int old = u->sel, vm_line = -1;

	u->nlines = 0;
	for (int i = 0; i < v->norder; i++) {
		const struct gt_vm_view *vm = &v->vms[v->order[i]];

		if (!add_line(u, v->order[i], -1))
			break;
		if (!gt_ui_is_expanded(u, vm->raw->pid))
			continue;
		for (int k = 0; k < vm->nvcpus; k++)
			if (!add_line(u, v->order[i], k))
				break;
	}
	u->sel = -1;
	for (int i = 0; i < u->nlines && u->sel < 0; i++) {
		if (line_pid(u, i) != u->sel_pid)
			continue;
		if (vm_line < 0)
			vm_line = i;
		if (line_tid(u, i) == u->sel_tid)
			u->sel = i;
	}
	if (u->sel < 0)
		u->sel = vm_line >= 0 ? vm_line : old;
	if (u->sel >= u->nlines)
		u->sel = u->nlines - 1;
	if (u->sel < 0)
		u->sel = 0;
	remember_sel(u);
}

/* ----------------------------------------------------------- detail */

static void build_detail(struct gt_ui *u)
{
	gt_detail_free(&u->detail);
	if (gt_engine_cur(&u->e))
		gt_detail_build(&u->detail, &u->e.view, u->detail_pid);
	gt_detail_sort(&u->detail, u->dkey, u->ddir);
	if (u->dsel >= u->detail.n)
		u->dsel = u->detail.n - 1;
	if (u->dsel < 0)
		u->dsel = 0;
}

/* ----------------------------------------------------------- replay */

/* The new sample is there: lines and detail follow it. */
static void follow(struct gt_ui *u)
{
	gt_ui_build_lines(u);
	if (u->mode == UI_DETAIL)
		build_detail(u);
}

/* One record forward (dir 1) or back (-1) in a recording. */
static void replay_step(struct gt_ui *u, int dir)
{
	int r;

	if (!u->e.rp) {
		message(u, "%s", "t, T and b step through a recording "
			"(gtop -r FILE)");
		return;
	}
	if (dir < 0 && u->e.pos == 0) {
		message(u, "%s", "start of the recording");
		return;
	}
	r = dir > 0 ? gt_engine_sample(&u->e) : gt_engine_back(&u->e);
	if (r) {
		message(u, "%s", r > 0 ? "end of the recording" : u->e.err);
		u->paused = true;
		return;
	}
	follow(u);
}

static void key_jump(struct gt_ui *u)
{
	char buf[64] = "";
	double t;
	size_t i;

	if (!u->e.rp) {
		replay_step(u, 0);
		return;
	}
	if (!gt_ui_prompt(u, "Jump to (HH:MM[:SS], YYYY-MM-DD HH:MM, +10m, "
			  "@UNIXTIME): ", buf, sizeof(buf)) || !*buf)
		return;
	if (!gt_parse_when(buf, gt_replay_rec(u->e.rp, 0)->realtime, &t)) {
		message(u, "invalid time '%s'", buf);
		return;
	}
	i = gt_replay_find(u->e.rp, t);
	if (i >= gt_engine_count(&u->e)) {
		message(u, "%s", "after the end: at the last record");
		i = gt_engine_count(&u->e) - 1;
	}
	if (gt_engine_seek(&u->e, i))
		message(u, "%s", u->e.err);
	follow(u);
}

/* ------------------------------------------------------------- keys */

static int column_pos(const enum gt_field *cols, size_t n, enum gt_field f)
{
	for (size_t i = 0; i < n; i++)
		if (cols[i] == f)
			return (int)i;
	return 0;
}

static void sort_step(struct gt_ui *u, int step)
{
	if (u->mode == UI_DETAIL) {
		int n = (int)gt_exit_ncolumns;
		int p = (column_pos(gt_exit_columns, gt_exit_ncolumns, u->dkey) +
			 step + n) % n;

		u->dkey = gt_exit_columns[p];
		u->ddir = gt_fields[u->dkey].order;
		gt_detail_sort(&u->detail, u->dkey, u->ddir);
		return;
	}
	int n = (int)gt_vm_ncolumns;
	int p = (column_pos(gt_vm_columns, gt_vm_ncolumns, u->e.sort_key) +
		 step + n) % n;

	u->e.sort_key = gt_vm_columns[p];
	u->e.sort_dir = gt_fields[u->e.sort_key].order;
	gt_engine_rank(&u->e);
	gt_ui_build_lines(u);
}

static void move_sel(struct gt_ui *u, int *sel, int n, int delta)
{
	*sel += delta;
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	if (sel == &u->sel)
		remember_sel(u);
}

static int page_rows(void)
{
	return LINES > 12 ? LINES - 10 : 1;
}

static void key_delay(struct gt_ui *u)
{
	char buf[32] = "";
	double d;

	if (!gt_ui_prompt(u, "Delay in seconds: ", buf, sizeof(buf)) || !*buf)
		return;
	if (gt_parse_double(buf, 0.05, 86400, &d))
		u->delay = d;
	else
		message(u, "invalid delay '%s' (0.05 to 86400 seconds)", buf);
}

static void key_filter(struct gt_ui *u)
{
	char buf[sizeof(u->e.filter)];

	snprintf(buf, sizeof(buf), "%s", u->e.filter);
	if (!gt_ui_prompt(u, "Filter (name, pid, UUID, cgroup): ", buf,
			  sizeof(buf)))
		return;
	snprintf(u->e.filter, sizeof(u->e.filter), "%s", buf);
	gt_engine_rank(&u->e);
	gt_ui_build_lines(u);
}

static void key_main(struct gt_ui *u, int ch)
{
	struct gt_ui_line *l = u->nlines ? &u->lines[u->sel] : NULL;

	switch (ch) {
	case KEY_UP: case 'k': move_sel(u, &u->sel, u->nlines, -1); break;
	case KEY_DOWN: case 'j': move_sel(u, &u->sel, u->nlines, 1); break;
	case KEY_PPAGE: move_sel(u, &u->sel, u->nlines, -page_rows()); break;
	case KEY_NPAGE: move_sel(u, &u->sel, u->nlines, page_rows()); break;
	case KEY_HOME: case 'g': move_sel(u, &u->sel, u->nlines, -u->nlines);
		break;
	case KEY_END: case 'G': move_sel(u, &u->sel, u->nlines, u->nlines);
		break;
	case '\n': case '\r': case KEY_ENTER: case ' ': case KEY_RIGHT:
	case KEY_LEFT: case '+': case '-':
		if (!l)
			break;
		bool open = gt_ui_is_expanded(u, line_pid(u, u->sel));

		if (((ch == KEY_RIGHT || ch == '+') && open) ||
		    ((ch == KEY_LEFT || ch == '-') && !open))
			break;
		u->sel_pid = line_pid(u, u->sel);
		u->sel_tid = 0;	/* collapsing moves to the VM row */
		toggle_expanded(u, u->sel_pid);
		gt_ui_build_lines(u);
		break;
	case 'e': case 'x':
		if (!l)
			break;
		u->detail_pid = line_pid(u, u->sel);
		u->dsel = u->dtop = 0;
		u->mode = UI_DETAIL;
		build_detail(u);
		break;
	case 's': case KEY_F(6):
		u->sort_sel = column_pos(gt_vm_columns, gt_vm_ncolumns,
					 u->e.sort_key);
		u->mode = UI_SORT;
		break;
	case '<': case ',': sort_step(u, -1); break;
	case '>': case '.': sort_step(u, 1); break;
	case 'R': case 'I':
		u->e.sort_dir = -u->e.sort_dir;
		gt_engine_rank(&u->e);
		gt_ui_build_lines(u);
		break;
	case '/': key_filter(u); break;
	case 27:
		if (u->e.filter[0]) {
			u->e.filter[0] = '\0';
			gt_engine_rank(&u->e);
			gt_ui_build_lines(u);
		}
		break;
	}
}

static void key_detail(struct gt_ui *u, int ch)
{
	switch (ch) {
	case 27: case KEY_BACKSPACE: case 127: case KEY_LEFT: case 'e':
	case 'x':
		u->mode = UI_MAIN;
		break;
	case KEY_UP: case 'k': move_sel(u, &u->dsel, u->detail.n, -1); break;
	case KEY_DOWN: case 'j': move_sel(u, &u->dsel, u->detail.n, 1); break;
	case KEY_PPAGE: move_sel(u, &u->dsel, u->detail.n, -page_rows());
		break;
	case KEY_NPAGE: move_sel(u, &u->dsel, u->detail.n, page_rows());
		break;
	case KEY_HOME: case 'g': u->dsel = 0; break;
	case KEY_END: case 'G': u->dsel = u->detail.n - 1; break;
	case '<': case ',': sort_step(u, -1); break;
	case '>': case '.': sort_step(u, 1); break;
	case 'R': case 'I':
		u->ddir = -u->ddir;
		gt_detail_sort(&u->detail, u->dkey, u->ddir);
		break;
	}
	if (u->dsel < 0)
		u->dsel = 0;
}

static void key_sort(struct gt_ui *u, int ch)
{
	int n = (int)gt_vm_ncolumns;

	switch (ch) {
	case KEY_UP: case 'k': u->sort_sel = (u->sort_sel + n - 1) % n; break;
	case KEY_DOWN: case 'j': u->sort_sel = (u->sort_sel + 1) % n; break;
	case '\n': case '\r': case KEY_ENTER: case ' ': {
		enum gt_field f = gt_vm_columns[u->sort_sel];

		if (f == u->e.sort_key)
			u->e.sort_dir = -u->e.sort_dir;
		else
			u->e.sort_dir = gt_fields[f].order;
		u->e.sort_key = f;
		gt_engine_rank(&u->e);
		gt_ui_build_lines(u);
		u->mode = UI_MAIN;
		break;
	}
	case 27: case 's':
		u->mode = UI_MAIN;
		break;
	}
}

static void handle_key(struct gt_ui *u, int ch)
{
	if (ch == KEY_RESIZE)
		return;		/* redrawn by the caller */
	if (u->mode == UI_HELP) {
		if (ch == 'q' || ch == 'Q')
			u->quit = true;
		u->mode = UI_MAIN;
		return;
	}
	if (ch == 'q' || ch == 'Q') {
		u->quit = true;
		return;
	}
	if ((ch == 'h' || ch == '?' || ch == KEY_F(1)) && u->mode != UI_SORT) {
		u->mode = UI_HELP;
		return;
	}
	if (ch == 'd') {
		key_delay(u);
		return;
	}
	if (ch == 'p') {
		u->paused = !u->paused;
		return;
	}
	if ((ch == 't' || ch == 'T') && u->mode != UI_SORT) {
		u->paused = true;
		replay_step(u, ch == 't' ? 1 : -1);
		return;
	}
	if (ch == 'b' && u->mode != UI_SORT) {
		u->paused = true;
		key_jump(u);
		return;
	}
	switch (u->mode) {
	case UI_MAIN: key_main(u, ch); break;
	case UI_DETAIL: key_detail(u, ch); break;
	case UI_SORT: key_sort(u, ch); break;
	case UI_HELP: break;
	}
}

/* ------------------------------------------------------------- loop */

static void refresh_data(struct gt_ui *u)
{
	int r = gt_engine_sample(&u->e);

	if (r) {
		message(u, "%s", r > 0 ? "end of the recording" : u->e.err);
		if (u->e.rp)
			u->paused = true;
		return;
	}
	follow(u);
}

/* The first sample (replay: the first record, or --begin's). */
static int first_data(struct gt_ui *u, const struct gt_opts *o)
{
	double t;
	size_t i = 0;

	if (u->e.rp && o->begin) {
		gt_parse_when(o->begin, gt_replay_rec(u->e.rp, 0)->realtime, &t);
		i = gt_replay_find(u->e.rp, t);
		if (i >= gt_engine_count(&u->e)) {
			snprintf(u->e.err, sizeof(u->e.err), "%s: no sample at "
				 "or after %s", o->replay, o->begin);
			return -1;
		}
	}
	return i ? gt_engine_seek(&u->e, i) : gt_engine_sample(&u->e) < 0;
}

static void print_stats(const struct gt_ui *u, long refreshes, double cpu_ms)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "gtop-stats: first_frame_ms=%.1f refreshes=%ld "
		"cpu_ms=%.1f maxrss_kb=%ld vms=%d vcpus=%d\n",
		u->first_frame_ms, refreshes, cpu_ms, ru.ru_maxrss,
		u->e.view.nvms, u->e.view.nvcpus);
}

int gt_ui_run(const struct gt_opts *o, uint64_t start_ns)
{
	struct gt_ui u;
	uint64_t next;
	long refreshes = 0;

	memset(&u, 0, sizeof(u));
	u.start_ns = start_ns;
	u.o = o;
	u.delay = o->delay;
	u.color = o->color;
	u.expand_all = o->vcpus;
	u.dkey = GT_F_TOTAL_NS;
	u.ddir = -1;
	struct gt_engine_cfg cfg;

	gt_opts_engine(o, &cfg);
	if (gt_engine_init(&u.e, &cfg) || first_data(&u, o)) {
		fprintf(stderr, "gtop: %s\n", u.e.err);
		gt_engine_fini(&u.e);
		return 1;
	}
	if (u.e.rp) {
		u.paused = true;	/* t, T, b step; p plays */
		if (gt_replay_torn(u.e.rp))
			message(&u, "%s", "a torn last record was ignored");
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	gt_ui_init_colors(&u);

	/* first frame at once (rates unknown), then a short warm-up */
	follow(&u);
	refreshes++;
	gt_ui_draw(&u);
	next = gt_now_ns() + (uint64_t)((u.delay < WARMUP_MAX_S ? u.delay :
					 WARMUP_MAX_S) * 1e9);
	while (!u.quit && !got_signal) {
		uint64_t now = gt_now_ns();

		if (now >= next) {
			if (!u.paused) {
				refresh_data(&u);
				refreshes++;
				if (o->iterations && refreshes > o->iterations)
					break;
			}
			next = now + (uint64_t)(u.delay * 1e9);
			gt_ui_draw(&u);
			continue;
		}
		int ms = (int)((next - now) / 1000000) + 1;

		timeout(ms);
		int ch = getch();

		if (ch == ERR)
			continue;
		handle_key(&u, ch);
		gt_ui_draw(&u);
	}
	endwin();
	if (getenv("GTOP_STATS"))
		print_stats(&u, refreshes, gt_cpu_ms());
	gt_detail_free(&u.detail);
	free(u.lines);
	free(u.expanded);
	gt_engine_fini(&u.e);
	return 0;
}
