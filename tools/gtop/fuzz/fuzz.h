/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz.h - helpers for the libFuzzer targets. */
#ifndef GTOP_FUZZ_H
#define GTOP_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An exact-size copy (no NUL terminator), so ASan sees any overread. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (p && size)
		memcpy(p, data, size);
	return p;
}

#define FUZZ_ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

#endif
