/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source_mem.h - the in-memory source of the unit tests (source_mem.c,
 * linked into the tests only, never into gtop).
 */
#ifndef GTOP_SOURCE_MEM_H
#define GTOP_SOURCE_MEM_H

#include "source.h"

struct gt_source *gt_source_mem_new(void);

/*
 * In-memory source: add a file (content NULL with err set: the file
 * exists in listings but reading fails with -err), set the clock.
 * Directories exist implicitly.  Returns 0 or -1.
 */
int gt_source_mem_put(struct gt_source *s, enum gt_root root,
		      const char *path, const char *content, int err);
/* The same with binary content (NUL bytes, e.g. cmdline). */
int gt_source_mem_put_len(struct gt_source *s, enum gt_root root,
			  const char *path, const char *content, size_t len);
void gt_source_mem_remove(struct gt_source *s, enum gt_root root,
			  const char *prefix);
void gt_source_mem_clock(struct gt_source *s, uint64_t mono_ns,
			 double realtime);
/* Make listing a directory fail (e.g. -EACCES for debugfs). */
void gt_source_mem_deny(struct gt_source *s, enum gt_root root,
			const char *dir, int err);

#endif
