// SPDX-License-Identifier: GPL-2.0
/* fuzz_cmdline.c - libFuzzer target for VM name and thread name parsing. */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	char name[128], comm[64], uuid[37];

	if (!buf)
		return 0;
	if (gt_vm_name_from_cmdline(buf, size, name, sizeof(name))) {
		size_t n = strnlen(name, sizeof(name));

		FUZZ_ASSERT(n > 0 && n < sizeof(name));
		FUZZ_ASSERT(gt_utf8_valid(name, n));
	}
	if (gt_vm_uuid_from_cmdline(buf, size, uuid, sizeof(uuid)))
		FUZZ_ASSERT(strlen(uuid) == 36 && uuid[8] == '-');
	gt_sanitize(comm, sizeof(comm), buf, size);
	FUZZ_ASSERT(gt_vcpu_index_from_comm(comm) >= -1);
	free(buf);
	return 0;
}
