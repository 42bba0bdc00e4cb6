// SPDX-License-Identifier: GPL-2.0
/* parse.c - pure parsers, see parse.h.  Fuzzed by fuzz/fuzz_*.c. */
#define _GNU_SOURCE
#include "parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A cursor over a buffer that need not be NUL-terminated. */
struct cur {
	const char *p, *end;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void skip_blanks(struct cur *c)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
}

/* Next blank-separated token on the current line; false at end of line. */
static bool token(struct cur *c, const char **tok, size_t *len)
{
	skip_blanks(c);
	if (c->p >= c->end || *c->p == '\n')
		return false;
	*tok = c->p;
	while (c->p < c->end && !is_blank(*c->p) && *c->p != '\n')
		c->p++;
	*len = (size_t)(c->p - *tok);
	return true;
}

/* Advance past the end of the current line. */
static void next_line(struct cur *c)
{
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));

	c->p = nl ? nl + 1 : c->end;
}

static bool tok_u64(const char *t, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
		unsigned d = (unsigned)(t[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool tok_i64(const char *t, size_t n, int64_t *out)
{
	uint64_t v;
	bool neg = n > 0 && t[0] == '-';

	if (!tok_u64(t + neg, n - neg, &v) || v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static bool tok_eq(const char *t, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(t, s, n) == 0;
}

/* ------------------------------------------------------------ /proc/stat */

int gt_parse_proc_stat(const char *buf, size_t len, struct gt_cpu_raw *total,
		       struct gt_cpu_raw *cpus, int max)
{
	struct cur c = { buf, buf + len };
	bool have_total = false;
	int n = 0;

	while (c.p < c.end) {
		const char *t;
		size_t tl;
		struct gt_cpu_raw row = { .id = -1 };

		if (!token(&c, &t, &tl) || tl < 3 || memcmp(t, "cpu", 3)) {
			next_line(&c);
			continue;
		}
		if (tl > 3) {
			uint64_t id;

			if (!tok_u64(t + 3, tl - 3, &id) || id > 1u << 20) {
				next_line(&c);	/* not a cpu line */
				continue;
			}
			row.id = (int)id;
		}
		while (token(&c, &t, &tl)) {
			uint64_t v;

			if (!tok_u64(t, tl, &v))
				return -1;
			if (row.ncols < GT_CPU_NCOLS)
				row.v[row.ncols] = v;
			row.ncols++;
		}
		if (row.ncols < 4)
			return -1;
		if (row.ncols > GT_CPU_NCOLS)
			row.ncols = GT_CPU_NCOLS;
		if (row.id < 0) {
			if (!have_total)
				*total = row;
			have_total = true;
		} else {
			if (n < max)
				cpus[n] = row;
			n++;
		}
		next_line(&c);
	}
	return have_total ? n : -1;
}

/* ----------------------------------------------------- /proc/<pid>/stat */

int gt_parse_pid_stat(const char *buf, size_t len, struct gt_pidstat *out)
{
	const char *open = memchr(buf, '(', len);
	const char *close = memrchr(buf, ')', len);
	int64_t pid;

	memset(out, 0, sizeof(*out));
	out->processor = -1;
	if (!open || !close || close < open || open - buf < 2 ||
	    open[-1] != ' ')
		return -1;
	if (!tok_i64(buf, (size_t)(open - 1 - buf), &pid) || pid <= 0 ||
	    pid > 0x7fffffff)
		return -1;
	out->pid = (int)pid;
	gt_sanitize(out->comm, sizeof(out->comm), open + 1,
		    (size_t)(close - open - 1));

	/* fields after ')' are blank separated numbers on one line; one
	 * pass that scans, validates and converts (this runs for every
	 * vCPU at every refresh) */
	const char *p = close + 1, *e = buf + len;
	int field = 3;

	if (p + 2 >= e || *p != ' ')
		return -1;
	p++;
	while (p < e && is_blank(*p))
		p++;
	if (p >= e || *p < 'A' || *p > 'z' || (p + 1 < e && !is_blank(p[1])))
		return -1;
	out->state = *p++;
	field = 4;
	for (;;) {
		bool neg = false;
		uint64_t u = 0;
		const char *d;

		while (p < e && is_blank(*p))
			p++;
		if (p >= e || *p == '\n')
			break;
		if (*p == '-') {
			neg = true;
			p++;
		}
		d = p;
		while (p < e && (unsigned char)(*p - '0') < 10)
			u = u * 10 + (unsigned)(*p++ - '0');
		if (p == d || (p < e && !is_blank(*p) && *p != '\n'))
			return -1;	/* not a number */
		if (p - d > 19 && !tok_u64(d, (size_t)(p - d), &u))
			return -1;	/* overflow (u wrapped) */
		if (neg && u > (uint64_t)INT64_MAX)
			return -1;
		/* negative values of counters read as 0 */
		uint64_t v = neg ? 0 : u;

		switch (field) {
		case 4:
			out->ppid = neg || u > 0x7fffffff ? 0 : (int)u;
			break;
		case 14:
			out->t.utime = v;
			break;
		case 15:
			out->t.stime = v;
			break;
		case 20:
			out->nlwp = neg || u > 0x7fffffff ? 0 : (long)u;
			break;
		case 22:
			out->starttime = v;
			break;
		case 39:
			out->processor = neg || u > 1 << 20 ? -1 : (int)u;
			break;
		case 43:
			out->t.guest = v;
			out->t.has_guest = true;
			break;
		case 53:
			out->t.guest_user = v;
			break;
		case 54:
			out->t.guest_system = v;
			out->t.has_split = true;
			break;
		}
		field++;
	}
	/* anything after the line (there should be nothing) is garbage */
	if (p < e && *p == '\n')
		p++;
	while (p < e && is_blank(*p))
		p++;
	if (p != e)
		return -1;
	return field > 22 ? 0 : -1;
}

/* ------------------------------------------------- debugfs exit_timing */

enum xcol { XC_REASON, XC_COUNT, XC_MIN, XC_MAX, XC_TOTAL, XC_AVG,
	    XC_STDDEV, XC_USER, XC_N };

static const char *const xcol_name[XC_N] = {
	[XC_REASON] = "reason", [XC_COUNT] = "count", [XC_MIN] = "min_ns",
	[XC_MAX] = "max_ns", [XC_TOTAL] = "total_ns", [XC_AVG] = "avg_ns",
	[XC_STDDEV] = "stddev_ns", [XC_USER] = "user_exits",
};

#define XT_MAX_COLS 64

int gt_parse_exit_timing(const char *buf, size_t len, struct gt_xrow *rows,
			 int max, bool *truncated)
{
	struct cur c = { buf, buf + len };
	int col_of[XC_N];
	int ncols = 0, n = 0;
	const char *t;
	size_t tl;

	*truncated = false;
	for (int i = 0; i < XC_N; i++)
		col_of[i] = -1;
	/* header: first non-blank line; nothing at all is an empty table */
	for (;;) {
		if (c.p >= c.end)
			return 0;
		if (token(&c, &t, &tl))
			break;
		next_line(&c);
	}
	do {
		if (ncols >= XT_MAX_COLS)
			return -1;
		for (int i = 0; i < XC_N; i++)
			if (tok_eq(t, tl, xcol_name[i]) && col_of[i] < 0)
				col_of[i] = ncols;
		ncols++;
	} while (token(&c, &t, &tl));
	next_line(&c);
	for (int i = 0; i <= XC_TOTAL; i++)
		if (col_of[i] < 0)
			return -1;

	while (c.p < c.end) {
		struct gt_xrow r;
		int col = 0, seen = 0;

		memset(&r, 0, sizeof(r));
		while (token(&c, &t, &tl)) {
			uint64_t v = 0;
			int which = -1;

			for (int i = 0; i < XC_N; i++)
				if (col_of[i] == col)
					which = i;
			col++;
			if (which < 0)
				continue;	/* unknown column */
			seen |= 1 << which;
			if (which == XC_REASON) {
				/* kvm_exit names: printable ASCII, no spaces */
				for (size_t k = 0; k < tl; k++)
					if (t[k] < 0x21 || t[k] > 0x7e)
						return -1;
				if (tl >= GT_REASON_MAX)
					tl = GT_REASON_MAX - 1;
				memcpy(r.reason, t, tl);
				r.reason[tl] = '\0';
				continue;
			}
			if (!tok_u64(t, tl, &v))
				return -1;
			switch (which) {
			case XC_COUNT: r.count = v; break;
			case XC_MIN: r.min_ns = v; break;
			case XC_MAX: r.max_ns = v; break;
			case XC_TOTAL: r.total_ns = v; break;
			case XC_AVG: r.avg_ns = v; r.has_avg = true; break;
			case XC_STDDEV:
				r.stddev_ns = v;
				r.has_stddev = true;
				break;
			case XC_USER:
				r.user_exits = v;
				r.has_user = true;
				break;
			}
		}
		next_line(&c);
		if (col == 0)
			continue;	/* blank line */
		if ((seen & 0x1f) != 0x1f)
			return -1;	/* a required column is missing */
		if (n < max)
			rows[n++] = r;
		else
			*truncated = true;
	}
	return n;
}

/* ---------------------------------------------------------- small files */

static int parse_doubles(const char *buf, size_t len, double *out, int n)
{
	struct cur c = { buf, buf + len };
	const char *t;
	size_t tl;
	char tmp[64];

	for (int i = 0; i < n; i++) {
		if (!token(&c, &t, &tl) || tl >= sizeof(tmp))
			return -1;
		memcpy(tmp, t, tl);
		tmp[tl] = '\0';
		for (size_t k = 0; k < tl; k++)
			if (!(tmp[k] == '.' || (tmp[k] >= '0' && tmp[k] <= '9')))
				return -1;
		if (!gt_parse_double(tmp, 0, 1e15, &out[i]))
			return -1;
	}
	return 0;
}

int gt_parse_uptime(const char *buf, size_t len, double *uptime)
{
	return parse_doubles(buf, len, uptime, 1);
}

int gt_parse_loadavg(const char *buf, size_t len, double load[3])
{
	return parse_doubles(buf, len, load, 3);
}

int gt_parse_sysctl_int(const char *buf, size_t len, long *val)
{
	struct cur c = { buf, buf + len };
	const char *t;
	size_t tl;
	int64_t v;

	if (!token(&c, &t, &tl) || !tok_i64(t, tl, &v))
		return -1;
	if (token(&c, &t, &tl))
		return -1;	/* more than one value */
	next_line(&c);
	skip_blanks(&c);
	if (c.p != c.end)
		return -1;
	*val = (long)v;
	return 0;
}

/*
 * The numbers of a one-line file: exactly n unsigned decimals, blank
 * separated, an optional newline, nothing else.
 */
static int parse_u64s(const char *buf, size_t len, uint64_t *out, int n)
{
	struct cur c = { buf, buf + len };
	const char *t;
	size_t tl;

	for (int i = 0; i < n; i++)
		if (!token(&c, &t, &tl) || !tok_u64(t, tl, &out[i]))
			return -1;
	if (token(&c, &t, &tl))
		return -1;
	next_line(&c);
	skip_blanks(&c);
	return c.p == c.end ? 0 : -1;
}

int gt_parse_schedstat(const char *buf, size_t len, uint64_t *run_ns,
		       uint64_t *wait_ns)
{
	uint64_t v[3];

	if (parse_u64s(buf, len, v, 3))
		return -1;
	*run_ns = v[0];
	*wait_ns = v[1];
	return 0;
}

int gt_parse_u64_file(const char *buf, size_t len, uint64_t *val)
{
	return parse_u64s(buf, len, val, 1);
}

int gt_parse_cgroup2(const char *buf, size_t len, char *out, size_t outsz)
{
	struct cur c = { buf, buf + len };

	if (!outsz)
		return -1;
	out[0] = '\0';
	while (c.p < c.end) {
		const char *nl = memchr(c.p, '\n', (size_t)(c.end - c.p));
		const char *e = nl ? nl : c.end;

		/* v2: hierarchy 0, no controllers: "0::/path" */
		if (e - c.p >= 4 && !memcmp(c.p, "0::/", 4)) {
			gt_sanitize(out, outsz, c.p + 3, (size_t)(e - c.p - 3));
			return 0;
		}
		c.p = nl ? nl + 1 : c.end;
	}
	return -1;
}

/* ---------------------------------------------------------- VM identity */

/* QEMU -name value: "guest=X,..." or "X,..." with ",," as a comma. */
static int qemu_name(const char *v, size_t n, char *out, size_t outsz)
{
	char tmp[256];
	size_t i = 0;

	while (i < n) {
		size_t o = 0;
		bool first = i == 0;

		/* one comma-separated element, unescaping ",," */
		while (i < n) {
			if (v[i] == ',') {
				if (i + 1 < n && v[i + 1] == ',') {
					if (o + 1 < sizeof(tmp))
						tmp[o++] = ',';
					i += 2;
					continue;
				}
				i++;
				break;
			}
			if (o + 1 < sizeof(tmp))
				tmp[o++] = v[i];
			i++;
		}
		tmp[o] = '\0';
		if (o > 6 && !memcmp(tmp, "guest=", 6)) {
			gt_sanitize(out, outsz, tmp + 6, o - 6);
			return 1;
		}
		if (first && o && !strchr(tmp, '=')) {
			gt_sanitize(out, outsz, tmp, o);
			return 1;
		}
	}
	return 0;
}

int gt_vm_name_from_cgroup(const char *path, char *out, size_t outsz)
{
	const char *c = path, *best = NULL;
	size_t best_len = 0;
	char tmp[256];
	size_t n = 0;

	if (outsz)
		out[0] = '\0';
	/* the last "machine-*.scope" component */
	while (*c) {
		const char *e = strchr(c, '/');
		size_t l = e ? (size_t)(e - c) : strlen(c);

		if (l > 14 && !memcmp(c, "machine-", 8) &&
		    !memcmp(c + l - 6, ".scope", 6)) {
			best = c + 8;
			best_len = l - 14;
		}
		c += l;
		while (*c == '/')
			c++;
	}
	if (!best)
		return 0;
	/* systemd unit name escapes: \xNN */
	for (size_t i = 0; i < best_len && n + 1 < sizeof(tmp); i++) {
		unsigned hi, lo;

		if (best[i] == '\\' && i + 3 < best_len && best[i + 1] == 'x' &&
		    isxdigit((unsigned char)best[i + 2]) &&
		    isxdigit((unsigned char)best[i + 3])) {
			hi = (unsigned)(isdigit((unsigned char)best[i + 2]) ?
				best[i + 2] - '0' : (tolower(best[i + 2]) - 'a' + 10));
			lo = (unsigned)(isdigit((unsigned char)best[i + 3]) ?
				best[i + 3] - '0' : (tolower(best[i + 3]) - 'a' + 10));
			tmp[n++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			tmp[n++] = best[i];
		}
	}
	tmp[n] = '\0';
	/* libvirt: DRIVER-ID-NAME (qemu-1-web, lxc-3-db, ch-2-vm) */
	char *d = strchr(tmp, '-');

	if (!d || !isdigit((unsigned char)d[1]))
		return 0;
	d++;
	while (isdigit((unsigned char)*d))
		d++;
	if (*d != '-' || !d[1])
		return 0;
	d++;
	gt_sanitize(out, outsz, d, strlen(d));
	return out[0] != '\0';
}

/*
 * The next of @opts in the NUL-separated arguments buf[*pos, len), as
 * "OPT VALUE" or "OPT=VALUE": its index in @opts, with *v and *vl set to
 * the value; -1 when there is none.  *pos moves past the option.
 */
static int next_option(const char *buf, size_t len, size_t *pos,
		       const char *const *opts, size_t nopts,
		       const char **v, size_t *vl)
{
	while (*pos < len) {
		const char *a = buf + *pos;
		size_t al = strnlen(a, len - *pos);
		size_t next = *pos + al + 1;

		*pos = next;
		for (size_t k = 0; k < nopts; k++) {
			size_t ol = strlen(opts[k]);

			if (al == ol && !memcmp(a, opts[k], ol)) {
				if (next >= len)
					return -1;
				*v = buf + next;
				*vl = strnlen(*v, len - next);
				return (int)k;
			}
			if (al > ol + 1 && !memcmp(a, opts[k], ol) &&
			    a[ol] == '=') {
				*v = a + ol + 1;
				*vl = al - ol - 1;
				return (int)k;
			}
		}
	}
	return -1;
}

int gt_vm_name_from_cmdline(const char *buf, size_t len, char *out,
			    size_t outsz)
{
	static const char *const opts[] = { "-name", "--name", "--id" };
	size_t pos = 0, vl;
	const char *v;

	if (outsz)
		out[0] = '\0';
	while (next_option(buf, len, &pos, opts, GT_ARRAY_SIZE(opts),
			   &v, &vl) >= 0)
		if (vl)
			return qemu_name(v, vl, out, outsz);
	return 0;
}

/* The canonical UUID at v (vl bytes, ends at ',' or the end). */
static int uuid_at(const char *v, size_t vl, char *out, size_t outsz)
{
	if (vl < 36 || (vl > 36 && v[36] != ',') || outsz < 37)
		return 0;
	for (int i = 0; i < 36; i++) {
		char c = v[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? c != '-' : !isxdigit((unsigned char)c))
			return 0;
		out[i] = (char)tolower((unsigned char)c);
	}
	out[36] = '\0';
	return 1;
}

int gt_vm_uuid_from_cmdline(const char *buf, size_t len, char *out,
			    size_t outsz)
{
	static const char *const opts[] = { "-uuid", "--uuid", "--platform" };
	size_t pos = 0, vl;
	const char *v;
	int k;

	if (outsz)
		out[0] = '\0';
	k = next_option(buf, len, &pos, opts, GT_ARRAY_SIZE(opts), &v, &vl);
	if (k < 0)
		return 0;
	if (k < 2)
		return uuid_at(v, vl, out, outsz);
	/* --platform key=value,...,uuid=X,... */
	for (size_t o = 0; o + 5 <= vl; o++)
		if ((o == 0 || v[o - 1] == ',') && !memcmp(v + o, "uuid=", 5))
			return uuid_at(v + o + 5, vl - o - 5, out, outsz);
	return 0;
}

/* Match prefix + decimal (+ suffix) exactly. */
static int match_index(const char *s, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix);
	int v = 0, digits = 0;

	if (strncmp(s, prefix, pl))
		return -1;
	s += pl;
	while (*s >= '0' && *s <= '9') {
		if (++digits > 5)
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	if (!digits || strcmp(s, suffix))
		return -1;
	return v;
}

int gt_vcpu_index_from_comm(const char *comm)
{
	static const char *const pat[][2] = {
		{ "CPU ", "/KVM" }, { "fc_vcpu ", "" }, { "vcpu", "" },
		{ "crosvm_vcpu", "" }, { "kvm-vcpu-", "" },
	};

	for (size_t i = 0; i < GT_ARRAY_SIZE(pat); i++) {
		int v = match_index(comm, pat[i][0], pat[i][1]);

		if (v >= 0)
			return v;
	}
	return -1;
}

int gt_parse_kvm_dirname(const char *name, int *pid)
{
	const char *dash = strchr(name, '-');
	char tmp[16];
	long p, fd;

	if (!dash || dash == name || (size_t)(dash - name) >= sizeof(tmp))
		return -1;
	memcpy(tmp, name, (size_t)(dash - name));
	tmp[dash - name] = '\0';
	if (!gt_parse_int(tmp, 1, 0x7fffffff, &p) ||
	    !gt_parse_int(dash + 1, 0, 0x7fffffff, &fd))
		return -1;
	if (tmp[0] == '+' || tmp[0] == '-' || dash[1] == '+' || dash[1] == '-')
		return -1;
	*pid = (int)p;
	return 0;
}

int gt_parse_vcpu_dirname(const char *name)
{
	return match_index(name, "vcpu", "");
}

bool gt_is_kvm_fd_link(const char *t)
{
	return !strcmp(t, "anon_inode:kvm-vm") ||
	       !strncmp(t, "anon_inode:kvm-vcpu:", 20);
}
