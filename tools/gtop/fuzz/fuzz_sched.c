// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_sched.c - libFuzzer target for the parsers of the time
 * decomposition and VM identity: schedstat, KVM's debugfs statistics
 * files (one number), /proc/<pid>/cgroup and libvirt's machine scope.
 */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	char cg[256], name[64];
	uint64_t run, wait, v;

	if (!buf)
		return 0;
	gt_parse_schedstat(buf, size, &run, &wait);
	gt_parse_u64_file(buf, size, &v);
	if (!gt_parse_cgroup2(buf, size, cg, sizeof(cg))) {
		size_t n = strlen(cg);

		FUZZ_ASSERT(cg[0] == '/' && n < sizeof(cg));
		FUZZ_ASSERT(gt_utf8_valid(cg, n));
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT((unsigned char)cg[i] >= 0x20 &&
				    cg[i] != 0x7f);
		if (gt_vm_name_from_cgroup(cg, name, sizeof(name)))
			FUZZ_ASSERT(name[0] && gt_utf8_valid(name, strlen(name)));
	}
	free(buf);
	return 0;
}
