// SPDX-License-Identifier: GPL-2.0
/* opts.c - command line parsing. */
#define _GNU_SOURCE
#include "opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "http.h"
#include "util.h"

static const char usage[] =
"Usage: gtop [options]\n"
"Show KVM guests like top: per-CPU host/guest time, one row per VM with\n"
"guest user/system time and VM-exit figures, per-vCPU rows, exit reasons.\n"
"\n"
"  -b, --batch            print text tables instead of the screen UI\n"
"  -n, --iterations=N     stop after N refreshes (N >= 1)\n"
"  -d, --delay=SECONDS    time between refreshes (default 2, min 0.05)\n"
"  -o, --output=FORMAT    text, json (JSON Lines), csv or prometheus;\n"
"                         implies --batch\n"
"  -s, --sort=FIELD       sort VMs by FIELD (e.g. cpu_pct, guest_user,\n"
"                         exits_per_s, name, pid; see gtop(1))\n"
"  -R, --reverse          reverse the sort order\n"
"  -H, --vcpus            show vCPU rows (text, csv; expanded on screen)\n"
"  -x, --exit-reasons     add per-VM exit reason tables (text, json)\n"
"  -f, --filter=TEXT      only VMs whose name, pid, UUID or cgroup\n"
"                         contains TEXT\n"
"  -C, --no-color         monochrome screen\n"
"      --no-libproc2      list /proc with gtop's own lister instead of\n"
"                         libproc2 (reads only VMs at each refresh)\n"
"      --listen=ADDR:PORT serve Prometheus metrics at GET /metrics, no\n"
"                         screen (ADDR: 127.0.0.1 if omitted, [::1] for\n"
"                         IPv6; PORT 0: any free port)\n"
"  -w, --write=FILE       record every sample to FILE (appended; alone:\n"
"                         record only, no screen and no output)\n"
"  -r, --read=FILE        replay a recording (screen: t/T step, b jump;\n"
"                         -b/-o print every recorded refresh)\n"
"      --begin=TIME       replay from TIME: HH:MM[:SS], YYYY-MM-DD\n"
"                         HH:MM[:SS], +10m after the start, @UNIXTIME\n"
"      --end=TIME         replay up to TIME\n"
"      --root=DIR         read DIR/proc and DIR/sys/kernel/debug (tests)\n"
"  -h, --help             this help\n"
"  -V, --version          version\n"
"\n"
"Keys: q quit, h/? help, arrows/PgUp/PgDn/Home/End move, Enter/space\n"
"expand a VM, e exit reasons of a VM, s or </> sort, R reverse, d delay,\n"
"p pause, / filter, Esc back; replay: t next, T previous, b jump to a\n"
"time, p play/pause.\n"
"\n"
"Figures that cannot be known are shown as '-' (null in JSON).\n"
"Exit status: 0 ok, 1 runtime error (such as a bad recording), 2 bad\n"
"usage.\n";

/* Long options without a short one. */
enum { OPT_LIBPROC2 = 0x100, OPT_NO_LIBPROC2, OPT_ROOT, OPT_LISTEN,
       OPT_BEGIN, OPT_END };

bool gt_opts_record_only(const struct gt_opts *o)
{
	return o->record && !o->batch && !o->listen;
}

void gt_opts_engine(const struct gt_opts *o, struct gt_engine_cfg *cfg)
{
	cfg->root = o->root;
	cfg->libproc2 = o->libproc2;
	cfg->sort_key = o->sort_key;
	cfg->sort_dir = o->sort_dir;
	cfg->filter = o->filter;
	cfg->record = o->record;
	cfg->replay = o->replay;
	/* an hour of sparklines where they are drawn: screen, text */
	cfg->history = 0;
	if (!o->listen && (o->batch ? o->fmt == GT_OUT_TEXT :
			   !gt_opts_record_only(o)))
		cfg->history = 3600;
	cfg->delay = o->delay;
	cfg->src = NULL;
}

const char *gt_usage(void)
{
	return usage;
}

static const struct option longopts[] = {
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "output", required_argument, NULL, 'o' },
	{ "sort", required_argument, NULL, 's' },
	{ "reverse", no_argument, NULL, 'R' },
	{ "vcpus", no_argument, NULL, 'H' },
	{ "exit-reasons", no_argument, NULL, 'x' },
	{ "filter", required_argument, NULL, 'f' },
	{ "no-color", no_argument, NULL, 'C' },
	{ "libproc2", no_argument, NULL, OPT_LIBPROC2 },
	{ "no-libproc2", no_argument, NULL, OPT_NO_LIBPROC2 },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "write", required_argument, NULL, 'w' },
	{ "read", required_argument, NULL, 'r' },
	{ "begin", required_argument, NULL, OPT_BEGIN },
	{ "end", required_argument, NULL, OPT_END },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int fail(char *err, size_t n, const char *fmt, const char *arg)
{
	snprintf(err, n, fmt, arg);
	return GT_EXIT_USAGE;
}

int gt_opts_parse(struct gt_opts *o, int argc, char **argv, char *err,
		  size_t errlen)
{
	bool reverse = false, fmt_set = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->delay = 2.0;
	o->fmt = GT_OUT_TEXT;
	o->sort_key = GT_F_CPU;
	o->sort_dir = gt_fields[GT_F_CPU].order;
	o->color = true;
	o->libproc2 = true;
	err[0] = '\0';
	optind = 0;		/* full re-initialisation (glibc) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":bn:d:o:s:RHxf:Cw:r:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'b':
			o->batch = true;
			break;
		case 'n':
			if (!gt_parse_int(optarg, 1, 1000000000L, &o->iterations)
			    || optarg[0] == '+')
				return fail(err, errlen, "invalid iteration "
					    "count '%s': expected an integer "
					    ">= 1", optarg);
			break;
		case 'd':
			if (!gt_parse_double(optarg, 0.05, 86400, &o->delay))
				return fail(err, errlen, "invalid delay '%s': "
					    "expected seconds between 0.05 and "
					    "86400", optarg);
			break;
		case 'o':
			fmt_set = true;
			if (!strcmp(optarg, "text"))
				o->fmt = GT_OUT_TEXT;
			else if (!strcmp(optarg, "json"))
				o->fmt = GT_OUT_JSON;
			else if (!strcmp(optarg, "csv"))
				o->fmt = GT_OUT_CSV;
			else if (!strcmp(optarg, "prometheus") ||
				 !strcmp(optarg, "prom"))
				o->fmt = GT_OUT_PROM;
			else
				return fail(err, errlen, "invalid output format "
					    "'%s': expected text, json, csv or "
					    "prometheus", optarg);
			break;
		case 's': {
			int f = gt_field_lookup(optarg, GT_S_VM);

			if (f < 0)
				return fail(err, errlen, "unknown sort field "
					    "'%s' (see gtop --help)", optarg);
			o->sort_key = (enum gt_field)f;
			o->sort_dir = gt_fields[f].order;
			break;
		}
		case 'R':
			reverse = true;
			break;
		case 'H':
			o->vcpus = true;
			break;
		case 'x':
			o->exit_reasons = true;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 'C':
			o->color = false;
			break;
		case OPT_LIBPROC2:
			o->libproc2 = true;
			break;
		case OPT_NO_LIBPROC2:
			o->libproc2 = false;
			break;
		case OPT_ROOT:
			if (!optarg[0])
				return fail(err, errlen, "empty --root%s", "");
			o->root = optarg;
			break;
		case 'w':
		case 'r':
			if (!optarg[0])
				return fail(err, errlen, "empty file name for "
					    "-%s", c == 'w' ? "w" : "r");
			*(c == 'w' ? &o->record : &o->replay) = optarg;
			break;
		case OPT_BEGIN:
		case OPT_END: {
			double t;

			if (!gt_parse_when(optarg, 0, &t))
				return fail(err, errlen, "invalid time '%s': "
					    "expected HH:MM[:SS], YYYY-MM-DD "
					    "HH:MM[:SS], +N[smhd] or @UNIXTIME",
					    optarg);
			*(c == OPT_BEGIN ? &o->begin : &o->end) = optarg;
			break;
		}
		case OPT_LISTEN:
			if (gt_parse_listen(optarg, o->listen_host,
					    sizeof(o->listen_host),
					    &o->listen_port))
				return fail(err, errlen, "invalid --listen '%s': "
					    "expected [ADDR:]PORT with a numeric "
					    "address ([::1]:PORT for IPv6) and a "
					    "port 0-65535", optarg);
			o->listen = optarg;
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case ':':
			return fail(err, errlen, "option '%s' needs a value",
				    argv[optind - 1]);
		default:
			if (optopt) {
				char s[3] = { '-', (char)optopt, 0 };

				return fail(err, errlen, "unknown option '%s'",
					    s);
			}
			return fail(err, errlen, "unknown option '%s'",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'",
			    argv[optind]);
	if (o->listen && (o->batch || fmt_set))
		return fail(err, errlen, "--listen serves Prometheus metrics "
			    "itself; it cannot be combined with -b or -o%s", "");
	if (o->replay && (o->root || o->listen))
		return fail(err, errlen, "-r replays a recording; it cannot be "
			    "combined with %s", o->root ? "--root" : "--listen");
	if ((o->begin || o->end) && !o->replay)
		return fail(err, errlen, "--begin and --end need a recording "
			    "(-r FILE)%s", "");
	if (o->record && o->replay && !strcmp(o->record, o->replay))
		return fail(err, errlen, "-w and -r name the same file '%s'",
			    o->record);
	if (fmt_set)
		o->batch = true;
	if (reverse)
		o->sort_dir = -o->sort_dir;
	return 0;
}
