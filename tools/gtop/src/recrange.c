// SPDX-License-Identifier: GPL-2.0
/*
 * recrange.c - binary range coder and adaptive number and byte models
 * (see recrange.h).  The coder is the one of LZMA: a 32-bit range, a
 * 64-bit low with a carry into held-back 0xff bytes, 11-bit
 * probabilities of a 0 moving 1/32 of the way towards each bit coded.
 */
#include "recrange.h"

#include <math.h>
#include <string.h>

#define TOP (1u << 24)
#define MOVE 5

/* ------------------------------------------------------------ encoder */

void rr_enc_init(struct rr_enc *e, struct gt_buf *out)
{
	e->out = out;
	e->low = 0;
	e->range = 0xffffffffu;
	e->cache = 0;
	e->pending = 1;
	e->cost = NULL;
}

/* -log2 of the probability of a bit (a measurement, recbench) */
static double bit_cost(uint16_t prob, unsigned bit)
{
	double p = (double)prob / (1u << RR_PROB_BITS);

	return -log2(bit ? 1 - p : p);
}

static void shift_low(struct rr_enc *e)
{
	if ((uint32_t)e->low < 0xff000000u || (e->low >> 32)) {
		uint8_t carry = (uint8_t)(e->low >> 32), c = e->cache;

		do {
			gt_buf_putc(e->out, (char)(uint8_t)(c + carry));
			c = 0xff;
		} while (--e->pending);
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->pending++;
	e->low = (e->low & 0x00ffffffu) << 8;
}

void rr_enc_bit(struct rr_enc *e, uint16_t *prob, unsigned bit)
{
	uint32_t bound = (e->range >> RR_PROB_BITS) * *prob;

	if (e->cost)
		*e->cost += bit_cost(*prob, bit);
	if (!bit) {
		e->range = bound;
		*prob = (uint16_t)(*prob + (((1u << RR_PROB_BITS) - *prob) >>
					    MOVE));
	} else {
		e->low += bound;
		e->range -= bound;
		*prob = (uint16_t)(*prob - (*prob >> MOVE));
	}
	while (e->range < TOP) {
		e->range <<= 8;
		shift_low(e);
	}
}

/* Up to 16 bits at a time: the range (at least 2^24) divided by 2^k,
 * the chunk's multiple of it added to low. */
#define CHUNK 16

void rr_enc_direct(struct rr_enc *e, uint64_t v, int nbits)
{
	if (e->cost)
		*e->cost += nbits;
	while (nbits > 0) {
		int k = nbits < CHUNK ? nbits : CHUNK;

		nbits -= k;
		e->range >>= k;
		e->low += (v >> nbits & ((1u << k) - 1)) * (uint64_t)e->range;
		while (e->range < TOP) {
			e->range <<= 8;
			shift_low(e);
		}
	}
}

void rr_enc_flush(struct rr_enc *e)
{
	for (int i = 0; i < 5; i++)
		shift_low(e);
}

/* ------------------------------------------------------------ decoder */

static uint8_t next_byte(struct rr_dec *d)
{
	if (d->p >= d->end) {
		if (!d->why)
			d->why = "truncated";
		return 0;
	}
	return *d->p++;
}

void rr_dec_init(struct rr_dec *d, const uint8_t *p, size_t n)
{
	d->p = p;
	d->end = p + n;
	d->why = NULL;
	d->range = 0xffffffffu;
	d->code = 0;
	if (next_byte(d))	/* the encoder's first byte is always 0 */
		d->why = "bad coder start";
	for (int i = 0; i < 4; i++)
		d->code = d->code << 8 | next_byte(d);
}

unsigned rr_dec_bit(struct rr_dec *d, uint16_t *prob)
{
	uint32_t bound = (d->range >> RR_PROB_BITS) * *prob;
	unsigned bit;

	if (d->code < bound) {
		d->range = bound;
		*prob = (uint16_t)(*prob + (((1u << RR_PROB_BITS) - *prob) >>
					    MOVE));
		bit = 0;
	} else {
		d->code -= bound;
		d->range -= bound;
		*prob = (uint16_t)(*prob - (*prob >> MOVE));
		bit = 1;
	}
	while (d->range < TOP) {
		d->range <<= 8;
		d->code = d->code << 8 | next_byte(d);
	}
	return d->why ? 0 : bit;
}

uint64_t rr_dec_direct(struct rr_dec *d, int nbits)
{
	uint64_t v = 0;

	while (nbits > 0) {
		int k = nbits < CHUNK ? nbits : CHUNK;
		uint32_t c;

		nbits -= k;
		d->range >>= k;
		c = d->code / d->range;
		if (c >> k) {	/* no encoder writes that */
			if (!d->why)
				d->why = "bad coded number";
			c = 0;
		}
		d->code -= c * d->range;
		v = v << k | c;
		while (d->range < TOP) {
			d->range <<= 8;
			d->code = d->code << 8 | next_byte(d);
		}
	}
	return d->why ? 0 : v;
}

size_t rr_dec_left(const struct rr_dec *d)
{
	return (size_t)(d->end - d->p);
}

/* ------------------------------------------------------------- models */

static void probs_init(uint16_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = RR_PROB_INIT;
}

void rr_num_init(struct rr_num *m)
{
	probs_init(&m->zero, 1);
	probs_init(m->len, 64);
	probs_init(m->hi, 64);
	probs_init(&m->sub[0][0], RR_SUB_L * 6);
}

/* How many bits below the leading one of a number of bit length L + 1
 * are modelled: the first (hi), then up to two more (sub). */
static int modelled(int l)
{
	return l < RR_SUB_L ? (l < 3 ? l : 3) : 1;
}

static int bitlen(uint64_t u)
{
	return u ? 64 - __builtin_clzll(u) : 0;
}

void rr_put_num(struct rr_enc *e, struct rr_num *m, uint64_t u)
{
	int l = bitlen(u) - 1, node = 1;

	rr_enc_bit(e, &m->zero, u != 0);
	if (!u)
		return;
	for (int i = 5; i >= 0; i--) {
		unsigned b = (unsigned)l >> i & 1;

		rr_enc_bit(e, &m->len[node], b);
		node = node * 2 + (int)b;
	}
	if (l < 1)
		return;
	int k = modelled(l);
	unsigned b = (unsigned)(u >> (l - 1)) & 1, t = 1;

	rr_enc_bit(e, &m->hi[l], b);
	for (int i = 2; i <= k; i++) {
		t = t * 2 + b;	/* 2, 3, then 4..7 */
		b = (unsigned)(u >> (l - i)) & 1;
		rr_enc_bit(e, &m->sub[l][t - 2], b);
	}
	rr_enc_direct(e, u, l - k);
}

uint64_t rr_get_num(struct rr_dec *d, struct rr_num *m)
{
	int node = 1, l;
	uint64_t u;

	if (!rr_dec_bit(d, &m->zero))
		return 0;
	for (int i = 0; i < 6; i++)
		node = node * 2 + (int)rr_dec_bit(d, &m->len[node]);
	l = node - 64;
	if (l < 1)
		return d->why ? 0 : 1;
	int k = modelled(l);
	unsigned b = rr_dec_bit(d, &m->hi[l]), t = 1;

	u = 2 | b;
	for (int i = 2; i <= k; i++) {
		t = t * 2 + b;
		b = rr_dec_bit(d, &m->sub[l][t - 2]);
		u = u << 1 | b;
	}
	u = u << (l - k) | rr_dec_direct(d, l - k);
	return d->why ? 0 : u;
}

void rr_byte_init(struct rr_byte *m)
{
	probs_init(m->p, 256);
}

void rr_put_byte(struct rr_enc *e, struct rr_byte *m, uint8_t c)
{
	unsigned node = 1;

	for (int i = 7; i >= 0; i--) {
		unsigned b = c >> i & 1u;

		rr_enc_bit(e, &m->p[node], b);
		node = node * 2 + b;
	}
}

uint8_t rr_get_byte(struct rr_dec *d, struct rr_byte *m)
{
	unsigned node = 1;

	for (int i = 0; i < 8; i++)
		node = node * 2 + rr_dec_bit(d, &m->p[node]);
	return (uint8_t)node;
}
