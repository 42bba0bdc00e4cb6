/* SPDX-License-Identifier: GPL-2.0 */
/*
 * recfile.h - the recording file (gtop -w / -r): a 32-byte versioned
 * header, then records appended one write(2) each, every record its
 * length, a CRC-32 of its payload and the payload (reccodec.h).  A
 * crash can leave a torn last record: readers ignore it, a writer that
 * appends cuts it off first.  Layout: tools/gtop/RECORDING.md.
 */
#ifndef GTOP_RECFILE_H
#define GTOP_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GT_REC_MAGIC "GTOPREC"	/* 8 bytes with its NUL */
#define GT_REC_VERSION 5
#define GT_REC_HDR 32		/* file header bytes */
#define GT_REC_RHDR 8		/* record header bytes: length, CRC */
#define GT_REC_MAX (16u << 20)	/* largest payload */

/* CRC-32 (IEEE 802.3, as zlib's crc32()), of n bytes at p. */
uint32_t gt_crc32(const void *p, size_t n);

/* One record, from the scan of a file. */
struct gt_recidx {
	uint64_t off;		/* of its payload */
	uint32_t len;		/* payload bytes */
	uint8_t kind, flags;	/* GT_RC_KEY/GT_RC_DELTA, GT_RC_SESSION */
	uint64_t mono_ns;	/* the sample's clocks */
	double realtime;
};

struct gt_recfile {
	int fd;
	unsigned version;
	uint64_t created;	/* Unix time the file was created */
	struct gt_recidx *idx;	/* the records, in file order */
	size_t n, cap;
	uint64_t size;		/* file bytes when scanned */
	uint64_t end;		/* end of the last good record */
	bool torn;		/* bytes after it were ignored */
};

/*
 * Check the header and index every record of the open file fd (the
 * caller keeps it open; gt_recfile_close closes it), reading only the
 * head of each but the last.  A torn last record (cut short, or with a
 * bad CRC and nothing after it) is ignored and sets torn.  Returns 0,
 * or -1 with a message in err: not a recording, another version, a
 * record that does not make sense (a damaged one, if its CRC says so),
 * a recording that does not start with a keyframe.
 */
int gt_recfile_scan(struct gt_recfile *f, int fd, char *err, size_t errlen);

/* Read record i's payload into *buf (grown as needed) and check its
 * CRC.  Returns 0, or -1 with a message in err ("damaged record"). */
int gt_recfile_read(struct gt_recfile *f, size_t i, uint8_t **buf,
		    size_t *cap, char *err, size_t errlen);

void gt_recfile_close(struct gt_recfile *f);

/*
 * Open path for appending (created with a header when new or empty;
 * locked against a second writer; a torn last record cut off, *cut
 * bytes).  Returns the fd, or -1 with a message in err.
 */
int gt_recfile_append_open(const char *path, uint64_t *end, uint64_t *cut,
			   char *err, size_t errlen);

/* Append one record at *end with one write; -1 (errno set) if it could
 * not be written whole (what was written is cut off again). */
int gt_recfile_append(int fd, uint64_t *end, const void *payload,
		      size_t len);

#endif
