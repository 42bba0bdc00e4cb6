/* SPDX-License-Identifier: GPL-2.0 */
/* In-memory /proc fixtures shared by the unit tests. */
#ifndef GTOP_TESTS_MEMFIX_H
#define GTOP_TESTS_MEMFIX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "source_mem.h"

#define P GT_ROOT_PROC
#define D GT_ROOT_DEBUGFS

static inline void put(struct gt_source *s, enum gt_root r, const char *path,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline void put(struct gt_source *s, enum gt_root r, const char *path,
		const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gt_source_mem_put(s, r, path, buf, 0);
}

/* /proc/<path> stat with the fields gtop reads (split: fields 53/54). */
static inline void stat_file(struct gt_source *s, const char *path, int pid,
		      const char *comm, unsigned long long ut,
		      unsigned long long st, int nlwp, int start, int cpu,
		      unsigned long long g, unsigned long long gu,
		      unsigned long long gs, bool split)
{
	char tail[64] = "";

	if (split)
		snprintf(tail, sizeof(tail), " %llu %llu", gu, gs);
	put(s, P, path, "%d (%s) S 1 1 1 0 -1 0 0 0 0 0 %llu %llu 0 0 20 0 %d 0 %d "
	    "1 1 1 1 1 0 0 0 0 0 0 0 0 0 0 17 %d 0 0 0 %llu 0 0 0 0 0 0 0 0 0%s\n",
	    pid, comm, ut, st, nlwp, start, cpu, g, tail);
}

#endif
