// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_rec.c - libFuzzer target for the recording reader (gtop -r):
 * the file scan (header, record lengths and CRCs, torn tails), the
 * decoder, and the model and outputs on what it decodes, as a replay
 * runs them.
 *
 * The first input byte chooses how the rest is read: even, as a file;
 * odd, as record payloads (each a 2-byte little-endian length and the
 * bytes) framed into a file with a good header and good CRCs, so that
 * the fuzzer reaches the decoder without having to find CRCs.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "output.h"
#include "recfile.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The payloads of data framed as a recording into fd. */
static void frame(int fd, const uint8_t *data, size_t size)
{
	uint8_t h[GT_REC_HDR] = "GTOPREC", rh[GT_REC_RHDR];

	h[8] = GT_REC_VERSION;
	h[10] = GT_REC_HDR;
	put32(h + 28, gt_crc32(h, 28));
	if (write(fd, h, sizeof(h)) != (ssize_t)sizeof(h))
		return;
	while (size >= 2) {
		size_t n = (size_t)data[0] | (size_t)data[1] << 8;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		put32(rh, (uint32_t)n);
		put32(rh + 4, gt_crc32(data, n));
		if (write(fd, rh, sizeof(rh)) != (ssize_t)sizeof(rh) ||
		    write(fd, data, n) != (ssize_t)n)
			return;
		data += n;
		size -= n;
	}
}

static void check_snap(const struct gt_snap *s)
{
	for (int i = 0; i < s->nvms; i++) {
		const struct gt_vm_raw *vm = &s->vms[i];

		FUZZ_ASSERT(vm->pid > 0 && vm->name && vm->comm);
		FUZZ_ASSERT(!i || s->vms[i - 1].pid < vm->pid);
		for (int k = 0; k < vm->nvcpus; k++) {
			const struct gt_xt *x = vm->vcpus[k].xt;

			FUZZ_ASSERT(vm->vcpus[k].tid > 0 && vm->vcpus[k].comm);
			for (int j = 1; x && j < x->n; j++)
				FUZZ_ASSERT(x->rows[j - 1].reason <
					    x->rows[j].reason);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_snap snap[2] = { { .hz = 0 }, { .hz = 0 } };
	struct gt_view v = { 0 };
	struct gt_buf b = { 0 };
	struct gt_replay *r;
	char err[400];
	int fd, cur = 0;
	bool have = false;

	if (!size)
		return 0;
	fd = memfd_create("rec", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (data[0] & 1) {
		frame(fd, data + 1, size - 1);
	} else if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	r = gt_replay_open_fd(fd, err, sizeof(err));
	if (!r)
		return 0;
	for (size_t i = 0; i < gt_replay_count(r); i++) {
		const struct gt_snap *ref = have ? &snap[cur] : NULL;
		struct gt_out_opts o = { .fmt = i & 1 ? GT_OUT_TEXT :
					 GT_OUT_JSON, .vcpus = true,
					 .exit_reasons = true };

		if (gt_replay_decode(r, i, ref, &snap[!cur], err, sizeof(err))) {
			have = false;
			continue;
		}
		check_snap(&snap[!cur]);
		cur = !cur;
		FUZZ_ASSERT(!gt_view_build(&v, ref, &snap[cur]));
		gt_view_rank(&v, GT_F_EXITS, -1, NULL);
		gt_buf_reset(&b);
		gt_output(&b, &v, &o);
		gt_prom_render(&b, &v, NULL);
		have = true;
	}
	gt_replay_close(r);
	gt_view_free(&v);
	gt_buf_free(&b);
	gt_snap_free(&snap[0]);
	gt_snap_free(&snap[1]);
	return 0;
}
