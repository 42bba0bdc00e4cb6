// SPDX-License-Identifier: GPL-2.0
/* fuzz_exit_timing.c - libFuzzer target for gt_parse_exit_timing. */
#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	struct gt_xrow rows[8];
	bool trunc;
	int n;

	if (!buf)
		return 0;
	n = gt_parse_exit_timing(buf, size, rows, 8, &trunc);
	FUZZ_ASSERT(n >= -1 && n <= 8);
	for (int i = 0; i < n; i++) {
		size_t l = strnlen(rows[i].reason, GT_REASON_MAX);

		FUZZ_ASSERT(l > 0 && l < GT_REASON_MAX);
		for (size_t k = 0; k < l; k++)
			FUZZ_ASSERT(rows[i].reason[k] > 0x20 &&
				    rows[i].reason[k] < 0x7f);
	}
	free(buf);
	return 0;
}
