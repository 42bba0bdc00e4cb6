/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ui.h - the ncurses screen.  ui.c owns the state and the keys,
 * ui_draw.c only draws the state; figures come from the engine.
 */
#ifndef GTOP_UI_H
#define GTOP_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "layout.h"
#include "opts.h"

enum gt_ui_mode { UI_MAIN, UI_DETAIL, UI_HELP, UI_SORT };

/* One line of the VM table: a VM, or one of its vCPUs. */
struct gt_ui_line {
	int vm;			/* index into view.vms */
	int vcpu;		/* -1 for the VM row */
};

struct gt_ui {
	struct gt_engine e;
	const struct gt_opts *o;
	enum gt_ui_mode mode;
	double delay;
	bool paused, color, expand_all, quit;
	/* main table */
	struct gt_ui_line *lines;
	int nlines;
	size_t cap_lines;
	int sel, top;
	int sel_pid, sel_tid;	/* identity of the selected line */
	int *expanded;		/* pids toggled from the expand_all default */
	int nexpanded;
	size_t cap_expanded;
	/* sort menu */
	int sort_sel;
	/* detail view */
	int detail_pid;
	struct gt_detail detail;
	enum gt_field dkey;
	int ddir, dsel, dtop;
	/* message in the footer until msg_until (monotonic ns) */
	char msg[400];
	uint64_t msg_until;
	/* statistics for --stats / benchmarks */
	double first_frame_ms;
	uint64_t start_ns;
};

/* start_ns: CLOCK_MONOTONIC at program start, for the first frame time */
int gt_ui_run(const struct gt_opts *o, uint64_t start_ns);

/* ui.c helpers used by ui_draw.c */
bool gt_ui_is_expanded(const struct gt_ui *u, int pid);
void gt_ui_build_lines(struct gt_ui *u);

/* ui_draw.c */
void gt_ui_init_colors(struct gt_ui *u);
void gt_ui_draw(struct gt_ui *u);
/* Read a line in the footer; returns false on Esc. */
bool gt_ui_prompt(struct gt_ui *u, const char *label, char *buf, size_t n);

#endif
