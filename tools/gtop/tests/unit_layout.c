// SPDX-License-Identifier: GPL-2.0
/* unit_layout.c - layout, field table, output formats, options. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fields.h"
#include "layout.h"
#include "opts.h"
#include "output.h"

static int col_of(const struct gt_columns *c, enum gt_field f)
{
	for (int i = 0; i < c->n; i++)
		if (c->f[i] == f)
			return i;
	return -1;
}

static void columns(void)
{
	struct gt_columns c;

	/* 80 columns: fits, identity columns and NAME kept */
	gt_layout_columns(gt_vm_columns, gt_vm_ncolumns, GT_F_NAME, 80, &c);
	CHECK(c.width <= 80);
	CHECK(col_of(&c, GT_F_PID) == 0 && col_of(&c, GT_F_NAME) == 1);
	CHECK(c.w[1] >= gt_fields[GT_F_NAME].width);
	/* the wall time bar wins over the exit columns */
	CHECK(col_of(&c, GT_F_GUEST_USER) > 0 && col_of(&c, GT_F_WALL_BAR) > 0);
	CHECK(col_of(&c, GT_F_HOST) > 0 && col_of(&c, GT_F_EXITS) < 0);
	for (int i = 1; i < c.n; i++)
		CHECK(c.x[i] == c.x[i - 1] + c.w[i - 1] + 1);
	/* wide: every column, NAME capped */
	gt_layout_columns(gt_vm_columns, gt_vm_ncolumns, GT_F_NAME, 300, &c);
	CHECK_INT(c.n, (int)gt_vm_ncolumns);
	CHECK_INT(c.w[1], GT_NAME_MAX_WIDTH);
	/* narrow: lowest priorities go first, PID and NAME stay */
	gt_layout_columns(gt_vm_columns, gt_vm_ncolumns, GT_F_NAME, 40, &c);
	CHECK(c.width <= 40);
	CHECK(col_of(&c, GT_F_TOP_EXIT) < 0);
	CHECK(col_of(&c, GT_F_PID) == 0 && col_of(&c, GT_F_NAME) == 1);
	CHECK(col_of(&c, GT_F_CPU) > 0);
	gt_layout_columns(gt_vm_columns, gt_vm_ncolumns, GT_F_NAME, 5, &c);
	CHECK_INT(c.n, 2);	/* cannot drop more */
	/* exit detail at 80 columns keeps reason, count, avg, time% */
	gt_layout_columns(gt_exit_columns, gt_exit_ncolumns, GT_F_REASON, 80, &c);
	CHECK(c.width <= 80 && col_of(&c, GT_F_REASON) == 0 &&
	      col_of(&c, GT_F_COUNT) > 0 && col_of(&c, GT_F_AVG_NS) > 0 &&
	      col_of(&c, GT_F_TIME_PCT) > 0 && col_of(&c, GT_F_STDDEV_NS) > 0);
}

static void screen(void)
{
	struct gt_screen s;

	gt_layout_screen(80, 24, 2, 2, &s);
	CHECK(s.bar_cols >= 1 && s.bar_rows * s.bar_cols >= 2);
	CHECK_INT(s.footer_y, 23);
	CHECK_INT(s.table_y, 1 + s.bar_rows + 1 + 2);
	CHECK(s.table_rows >= 15);
	CHECK(s.table_y + 1 + s.table_rows <= s.footer_y);
	/* 64 CPUs do not fit in a third of 24 lines: totals only */
	gt_layout_screen(80, 24, 64, 2, &s);
	CHECK_INT(s.bar_cols, 0);
	CHECK(s.table_rows >= 15);
	gt_layout_screen(200, 60, 64, 2, &s);
	CHECK(s.bar_cols == 4 && s.bar_rows == 16);
	gt_layout_screen(80, 24, 8, 2, &s);
	CHECK(s.bar_cols * s.bar_rows >= 8 && s.bar_rows <= 8);
	/* tiny: no footer, no negative sizes */
	gt_layout_screen(20, 6, 4, 2, &s);
	CHECK(s.table_rows >= 0 && s.bar_rows >= 0);
	gt_layout_screen(0, 0, 0, 0, &s);
	CHECK(s.table_rows >= 0);
}

static void bars(void)
{
	int cells[6];
	double a[3] = { 50, 25, 0 };

	gt_layout_bar(a, 3, 20, cells);
	CHECK(cells[0] == 10 && cells[1] == 5 && cells[2] == 0);
	double b[3] = { 33.3, 33.3, 33.3 };

	gt_layout_bar(b, 3, 10, cells);
	CHECK_INT(cells[0] + cells[1] + cells[2], 10);
	double c[2] = { 80, 70 };	/* over 100: clamped to the width */

	gt_layout_bar(c, 2, 10, cells);
	CHECK_INT(cells[0] + cells[1], 10);
	double d[3] = { -5, NAN, 10 };	/* nonsense ignored */

	gt_layout_bar(d, 3, 10, cells);
	CHECK(cells[0] == 0 && cells[1] == 0 && cells[2] == 1);
	double e[2] = { 0.4, 0.4 };	/* 0.8% of 10 cells: one cell */

	gt_layout_bar(e, 2, 10, cells);
	CHECK_INT(cells[0] + cells[1], 0);

	CHECK_INT(gt_layout_scroll(0, 5, 100, 10), 0);
	CHECK_INT(gt_layout_scroll(0, 15, 100, 10), 6);
	CHECK_INT(gt_layout_scroll(50, 10, 100, 10), 10);
	CHECK_INT(gt_layout_scroll(95, 99, 100, 10), 90);
	CHECK_INT(gt_layout_scroll(5, 2, 3, 10), 0);
	CHECK_INT(gt_layout_scroll(0, 0, 0, 0), 0);
}

static void table(void)
{
	/* every field is complete and names are unique and well formed */
	for (int f = 0; f < GT_NFIELDS; f++) {
		const struct gt_field_def *d = &gt_fields[f];

		bool snake = true, unique = true;

		CHECK(d->name && d->title && d->compare && d->width > 0 &&
		      d->scope && (d->order == 1 || d->order == -1));
		for (const char *p = d->name; *p; p++)
			snake &= islower((unsigned char)*p) || *p == '_';
		for (const char *p = d->prom ? d->prom : ""; *p; p++)
			snake &= islower((unsigned char)*p) || *p == '_';
		for (int g = 0; g < f; g++)
			unique &= strcmp(gt_fields[g].name, d->name) != 0;
		CHECK_REPORT(snake && unique, "field %s: bad or duplicate name",
			     d->name);
		CHECK(!d->prom || (d->prom_scale > 0 && d->help));
		CHECK_INT(gt_field_lookup(d->name, d->scope), f);
	}
	CHECK_INT(gt_field_lookup("guest_user", GT_S_VM), GT_F_GUEST_USER);
	CHECK_INT(gt_field_lookup("GUEST_USER_PCT", GT_S_VM), GT_F_GUEST_USER);
	CHECK_INT(gt_field_lookup("%gsys", GT_S_VM), GT_F_GUEST_SYSTEM);
	CHECK_INT(gt_field_lookup("exits", GT_S_VM), GT_F_EXITS);
	CHECK_INT(gt_field_lookup("vcpus", GT_S_VM), GT_F_VCPUS);
	CHECK_INT(gt_field_lookup("cpu", GT_S_VM), GT_F_CPU);
	CHECK_INT(gt_field_lookup("cpu", GT_S_CPU), GT_F_CPU_ID);
	CHECK_INT(gt_field_lookup("idle", GT_S_VM), -1);
	CHECK_INT(gt_field_lookup("nonsense", GT_S_VM), -1);

	struct gt_row r = { .kind = GT_ROW_VM }, s = { .kind = GT_ROW_VM };
	char b[64];

	gt_set(&r, GT_F_CPU, 12.345);
	gt_set(&r, GT_F_PID, 7);
	gt_set(&s, GT_F_PID, 3);
	CHECK_STR(gt_field_text(&r, GT_F_CPU, b, sizeof(b)), "12.3");
	CHECK_STR(gt_field_text(&r, GT_F_GUEST, b, sizeof(b)), "-");
	CHECK_STR(gt_field_machine(&r, GT_F_CPU, b, sizeof(b)), "12.35");
	CHECK(gt_field_machine(&r, GT_F_GUEST, b, sizeof(b)) == NULL);
	gt_set(&r, GT_F_GUEST, 12345.6);
	CHECK_STR(gt_field_text(&r, GT_F_GUEST, b, sizeof(b)), "12346");
	/* known before unknown, both directions; ties by pid */
	CHECK(gt_row_compare(&r, &s, GT_F_CPU, -1) < 0);
	CHECK(gt_row_compare(&r, &s, GT_F_CPU, +1) < 0);
	CHECK(gt_row_compare(&r, &s, GT_F_EXITS, -1) > 0);
	gt_set(&s, GT_F_CPU, 50);
	CHECK(gt_row_compare(&r, &s, GT_F_CPU, -1) > 0);
	CHECK(gt_row_compare(&r, &s, GT_F_CPU, +1) < 0);
}

/* A view made by hand: one VM with one vCPU, hostile name. */
static void output(void)
{
	struct gt_snap snap = { 0 };
	struct gt_vcpu_raw vc = { .tid = 11, .index = 0, .comm = "CPU 0/KVM" };
	struct gt_vm_raw vm = { .pid = 10, .name = "a,\"b\"\n{c}", .comm = "q",
				.nvcpus = 1, .vcpus = &vc };
	struct gt_row vrow = { .kind = GT_ROW_VCPU };
	struct gt_vm_view vv = { .nvcpus = 1, .vcpus = &vrow, .raw = &vm };
	struct gt_row cpu = { .kind = GT_ROW_CPU };
	int order = 0;
	struct gt_view v = { .cur = &snap, .dt = 1, .split = GT_SPLIT_OFF,
			     .xt = GT_XT_DENIED, .ncpus = 1, .cpus = &cpu,
			     .nvms = 1, .nvcpus = 1, .vms = &vv, .norder = 1,
			     .order = &order };
	struct gt_out_opts o = { .fmt = GT_OUT_JSON, .vcpus = true };
	struct gt_buf b = { 0 };

	snap.realtime = 1700000000.5;
	snap.stat_ok = true;
	snap.sysctl = 0;
	snap.has_sysctl = true;
	vv.row.kind = GT_ROW_VM;
	gt_set(&vv.row, GT_F_PID, 10);
	gt_set_str(&vv.row, GT_F_NAME, vm.name);
	gt_set(&vv.row, GT_F_VCPUS, 1);
	gt_set(&vv.row, GT_F_CPU, 50);
	gt_set(&vv.row, GT_F_GUEST, 40);
	gt_set(&vrow, GT_F_PID, 10);
	gt_set(&vrow, GT_F_TID, 11);
	gt_set(&vrow, GT_F_INDEX, 0);
	gt_set_str(&vrow, GT_F_NAME, vc.comm);
	gt_set(&cpu, GT_F_CPU_ID, 0);
	gt_set(&cpu, GT_F_IDLE, 90);

	gt_output(&b, &v, &o);
	CHECK(strstr(b.p, "{\"schema\":2,\"time\":1700000000.500,") == b.p);
	CHECK(strstr(b.p, "\"name\":\"a,\\\"b\\\"\\u000a{c}\"") != NULL);
	CHECK(strstr(b.p, "\"cpu_pct\":50.00,\"guest_pct\":40.00,"
		      "\"guest_user_pct\":null") != NULL);
	CHECK(strstr(b.p, "\"exits_per_s\":null") != NULL);
	CHECK(strstr(b.p, "\"vcpus\":[{\"pid\":10,\"index\":0,\"tid\":11,") != NULL);
	CHECK(strstr(b.p, "\"guest_split\":\"off\"") != NULL);
	CHECK(strstr(b.p, "\"exit_timing\":\"denied\"") != NULL);
	CHECK(strstr(b.p, "\"cpus\":[{\"cpu\":0,") != NULL);
	CHECK(strchr(b.p, '\n') == b.p + b.len - 1);	/* one line */

	gt_buf_reset(&b);
	o.fmt = GT_OUT_CSV;
	gt_output(&b, &v, &o);
	CHECK(strncmp(b.p, "schema,time,kind,pid,index,tid,name,", 36) == 0);
	CHECK(strstr(b.p, "\n2,1700000000.500,vm,10,,,\"a,\"\"b\"\"\n{c}\",1,,50.00,40.00,,,") != NULL);
	CHECK(strstr(b.p, "\n2,1700000000.500,vcpu,10,0,11,CPU 0/KVM,") != NULL);

	gt_buf_reset(&b);
	o.fmt = GT_OUT_PROM;
	gt_output(&b, &v, &o);
	CHECK(strstr(b.p, "_ratio") == NULL);	/* no percentages */
	CHECK(strstr(b.p, "gtop_vm_vcpus{vm=\"a,\\\"b\\\"\\n{c}\",pid=\"10\"} 1\n") != NULL);
	CHECK(strstr(b.p, "gtop_exit_timing_readable 0\n") != NULL);
	CHECK(strstr(b.p, "gtop_guest_split_supported 1\n") != NULL);
	CHECK(strstr(b.p, "gtop_guest_split_enabled 0\n") != NULL);

	gt_buf_reset(&b);
	o.fmt = GT_OUT_TEXT;
	gt_output(&b, &v, &o);
	CHECK(strstr(b.p, "Guest split: off") != NULL);
	CHECK(strstr(b.p, "Exit timing: n/a, debugfs not readable") != NULL);
	CHECK(strstr(b.p, "    PID NAME") != NULL);
	CHECK(strstr(b.p, "`- vcpu0") != NULL);
	CHECK(strstr(b.p, "a,\"b\"?{c}") != NULL);
	/* the name's newline must not break the table */
	int lines = 0;

	for (char *p = b.p; *p; p++)
		lines += *p == '\n';
	CHECK(lines <= 9);
	gt_buf_free(&b);
}

static int parse(const char *line, struct gt_opts *o)
{
	char *argv[16], buf[256], err[256];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 15; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	int r = gt_opts_parse(o, argc, argv, err, sizeof(err));

	CHECK(r == 0 ? err[0] == '\0' : err[0] != '\0');
	return r;
}

void test_opts(void)
{
	struct gt_opts o;

	CHECK_INT(parse("gtop", &o), 0);
	CHECK(!o.batch && o.delay == 2.0 && o.sort_key == GT_F_CPU &&
	      o.sort_dir == -1 && o.libproc2 && o.color);
	CHECK_INT(parse("gtop -b -n 3 -d 0.5 -o json --sort=guest_user -H", &o), 0);
	CHECK(o.batch && o.iterations == 3 && o.delay == 0.5 &&
	      o.fmt == GT_OUT_JSON && o.sort_key == GT_F_GUEST_USER && o.vcpus);
	CHECK_INT(parse("gtop -o prometheus", &o), 0);
	CHECK(o.batch && o.fmt == GT_OUT_PROM);
	CHECK_INT(parse("gtop --output=csv --sort name -R", &o), 0);
	CHECK(o.fmt == GT_OUT_CSV && o.sort_key == GT_F_NAME && o.sort_dir == -1);
	CHECK_INT(parse("gtop --root=/tmp/x --no-libproc2 -C -x -f web", &o), 0);
	CHECK(o.root && !o.libproc2 && !o.color && o.exit_reasons &&
	      !strcmp(o.filter, "web"));
	CHECK_INT(parse("gtop --no-libproc2 --libproc2", &o), 0);
	CHECK(o.libproc2);
	CHECK_INT(parse("gtop -h", &o), 0);
	CHECK(o.help);
	CHECK_INT(parse("gtop --version", &o), 0);
	CHECK(o.version);
	/* bad usage: exit code 2 */
	CHECK_INT(parse("gtop -d -1", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -d 0", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -d abc", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -d", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -n x", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -n 0", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -n -5", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -n 1.5", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -o xml", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop --sort=bogus", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop --sort=idle", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop -z", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop --bogus", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop extra", &o), GT_EXIT_USAGE);
	CHECK_INT(parse("gtop --root=", &o), GT_EXIT_USAGE);
	/* parsing again after an error starts clean */
	CHECK_INT(parse("gtop -b", &o), 0);
	CHECK(o.batch && o.iterations == 0);
	CHECK(strstr(gt_usage(), "--sort=FIELD") != NULL);
}

void test_layout(void)
{
	columns();
	screen();
	bars();
	table();
}

void test_output(void)
{
	output();
}
