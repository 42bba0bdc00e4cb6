// SPDX-License-Identifier: GPL-2.0
/* snap.c - snapshot lifetime and exit reason interning. */
#include "snap.h"

#include <stdlib.h>
#include <string.h>

#define REASON_MAX GT_REASON_IDS	/* distinct names kept; more share "?" */
#define REASON_HASH 8192	/* power of two > REASON_MAX */

static char *reason_name[REASON_MAX];
static uint16_t reason_hash[REASON_HASH];
static uint16_t nreasons = 1;	/* id 0 is "none" */

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

uint16_t gt_reason_id(const char *name)
{
	uint32_t h = hash(name) & (REASON_HASH - 1);

	while (reason_hash[h]) {
		if (!strcmp(reason_name[reason_hash[h]], name))
			return reason_hash[h];
		h = (h + 1) & (REASON_HASH - 1);
	}
	if (nreasons >= REASON_MAX - 1) {
		if (strcmp(name, "?"))
			return gt_reason_id("?");
		/* table full: "?" must be added even so */
	}
	if (nreasons >= REASON_MAX)
		return 0;
	reason_name[nreasons] = strdup(name);
	if (!reason_name[nreasons])
		return 0;
	reason_hash[h] = nreasons;
	return nreasons++;
}

const char *gt_reason_name(uint16_t id)
{
	return id && id < nreasons ? reason_name[id] : "-";
}

void gt_snap_clear(struct gt_snap *s)
{
	struct gt_arena a = s->arena;

	gt_arena_reset(&a);
	memset(s, 0, sizeof(*s));
	s->arena = a;
}

void gt_snap_free(struct gt_snap *s)
{
	gt_arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}

const struct gt_vm_raw *gt_snap_find_vm(const struct gt_snap *s, int pid)
{
	int lo = 0, hi = s->nvms - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (s->vms[mid].pid == pid)
			return &s->vms[mid];
		if (s->vms[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}
