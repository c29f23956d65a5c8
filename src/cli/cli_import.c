/* cli_import.c - `ojo import`: qlog files (or directories of them) into
 * the database, one transaction per file through the same exactly-once
 * ledger as `ojo watch`, with a report per file. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "ingest/ingest.h"
#include "qlog/qlog.h"
#include "store/store.h"

typedef struct import_run {
	store *s;
	int failed, imported, skipped, rejected;
} import_run;

static void usage(FILE *f)
{
	fputs(
	    "Usage: ojo import [--db-path FILE] PATH...\n"
	    "\n"
	    "Imports qlog files (contained JSON, JSON-SEQ or NDJSON; every\n"
	    "qlog version from 0.1 to the newest main-schema drafts) into an\n"
	    "Ojo database. A directory is searched recursively for *.qlog,\n"
	    "*.sqlog and *.json files (*.ojo batches are ingested too). Each\n"
	    "file is imported once, in one transaction: importing it again\n"
	    "skips it. Mapping to Ojo events: docs/QLOG.md.\n"
	    "\n"
	    "  --db-path FILE   database (default ./traces.db)\n"
	    "  -h, --help       show this help\n"
	    "\n"
	    "Prints per file the events and flows stored, the qlog events\n"
	    "kept unmapped (per name) and warnings (e.g. a truncated file).\n"
	    "Exit status: 0 every file imported or already there, 1 a file\n"
	    "was rejected or failed, 2 usage error.\n",
	    f);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && !strcmp(s + n - k, suf);
}

static void print_report(const char *path, const qlog_report *r)
{
	printf("%s: imported (%s, qlog %s): %llu qlog events -> %llu Ojo "
	       "events, %u trace%s, %u flow%s; %llu unmapped\n",
	       path, r->format, r->version[0] ? r->version : "?",
	       (unsigned long long)r->events_total,
	       (unsigned long long)r->ojo_events, r->traces,
	       r->traces == 1 ? "" : "s", r->flows, r->flows == 1 ? "" : "s",
	       (unsigned long long)r->events_unmapped);
	for (uint32_t i = 0; i < r->n_unmapped_names; i++)
		printf("  unmapped %s: %llu\n", r->unmapped[i].name,
		       (unsigned long long)r->unmapped[i].n);
	if (r->unmapped_other)
		printf("  unmapped (other names): %llu\n",
		       (unsigned long long)r->unmapped_other);
	if (r->bad_records || r->malformed)
		printf("  skipped: %llu records that are not JSON, %llu events "
		       "without time or name\n",
		       (unsigned long long)r->bad_records,
		       (unsigned long long)r->malformed);
	if (r->warning[0])
		fprintf(stderr, "ojo: import: %s: warning: %s\n", path,
			r->warning);
}

/* Records the file as rejected in its own transaction. */
static int reject(import_run *ir, const store_file_info *base, const char *why)
{
	store_file_info fi = *base;
	int rc;
	fi.status = STORE_FILE_REJECTED;
	fi.reason = why;
	fi.events = 0;
	if ((rc = store_begin(ir->s)) < 0 ||
	    (rc = store_file_done(ir->s, &fi)) < 0 ||
	    (rc = store_commit(ir->s)) < 0)
		store_rollback(ir->s);
	return rc;
}

static void import_qlog(import_run *ir, const char *path, const struct stat *st)
{
	qlog_report rep;
	store_file_status fs = STORE_FILE_UNKNOWN;
	char err[256] = "", format[48];
	store_file_info fi = {
	    .path = path,
	    .size = (int64_t)st->st_size,
	    .mtime_ns =
		(int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
	    .format = "qlog",
	    .status = STORE_FILE_INGESTED,
	};
	int rc;

	if ((rc = store_begin(ir->s)) < 0)
		goto dberr;
	/* inside the write transaction: no watcher can slip in between */
	int64_t then_size = 0, then_mtime = 0;
	if ((rc = store_file_get(ir->s, path, &fs, &then_size, &then_mtime)) <
	    0)
		goto dberr;
	if (fs != STORE_FILE_UNKNOWN) {
		store_rollback(ir->s);
		const char *was =
		    fs == STORE_FILE_INGESTED ? "imported" : "rejected";
		printf("%s: skipped (already %s)\n", path, was);
		/* the ledger is keyed by path: a rewritten file is not read
		   again, so say so rather than look up to date */
		if (then_size != fi.size || then_mtime != fi.mtime_ns)
			util_error("import", path,
				   "warning: changed after it was %s; not "
				   "re-read (%lld bytes then, %lld now)",
				   was, (long long)then_size,
				   (long long)fi.size);
		ir->skipped++;
		return;
	}
	rc = qlog_import(ir->s, path, &rep, err, sizeof(err));
	if (rc == -EINVAL || rc == -EFBIG) {
		store_rollback(ir->s);
		util_error("import", path, "%s", err);
		if (reject(ir, &fi, err) < 0)
			util_error("import", path, "database: %s",
				   store_errmsg(ir->s));
		ir->rejected++;
		return;
	}
	if (rc < 0) {
		store_rollback(ir->s);
		util_error("import", path, "%s", err);
		ir->failed++;
		return;
	}
	snprintf(format, sizeof(format), "qlog-%s", rep.format);
	fi.format = format;
	fi.events = rep.ojo_events;
	fi.reason = rep.warning[0] ? rep.warning : NULL;
	if ((rc = store_file_done(ir->s, &fi)) < 0 ||
	    (rc = store_commit(ir->s)) < 0)
		goto dberr;
	print_report(path, &rep);
	ir->imported++;
	return;
dberr:
	util_error("import", path, "database: %s", store_errmsg(ir->s));
	store_rollback(ir->s);
	ir->failed++;
}

static void import_other(import_run *ir, const char *path)
{
	ingest_result res;
	memset(&res, 0, sizeof(res));
	if (ingest_file(ir->s, path, &res) < 0) {
		util_error("import", path, "%s", res.reason);
		ir->failed++;
	} else if (res.status == STORE_FILE_INGESTED) {
		printf("%s: imported: %llu events\n", path,
		       (unsigned long long)res.events);
		ir->imported++;
	} else if (res.status == STORE_FILE_REJECTED) {
		util_error("import", path, "%s", res.reason);
		ir->rejected++;
	} else {
		printf("%s: skipped%s%s\n", path, res.reason[0] ? ": " : "",
		       res.reason);
		ir->skipped++;
	}
}

static void import_path(import_run *ir, const char *arg, bool explicit_file);

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void import_dir(import_run *ir, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	if (!d) {
		util_error("import", dir, "%s", strerror(errno));
		ir->failed++;
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
		}
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names); /* stable order */
	for (size_t i = 0; i < n; i++) {
		if (!cli_stop_requested())
			import_path(ir, names[i], false);
		free(names[i]);
	}
	free(names);
}

static bool looks_qlog(const char *path)
{
	char head[4096];
	size_t n = 0;
	FILE *f = fopen(path, "rb");
	if (f) {
		n = fread(head, 1, sizeof(head), f);
		fclose(f);
	}
	return qlog_sniff(head, n);
}

static void import_path(import_run *ir, const char *arg, bool explicit_file)
{
	char abs[PATH_MAX];
	struct stat st;
	if (stat(arg, &st) < 0) {
		util_error("import", arg, "%s", strerror(errno));
		ir->failed++;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		import_dir(ir, arg);
		return;
	}
	if (!S_ISREG(st.st_mode))
		return;
	if (!explicit_file && !has_suffix(arg, ".qlog") &&
	    !has_suffix(arg, ".sqlog") && !has_suffix(arg, ".json") &&
	    !has_suffix(arg, ".ojo"))
		return;
	if (!realpath(arg, abs)) {
		util_error("import", arg, "%s", strerror(errno));
		ir->failed++;
		return;
	}
	if (!explicit_file && has_suffix(abs, ".json") && !looks_qlog(abs)) {
		/* *.json is a broad pattern: other JSON beside qlog files
		   (metadata, configs) is passed over, not rejected */
		printf("%s: skipped (JSON, not qlog)\n", abs);
		return;
	}
	if (has_suffix(abs, ".ojo"))
		import_other(ir, abs);
	else
		import_qlog(ir, abs, &st);
}

int cli_import(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db-path", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = "./traces.db";
	import_run ir = {0};
	char err[512];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hd:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!optarg[0])
				return cli_usage_error("import",
						       "--db-path: empty path");
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("import", "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("import", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("import", "no PATH to import");
	if (store_open_db(db, STORE_WRITE, &ir.s, err, sizeof(err)) < 0) {
		util_error("import", db, "%s", err);
		return CLI_FAIL;
	}
	cli_install_stop_handlers();
	for (int i = optind; i < argc && !cli_stop_requested(); i++)
		import_path(&ir, argv[i], true);
	store_close(ir.s);
	fprintf(stderr,
		"ojo: import: %d imported, %d already there, %d rejected, %d "
		"failed\n",
		ir.imported, ir.skipped, ir.rejected, ir.failed);
	return ir.failed || ir.rejected ? CLI_FAIL : CLI_OK;
}
