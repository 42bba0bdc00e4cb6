// SPDX-License-Identifier: GPL-2.0
/* fuzz_proc_stat.c - libFuzzer target for gt_parse_proc_stat. */
#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	struct gt_cpu_raw total, cpus[4];
	int n;

	if (!buf)
		return 0;
	n = gt_parse_proc_stat(buf, size, &total, cpus, 4);
	if (n >= 0) {
		FUZZ_ASSERT(total.ncols >= 4 && total.ncols <= GT_CPU_NCOLS);
		for (int i = 0; i < n && i < 4; i++)
			FUZZ_ASSERT(cpus[i].id >= 0 && cpus[i].ncols >= 4);
	}
	free(buf);
	return 0;
}
