// SPDX-License-Identifier: GPL-2.0
/*
 * unit_http.c - the exporter's pure parts: HTTP request parsing,
 * response heads, --listen parsing, VM UUIDs from command lines, and the
 * Prometheus rendering of a view built by the model from hand-made
 * snapshots, the deflated body (written through a sink, read back in
 * pieces).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expbody.h"
#include "http.h"
#include "output.h"
#include "parse.h"

static enum gt_http_status req(const char *s)
{
	return gt_http_parse(s, strlen(s), GT_HTTP_REQ_MAX);
}

static void requests(void)
{
	char big[GT_HTTP_REQ_MAX + 64];

	CHECK_INT(req("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	CHECK_INT(req("GET /metrics HTTP/1.0\r\n\r\n"), 200);
	CHECK_INT(req("GET /metrics?x=1 HTTP/1.1\r\n\r\n"), 200);
	CHECK_INT(req("\r\nGET /metrics HTTP/1.1\n\n"), 200);	/* bare LF */
	CHECK_INT(req("GET /metrics HTTP/1.1\r\nUser-Agent: Prometheus/2.42.0"
		      "\r\nAccept: text/plain;q=0.9, */*;q=0.1\r\n"
		      "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"), 200);
	/* incomplete, still possibly fine */
	CHECK_INT(req(""), GT_HTTP_MORE);
	CHECK_INT(req("GE"), GT_HTTP_MORE);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\n"), GT_HTTP_MORE);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\nHost: a\r"), GT_HTTP_MORE);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\nHost: a\r\n\r"), GT_HTTP_MORE);
	/* wrong but well formed: answered at once, before the head ends */
	CHECK_INT(req("GET / HTTP/1.1\r\n"), 404);
	CHECK_INT(req("GET /metricsx HTTP/1.1\r\n\r\n"), 404);
	CHECK_INT(req("GET /metrics/ HTTP/1.1\r\n\r\n"), 404);
	CHECK_INT(req("GET /../metrics HTTP/1.1\r\n\r\n"), 404);
	CHECK_INT(req("POST /metrics HTTP/1.1\r\n"), 405);
	CHECK_INT(req("HEAD /metrics HTTP/1.1\r\n\r\n"), 405);
	CHECK_INT(req("get /metrics HTTP/1.1\r\n\r\n"), 405);
	CHECK_INT(req("DELETE / HTTP/1.1\r\n\r\n"), 405);
	CHECK_INT(req("GET /metrics HTTP/2.0\r\n\r\n"), 505);
	CHECK_INT(req("GET /metrics HTTP/1.2\r\n\r\n"), 505);
	/* malformed */
	CHECK_INT(req("GET /metrics\r\n\r\n"), 400);	/* HTTP/0.9 */
	CHECK_INT(req("GET  /metrics HTTP/1.1\r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics  HTTP/1.1\r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics HTTP/1.1 \r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics http/1.1\r\n\r\n"), 400);
	CHECK_INT(req("GET metrics HTTP/1.1\r\n\r\n"), 400);
	CHECK_INT(req("GET http://x/metrics HTTP/1.1\r\n\r\n"), 400);
	CHECK_INT(req("GET /met\x01rics HTTP/1.1\r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\nNoColon\r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\n: empty\r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\nA: b\x7f\r\n\r\n"), 400);
	CHECK_INT(req("GET /metrics HTTP/1.1\r\nA: b\x01"), 400);	/* early */
	CHECK_INT(req("\x16\x03\x01\x02\x00\x01"), 400);	/* TLS hello */
	CHECK_INT(gt_http_parse("G\0T", 3, GT_HTTP_REQ_MAX), 400);
	CHECK_INT(req("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 400);	/* no method */
	/* a NUL inside the length counts */
	CHECK_INT(gt_http_parse("GET /metrics HTTP/1.1\r\nA: \0\r\n\r\n", 29,
				GT_HTTP_REQ_MAX), 400);
	/* too large: a head that fills the buffer */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	CHECK_INT(gt_http_parse(big, GT_HTTP_REQ_MAX, GT_HTTP_REQ_MAX), 431);
	CHECK_INT(gt_http_parse(big, GT_HTTP_REQ_MAX - 1, GT_HTTP_REQ_MAX),
		  GT_HTTP_MORE);
	memset(big, '\n', sizeof(big));		/* endless empty lines */
	CHECK_INT(gt_http_parse(big, GT_HTTP_REQ_MAX, GT_HTTP_REQ_MAX), 431);
	memcpy(big, "GET /", 5);			/* an endless target */
	memset(big + 5, 'a', sizeof(big) - 5);
	CHECK_INT(gt_http_parse(big, sizeof(big), GT_HTTP_REQ_MAX), 431);
}

static void heads(void)
{
	char h[256];
	size_t n;

	n = gt_http_head(h, sizeof(h), GT_HTTP_OK, 1234);
	CHECK(n == strlen(h));
	CHECK_STR(h, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; "
		  "version=0.0.4; charset=utf-8\r\nContent-Length: 1234\r\n"
		  "Connection: close\r\n\r\n");
	gt_http_head(h, sizeof(h), GT_HTTP_BAD_METHOD, 3);
	CHECK(strstr(h, "HTTP/1.1 405 Method Not Allowed\r\n") == h);
	CHECK(strstr(h, "\r\nAllow: GET\r\n") != NULL);
	gt_http_head(h, sizeof(h), GT_HTTP_TOO_LARGE, 3);
	CHECK(strstr(h, "HTTP/1.1 431 ") == h);
	CHECK_INT(gt_http_head(h, 20, GT_HTTP_OK, 1), 0);	/* no room */
	CHECK(strlen(gt_http_error_body(GT_HTTP_NOT_FOUND)) > 0);
}

static void listen_args(void)
{
	char host[64];
	int port = -1;

	CHECK_INT(gt_parse_listen("9101", host, sizeof(host), &port), 0);
	CHECK(!strcmp(host, "127.0.0.1") && port == 9101);
	CHECK_INT(gt_parse_listen(":0", host, sizeof(host), &port), 0);
	CHECK(!strcmp(host, "127.0.0.1") && port == 0);
	CHECK_INT(gt_parse_listen("localhost:80", host, sizeof(host), &port), 0);
	CHECK(!strcmp(host, "127.0.0.1") && port == 80);
	CHECK_INT(gt_parse_listen("0.0.0.0:9101", host, sizeof(host), &port), 0);
	CHECK_STR(host, "0.0.0.0");
	CHECK_INT(gt_parse_listen("[::1]:65535", host, sizeof(host), &port), 0);
	CHECK(!strcmp(host, "::1") && port == 65535);
	CHECK_INT(gt_parse_listen("", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen(":", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("65536", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("-1", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("9101x", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("example.com:80", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("::1:80", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("[::1]80", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("[nope]:80", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("1.2.3.4:", host, sizeof(host), &port), -1);
	CHECK_INT(gt_parse_listen("999.1.1.1:80", host, sizeof(host), &port), -1);
}

static int uuid(const char *cmd, size_t len, char *out)
{
	return gt_vm_uuid_from_cmdline(cmd, len, out, 37);
}

static void uuids(void)
{
	static const char q[] = "qemu\0-name\0guest=a\0-uuid\0"
		"6C3F6E4E-1B2A-4C5D-8E9F-0A1B2C3D4E5F\0-smp\0002";
	static const char ch[] = "cloud-hypervisor\0--platform\0"
		"num_pci_segments=1,uuid=6c3f6e4e-1b2a-4c5d-8e9f-0a1b2c3d4e5f";
	static const char bad[] = "qemu\0-uuid\0not-a-uuid";
	static const char eq[] = "x\0--uuid=6c3f6e4e-1b2a-4c5d-8e9f-0a1b2c3d4e5f";
	char out[37];

	CHECK_INT(uuid(q, sizeof(q) - 1, out), 1);
	CHECK_STR(out, "6c3f6e4e-1b2a-4c5d-8e9f-0a1b2c3d4e5f");
	CHECK_INT(uuid(ch, sizeof(ch) - 1, out), 1);
	CHECK_STR(out, "6c3f6e4e-1b2a-4c5d-8e9f-0a1b2c3d4e5f");
	CHECK_INT(uuid(eq, sizeof(eq) - 1, out), 1);
	CHECK_INT(uuid(bad, sizeof(bad) - 1, out), 0);
	CHECK_INT(uuid("qemu\0-uuid", 10, out), 0);
	CHECK_INT(uuid(q, 30, out), 0);		/* cut short */
	CHECK_INT(uuid("", 0, out), 0);
}

/*
 * Every sample line belongs to the family announced by the # TYPE line
 * before it; families are contiguous and announced once; counters end
 * in _total.  Returns the number of samples, -1 if broken.
 */
static int well_formed(const char *t)
{
	char fam[128] = "", seen[8192] = " ";
	int n = 0;

	for (const char *l = t; *l; ) {
		const char *e = strchr(l, '\n');
		char name[160];
		size_t k;

		if (!e)
			return -1;
		if (!strncmp(l, "# TYPE ", 7)) {
			k = strcspn(l + 7, " ");
			snprintf(fam, sizeof(fam), "%.*s", (int)k, l + 7);
			snprintf(name, sizeof(name), " %s ", fam);
			if (strstr(seen, name))
				return -1;	/* announced twice */
			strncat(seen, name + 1, sizeof(seen) - strlen(seen) - 1);
			if (!strncmp(l + 7 + k, " counter", 8) &&
			    (strlen(fam) < 6 || strcmp(fam + strlen(fam) - 6,
						       "_total")))
				return -1;
		} else if (l[0] != '#') {
			k = strcspn(l, "{ ");
			if (k != strlen(fam) || strncmp(l, fam, k))
				return -1;
			n++;
		}
		l = e + 1;
	}
	return n;
}

/* One VM, two vCPUs, exit timing on both, a uuid and a hostile name. */
static void rendering(void)
{
	struct gt_xstat r0[2] = {
		{ .reason = gt_reason_id("io"), .count = 30, .total_ns = 3000000,
		  .user_exits = 30, .has_user = true },
		{ .reason = gt_reason_id("hlt"), .count = 10,
		  .total_ns = 1000000000, .has_user = true },
	};
	struct gt_xstat r1[1] = {
		{ .reason = gt_reason_id("io"), .count = 5, .total_ns = 500000000,
		  .user_exits = 5, .has_user = true },
	};
	struct gt_xt x0 = { .n = 2, .rows = r0, .has_halted = true,
			    .halted = { .total_ns = 2500000000ULL } };
	struct gt_xt x1 = { .n = 1, .rows = r1 };
	struct gt_vcpu_raw vc[2] = {
		{ .tid = 11, .index = 0, .processor = 0, .comm = "CPU 0/KVM",
		  .t = { .utime = 150, .stime = 50, .guest = 120,
			 .guest_user = 90, .guest_system = 30,
			 .has_guest = true, .has_split = true },
		  .xt = &x0 },
		{ .tid = 12, .index = -1, .processor = -1, .comm = "worker",
		  .t = { .utime = 7, .stime = 3, .guest = 5, .guest_user = 5,
			 .has_guest = true, .has_split = true },
		  .xt = &x1 },
	};
	struct gt_vm_raw vm = {
		.pid = 10, .starttime = 5, .name = "web \"1\"\n", .comm = "qemu",
		.uuid = "6c3f6e4e-1b2a-4c5d-8e9f-0a1b2c3d4e5f", .nlwp = 3,
		.t = { .utime = 200, .stime = 100, .guest = 125,
		       .guest_user = 95, .guest_system = 30,
		       .has_guest = true, .has_split = true },
		.nvcpus = 2, .vcpus = vc,
	};
	struct gt_cpu_raw c0 = { .id = 0, .ncols = GT_CPU_NCOLS,
				 .v = { 500, 0, 100, 1000, 0, 0, 0, 0, 250, 50,
					200, 100 } };
	struct gt_snap s = { .hz = 100, .realtime = 1700000000, .mono_ns = 1,
			     .stat_ok = true, .has_sysctl = true, .sysctl = 1,
			     .has_xt_sysctl = true, .xt_sysctl = 1, .total = c0,
			     .ncpus = 1, .cpus = &c0, .xt_state = GT_XT_OK,
			     .nvms = 1, .vms = &vm };
	struct gt_prom_self self = { .samples = 7, .sample_cpu_ms = 2.5 };
	struct gt_view v = { 0 };
	struct gt_buf b = { 0 };
	const char *lbl = "{vm=\"web \\\"1\\\"\\n\","
			  "uuid=\"6c3f6e4e-1b2a-4c5d-8e9f-0a1b2c3d4e5f\",pid=\"10\"";
	char want[512];

	s.total.id = -1;
	CHECK_INT(gt_view_build(&v, NULL, &s), 0);
	/* the model's counters */
	CHECK_VAL(&v.vms[0].row, GT_F_CPU_SEC, 3);
	CHECK_VAL(&v.vms[0].row, GT_F_GUEST_USER_SEC, 0.95);
	CHECK_VAL(&v.vms[0].row, GT_F_EXIT_COUNT, 45);
	CHECK_NEAR(v.vms[0].row.val[GT_F_EXIT_SEC].v, 1.503, 1e-9);
	CHECK_NOVAL(&v.vms[0].row, GT_F_HALTED_SEC);	/* vCPU 12: none */
	CHECK_VAL(&v.vms[0].vcpus[0], GT_F_HALTED_SEC, 2.5);
	CHECK_VAL(&v.cpus[0], GT_F_GUEST_SEC, 3);	/* guest+guest_nice */
	CHECK_VAL(&v.cpus[0], GT_F_GUEST_SYSTEM_SEC, 1);
	CHECK_NOVAL(&v.vms[0].row, GT_F_CPU);		/* no interval: no rate */

	gt_prom_render(&b, &v, &self);
	CHECK(!b.oom);
	CHECK(well_formed(b.p) > 20);
	CHECK(strstr(b.p, "# TYPE gtop_vm_guest_user_seconds_total counter\n"));
	snprintf(want, sizeof(want), "gtop_vm_guest_user_seconds_total%s} 0.95\n",
		 lbl);
	CHECK(strstr(b.p, want) != NULL);
	snprintf(want, sizeof(want), "gtop_vcpu_guest_system_seconds_total%s,"
		 "vcpu=\"0\",tid=\"11\"} 0.3\n", lbl);
	CHECK(strstr(b.p, want) != NULL);
	/* unknown vCPU index: no vcpu label, the tid tells them apart */
	snprintf(want, sizeof(want), "gtop_vcpu_exits_total%s,tid=\"12\"} 5\n",
		 lbl);
	CHECK(strstr(b.p, want) != NULL);
	snprintf(want, sizeof(want), "gtop_vm_exit_seconds_total%s,"
		 "reason=\"io\"} 0.503\n", lbl);
	CHECK(strstr(b.p, want) != NULL);
	snprintf(want, sizeof(want), "gtop_vm_exits_total%s,reason=\"hlt\"} 10\n",
		 lbl);
	CHECK(strstr(b.p, want) != NULL);
	CHECK(strstr(b.p, "gtop_cpu_guest_seconds_total{cpu=\"0\"} 3\n"));
	CHECK(strstr(b.p, "gtop_samples_total 7\n"));
	CHECK(strstr(b.p, "gtop_sample_cpu_seconds 0.0025\n"));
	CHECK(strstr(b.p, "gtop_info{version=\"") == strstr(b.p, "gtop_info{"));
	/* never node_exporter's names, never a per-VM exit total that would
	 * double what the reasons add up to */
	CHECK(strstr(b.p, "node_") == NULL && strstr(b.p, "mode=") == NULL);
	CHECK(strstr(b.p, "gtop_vm_exits_total{vm=\"web \\\"1\\\"\\n\",uuid="
		      "\"6c3f6e4e-1b2a-4c5d-8e9f-0a1b2c3d4e5f\",pid=\"10\"} ")
	      == NULL);

	/* both sysctls 0: the split and exit counters are frozen: left out */
	s.sysctl = 0;
	vm.uuid = NULL;
	gt_buf_reset(&b);
	CHECK_INT(gt_view_build(&v, NULL, &s), 0);
	gt_prom_render(&b, &v, NULL);
	CHECK(well_formed(b.p) > 5);
	CHECK(strstr(b.p, "guest_user_seconds") == NULL);
	CHECK(strstr(b.p, "exits_total") == NULL);
	CHECK(strstr(b.p, "exit_seconds") == NULL);
	CHECK(strstr(b.p, "uuid=") == NULL);
	CHECK(strstr(b.p, "gtop_samples_total") == NULL);
	CHECK(strstr(b.p, "gtop_vm_cpu_seconds_total{vm=\"web \\\"1\\\"\\n\","
		      "pid=\"10\"} 3\n") != NULL);
	CHECK(strstr(b.p, "gtop_guest_split_enabled 0\n") != NULL);
	CHECK(strstr(b.p, "gtop_exit_timing_enabled 0\n") != NULL);

	/* the same counters in JSON and CSV */
	struct gt_out_opts o = { .fmt = GT_OUT_JSON, .vcpus = true };

	s.sysctl = 1;
	CHECK_INT(gt_view_build(&v, NULL, &s), 0);
	gt_buf_reset(&b);
	gt_output(&b, &v, &o);
	CHECK(strstr(b.p, "\"cpu_seconds\":3.00,\"guest_seconds\":1.25,"
		      "\"guest_user_seconds\":0.95,\"guest_system_seconds\":0.30,"
		      "\"exit_count\":45,\"exit_seconds\":1.503000000,"
		      "\"halted_seconds\":null") != NULL);
	o.fmt = GT_OUT_CSV;
	gt_buf_reset(&b);
	gt_output(&b, &v, &o);
	CHECK(strstr(b.p, ",cpu_seconds,guest_seconds,guest_user_seconds,"
		      "guest_system_seconds,exit_count,exit_seconds,"
		      "halted_seconds,") != NULL);
	CHECK(strstr(b.p, ",3.00,1.25,0.95,0.30,45,1.503000000,,") != NULL);
	gt_buf_free(&b);
	gt_view_free(&v);
}

/* Text of n lines like series: labels again and again, numbers that
 * vary (a 64 KiB buffer fills and is deflated many times over). */
static void series(struct gt_buf *b, int n)
{
	for (int i = 0; i < n; i++)
		gt_buf_printf(b, "gtop_vcpu_exit_seconds_total{vm=\"vm%d\","
			      "uuid=\"%08x-0000\",vcpu=\"%d\"} %u.%03u\n",
			      i / 4, i / 4 * 2654435761u, i % 4,
			      (unsigned)i * 7919u % 100000u, (unsigned)i % 997);
}

static void body(void)
{
	struct gt_body_writer w;
	struct gt_buf want = { 0 }, got = { 0 };
	struct gt_body_reader r;
	struct gt_body *b;
	char piece[3001];
	long n;

	series(&want, 40000);
	CHECK(want.len > 2 << 20 && !want.oom);
	CHECK_INT(gt_body_begin(&w), 0);
	series(&w.text, 40000);
	CHECK(w.text.cap <= 64 * 1024);	/* never held whole */
	b = gt_body_end(&w);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(gt_body_len(b) == want.len);
	CHECK(gt_body_stored(b) < want.len / 4);
	/* two readers at once, pieces of odd sizes */
	CHECK_INT(gt_body_read_begin(&r, b), 0);
	gt_body_get(b);
	while ((n = gt_body_read(&r, piece, 1 + got.len % 3000)) > 0)
		gt_buf_putn(&got, piece, (size_t)n);
	CHECK_INT(n, 0);
	gt_body_read_end(&r);
	gt_body_put(b);
	CHECK(got.len == want.len && !memcmp(got.p, want.p, want.len));
	/* a body with no text */
	CHECK_INT(gt_body_begin(&w), 0);
	gt_body_put(b);
	b = gt_body_end(&w);
	CHECK(b && gt_body_len(b) == 0);
	CHECK_INT(gt_body_read_begin(&r, b), 0);
	CHECK_INT(gt_body_read(&r, piece, sizeof(piece)), 0);
	gt_body_read_end(&r);
	gt_body_put(b);
	gt_buf_free(&want);
	gt_buf_free(&got);
}

void test_http(void)
{
	body();
	requests();
	heads();
	listen_args();
	uuids();
	rendering();
}
