// SPDX-License-Identifier: GPL-2.0
/* fields.c - the field table and the generic code it drives. */
#define _GNU_SOURCE
#include "fields.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define ID(nm, ttl, w, prio, sc, ord)                                    \
	.name = nm, .title = ttl, .width = w, .priority = prio,           \
	.kind = GT_K_INT, .scope = sc, .order = ord, .compare = gt_cmp_num

/* percentages are rates over one interval: Prometheus gets counters */
#define PCT(nm, al, ttl, sc, prio, hlp)                                   \
	.name = nm, .alias = al, .title = ttl, .width = 6, .priority = prio, \
	.kind = GT_K_PCT, .decimals = 1, .scope = sc, .order = -1,        \
	.compare = gt_cmp_num, .help = hlp

/* a counter: JSON/CSV name, title, scope, decimals, metric, scale */
#define CTR(nm, ttl, sc, dec, pr, scale)                                  \
	.name = nm, .title = ttl, .width = 10, .priority = 10,            \
	.kind = GT_K_SEC, .decimals = dec, .scope = sc, .order = -1,      \
	.compare = gt_cmp_num, .prom = pr, .prom_type = GT_PROM_COUNTER,  \
	.prom_scale = scale

#define NUM(nm, ttl, w, prio, k)                                          \
	.name = nm, .title = ttl, .width = w, .priority = prio, .kind = k,  \
	.scope = GT_S_EXIT, .order = -1, .compare = gt_cmp_num

#define ALL (GT_S_VM | GT_S_VCPU | GT_S_CPU)
#define VMS (GT_S_VM | GT_S_VCPU)

const struct gt_field_def gt_fields[GT_NFIELDS] = {
	[GT_F_PID] = { ID("pid", "PID", 7, 100, VMS, +1),
		       .help = "process ID of the VMM" },
	[GT_F_INDEX] = { ID("index", "#", 3, 90, GT_S_VCPU, +1),
			 .alias = "vcpu", .help = "vCPU index" },
	[GT_F_TID] = { ID("tid", "TID", 7, 90, GT_S_VCPU, +1),
		       .help = "thread ID of the vCPU" },
	[GT_F_NAME] = { .name = "name", .title = "NAME", .width = 10,
			.priority = 100, .kind = GT_K_STR, .scope = VMS,
			.order = +1, .compare = gt_cmp_str,
			.help = "VM name (-name/--name/--id, else comm)" },
	[GT_F_VCPUS] = { ID("nvcpus", "VCPU", 4, 60, GT_S_VM, -1),
			 .alias = "vcpus", .prom = "vcpus",
			 .prom_type = GT_PROM_GAUGE, .prom_scale = 1,
			 .help = "number of vCPU threads" },
	[GT_F_LAST_CPU] = { ID("last_cpu", "LAST", 4, 10, GT_S_VCPU, +1),
			    .help = "host CPU the vCPU thread last ran on" },
	[GT_F_CPU_ID] = { ID("cpu", "CPU", 3, 100, GT_S_CPU, +1),
			  .help = "host CPU number" },
	[GT_F_CPU] = { PCT("cpu_pct", "cpu", "%CPU", VMS, 90,
			   "CPU time (host and guest)") },
	[GT_F_HOST_USER] = { PCT("host_user_pct", "host_user", "hu",
				 GT_S_CPU, 50,
				 "host user time (user+nice minus guest)") },
	[GT_F_HOST_SYSTEM] = { PCT("host_system_pct", "host_system", "hs",
				   GT_S_CPU, 50,
				   "host system time (system+irq+softirq)") },
	[GT_F_GUEST] = { PCT("guest_pct", "guest", "%GUEST", ALL, 80,
			     "time in guest mode") },
	[GT_F_GUEST_USER] = { PCT("guest_user_pct", "guest_user", "%GUSR",
				  ALL, 70,
				  "guest time with guest CPL 1-3 (user)") },
	[GT_F_GUEST_SYSTEM] = { PCT("guest_system_pct", "guest_system",
				    "%GSYS", ALL, 70,
				    "guest time with guest CPL 0 (kernel)") },
	[GT_F_HOST] = { PCT("host_pct", "host", "%HOST", VMS, 50,
			    "host time of the VMM (CPU minus guest)") },
	[GT_F_STEAL] = { PCT("steal_pct", "steal", "st", GT_S_CPU, 40,
			     "stolen time") },
	[GT_F_IDLE] = { PCT("idle_pct", "idle", "id", GT_S_CPU, 40,
			    "idle and iowait time") },
	[GT_F_EXIT_TIME] = { PCT("exit_time_pct", "exit_time", "EXIT%", VMS,
				 40, "wall time from VM exits to entries "
				 "(exit_timing)") },
	[GT_F_EXITS] = { .name = "exits_per_s", .alias = "exits",
			 .title = "EXITS/s", .width = 7, .priority = 45,
			 .kind = GT_K_RATE, .decimals = 1,
			 .scope = VMS | GT_S_EXIT,
			 .order = -1, .compare = gt_cmp_num,
			 .help = "VM exits per second" },
	[GT_F_TOP_EXIT] = { .name = "top_exit", .title = "TOP EXIT",
			    .width = 12, .priority = 20, .kind = GT_K_STR,
			    .scope = VMS, .order = +1, .compare = gt_cmp_str,
			    .help = "most frequent exit reason this interval" },
	[GT_F_REASON] = { .name = "reason", .title = "REASON", .width = 16,
			  .priority = 100, .kind = GT_K_STR,
			  .scope = GT_S_EXIT, .order = +1,
			  .compare = gt_cmp_str,
			  .help = "exit reason (kvm_exit tracepoint name)" },
	[GT_F_COUNT] = { NUM("count", "COUNT", 8, 90, GT_K_COUNT),
			 .prom = "exits_total", .prom_type = GT_PROM_COUNTER,
			 .prom_scale = 1,
			 .help = "VM exits since the VM started "
				 "(exit_timing)" },
	[GT_F_MIN_NS] = { NUM("min_ns", "MIN", 7, 60, GT_K_NS),
			  .alias = "min", .help = "shortest exit" },
	[GT_F_MAX_NS] = { NUM("max_ns", "MAX", 7, 60, GT_K_NS),
			  .alias = "max", .help = "longest exit" },
	[GT_F_AVG_NS] = { NUM("avg_ns", "AVG", 7, 80, GT_K_NS),
			  .alias = "avg", .help = "mean exit handling time" },
	[GT_F_STDDEV_NS] = { NUM("stddev_ns", "STDDEV", 7, 50, GT_K_NS),
			     .alias = "stddev",
			     .help = "standard deviation of the exit time" },
	[GT_F_TOTAL_NS] = { NUM("total_ns", "TOTAL", 7, 40, GT_K_NS),
			    .alias = "total", .prom = "exit_seconds_total",
			    .prom_type = GT_PROM_COUNTER, .prom_scale = 1e-9,
			    .help = "host time from VM exits to the next entry "
				    "(exit_timing)" },
	[GT_F_TIME_PCT] = { NUM("time_pct", "TIME%", 6, 85, GT_K_PCT),
			    .decimals = 1, .alias = "time",
			    .help = "share of all exit handling time" },
	[GT_F_USER_EXITS] = { NUM("user_exits", "USER", 7, 30, GT_K_COUNT),
			      .alias = "user", .prom = "userspace_exits_total",
			      .prom_type = GT_PROM_COUNTER, .prom_scale = 1,
			      .help = "exits completed by the VMM in userspace "
				      "(exit_timing)" },
	[GT_F_CPU_SEC] = { CTR("cpu_seconds", "CPU_S", VMS, 2,
			       "cpu_seconds_total", 1),
			   .help = "CPU time (host and guest, utime+stime)" },
	[GT_F_GUEST_SEC] = { CTR("guest_seconds", "GUEST_S", ALL, 2,
				 "guest_seconds_total", 1),
			     .help = "time in guest mode (guest_time)" },
	[GT_F_GUEST_USER_SEC] = { CTR("guest_user_seconds", "GUSR_S", ALL, 2,
				      "guest_user_seconds_total", 1),
				  .help = "guest time with guest CPL 1-3 "
					  "(guest_user)" },
	[GT_F_GUEST_SYSTEM_SEC] = { CTR("guest_system_seconds", "GSYS_S", ALL,
					2, "guest_system_seconds_total", 1),
				    .help = "guest time with guest CPL 0 "
					    "(guest_system)" },
	[GT_F_EXIT_COUNT] = { .name = "exit_count", .title = "EXITS",
			      .width = 8, .priority = 10, .kind = GT_K_COUNT,
			      .scope = VMS, .order = -1, .compare = gt_cmp_num,
			      .prom = "exits_total",
			      .prom_type = GT_PROM_COUNTER,
			      .prom_scope = GT_S_VCPU, .prom_scale = 1,
			      .help = "VM exits (exit_timing)" },
	[GT_F_EXIT_SEC] = { CTR("exit_seconds", "EXIT_S", VMS, 9,
				"exit_seconds_total", 1),
			    .prom_scope = GT_S_VCPU,
			    .help = "host time from VM exits to the next entry "
				    "(exit_timing)" },
	[GT_F_HALTED_SEC] = { CTR("halted_seconds", "HALT_S", VMS, 9,
				  "halted_seconds_total", 1),
			      .prom_scope = GT_S_VCPU,
			      .help = "time the vCPU was halted (exit_timing)" },
	[GT_F_WALL_BAR] = { .name = "wall_bar", .title = "WALL TIME",
			    .width = 18, .priority = 55, .kind = GT_K_BAR,
			    .scope = VMS, .order = -1, .compare = gt_cmp_num,
			    .help = "where the wall time went (legend above); "
				    "sorts by the share not halted or idle" },
	[GT_F_W_GUEST] = { PCT("wall_guest_pct", NULL, "W.GST", VMS, 10,
			       "share of wall time in the guest "
			       "(exit_timing <guest>, else guest_time)") },
	[GT_F_W_GUEST_USER] = { PCT("wall_guest_user_pct", NULL, "W.GUSR",
				    VMS, 10, "share of wall time in guest user "
				    "mode (guest time split by fields 53/54)") },
	[GT_F_W_GUEST_SYSTEM] = { PCT("wall_guest_system_pct", NULL, "W.GSYS",
				      VMS, 10, "share of wall time in the guest "
				      "kernel (split by fields 53/54)") },
	[GT_F_W_KERNEL] = { PCT("wall_host_kernel_pct", NULL, "W.KERN", VMS,
				10, "share of wall time in the host kernel "
				"for exits (exit_timing less VMM and wait; "
				"else stime)") },
	[GT_F_W_VMM] = { PCT("wall_vmm_user_pct", NULL, "W.VMM", VMS, 10,
			     "share of wall time in the VMM in userspace "
			     "(utime - guest_time)") },
	[GT_F_W_HALTED] = { PCT("wall_halted_pct", NULL, "W.HALT", VMS, 10,
				"share of wall time halted (exit_timing "
				"<halted>, else KVM's halt_wait_ns+poll)") },
	[GT_F_W_WAIT] = { PCT("wall_wait_pct", NULL, "W.WAIT", VMS, 10,
			      "share of wall time waiting for a CPU "
			      "(schedstat run queue delay)") },
	[GT_F_W_REST] = { PCT("wall_rest_pct", NULL, "W.REST", VMS, 10,
			      "share of wall time left: idle or unknown") },
	[GT_F_SOURCES] = { .name = "sources", .title = "SOURCES", .width = 12,
			   .priority = 5, .kind = GT_K_STR, .scope = VMS,
			   .order = +1, .compare = gt_cmp_str,
			   .help = "where the row's figures come from "
				   "(part=source ...)" },
	[GT_F_KVM_EXITS] = { .name = "kvm_stat_exits_per_s", .alias = "kvm_exits",
			     .title = "KEXIT/s", .width = 7, .priority = 30,
			     .kind = GT_K_RATE, .decimals = 1,
			     .scope = GT_S_VM, .order = -1,
			     .compare = gt_cmp_num,
			     .help = "VM exits per second (KVM's exits, "
				     "debugfs; any kernel)" },
	[GT_F_HALT_EXITS] = { .name = "halt_exits_per_s", .title = "HLT/s",
			      .width = 7, .priority = 10, .kind = GT_K_RATE,
			      .decimals = 1, .scope = GT_S_VM, .order = -1,
			      .compare = gt_cmp_num,
			      .help = "halt exits per second (KVM's "
				      "halt_exits, debugfs)" },
	[GT_F_WAIT_SEC] = { CTR("wait_seconds", "WAIT_S", VMS, 6,
				"wait_seconds_total", 1),
			    .help = "time the vCPU threads waited for a CPU "
				    "(schedstat)" },
	[GT_F_SYSTEM_SEC] = { CTR("system_seconds", "SYS_S", VMS, 2,
				  "system_seconds_total", 1),
			      .help = "host kernel time (stime): with "
				      "cpu_seconds and guest_seconds the VMM's "
				      "own user time is cpu - system - guest" },
	[GT_F_KVM_EXIT_COUNT] = { .name = "kvm_stat_exits", .title = "KEXITS",
				  .width = 8, .priority = 10,
				  .kind = GT_K_COUNT, .scope = GT_S_VM,
				  .order = -1, .compare = gt_cmp_num,
				  .prom = "kvm_stat_exits_total",
				  .prom_type = GT_PROM_COUNTER,
				  .prom_scale = 1,
				  .help = "VM exits (KVM's exits, debugfs)" },
	[GT_F_KVM_HALTED_SEC] = { CTR("kvm_stat_halted_seconds", "KHALT_S",
				      GT_S_VM, 6,
				      "kvm_stat_halted_seconds_total", 1),
				  .help = "time the vCPUs were halted (KVM's "
					  "halt_wait_ns + halt_poll_*_ns)" },
	[GT_F_UUID] = { .name = "uuid", .title = "UUID", .width = 36,
			.priority = 5, .kind = GT_K_STR, .scope = GT_S_VM,
			.order = +1, .compare = gt_cmp_str,
			.help = "VM UUID (-uuid, --platform uuid=)" },
	[GT_F_CGROUP] = { .name = "cgroup", .title = "CGROUP", .width = 24,
			  .priority = 8, .kind = GT_K_STR, .scope = GT_S_VM,
			  .order = +1, .compare = gt_cmp_str,
			  .help = "cgroup v2 path of the VMM" },
	[GT_F_HIST_CPU] = { .name = "cpu_history", .title = "CPU HIST",
			    .width = 8, .priority = 25, .kind = GT_K_SPARK,
			    .scope = GT_S_VM, .order = -1,
			    .compare = gt_cmp_spark,
			    .help = "%CPU over the last refreshes, newest "
				    "right (full: all vCPUs busy)" },
	[GT_F_HIST_USER] = { .name = "guest_user_history", .title = "USR HIST",
			     .width = 8, .priority = 24, .kind = GT_K_SPARK,
			     .scope = GT_S_VM, .order = -1,
			     .compare = gt_cmp_spark,
			     .help = "guest user share of the split guest time "
				     "(%GUSR / (%GUSR + %GSYS)) over the last "
				     "refreshes" },
};

const enum gt_field gt_vm_columns[] = {
	GT_F_PID, GT_F_NAME, GT_F_VCPUS, GT_F_CPU, GT_F_GUEST,
	GT_F_GUEST_USER, GT_F_GUEST_SYSTEM, GT_F_HOST, GT_F_EXIT_TIME,
	GT_F_EXITS, GT_F_TOP_EXIT, GT_F_KVM_EXITS, GT_F_WALL_BAR,
	GT_F_HIST_CPU, GT_F_HIST_USER, GT_F_CGROUP,
};
const size_t gt_vm_ncolumns = GT_ARRAY_SIZE(gt_vm_columns);

const enum gt_field gt_exit_columns[] = {
	GT_F_REASON, GT_F_COUNT, GT_F_EXITS, GT_F_MIN_NS, GT_F_MAX_NS,
	GT_F_AVG_NS, GT_F_STDDEV_NS, GT_F_TIME_PCT, GT_F_TOTAL_NS,
	GT_F_USER_EXITS,
};
const size_t gt_exit_ncolumns = GT_ARRAY_SIZE(gt_exit_columns);

int gt_cmp_num(const struct gt_val *a, const struct gt_val *b)
{
	return (a->v > b->v) - (a->v < b->v);
}

int gt_cmp_str(const struct gt_val *a, const struct gt_val *b)
{
	return strcasecmp(a->s ? a->s : "", b->s ? b->s : "");
}

static char newest(const struct gt_val *v)
{
	size_t n = v->s ? strlen(v->s) : 0;

	return n ? v->s[n - 1] : ' ';
}

int gt_cmp_spark(const struct gt_val *a, const struct gt_val *b)
{
	return (newest(a) > newest(b)) - (newest(a) < newest(b));
}

int gt_field_lookup(const char *name, unsigned scope)
{
	for (int f = 0; f < GT_NFIELDS; f++) {
		const struct gt_field_def *d = &gt_fields[f];
		size_t nl = strlen(d->name);

		if (!(d->scope & scope))
			continue;

		if (!strcasecmp(name, d->name) ||
		    (d->alias && !strcasecmp(name, d->alias)) ||
		    !strcasecmp(name, d->title))
			return f;
		/* "guest_user" for "guest_user_pct" */
		if (nl > 4 && !strcmp(d->name + nl - 4, "_pct") &&
		    strlen(name) == nl - 4 && !strncasecmp(name, d->name, nl - 4))
			return f;
	}
	return -1;
}

char *gt_field_text(const struct gt_row *r, enum gt_field f, char *buf,
		    size_t n)
{
	const struct gt_field_def *d = &gt_fields[f];
	const struct gt_val *v = &r->val[f];

	if (!v->ok) {
		snprintf(buf, n, "-");
		return buf;
	}
	switch (d->kind) {
	case GT_K_STR:
	case GT_K_SPARK:
		snprintf(buf, n, "%s", v->s);
		break;
	case GT_K_BAR:
		snprintf(buf, n, "-");
		break;
	case GT_K_INT:
		gt_fmt_fixed(buf, n, v->v, 0);
		break;
	case GT_K_RATE:
		gt_fmt_rate(buf, n, v->v);
		break;
	case GT_K_COUNT:
		/* sums of hostile counters can pass 2^64 */
		gt_fmt_count(buf, n, !(v->v > 0) ? 0 : v->v >= 0x1p64 ?
			     UINT64_MAX : (uint64_t)v->v);
		break;
	case GT_K_NS:
		gt_fmt_duration_ns(buf, n, v->v);
		break;
	case GT_K_SEC:
		gt_fmt_fixed(buf, n, v->v, d->decimals < 3 ? d->decimals : 3);
		break;
	case GT_K_PCT: {
		int w = gt_fmt_fixed(buf, n, v->v, d->decimals);

		if (w > d->width)	/* e.g. 12345.6 in 6 columns */
			gt_fmt_fixed(buf, n, v->v, 0);
		break;
	}
	}
	return buf;
}

const char *gt_field_machine(const struct gt_row *r, enum gt_field f,
			     char *buf, size_t n)
{
	const struct gt_val *v = &r->val[f];

	if (!v->ok)
		return NULL;
	switch (gt_fields[f].kind) {
	case GT_K_STR:
		return v->s;
	case GT_K_BAR:
	case GT_K_SPARK:
		return NULL;	/* pictures: not for machines */
	case GT_K_INT:
	case GT_K_COUNT:
	case GT_K_NS:
		if (!isfinite(v->v))
			return NULL;
		gt_fmt_fixed(buf, n, v->v, 0);
		break;
	case GT_K_SEC:
		if (!isfinite(v->v))
			return NULL;
		gt_fmt_fixed(buf, n, v->v, gt_fields[f].decimals);
		break;
	default:
		if (!isfinite(v->v))
			return NULL;
		gt_fmt_fixed(buf, n, v->v, 2);
		break;
	}
	return buf;
}

int gt_row_compare(const struct gt_row *a, const struct gt_row *b,
		   enum gt_field key, int dir)
{
	const struct gt_val *va = &a->val[key], *vb = &b->val[key];
	int c;

	if (va->ok != vb->ok)
		return va->ok ? -1 : 1;	/* unknown figures sort last */
	if (va->ok) {
		c = gt_fields[key].compare(va, vb);
		if (c)
			return dir < 0 ? -c : c;
	}
	c = gt_cmp_num(&a->val[GT_F_PID], &b->val[GT_F_PID]);
	if (c)
		return c;
	c = gt_cmp_num(&a->val[GT_F_INDEX], &b->val[GT_F_INDEX]);
	if (c)
		return c;
	c = gt_cmp_num(&a->val[GT_F_TID], &b->val[GT_F_TID]);
	if (c)
		return c;
	return gt_cmp_str(&a->val[GT_F_REASON], &b->val[GT_F_REASON]);
}
