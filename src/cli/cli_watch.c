/* cli_watch.c - `ojo watch`: options in, watch_run() does the work. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/ingest.h"
#include "watch/watch.h"

enum { MAX_INPUT_DIRS = 64 };

static void usage(FILE *f)
{
	fputs(
	    "Usage: ojo watch [--input-dir DIR]... [--db-path FILE] [--once]\n"
	    "                 [--cleanup-days N] [--open-wait S] [--quiet]\n"
	    "\n"
	    "Ingests every trace file (*.ojo batches, schema-*.json, qlog\n"
	    "*.qlog/*.sqlog/*.json) in the input directories into a SQLite\n"
	    "database, each exactly once, then keeps watching them and\n"
	    "ingests new files as they arrive: renamed in or closed by their\n"
	    "writer, at once; found written in place, once unchanged for 1 s\n"
	    "with no process holding them open for writing (else see\n"
	    "--open-wait). A file that changes after it was ingested is not\n"
	    "read again: a warning says so. A damaged file is recorded as\n"
	    "rejected with the reason and left where it is; the watcher\n"
	    "carries on. Ctrl-C (SIGINT) or SIGTERM lets the current file's\n"
	    "transaction commit, then exits 0; files still being written are\n"
	    "left for the next run. Query the database with `ojo query` or\n"
	    "`ojo serve` while this runs.\n"
	    "\n"
	    "  --input-dir DIR     directory to watch, repeatable\n"
	    "                      (default ./traces/output); subdirectories\n"
	    "                      are included, staging/ and hidden ones\n"
	    "                      are skipped; one that does not exist yet\n"
	    "                      is waited for\n"
	    "  --db-path FILE      database, created if missing (default\n"
	    "                      ./traces.db); one watcher per database at\n"
	    "                      a time (lock file FILE.lock)\n"
	    "  --once              ingest what is there, then exit\n"
	    "  --cleanup-days N    delete trace files modified more than N\n"
	    "                      days ago, only once ingested (never\n"
	    "                      rejected or unknown ones)\n"
	    "  --open-wait S       take a file still open for writing (or\n"
	    "                      never closed by its writer) anyway once\n"
	    "                      unchanged for S seconds (default 600)\n"
	    "  --quiet             no log line per cleanly ingested file\n"
	    "  -h, --help          show this help\n"
	    "\n"
	    "Log lines go to stderr; a progress counter only when stderr is a\n"
	    "terminal. Tables and ingestion rules: docs/DATABASE.md.\n"
	    "Exit status: 0 done or stopped, 1 failure, 2 usage error.\n",
	    f);
}

/* arg as a whole number in [min, max], or -1. */
static long number(const char *arg, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	return errno || end == arg || *end || v < min || v > max ? -1 : v;
}

int cli_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"input-dir", required_argument, NULL, 'i'},
	    {"db-path", required_argument, NULL, 'd'},
	    {"once", no_argument, NULL, 'o'},
	    {"cleanup-days", required_argument, NULL, 'c'},
	    {"open-wait", required_argument, NULL, 'w'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dirs[MAX_INPUT_DIRS];
	watch_opts o = {
	    .input_dirs = dirs,
	    .db_path = "./traces.db",
	    .cleanup_days = -1,
	    .stop = cli_stop_flag(),
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o.n_input_dirs == MAX_INPUT_DIRS)
				return cli_usage_error("watch",
						       "at most %d --input-dir",
						       MAX_INPUT_DIRS);
			if (!optarg[0])
				return cli_usage_error(
				    "watch", "--input-dir: empty path");
			dirs[o.n_input_dirs++] = optarg;
			break;
		case 'd':
			if (!optarg[0])
				return cli_usage_error("watch",
						       "--db-path: empty path");
			o.db_path = optarg;
			break;
		case 'o':
			o.once = true;
			break;
		case 'c': {
			long v = number(optarg, 0, 100000);
			if (v < 0)
				return cli_usage_error(
				    "watch",
				    "--cleanup-days: '%s' is not a number of "
				    "days (0..100000)",
				    optarg);
			o.cleanup_days = (int)v;
			break;
		}
		case 'w': {
			long v = number(optarg, 1, 86400);
			if (v < 0)
				return cli_usage_error(
				    "watch",
				    "--open-wait: '%s' is not a number of "
				    "seconds (1..86400)",
				    optarg);
			o.open_wait_ms = (unsigned)v * 1000;
			break;
		}
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("watch", "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("watch", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("watch", "unexpected argument '%s'",
				       argv[optind]);
	if (!o.n_input_dirs)
		dirs[o.n_input_dirs++] = "./traces/output";

	cli_install_stop_handlers();
	return watch_run(&o) < 0 ? CLI_FAIL : CLI_OK;
}
