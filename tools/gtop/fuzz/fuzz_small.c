// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_small.c - libFuzzer target for the small parsers (uptime,
 * loadavg, sysctl, debugfs names) and the JSON/Prometheus/CSV escapers.
 */
#include <math.h>

#include "fuzz.h"
#include "parse.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	char *str = malloc(size + 1);
	struct gt_buf b = { 0 };
	double up, load[3];
	long v;
	int pid;

	if (!buf || !str) {
		free(buf);
		free(str);
		return 0;
	}
	if (!gt_parse_uptime(buf, size, &up))
		FUZZ_ASSERT(up >= 0 && isfinite(up));
	if (!gt_parse_loadavg(buf, size, load))
		FUZZ_ASSERT(load[2] >= 0);
	gt_parse_sysctl_int(buf, size, &v);

	memcpy(str, data, size);
	str[size] = '\0';
	if (!gt_parse_kvm_dirname(str, &pid))
		FUZZ_ASSERT(pid > 0);
	gt_parse_vcpu_dirname(str);
	gt_is_kvm_fd_link(str);
	gt_buf_json_str(&b, str);
	FUZZ_ASSERT(!b.oom && gt_utf8_valid(b.p, b.len));
	for (size_t i = 0; i < b.len; i++)
		FUZZ_ASSERT((unsigned char)b.p[i] >= 0x20);
	gt_buf_reset(&b);
	gt_buf_prom_label(&b, str);
	FUZZ_ASSERT(!b.len || !memchr(b.p, '\n', b.len));
	gt_buf_reset(&b);
	gt_buf_csv_str(&b, str);
	gt_buf_free(&b);
	free(buf);
	free(str);
	return 0;
}
