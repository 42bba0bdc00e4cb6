/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fields.h - THE field table.  Every figure gtop shows or exports is an
 * enum gt_field; its entry in gt_fields[] gives the JSON/CSV key, the
 * column title and width, how to format it, how to compare it, the
 * default sort order and the Prometheus metric.  Columns, sorting and
 * every output format are driven from here.
 */
#ifndef GTOP_FIELDS_H
#define GTOP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

enum gt_field {
	/* identity */
	GT_F_PID,
	GT_F_INDEX,		/* vCPU index */
	GT_F_TID,
	GT_F_NAME,		/* VM name; thread name for vCPU rows */
	GT_F_VCPUS,
	GT_F_LAST_CPU,		/* host CPU the vCPU thread last ran on */
	GT_F_CPU_ID,		/* host CPU number for CPU rows */
	/* time split, % of one CPU for VMs/vCPUs, % of the CPU for CPUs */
	GT_F_CPU,
	GT_F_HOST_USER,
	GT_F_HOST_SYSTEM,
	GT_F_GUEST,
	GT_F_GUEST_USER,
	GT_F_GUEST_SYSTEM,
	GT_F_HOST,
	GT_F_STEAL,
	GT_F_IDLE,
	/* exits (debugfs exit_timing) */
	GT_F_EXIT_TIME,
	GT_F_EXITS,
	GT_F_TOP_EXIT,
	/* one exit reason of a VM (detail view, JSON exit_reasons) */
	GT_F_REASON,
	GT_F_COUNT,
	GT_F_MIN_NS,
	GT_F_MAX_NS,
	GT_F_AVG_NS,
	GT_F_STDDEV_NS,
	GT_F_TOTAL_NS,
	GT_F_TIME_PCT,		/* share of the VM's exit handling time */
	GT_F_USER_EXITS,
	/* counters since the process (CPU: boot) started, in seconds and
	 * counts: what the Prometheus output exports */
	GT_F_CPU_SEC,
	GT_F_GUEST_SEC,
	GT_F_GUEST_USER_SEC,
	GT_F_GUEST_SYSTEM_SEC,
	GT_F_EXIT_COUNT,
	GT_F_EXIT_SEC,
	GT_F_HALTED_SEC,
	/* (new fields go last: CSV columns keep their places) */
	/* wall time decomposition: % of the wall time of a vCPU, of a VM's
	 * vCPUs together; the parts and REST add up to 100 */
	GT_F_WALL_BAR,		/* the stacked bar (screen, text) */
	GT_F_W_GUEST,
	GT_F_W_GUEST_USER,
	GT_F_W_GUEST_SYSTEM,
	GT_F_W_KERNEL,
	GT_F_W_VMM,
	GT_F_W_HALTED,
	GT_F_W_WAIT,
	GT_F_W_REST,
	GT_F_SOURCES,		/* where the row's figures come from */
	/* stock kernel: KVM's per-VM debugfs statistics, schedstat */
	GT_F_KVM_EXITS,
	GT_F_HALT_EXITS,
	GT_F_WAIT_SEC,
	GT_F_SYSTEM_SEC,
	GT_F_KVM_EXIT_COUNT,
	GT_F_KVM_HALTED_SEC,
	/* identity */
	GT_F_UUID,
	GT_F_CGROUP,
	/* sparklines of the last refreshes (hist.c; screen and text) */
	GT_F_HIST_CPU,
	GT_F_HIST_USER,
	GT_NFIELDS
};

enum gt_kind {
	GT_K_INT,		/* integer identity: pid, tid, index */
	GT_K_STR,
	GT_K_PCT,		/* percentage */
	GT_K_RATE,		/* per second */
	GT_K_COUNT,		/* large counter */
	GT_K_NS,		/* duration in nanoseconds */
	GT_K_SEC,		/* cumulative seconds (decimals: precision) */
	GT_K_BAR,		/* drawn from other fields; no value of its own */
	GT_K_SPARK,		/* a sparkline: a string of levels '0'-'7', ' '
				 * for a refresh without the figure (hist.h) */
};

/* Pictures of other figures: the screen and text draw them, the
 * machine formats (JSON, CSV, Prometheus) leave them out. */
#define GT_K_PICTURE(k) ((k) == GT_K_BAR || (k) == GT_K_SPARK)

/* Prometheus metric type of a field (GT_PROM_NONE: not exported). */
enum gt_prom_type { GT_PROM_NONE, GT_PROM_GAUGE, GT_PROM_COUNTER };

enum gt_scope {
	GT_S_VM = 1,
	GT_S_VCPU = 2,
	GT_S_CPU = 4,
	GT_S_EXIT = 8,		/* exit reason rows */
};

/*
 * One figure: .ok false means "cannot be known" (shown "-", JSON null).
 * A number, or for GT_K_STR fields a string (16 bytes a figure: a view
 * of 500 VMs x 4 vCPUs holds 2500 rows of every field).
 */
struct gt_val {
	union {
		double v;
		const char *s;	/* GT_K_STR */
	};
	bool ok;
};

enum gt_row_kind { GT_ROW_VM, GT_ROW_VCPU, GT_ROW_CPU, GT_ROW_EXIT };

struct gt_row {
	enum gt_row_kind kind;
	struct gt_val val[GT_NFIELDS];
};

struct gt_row;
typedef int (*gt_cmp_fn)(const struct gt_val *a, const struct gt_val *b);

struct gt_field_def {
	const char *name;	/* JSON / CSV key, --sort name */
	const char *alias;	/* also accepted by --sort */
	const char *title;	/* column header */
	int width;		/* column width (NAME: minimum) */
	int priority;		/* layout: lower is dropped first */
	enum gt_kind kind;
	int decimals;		/* text format of numbers */
	unsigned scope;		/* enum gt_scope bits */
	int order;		/* default sort: -1 descending, +1 ascending */
	gt_cmp_fn compare;	/* ascending comparison of two valid values */
	/* Prometheus: gtop_<vm|vcpu|cpu>_<prom> for rows of the scopes in
	 * prom_scope (0: all of scope); exit reason rows are gtop_vm_<prom>
	 * with a reason label.  Counters end in _total. */
	const char *prom;	/* metric name suffix, NULL: not exported */
	enum gt_prom_type prom_type;
	unsigned prom_scope;
	double prom_scale;	/* value * scale is exported (ns -> s) */
	const char *help;	/* one line, for --help and # HELP */
};

extern const struct gt_field_def gt_fields[GT_NFIELDS];

/* Columns of the VM table and of the exit detail, in display order. */
extern const enum gt_field gt_vm_columns[];
extern const size_t gt_vm_ncolumns;
extern const enum gt_field gt_exit_columns[];
extern const size_t gt_exit_ncolumns;

int gt_cmp_num(const struct gt_val *a, const struct gt_val *b);
int gt_cmp_str(const struct gt_val *a, const struct gt_val *b);
/* Sparklines by their newest level. */
int gt_cmp_spark(const struct gt_val *a, const struct gt_val *b);

/* Field of the given scope by JSON name, alias or title
 * (case-insensitive); -1 if none. */
int gt_field_lookup(const char *name, unsigned scope);

/*
 * Format a figure for humans into buf: fixed decimals, "-" when not
 * valid.  Rates get k/M suffixes.  Returns buf.
 */
char *gt_field_text(const struct gt_row *r, enum gt_field f, char *buf,
		    size_t n);

/*
 * Format for machines: plain number with enough precision, or NULL when
 * not valid (caller prints null / empty).  Strings are returned as is.
 */
const char *gt_field_machine(const struct gt_row *r, enum gt_field f,
			     char *buf, size_t n);

/* Row comparison for ranking: invalid values last, then dir * compare,
 * then pid, index ascending. */
int gt_row_compare(const struct gt_row *a, const struct gt_row *b,
		   enum gt_field key, int dir);

static inline void gt_set(struct gt_row *r, enum gt_field f, double v)
{
	r->val[f].v = v;
	r->val[f].ok = true;
}

static inline void gt_set_str(struct gt_row *r, enum gt_field f,
			      const char *s)
{
	r->val[f].s = s;
	r->val[f].ok = s != NULL;
}

#endif
