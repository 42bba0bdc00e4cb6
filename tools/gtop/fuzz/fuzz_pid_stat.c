// SPDX-License-Identifier: GPL-2.0
/* fuzz_pid_stat.c - libFuzzer target for gt_parse_pid_stat. */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	struct gt_pidstat ps;

	if (!buf)
		return 0;
	if (gt_parse_pid_stat(buf, size, &ps) == 0) {
		size_t n = strnlen(ps.comm, sizeof(ps.comm));

		FUZZ_ASSERT(n < sizeof(ps.comm));
		FUZZ_ASSERT(gt_utf8_valid(ps.comm, n));
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT((unsigned char)ps.comm[i] >= 0x20 &&
				    ps.comm[i] != 0x7f);
		FUZZ_ASSERT(ps.pid > 0);
		FUZZ_ASSERT(!ps.t.has_split || ps.t.has_guest);
	}
	free(buf);
	return 0;
}
