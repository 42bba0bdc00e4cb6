/* SPDX-License-Identifier: GPL-2.0 */
/*
 * recrange.h - the entropy coder of a recording (format 2): a binary
 * range coder with adaptive probabilities (LZMA's: 11-bit
 * probabilities, adapting by 1/32), and on top of it adaptive models of
 * unsigned 64-bit numbers and of bytes.  Pure: bytes in, bytes out.
 * RECORDING.md has the exact arithmetic.
 */
#ifndef GTOP_RECRANGE_H
#define GTOP_RECRANGE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define RR_PROB_BITS 11
#define RR_PROB_INIT (1u << (RR_PROB_BITS - 1))

struct rr_enc {
	struct gt_buf *out;
	uint64_t low;
	uint32_t range;
	uint8_t cache;
	uint64_t pending;	/* bytes held back for a carry */
	double *cost;		/* not NULL: the bits coded are added to
				 * it (their ideal length; a measurement) */
};

/* A decoder reads nothing beyond end: past it, why is set and every
 * bit it returns is 0. */
struct rr_dec {
	const uint8_t *p, *end;
	uint32_t range, code;
	const char *why;
};

void rr_enc_init(struct rr_enc *e, struct gt_buf *out);
void rr_enc_bit(struct rr_enc *e, uint16_t *prob, unsigned bit);
void rr_enc_direct(struct rr_enc *e, uint64_t v, int nbits);
void rr_enc_flush(struct rr_enc *e);

void rr_dec_init(struct rr_dec *d, const uint8_t *p, size_t n);
unsigned rr_dec_bit(struct rr_dec *d, uint16_t *prob);
uint64_t rr_dec_direct(struct rr_dec *d, int nbits);
/* Bytes of the input the decoder has not taken. */
size_t rr_dec_left(const struct rr_dec *d);

/*
 * A number u: a bit "u is 0"; else L = bit length of u less 1 (0..63)
 * as six bits of a binary tree, the bit below the leading one
 * (adaptive, by L); for L < RR_SUB_L the next two bits too (a tree of
 * six probabilities by L), the bits below them as direct bits (16 at
 * a time at most).
 */
#define RR_SUB_L 8
struct rr_num {
	uint16_t zero, len[64], hi[64], sub[RR_SUB_L][6];
};
void rr_num_init(struct rr_num *m);
void rr_put_num(struct rr_enc *e, struct rr_num *m, uint64_t u);
uint64_t rr_get_num(struct rr_dec *d, struct rr_num *m);

/* A byte: eight bits of a binary tree. */
struct rr_byte {
	uint16_t p[256];
};
void rr_byte_init(struct rr_byte *m);
void rr_put_byte(struct rr_enc *e, struct rr_byte *m, uint8_t c);
uint8_t rr_get_byte(struct rr_dec *d, struct rr_byte *m);

#endif
