/* SPDX-License-Identifier: GPL-2.0 */
/* opts.h - command line parsing (pure: no printing, no exiting). */
#ifndef GTOP_OPTS_H
#define GTOP_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "fields.h"
#include "format.h"

#define GT_EXIT_USAGE 2

struct gt_opts {
	bool batch;
	long iterations;	/* 0: until quit */
	double delay;		/* seconds */
	enum gt_out_fmt fmt;
	enum gt_field sort_key;
	int sort_dir;		/* -1 descending, +1 ascending */
	bool vcpus;		/* show vCPU rows (text, csv; UI: expanded) */
	bool exit_reasons;	/* per-VM exit reason tables (text, json) */
	const char *filter;
	bool color;
	const char *root;	/* fixture root instead of the live host */
	bool libproc2;		/* enumerate processes with libproc2 (the
				 * default; not with --root) */
	const char *record;	/* -w: record the samples to this file */
	const char *replay;	/* -r: replay this recording */
	const char *begin, *end;	/* --begin, --end: times in it */
	const char *listen;	/* --listen: exporter mode */
	char listen_host[64];	/* numeric, from --listen */
	int listen_port;
	bool help, version;
};

/*
 * Parse argv.  Returns 0, or GT_EXIT_USAGE with a message in err.
 * May be called repeatedly (resets getopt).
 */
int gt_opts_parse(struct gt_opts *o, int argc, char **argv, char *err,
		  size_t errlen);

/* -w without -b, -o or --listen: record only, no screen, no output. */
bool gt_opts_record_only(const struct gt_opts *o);

/* The engine's part of the options. */
struct gt_engine_cfg;
void gt_opts_engine(const struct gt_opts *o, struct gt_engine_cfg *cfg);

/* The --help text. */
const char *gt_usage(void);

#endif
