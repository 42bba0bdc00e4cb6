// SPDX-License-Identifier: GPL-2.0
/*
 * unit_quant.c - the carry-forward quantisation of cumulative times
 * (quant.c) and the recording's steps for them (recwire.c 'q'): never
 * more than a step behind, small moves exact, and a record whose moves
 * are not in the steps the decoder expects still decodes exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "quant.h"
#include "reccodec.h"
#include "snap.h"

#define US GT_NS_QUANTUM

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void steps(void)
{
	CHECK(gt_q_step(0) == 1 && gt_q_step(8191) == 1);
	CHECK(gt_q_step(8192) == 2 && gt_q_step(2000000) == 256);

	/* a time that moves by random amounts, small and large */
	struct gt_qc c = { 0 };
	uint64_t t = 123456 * US, seed = 42, prev = 0;
	bool ok = true, exact = true, coarse = false;

	CHECK(gt_q_report(&c, t) == t);		/* the first: as read */
	for (int i = 0; i < 20000; i++) {
		uint64_t big = rnd(&seed) % 4 == 0, d, r, step;

		d = (big ? rnd(&seed) % 3000000 : rnd(&seed) % 5000) * US;
		step = gt_q_step(c.delta);
		t += d;
		r = gt_q_report(&c, t);
		ok &= r <= t && t - r < step * US && r >= prev;
		if (d / US + (t - r) / US < 8192 && c.delta < 8192)
			exact &= r == t;
		coarse |= r != t;
		prev = r;
	}
	CHECK(ok);		/* never ahead, never a step behind */
	CHECK(exact);		/* small moves after small moves: exact */
	CHECK(coarse);		/* large ones: in steps */
	/* after a large move a small one is still exact to its size */
	struct gt_qc q = { 0 };

	gt_q_report(&q, 0);
	gt_q_report(&q, 2000000 * US);	/* step 256 next */
	CHECK(gt_q_report(&q, 2000040 * US) == 2000040 * US);
	/* a counter that went back (a reset) is reported as it is */
	CHECK(gt_q_report(&q, 5 * US) == 5 * US);
}

/* A vCPU whose run time moves by 2 s a record, then not in steps. */
static void codec_steps(void)
{
	struct gt_xt xt[2];
	struct gt_vcpu_raw v[2];
	struct gt_vm_raw vm[2];
	struct gt_snap s[2], out[2];
	struct gt_rc_enc *e = calloc(1, sizeof(*e));
	struct gt_rc_dec *d = calloc(1, sizeof(*d));
	struct gt_buf b = { 0 };
	char err[128];
	bool ok = true;

	memset(s, 0, sizeof(s));
	memset(out, 0, sizeof(out));
	for (int i = 0; i < 12; i++) {
		struct gt_snap *c = &s[i % 2], *p = &s[(i + 1) % 2];

		struct gt_xt *x = &xt[i % 2];
		struct gt_vcpu_raw *vc = &v[i % 2];

		memset(c, 0, sizeof(*c));
		*x = (struct gt_xt){ .has_guest = true };
		*vc = (struct gt_vcpu_raw){ .tid = 11, .comm = "CPU 0/KVM",
					    .has_sched = true, .xt = x };
		vm[i % 2] = (struct gt_vm_raw){ .pid = 10, .name = "vm",
						.comm = "qemu", .nvcpus = 1,
						.vcpus = vc };
		c->hz = 100;
		c->mono_ns = (uint64_t)(i + 1) * 2000000000ULL + (uint64_t)i * 77;
		c->nvms = 1;
		c->vms = &vm[i % 2];
		/* in steps of 256 us (the decoder's), then at i = 6 not */
		vc->run_ns = (uint64_t)i * 2000128 * US + (i >= 6 ? 3 * US : 0);
		vc->wait_ns = (uint64_t)i * 9 * US;
		x->guest.count = (uint64_t)i * 10;
		x->guest.total_ns = (uint64_t)i * 1999872 * US;
		gt_buf_reset(&b);
		CHECK_INT(gt_rc_encode(e, &b, i ? p : NULL, c,
				       i ? 0 : GT_RC_SESSION), 0);
		CHECK_INT(gt_rc_decode(d, (uint8_t *)b.p, b.len,
				       i ? &out[(i + 1) % 2] : NULL,
				       &out[i % 2], err, sizeof(err)), 0);
		const struct gt_vcpu_raw *o = out[i % 2].nvms == 1 ?
					      &out[i % 2].vms[0].vcpus[0] : NULL;

		ok &= o && o->run_ns == vc->run_ns && o->wait_ns == vc->wait_ns &&
		      o->xt && o->xt->guest.total_ns == x->guest.total_ns;
		/* a move of a whole number of steps costs a few bits */
		if (i >= 3 && i < 6)
			CHECK(b.len < 40);
		gt_snap_clear(&out[(i + 1) % 2]);
	}
	CHECK(ok);
	gt_snap_free(&out[0]);
	gt_snap_free(&out[1]);
	gt_buf_free(&b);
	gt_rc_enc_free(e);
	gt_rc_dec_free(d);
	free(e);
	free(d);
}

void test_quant(void)
{
	steps();
	codec_steps();
}
