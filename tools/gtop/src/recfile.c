// SPDX-License-Identifier: GPL-2.0
/*
 * recfile.c - the recording file: header, records with a length and a
 * CRC-32 each, the index of a scanned file, appending with a torn tail
 * cut off.  See recfile.h.
 */
#define _GNU_SOURCE
#include "recfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "reccodec.h"
#include "util.h"

/* --------------------------------------------------------------- CRC */

uint32_t gt_crc32(const void *p, size_t n)
{
	static uint32_t t[8][256];	/* slice-by-8 tables */
	const uint8_t *b = p;
	uint32_t c = 0xffffffffu;

	if (!t[0][1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;

			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			t[0][i] = v;
		}
		for (int k = 1; k < 8; k++)
			for (int i = 0; i < 256; i++)
				t[k][i] = t[k - 1][i] >> 8 ^
					  t[0][t[k - 1][i] & 0xff];
	}
	for (; n >= 8; n -= 8, b += 8) {
		uint32_t lo = c ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 |
				   (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);

		c = t[7][lo & 0xff] ^ t[6][lo >> 8 & 0xff] ^
		    t[5][lo >> 16 & 0xff] ^ t[4][lo >> 24] ^ t[3][b[4]] ^
		    t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]];
	}
	while (n--)
		c = t[0][(c ^ *b++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

/* -------------------------------------------------------- little end */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Read exactly n bytes at off; -1 on an error or end of file. */
static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got,
				  (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!r)
				errno = EIO;	/* shorter than it was */
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

/* ------------------------------------------------------------ header */

/* 0 magic[8] 8 version u16, header size u16 12 flags u32 16 created
 * u64 24 reserved u32 28 CRC-32 of bytes 0-27 (little endian) */
static void make_header(uint8_t h[GT_REC_HDR])
{
	memset(h, 0, GT_REC_HDR);
	memcpy(h, GT_REC_MAGIC, 8);
	h[8] = GT_REC_VERSION;
	h[10] = GT_REC_HDR;
	put64(h + 16, (uint64_t)time(NULL));
	put32(h + 28, gt_crc32(h, 28));
}

static int check_header(struct gt_recfile *f, const uint8_t *h, size_t n,
			char *err, size_t errlen)
{
	if (!n || memcmp(h, GT_REC_MAGIC, n < 8 ? n : 8)) {
		snprintf(err, errlen, n ? "not a gtop recording" :
			 "empty file, not a gtop recording");
		return -1;
	}
	if (n < GT_REC_HDR) {
		snprintf(err, errlen, "truncated header (%zu bytes)", n);
		return -1;
	}
	if (le32(h + 28) != gt_crc32(h, 28)) {
		snprintf(err, errlen, "damaged header (bad checksum)");
		return -1;
	}
	f->version = (unsigned)h[8] | (unsigned)h[9] << 8;
	if (f->version != GT_REC_VERSION) {
		snprintf(err, errlen, "recording format version %u; this gtop "
			 "reads version %d", f->version, GT_REC_VERSION);
		return -1;
	}
	if (h[10] != GT_REC_HDR || h[11]) {
		snprintf(err, errlen, "damaged header (size %u)",
			 (unsigned)h[10] | (unsigned)h[11] << 8);
		return -1;
	}
	f->created = le64(h + 16);
	return 0;
}

/* -------------------------------------------------------------- scan */

static int add_index(struct gt_recfile *f, const struct gt_recidx *x)
{
	if (!gt_grow((void **)&f->idx, &f->cap, f->n + 1, sizeof(*f->idx)))
		return -1;
	f->idx[f->n++] = *x;
	return 0;
}

static int damaged(const struct gt_recfile *f, uint64_t pos, char *err,
		   size_t errlen)
{
	snprintf(err, errlen, "damaged record %zu at offset %llu (bad "
		 "checksum)", f->n, (unsigned long long)pos);
	return -1;
}

/*
 * The record at pos: 1 when it is the torn end of the file, 0 when it
 * was indexed, -1 on an error (message in err).  Only its head is read
 * (kind and clocks, reccodec.h); the whole of it, and its CRC, only
 * when it is the last one (a torn tail?) or its head does not make
 * sense.  Records are checked again when they are decoded.
 */
static int scan_one(struct gt_recfile *f, uint64_t pos, uint8_t **buf,
		    size_t *cap, char *err, size_t errlen)
{
	uint8_t h[GT_REC_RHDR];
	struct gt_recidx x = { .off = pos + GT_REC_RHDR };
	const struct gt_recidx *prev = f->n ? &f->idx[f->n - 1] : NULL;
	unsigned kind = 0, flags = 0;
	bool last, ok;

	if (f->size - pos < GT_REC_RHDR)
		return 1;
	if (pread_all(f->fd, h, sizeof(h), pos))
		goto io;
	x.len = le32(h);
	if (!x.len || x.len > GT_REC_MAX || x.len > f->size - x.off)
		return 1;	/* cut short, or a torn length */
	last = x.off + x.len == f->size;
	size_t want = last ? x.len : x.len < GT_RC_PEEK ? x.len : GT_RC_PEEK;

	if (!gt_grow((void **)buf, cap, x.len, 1)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pread_all(f->fd, *buf, want, x.off))
		goto io;
	if (prev) {
		x.mono_ns = prev->mono_ns;
		x.realtime = prev->realtime;
	}
	ok = !gt_rc_peek(*buf, want, &kind, &flags, &x.mono_ns, &x.realtime) &&
	     (kind == GT_RC_KEY || (prev && !(flags & GT_RC_SESSION)));
	if (!ok || last) {
		if (want < x.len && pread_all(f->fd, *buf, x.len, x.off))
			goto io;
		if (gt_crc32(*buf, x.len) != le32(h + 4))
			return last ? 1 : damaged(f, pos, err, errlen);
	}
	if (!ok) {
		snprintf(err, errlen, "record %zu at offset %llu is not a "
			 "sample of this format", f->n, (unsigned long long)pos);
		return -1;
	}
	x.kind = (uint8_t)kind;
	x.flags = (uint8_t)flags;
	if (add_index(f, &x)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
io:
	snprintf(err, errlen, "read error at offset %llu: %s",
		 (unsigned long long)pos, strerror(errno));
	return -1;
}

int gt_recfile_scan(struct gt_recfile *f, int fd, char *err, size_t errlen)
{
	uint8_t h[GT_REC_HDR], *buf = NULL;
	size_t cap = 0;
	struct stat st;
	uint64_t pos = GT_REC_HDR;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->fd = fd;
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		return -1;
	}
	f->size = (uint64_t)st.st_size;
	size_t hn = f->size < GT_REC_HDR ? (size_t)f->size : GT_REC_HDR;

	if (pread_all(fd, h, hn, 0)) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		return -1;
	}
	if (check_header(f, h, hn, err, errlen))
		return -1;
	while (pos < f->size && !(r = scan_one(f, pos, &buf, &cap, err,
					       errlen)))
		pos = f->idx[f->n - 1].off + f->idx[f->n - 1].len;
	free(buf);
	if (r < 0) {
		free(f->idx);
		f->idx = NULL;
		f->n = 0;
		return -1;
	}
	f->end = pos;
	f->torn = pos < f->size;
	return 0;
}

int gt_recfile_read(struct gt_recfile *f, size_t i, uint8_t **buf,
		    size_t *cap, char *err, size_t errlen)
{
	const struct gt_recidx *x = &f->idx[i];
	uint8_t h[GT_REC_RHDR];

	if (!gt_grow((void **)buf, cap, x->len, 1)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pread_all(f->fd, h, sizeof(h), x->off - GT_REC_RHDR) ||
	    pread_all(f->fd, *buf, x->len, x->off)) {
		snprintf(err, errlen, "read error at offset %llu: %s",
			 (unsigned long long)x->off, strerror(errno));
		return -1;
	}
	if (le32(h) != x->len || gt_crc32(*buf, x->len) != le32(h + 4)) {
		snprintf(err, errlen, "damaged record %zu at offset %llu (bad "
			 "checksum)", i, (unsigned long long)(x->off -
							     GT_REC_RHDR));
		return -1;
	}
	return 0;
}

void gt_recfile_close(struct gt_recfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->idx);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* ------------------------------------------------------------ append */

int gt_recfile_append_open(const char *path, uint64_t *end, uint64_t *cut,
			   char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	struct gt_recfile f;
	struct stat st;

	*cut = 0;
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen, errno == EWOULDBLOCK ? "another gtop is "
			 "writing it" : "cannot lock it: %s", strerror(errno));
		goto fail;
	}
	if (st.st_size == 0) {
		uint8_t h[GT_REC_HDR];

		make_header(h);
		if (pwrite(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
			snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
			goto fail;
		}
		*end = GT_REC_HDR;
		return fd;
	}
	if (gt_recfile_scan(&f, fd, err, errlen))
		goto fail;
	*end = f.end;
	*cut = f.size - f.end;
	free(f.idx);
	if (*cut && ftruncate(fd, (off_t)f.end)) {
		snprintf(err, errlen, "cannot cut off a torn record: %s",
			 strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int gt_recfile_append(int fd, uint64_t *end, const void *payload, size_t len)
{
	uint8_t h[GT_REC_RHDR];
	struct iovec iov[2] = { { h, sizeof(h) }, { (void *)payload, len } };
	ssize_t w;

	if (!len || len > GT_REC_MAX) {
		errno = EINVAL;
		return -1;
	}
	put32(h, (uint32_t)len);
	put32(h + 4, gt_crc32(payload, len));
	do {
		w = pwritev(fd, iov, 2, (off_t)*end);
	} while (w < 0 && errno == EINTR);
	if (w == (ssize_t)(sizeof(h) + len)) {
		*end += (uint64_t)w;
		return 0;
	}
	int e = w < 0 ? errno : ENOSPC;

	/* a reader would ignore the torn record anyway */
	int rc = ftruncate(fd, (off_t)*end);

	(void)rc;
	errno = e;
	return -1;
}
