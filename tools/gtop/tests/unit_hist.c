// SPDX-License-Identifier: GPL-2.0
/*
 * unit_hist.c - what replay needs besides the recording: the sparkline
 * history (levels, steps back, vanished VMs), the times of --begin and
 * the b key, and a top exit that does not depend on the order exit
 * reasons were interned in.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "hist.h"
#include "model.h"
#include "util.h"

/* ------------------------------------------------------------- times */

static void when(void)
{
	double t, start = 1700000000.5;	/* 2023-11-14 22:13:20.5 UTC */

	CHECK(gt_parse_when("+90", start, &t) && t == start + 90);
	CHECK(gt_parse_when("+1.5m", start, &t) && t == start + 90);
	CHECK(gt_parse_when("+2h", start, &t) && t == start + 7200);
	CHECK(gt_parse_when("+1d", start, &t) && t == start + 86400);
	CHECK(gt_parse_when("@1700000100", start, &t) && t == 1700000100);
	CHECK(gt_parse_when("22:13:20", start, &t) && t == 1700000000);
	CHECK(gt_parse_when("22:14", start, &t) && t == 1700000040);
	/* earlier in the day than the start: the next day */
	CHECK(gt_parse_when("22:13:19", start, &t) &&
	      t == 1700000000 - 1 + 86400);
	CHECK(gt_parse_when("2023-11-15 01:00", start, &t) &&
	      t == 1700010000);
	CHECK(gt_parse_when("2023-11-15T01:00:05", start, &t) &&
	      t == 1700010005);
	static const char *const bad[] = { "", "+", "+x", "+-5", "+5y",
		"+5ms", "@", "@-1", "25:00", "12:60", "1:2", "12:00:", "12:00x",
		"2023-13-01 00:00", "2023-11-15", "2023-11-15 1", "12", "now",
		"+inf", "+nan", " 12:00" };

	for (size_t i = 0; i < GT_ARRAY_SIZE(bad); i++)
		CHECK_REPORT(!gt_parse_when(bad[i], start, &t),
			     "\"%s\" accepted", bad[i]);
}

/* ----------------------------------------------------------- history */

/* A view of VMs with %CPU c and guest user/system u/s (NAN: unknown). */
static void hview(struct gt_view *v, struct gt_vm_view *vm,
		  struct gt_vm_raw *raw, int n, const double *c,
		  const double *u, const double *s)
{
	struct gt_arena a = v->arena;	/* the sparklines' memory */

	memset(v, 0, sizeof(*v));
	v->arena = a;
	memset(vm, 0, (size_t)n * sizeof(*vm));
	v->vms = vm;
	v->nvms = n;
	for (int i = 0; i < n; i++) {
		vm[i].raw = &raw[i];
		vm[i].row.kind = GT_ROW_VM;
		gt_set(&vm[i].row, GT_F_VCPUS, 2);
		if (!isnan(c[i]))
			gt_set(&vm[i].row, GT_F_CPU, c[i]);
		if (!isnan(u[i])) {
			gt_set(&vm[i].row, GT_F_GUEST_USER, u[i]);
			gt_set(&vm[i].row, GT_F_GUEST_SYSTEM, s[i]);
		}
	}
}

static void history(void)
{
	struct gt_hist *h = gt_hist_new(4);
	struct gt_vm_raw raw[2] = { { .pid = 10, .starttime = 5 },
				    { .pid = 20, .starttime = 6 } };
	struct gt_vm_view vm[2];
	struct gt_view v = { 0 };
	char lv[64];
	const char *hc, *hu;

	/* 2 vCPUs: 200% is full; 0, 50, 100, 199, 250 % */
	static const double cpu[] = { 0, 50, 100, 199, 250 };

	for (int i = 0; i < 5; i++) {
		double c[2] = { cpu[i], i == 2 ? NAN : 10 };
		double u[2] = { 30, i < 1 ? NAN : 0 }, s[2] = { 10, 5 };

		hview(&v, vm, raw, 2, c, u, s);
		CHECK_INT(gt_hist_push(h, &v), 0);
	}
	gt_hist_annotate(h, &v);
	hc = v.vms[0].row.val[GT_F_HIST_CPU].s;
	hu = v.vms[0].row.val[GT_F_HIST_USER].s;
	/* 4 refreshes kept, newest right, in 8 cells */
	CHECK_STR(hc, "    2477");
	CHECK_STR(hu, "    6666");
	CHECK_STR(v.vms[1].row.val[GT_F_HIST_CPU].s, "    0 00");
	CHECK_STR(v.vms[1].row.val[GT_F_HIST_USER].s, "    0000");
	CHECK_INT(gt_hist_levels(h, &v.vms[0], GT_F_HIST_CPU, 2, lv,
				 sizeof(lv)), 4);
	CHECK_STR(lv, "37");
	gt_hist_pop(h);
	gt_hist_annotate(h, &v);
	CHECK_STR(v.vms[0].row.val[GT_F_HIST_CPU].s, "     247");
	gt_hist_pop(h);
	gt_hist_pop(h);		/* the oldest kept is refresh 1 */
	gt_hist_annotate(h, &v);
	CHECK_STR(v.vms[0].row.val[GT_F_HIST_CPU].s, "       2");
	gt_hist_pop(h);		/* none left: the field is left alone */
	gt_hist_pop(h);
	gt_hist_annotate(h, &v);
	CHECK_STR(v.vms[0].row.val[GT_F_HIST_CPU].s, "       2");
	CHECK_INT(gt_hist_levels(h, &v.vms[0], GT_F_HIST_CPU, 2, lv,
				 sizeof(lv)), 0);
	/* VM 10 gone, VM 20 now another process, VM 30 new */
	raw[0] = (struct gt_vm_raw){ .pid = 20, .starttime = 99 };
	raw[1] = (struct gt_vm_raw){ .pid = 30, .starttime = 1 };
	double c[2] = { 20, NAN }, u[2] = { NAN, NAN };

	hview(&v, vm, raw, 2, c, u, u);
	CHECK_INT(gt_hist_push(h, &v), 0);
	gt_hist_annotate(h, &v);
	CHECK_STR(v.vms[0].row.val[GT_F_HIST_CPU].s, "       0");
	CHECK(!v.vms[0].row.val[GT_F_HIST_USER].ok);	/* nothing known */
	CHECK(!v.vms[1].row.val[GT_F_HIST_CPU].ok);
	/* VM 10 is kept GT_HIST_KEEP refreshes after it was last seen */
	for (int i = 0; i < GT_HIST_KEEP; i++) {
		raw[0] = (struct gt_vm_raw){ .pid = 20 + i, .starttime = 1 };
		hview(&v, vm, raw, 1, c, u, u);
		CHECK_INT(gt_hist_push(h, &v), 0);
	}
	raw[0] = (struct gt_vm_raw){ .pid = 10, .starttime = 5 };
	hview(&v, vm, raw, 1, c, u, u);
	gt_hist_pop(h);
	gt_hist_annotate(h, &v);
	CHECK(!v.vms[0].row.val[GT_F_HIST_CPU].ok);	/* forgotten */
	gt_arena_free(&v.arena);
	gt_hist_free(h);
}

/* A tie for the top exit goes to the first name, whatever the order
 * the names were interned in (a replay interns them in another). */
static void top_exit_tie(void)
{
	struct gt_xstat r0[2], r1[2];
	struct gt_xt x0 = { .n = 2, .rows = r0 }, x1 = { .n = 2, .rows = r1 };
	struct gt_vcpu_raw c0 = { .tid = 8, .comm = "c", .xt = &x0 };
	struct gt_vcpu_raw c1 = { .tid = 8, .comm = "c", .xt = &x1 };
	struct gt_vm_raw v0 = { .pid = 7, .name = "t", .comm = "t",
				.nvcpus = 1, .vcpus = &c0 };
	struct gt_vm_raw v1 = v0;
	struct gt_snap a = { .mono_ns = 1000000000, .hz = 100, .nvms = 1,
			     .vms = &v0, .xt_state = GT_XT_OK };
	struct gt_snap b = a;
	struct gt_view v = { 0 };
	uint16_t z = gt_reason_id("zz-tie"), y = gt_reason_id("aa-tie");

	v1.vcpus = &c1;
	b.vms = &v1;
	b.mono_ns *= 2;
	for (int i = 0; i < 2; i++) {	/* sorted by id: zz-tie first */
		r0[i] = (struct gt_xstat){ .reason = i ? y : z, .count = 5,
					   .total_ns = 50 };
		r1[i] = r0[i];
		r1[i].count += 3;
		r1[i].total_ns += 30;
	}
	CHECK(z < y);
	CHECK_INT(gt_view_build(&v, &a, &b), 0);
	CHECK_STR(v.vms[0].row.val[GT_F_TOP_EXIT].s, "aa-tie");
	CHECK_STR(v.vms[0].vcpus[0].val[GT_F_TOP_EXIT].s, "aa-tie");
	gt_view_free(&v);
}

void test_hist(void)
{
	when();
	history();
	top_exit_tie();
}
