/* cli_export.c - `ojo export`: flows out of the database as qlog (JSON-SEQ
 * 0.3, one file per connection, loads in qvis), CSV or JSON. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "export/export.h"
#include "store/store.h"

/* -o for qlog names a file (not a directory) when it is "-", an existing
 * regular file, or ends in .sqlog/.qlog; then one connection is written. */
static bool to_file(const char *outp)
{
	struct stat st;
	size_t n = outp ? strlen(outp) : 0;
	if (!outp)
		return false;
	if (!strcmp(outp, "-") || (stat(outp, &st) == 0 && S_ISREG(st.st_mode)))
		return true;
	return (n > 6 && !strcmp(outp + n - 6, ".sqlog")) ||
	       (n > 5 && !strcmp(outp + n - 5, ".qlog"));
}

/* No such trace or flow, or a qlog selection of several connections: the
 * database's answer, not the output's fault. */
static bool selection_error(int rc)
{
	return rc == -ENOENT || rc == -EINVAL;
}

/* One file (or standard output); a file is only left behind when the
 * export succeeded. */
static int export_file(store *s, const export_opts *o, const char *outp,
		       char *err, size_t errlen)
{
	bool out_is_std = !outp || !strcmp(outp, "-");
	FILE *f = out_is_std ? stdout : fopen(outp, "w");
	int rc;
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -EIO;
	}
	rc = export_write(s, o, f, err, errlen);
	if (!out_is_std && fclose(f) != 0 && rc == 0)
		rc = -EIO, snprintf(err, errlen, "write error");
	if (out_is_std && fflush(stdout) != 0 && rc == 0)
		rc = -EIO, snprintf(err, errlen, "write error");
	if (rc < 0 && !out_is_std)
		remove(outp);
	return rc;
}

static void usage(FILE *f)
{
	fputs(
	    "Usage: ojo export [--db-path FILE] [--trace T] [--flow F]\n"
	    "                  [--from NS --to NS] --format qlog|csv|json\n"
	    "                  [-o PATH]\n"
	    "\n"
	    "Writes stored events out. qlog: JSON-SEQ, qlog_version 0.3,\n"
	    "transport:/recovery: events as qvis reads them, one .sqlog file\n"
	    "per connection (named after its connection id and vantage\n"
	    "point, else trace and flow id) in the directory -o (created if\n"
	    "missing; default: the current directory). When -o is -, an\n"
	    "existing file or a name ending in .sqlog or .qlog, the one\n"
	    "selected connection is written there (choose it with --trace\n"
	    "and --flow). csv/json: one flat row per event (trace, flow,\n"
	    "time, type, payload) to -o FILE or standard output.\n"
	    "Mapping: docs/QLOG.md.\n"
	    "\n"
	    "  --db-path FILE   database (default ./traces.db)\n"
	    "  --trace T        only trace id T\n"
	    "  --flow F         only flow id F as recorded (flows.flow_id; a\n"
	    "                   connection brings its streams)\n"
	    "  --from NS        events at or after NS (as stored: epoch ns,\n"
	    "                   or ns from the trace start when it has no\n"
	    "                   epoch)\n"
	    "  --to NS          events at or before NS\n"
	    "  --format FMT     qlog, csv or json (required)\n"
	    "  -o, --output P   directory or .sqlog file (qlog), file\n"
	    "                   (csv, json); - for standard output\n"
	    "  -h, --help       show this help\n"
	    "\n"
	    "Exit status: 0 written, 1 failure, 2 usage error.\n",
	    f);
}

static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db-path", required_argument, NULL, 'd'},
	    {"trace", required_argument, NULL, 't'},
	    {"flow", required_argument, NULL, 'f'},
	    {"from", required_argument, NULL, 'F'},
	    {"to", required_argument, NULL, 'T'},
	    {"format", required_argument, NULL, 'm'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = "./traces.db", *outp = NULL;
	export_opts o;
	bool have_format = false;
	char err[512] = "";
	store *s = NULL;
	int64_t v;
	int c, rc;

	export_opts_init(&o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 't':
			if (parse_i64(optarg, &v) < 0 || v <= 0)
				return cli_usage_error(
				    "export", "--trace: bad id '%s'", optarg);
			o.trace_id = v;
			break;
		case 'f':
			if (parse_i64(optarg, &v) < 0 || v <= 0 ||
			    v > UINT32_MAX)
				return cli_usage_error(
				    "export", "--flow: bad id '%s'", optarg);
			o.flow_id = (uint32_t)v;
			break;
		case 'F':
			if (parse_i64(optarg, &o.from_ns) < 0)
				return cli_usage_error(
				    "export", "--from: not a number: '%s'",
				    optarg);
			break;
		case 'T':
			if (parse_i64(optarg, &o.to_ns) < 0)
				return cli_usage_error(
				    "export", "--to: not a number: '%s'",
				    optarg);
			break;
		case 'm':
			if (export_parse_format(optarg, &o.format) < 0)
				return cli_usage_error(
				    "export",
				    "--format: '%s' is not qlog, csv or "
				    "json",
				    optarg);
			have_format = true;
			break;
		case 'o':
			outp = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("export", "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("export", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("export", "unexpected argument '%s'",
				       argv[optind]);
	if (!have_format)
		return cli_usage_error("export", "--format is required");
	if (o.from_ns > o.to_ns)
		return cli_usage_error("export", "--from is after --to");
	if (store_open_db(db, STORE_READ, &s, err, sizeof(err)) < 0) {
		util_error("export", db, "%s", err);
		return CLI_FAIL;
	}
	if (o.format == EXPORT_QLOG && !to_file(outp)) {
		unsigned n = 0;
		const char *dir = outp ? outp : ".";
		if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
			util_error("export", dir, "%s", strerror(errno));
			store_close(s);
			return CLI_FAIL;
		}
		rc = export_dir(s, &o, dir, &n, err, sizeof(err));
		if (rc == 0)
			fprintf(stderr, "ojo: export: %u qlog file%s in %s\n",
				n, n == 1 ? "" : "s", dir);
		else
			util_error("export", selection_error(rc) ? db : dir,
				   "%s", err);
	} else {
		rc = export_file(s, &o, outp, err, sizeof(err));
		if (rc < 0)
			util_error("export",
				   selection_error(rc) ? db
				   : outp	       ? outp
						       : "standard output",
				   "%s", err);
	}
	store_close(s);
	return rc < 0 ? CLI_FAIL : CLI_OK;
}
