// SPDX-License-Identifier: GPL-2.0
/* unit_parse.c - parsers and util helpers. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "parse.h"
#include "util.h"

#define LEN(s) (sizeof(s) - 1)

static void proc_stat(void)
{
	static const char s12[] =
		"cpu  100 1 50 1000 5 0 3 2 40 1 30 11\n"
		"cpu0 60 1 30 500 5 0 3 2 40 1 30 11\n"
		"cpu1 40 0 20 500 0 0 0 0 0 0 0 0\n"
		"intr 1 2 3\nctxt 5\nbtime 1\n";
	struct gt_cpu_raw t, c[4];

	CHECK_INT(gt_parse_proc_stat(s12, LEN(s12), &t, c, 4), 2);
	CHECK_INT(t.id, -1);
	CHECK_INT(t.ncols, 12);
	CHECK(gt_cpu_has_split(&t));
	CHECK_INT(t.v[GT_CPU_GUEST], 40);
	CHECK_INT(t.v[GT_CPU_GUEST_USER], 30);
	CHECK_INT(t.v[GT_CPU_GUEST_SYSTEM], 11);
	CHECK_INT(c[0].id, 0);
	CHECK_INT(c[1].id, 1);
	CHECK_INT(c[1].v[GT_CPU_IDLE], 500);

	/* stock kernel: 10 columns, no split */
	static const char s10[] = "cpu 1 2 3 4 5 6 7 8 9 10\ncpu3 1 2 3 4 5 6 7 8 9 10\n";
	CHECK_INT(gt_parse_proc_stat(s10, LEN(s10), &t, c, 4), 1);
	CHECK_INT(t.ncols, 10);
	CHECK(!gt_cpu_has_split(&t));
	CHECK_INT(c[0].id, 3);	/* sparse CPU numbers kept */

	/* future columns are ignored, not an error */
	static const char s14[] = "cpu 1 2 3 4 5 6 7 8 9 10 11 12 13 14\n";
	CHECK_INT(gt_parse_proc_stat(s14, LEN(s14), &t, c, 4), 0);
	CHECK_INT(t.ncols, 12);
	CHECK_INT(t.v[GT_CPU_GUEST_SYSTEM], 12);

	/* more CPUs than room: count returned, nothing overrun */
	static const char many[] = "cpu 1 1 1 1\ncpu0 1 1 1 1\ncpu1 1 1 1 1\ncpu2 1 1 1 1\n";
	CHECK_INT(gt_parse_proc_stat(many, LEN(many), &t, c, 1), 3);
	CHECK_INT(gt_parse_proc_stat(many, LEN(many), &t, NULL, 0), 3);

	/* garbage */
	CHECK_INT(gt_parse_proc_stat("", 0, &t, c, 4), -1);
	CHECK_INT(gt_parse_proc_stat("intr 1\n", 7, &t, c, 4), -1);
	CHECK_INT(gt_parse_proc_stat("cpu 1 x 3 4\n", 12, &t, c, 4), -1);
	CHECK_INT(gt_parse_proc_stat("cpu 1 2\n", 8, &t, c, 4), -1);
	CHECK_INT(gt_parse_proc_stat("cpu 1 -2 3 4\n", 13, &t, c, 4), -1);
	static const char ovf[] = "cpu 99999999999999999999999 1 1 1\n";
	CHECK_INT(gt_parse_proc_stat(ovf, LEN(ovf), &t, c, 4), -1);
	/* not NUL-terminated: the parser must stop at len */
	char nt[] = { 'c', 'p', 'u', ' ', '1', ' ', '2', ' ', '3', ' ', '4' };
	CHECK_INT(gt_parse_proc_stat(nt, sizeof(nt), &t, c, 4), 0);
	CHECK_INT(t.v[GT_CPU_IDLE], 4);
}

/* A /proc/<pid>/stat line with chosen comm and fields 14,15,20,22,39,43,53,54. */
static int mkstat(char *buf, size_t n, int pid, const char *comm, int split)
{
	return snprintf(buf, n,
		"%d (%s) R 1 %d %d 0 -1 4194560 10 0 0 0 %d %d 0 0 -21 0 %d 0 %d "
		"123 300 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 %d 0 0 0 %d 0 0 0 0 0 0 0 0 -9%s",
		pid, comm, pid, pid, 111, 22, 5, 7777, 3, 99,
		split ? " 70 29\n" : "\n");
}

static void pid_stat(void)
{
	struct gt_pidstat ps;
	char b[1024];
	int n;

	n = mkstat(b, sizeof(b), 42, "qemu-system-x86", 1);
	CHECK_INT(gt_parse_pid_stat(b, (size_t)n, &ps), 0);
	CHECK_INT(ps.pid, 42);
	CHECK_STR(ps.comm, "qemu-system-x86");
	CHECK_INT(ps.state, 'R');
	CHECK_INT(ps.t.utime, 111);
	CHECK_INT(ps.t.stime, 22);
	CHECK_INT(ps.nlwp, 5);
	CHECK_INT(ps.starttime, 7777);
	CHECK_INT(ps.processor, 3);
	CHECK(ps.t.has_guest);
	CHECK_INT(ps.t.guest, 99);
	CHECK(ps.t.has_split);
	CHECK_INT(ps.t.guest_user, 70);
	CHECK_INT(ps.t.guest_system, 29);

	/* old kernel: 52 fields */
	n = mkstat(b, sizeof(b), 42, "x", 0);
	CHECK_INT(gt_parse_pid_stat(b, (size_t)n, &ps), 0);
	CHECK(ps.t.has_guest && !ps.t.has_split);

	/* hostile comm names: spaces, parentheses, newline, fake fields */
	static const char *const hostile[] = {
		"a) (b", ")", "((", "x) R 1 2 3 4 5 6 7 8 9 10 11 12 (y",
		"new\nline", "tab\there", "", " ", "))))))))))))))))",
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		n = mkstat(b, sizeof(b), 7, hostile[i], 1);
		CHECK_INT(gt_parse_pid_stat(b, (size_t)n, &ps), 0);
		CHECK_INT(ps.t.utime, 111);
		CHECK_INT(ps.t.guest_system, 29);
		CHECK(!strchr(ps.comm, '\n') && !strchr(ps.comm, '\t'));
	}
	n = mkstat(b, sizeof(b), 7, "a) (b", 1);
	gt_parse_pid_stat(b, (size_t)n, &ps);
	CHECK_STR(ps.comm, "a) (b");
	n = mkstat(b, sizeof(b), 7, "new\nline", 1);
	gt_parse_pid_stat(b, (size_t)n, &ps);
	CHECK_STR(ps.comm, "new?line");

	/* garbage */
	CHECK_INT(gt_parse_pid_stat("", 0, &ps), -1);
	CHECK_INT(gt_parse_pid_stat("42 (x R 1 2", 11, &ps), -1);	/* no ) */
	CHECK_INT(gt_parse_pid_stat("42 (x) R 1 2 3\n", 15, &ps), -1);	/* short */
	CHECK_INT(gt_parse_pid_stat("x (y) R 1\n", 10, &ps), -1);	/* pid */
	n = mkstat(b, sizeof(b), 42, "x", 1);
	b[n - 3] = 'z';		/* a letter in field 54 */
	CHECK_INT(gt_parse_pid_stat(b, (size_t)n, &ps), -1);
	n = mkstat(b, sizeof(b), 42, "x", 1);
	memcpy(b + n, "junk\n", 6);	/* a second line */
	CHECK_INT(gt_parse_pid_stat(b, (size_t)n + 5, &ps), -1);
	n = mkstat(b, sizeof(b), 42, "x", 1);
	CHECK_INT(gt_parse_pid_stat(b, 30, &ps), -1);	/* truncated read */
}

static void exit_timing(void)
{
	static const char spec[] =
		"reason                    count       min_ns       max_ns       total_ns     avg_ns  stddev_ns  user_exits\n"
		"cpuid                      1000          812        15000        1234567       1234        100          0\n"
		"io                          200         2000        90000        4000000      20000       5000        200\n"
		"<guest>                    1201          100      4000000     9000000000    7494000      10000          0\n"
		"<halted>                      3       100000      5000000        6000000    2000000    1000000          0\n";
	struct gt_xrow r[8];
	bool tr;

	CHECK_INT(gt_parse_exit_timing(spec, LEN(spec), r, 8, &tr), 4);
	CHECK(!tr);
	CHECK_STR(r[0].reason, "cpuid");
	CHECK_INT(r[0].count, 1000);
	CHECK_INT(r[0].min_ns, 812);
	CHECK_INT(r[0].max_ns, 15000);
	CHECK_INT(r[0].total_ns, 1234567);
	CHECK_INT(r[0].avg_ns, 1234);
	CHECK(r[0].has_stddev && r[0].stddev_ns == 100);
	CHECK(r[1].has_user && r[1].user_exits == 200);
	CHECK_STR(r[2].reason, "<guest>");
	CHECK_INT(r[2].total_ns, 9000000000ULL);
	CHECK_STR(r[3].reason, "<halted>");

	/* unknown extra columns at the end, CRLF, blank lines */
	static const char extra[] =
		"reason count min_ns max_ns total_ns avg_ns stddev_ns user_exits p99_ns hist\r\n"
		"\r\n"
		"EPT_VIOLATION 5 1 9 20 4 1 0 8 x\r\n"
		"HLT 1 1 1 1 1 0 0 1 y\n";
	CHECK_INT(gt_parse_exit_timing(extra, LEN(extra), r, 8, &tr), 2);
	CHECK_STR(r[0].reason, "EPT_VIOLATION");
	CHECK_INT(r[0].total_ns, 20);
	CHECK_STR(r[1].reason, "HLT");

	/* only the required columns, in another order */
	static const char minimal[] = "count total_ns reason max_ns min_ns\n7 70 npf 20 5\n";
	CHECK_INT(gt_parse_exit_timing(minimal, LEN(minimal), r, 8, &tr), 1);
	CHECK_STR(r[0].reason, "npf");
	CHECK_INT(r[0].count, 7);
	CHECK_INT(r[0].total_ns, 70);
	CHECK(!r[0].has_avg && !r[0].has_stddev && !r[0].has_user);

	/* empty table, empty file */
	CHECK_INT(gt_parse_exit_timing(spec, (size_t)(strchr(spec, '\n') - spec + 1),
					 r, 8, &tr), 0);	/* header only */
	CHECK_INT(gt_parse_exit_timing("", 0, r, 8, &tr), 0);
	CHECK_INT(gt_parse_exit_timing("\n\n", 2, r, 8, &tr), 0);

	/* too many rows: truncated, not an error */
	CHECK_INT(gt_parse_exit_timing(spec, LEN(spec), r, 2, &tr), 2);
	CHECK(tr);

	/* garbage */
	static const char *const bad[] = {
		"garbage\n",
		"reason count min_ns max_ns\ncpuid 1 2 3\n",	/* no total */
		"reason count min_ns max_ns total_ns\ncpuid 1 2 x 4\n",
		"reason count min_ns max_ns total_ns\ncpuid 1 2 3\n",	/* short */
		"reason count min_ns max_ns total_ns\ncpuid -1 2 3 4\n",
		"reason count min_ns max_ns total_ns\ncpuid 1 2 3 99999999999999999999999\n",
		"reason count min_ns max_ns total_ns\nbad\x01name 1 2 3 4\n",
		"1 2 3 4 5\n1 2 3 4 5\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(gt_parse_exit_timing(bad[i], strlen(bad[i]), r, 8, &tr), -1);
}

static void small_files(void)
{
	double d, l[3];
	long v;

	CHECK_INT(gt_parse_uptime("123.45 67.8\n", 12, &d), 0);
	CHECK_NEAR(d, 123.45, 1e-9);
	CHECK_INT(gt_parse_uptime("-1 2\n", 5, &d), -1);
	CHECK_INT(gt_parse_uptime("nan 2\n", 6, &d), -1);
	CHECK_INT(gt_parse_uptime("", 0, &d), -1);
	CHECK_INT(gt_parse_loadavg("0.50 1.25 3.00 2/300 999\n", 25, l), 0);
	CHECK_NEAR(l[1], 1.25, 1e-9);
	CHECK_INT(gt_parse_loadavg("0.5 1\n", 6, l), -1);
	CHECK_INT(gt_parse_sysctl_int("1\n", 2, &v), 0);
	CHECK_INT(v, 1);
	CHECK_INT(gt_parse_sysctl_int("0", 1, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(gt_parse_sysctl_int("1 2\n", 4, &v), -1);
	CHECK_INT(gt_parse_sysctl_int("x\n", 2, &v), -1);
	CHECK_INT(gt_parse_sysctl_int("", 0, &v), -1);
	CHECK_INT(gt_parse_sysctl_int("1\nx", 3, &v), -1);
}

static int name_of(const char *args, size_t len, char *out)
{
	return gt_vm_name_from_cmdline(args, len, out, 64);
}

#define NAME(lit, out) name_of(lit, LEN(lit), out)

static void identity(void)
{
	char n[64];

	CHECK_INT(NAME("qemu\0-name\0guest=web,debug-threads=on\0-m\0001\0", n), 1);
	CHECK_STR(n, "web");
	CHECK_INT(NAME("qemu\0-name\0plain\0", n), 1);
	CHECK_STR(n, "plain");
	CHECK_INT(NAME("qemu\0-name\0old,process=qemu:old\0", n), 1);
	CHECK_STR(n, "old");
	CHECK_INT(NAME("qemu\0-name\0debug-threads=on,guest=late\0", n), 1);
	CHECK_STR(n, "late");
	CHECK_INT(NAME("qemu\0-name\0guest=a,,b,debug-threads=on\0", n), 1);
	CHECK_STR(n, "a,b");
	CHECK_INT(NAME("gvmm\0--name\0vm 7\0idle\0", n), 1);
	CHECK_STR(n, "vm 7");
	CHECK_INT(NAME("gvmm\0--name=eq\0", n), 1);
	CHECK_STR(n, "eq");
	CHECK_INT(NAME("firecracker\0--id\0fc-1\0", n), 1);
	CHECK_STR(n, "fc-1");
	CHECK_INT(NAME("x\0--name\0ctl\x01" "char\0", n), 1);
	CHECK_STR(n, "ctl?char");
	/* unterminated last argument */
	CHECK_INT(name_of("a\0--name\0tail", 13, n), 1);
	CHECK_STR(n, "tail");
	CHECK_INT(NAME("qemu\0-name\0", n), 0);		/* no value */
	CHECK_INT(NAME("cloud-hypervisor\0--cpus\0boot=2\0", n), 0);
	CHECK_INT(name_of("", 0, n), 0);
	CHECK_INT(NAME("qemu\0-append\0x -name y\0", n), 0);

	CHECK_INT(gt_vcpu_index_from_comm("CPU 0/KVM"), 0);
	CHECK_INT(gt_vcpu_index_from_comm("CPU 12/KVM"), 12);
	CHECK_INT(gt_vcpu_index_from_comm("fc_vcpu 3"), 3);
	CHECK_INT(gt_vcpu_index_from_comm("vcpu7"), 7);
	CHECK_INT(gt_vcpu_index_from_comm("crosvm_vcpu2"), 2);
	CHECK_INT(gt_vcpu_index_from_comm("kvm-vcpu-5"), 5);
	CHECK_INT(gt_vcpu_index_from_comm("CPU x/KVM"), -1);
	CHECK_INT(gt_vcpu_index_from_comm("CPU 1/KVMx"), -1);
	CHECK_INT(gt_vcpu_index_from_comm("CPU /KVM"), -1);
	CHECK_INT(gt_vcpu_index_from_comm("CPU 123456/KVM"), -1);
	CHECK_INT(gt_vcpu_index_from_comm("vcpu"), -1);
	CHECK_INT(gt_vcpu_index_from_comm("java"), -1);
	CHECK_INT(gt_vcpu_index_from_comm(""), -1);

	int pid = 0;

	CHECK_INT(gt_parse_kvm_dirname("1234-11", &pid), 0);
	CHECK_INT(pid, 1234);
	CHECK_INT(gt_parse_kvm_dirname("abc", &pid), -1);
	CHECK_INT(gt_parse_kvm_dirname("12-", &pid), -1);
	CHECK_INT(gt_parse_kvm_dirname("-4", &pid), -1);
	CHECK_INT(gt_parse_kvm_dirname("1-2-3", &pid), -1);
	CHECK_INT(gt_parse_kvm_dirname("0-3", &pid), -1);
	CHECK_INT(gt_parse_vcpu_dirname("vcpu3"), 3);
	CHECK_INT(gt_parse_vcpu_dirname("vcpux"), -1);
	CHECK(gt_is_kvm_fd_link("anon_inode:kvm-vm"));
	CHECK(gt_is_kvm_fd_link("anon_inode:kvm-vcpu:3"));
	CHECK(!gt_is_kvm_fd_link("/dev/kvm"));
	CHECK(!gt_is_kvm_fd_link("anon_inode:[eventfd]"));
}

void test_parse(void)
{
	proc_stat();
	pid_stat();
	exit_timing();
	small_files();
	identity();
}

void test_util(void)
{
	char b[64];
	struct gt_buf jb = { 0 };
	uint64_t u;
	long l;
	double d;

	CHECK_INT(gt_delta(10, 3), 7);
	CHECK_INT(gt_delta(3, 10), 0);	/* backwards: clamped */
	CHECK_INT(gt_delta(0, UINT64_MAX), 0);

	CHECK_INT(gt_sanitize(b, sizeof(b), "a\nb\x7f" "c", 5), 5);
	CHECK_STR(b, "a?b?c");
	gt_sanitize(b, sizeof(b), "\xff\xc3\xa9", 3);	/* bad byte, then é */
	CHECK_STR(b, "?\xc3\xa9");
	gt_sanitize(b, 4, "abcdef", 6);
	CHECK_STR(b, "abc");
	gt_sanitize(b, 3, "\xc3\xa9\xc3\xa9", 4);	/* never split UTF-8 */
	CHECK_STR(b, "\xc3\xa9");
	CHECK(gt_utf8_valid("\xe2\x82\xac", 3));
	CHECK(!gt_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	CHECK(!gt_utf8_valid("\xc0\x80", 2));		/* overlong */

	gt_fit(b, sizeof(b), "abc", 5, false);
	CHECK_STR(b, "abc  ");
	gt_fit(b, sizeof(b), "abc", 5, true);
	CHECK_STR(b, "  abc");
	gt_fit(b, sizeof(b), "abcdef", 3, false);
	CHECK_STR(b, "abc");
	gt_fit(b, sizeof(b), "\xe6\x97\xa5\xe6\x9c\xac", 3, false);	/* wide */
	CHECK_STR(b, "\xe6\x97\xa5 ");
	CHECK_INT(gt_str_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);

	CHECK_STR(gt_fmt_duration_ns(b, sizeof(b), 812), "812ns");
	CHECK_STR(gt_fmt_duration_ns(b, sizeof(b), 1234), "1.23us");
	CHECK_STR(gt_fmt_duration_ns(b, sizeof(b), 15000), "15.0us");
	CHECK_STR(gt_fmt_duration_ns(b, sizeof(b), 2e9), "2.00s");
	CHECK_STR(gt_fmt_duration_ns(b, sizeof(b), -1), "-");
	/* the printf-free formatter agrees with printf */
	int bad = 0;
	uint64_t seed = 12345;

	for (int i = 0; i < 20000; i++) {
		char x[64], y[64];
		double v;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		v = (double)(seed >> 11) / (double)(1ULL << 53) *
		    (i % 4 == 0 ? 1 : i % 4 == 1 ? 100 : i % 4 == 2 ? 1e6 : 1e13);
		gt_fmt_fixed(x, sizeof(x), v, i % 4);
		snprintf(y, sizeof(y), "%.*f", i % 4, v);
		if (strcmp(x, y) && bad++ < 5)
			fprintf(stderr, "fixed %.17g/%d: %s vs %s\n", v, i % 4, x, y);
	}
	CHECK_INT(bad, 0);
	gt_fmt_fixed(b, sizeof(b), 0, 2);
	CHECK_STR(b, "0.00");
	gt_fmt_fixed(b, sizeof(b), 99.96, 1);
	CHECK_STR(b, "100.0");
	gt_fmt_fixed(b, sizeof(b), -2.5, 1);
	CHECK_STR(b, "-2.5");
	gt_fmt_fixed(b, sizeof(b), 1e300, 1);	/* falls back to printf */
	CHECK(b[0] == '1' && strlen(b) == sizeof(b) - 1);
	CHECK_STR(gt_fmt_rate(b, sizeof(b), 12.34), "12.3");
	CHECK_STR(gt_fmt_rate(b, sizeof(b), 1234), "1234");
	CHECK_STR(gt_fmt_rate(b, sizeof(b), 123456), "123k");
	CHECK_STR(gt_fmt_rate(b, sizeof(b), NAN), "-");
	CHECK_STR(gt_fmt_count(b, sizeof(b), 123456), "123456");
	CHECK_STR(gt_fmt_count(b, sizeof(b), 12345678), "12.35M");
	CHECK_STR(gt_fmt_uptime(b, sizeof(b), 2 * 86400 + 3600 + 120), "2 days,  1:02");

	CHECK(gt_parse_u64("18446744073709551615", &u) && u == UINT64_MAX);
	CHECK(!gt_parse_u64("18446744073709551616", &u));
	CHECK(!gt_parse_u64("-1", &u));
	CHECK(gt_parse_int("42", 1, 100, &l) && l == 42);
	CHECK(!gt_parse_int("x", 1, 100, &l));
	CHECK(!gt_parse_int("0", 1, 100, &l));
	CHECK(!gt_parse_int("5x", 1, 100, &l));
	CHECK(gt_parse_double("0.5", 0.05, 10, &d) && d == 0.5);
	CHECK(!gt_parse_double("-1", 0.05, 10, &d));
	CHECK(!gt_parse_double("inf", 0.05, 1e300, &d));
	CHECK(!gt_parse_double("", 0.05, 10, &d));

	gt_buf_json_str(&jb, "q\"b\\n\n\x01\xff\xc3\xa9");
	CHECK_STR(jb.p, "\"q\\\"b\\\\n\\u000a\\u0001\\ufffd\xc3\xa9\"");
	gt_buf_reset(&jb);
	gt_buf_prom_label(&jb, "a\"b\\c\nd");
	CHECK_STR(jb.p, "a\\\"b\\\\c\\nd");
	gt_buf_reset(&jb);
	gt_buf_csv_str(&jb, "a,\"b\"");
	CHECK_STR(jb.p, "\"a,\"\"b\"\"\"");
	gt_buf_free(&jb);

	struct gt_arena a = { 0 };
	char *p = gt_arena_alloc(&a, 100000);	/* bigger than a chunk */

	CHECK(p && p[99999] == 0);
	CHECK_STR(gt_arena_strdup(&a, "x"), "x");
	gt_arena_reset(&a);
	CHECK(gt_arena_alloc(&a, 8) != NULL);
	gt_arena_free(&a);
}
