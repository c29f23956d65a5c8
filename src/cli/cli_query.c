/* cli_query.c - `ojo query`: one read-only SQL statement on a database,
 * printed as an aligned table, CSV or JSON. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

/* Rows buffered to size the table's columns; later rows reuse the widths
 * so memory stays bounded on huge results. */
#define TABLE_SAMPLE_ROWS 1000
#define TABLE_MAX_WIDTH	  60

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

static void usage(FILE *f)
{
	fputs(
	    "Usage: ojo query [--db-path FILE] [--csv | --json] \"SQL\"\n"
	    "\n"
	    "Runs one read-only SQL statement (SELECT, WITH, reading PRAGMAs)\n"
	    "on an Ojo database and prints the result on stdout. The database\n"
	    "is opened read-only, so this is safe while `ojo watch` writes.\n"
	    "Tables: traces, flows, blocks, type_counts, event_types, files,\n"
	    "unmapped_events. Events are one row each in the virtual table\n"
	    "events(trace_id, flow_id, flow_key, time_ns, type, payload);\n"
	    "events_named adds type_name and category. Columns and example\n"
	    "queries: docs/DATABASE.md.\n"
	    "\n"
	    "  --db-path FILE  database (default ./traces.db)\n"
	    "  --csv           comma-separated values with a header line\n"
	    "                  (NULL is an empty field)\n"
	    "  --json          a JSON array of objects, one per row\n"
	    "  -h, --help      show this help\n"
	    "\n"
	    "Without --csv/--json: an aligned table, and \"(N rows)\" on\n"
	    "stderr. Blobs print as hex. Ctrl-C stops a long query.\n"
	    "\n"
	    "Example:\n"
	    "  ojo query \"SELECT type_name, count(*) FROM events_named\n"
	    "             WHERE flow_key = 3 GROUP BY 1 ORDER BY 2 DESC\"\n"
	    "\n"
	    "Exit status: 0 success, 1 failure, 2 usage error.\n",
	    f);
}

typedef struct out {
	enum fmt fmt;
	FILE *f;
	int ncol;
	char **names;
	/* table mode: sampled rows as strings, then fixed widths */
	char **cells; /* rows * ncol */
	size_t rows, cap;
	int *width;
	bool *right; /* numeric column: right-aligned */
	bool header_done;
	size_t emitted;
} out;

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p) {
		fputs("ojo: query: out of memory\n", stderr);
		exit(CLI_FAIL);
	}
	return p;
}

/* Text of one value for the table and CSV formats. */
static char *value_text(const store_value *v)
{
	char buf[64];
	switch (v->kind) {
	case STORE_NULL:
		return xstrdup("NULL");
	case STORE_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, v->i);
		return xstrdup(buf);
	case STORE_REAL:
		snprintf(buf, sizeof(buf), "%.17g", v->d);
		return xstrdup(buf);
	case STORE_TEXT:
		return xstrdup((const char *)v->p);
	case STORE_BLOB: {
		char *s = malloc(v->len * 2 + 4);
		if (!s)
			return xstrdup("?");
		const unsigned char *b = v->p;
		size_t k = 0;
		s[k++] = 'x';
		s[k++] = '\'';
		for (size_t i = 0; i < v->len; i++)
			k += (size_t)sprintf(s + k, "%02x", b[i]);
		s[k++] = '\'';
		s[k] = 0;
		return s;
	}
	}
	return xstrdup("");
}

/* Display width in columns, counting UTF-8 continuation bytes as zero. */
static int text_width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void print_cell(out *o, const char *s, int col, bool last)
{
	int w = o->width[col];
	int pad = w - text_width(s);
	if (pad < 0)
		pad = 0;
	if (o->right[col])
		fprintf(o->f, "%*s%s", pad, "", s);
	else if (last)
		fputs(s, o->f);
	else
		fprintf(o->f, "%s%*s", s, pad, "");
	fputs(last ? "\n" : "  ", o->f);
}

static void table_header(out *o)
{
	for (int c = 0; c < o->ncol; c++)
		print_cell(o, o->names[c], c, c == o->ncol - 1);
	for (int c = 0; c < o->ncol; c++) {
		for (int i = 0; i < o->width[c]; i++)
			fputc('-', o->f);
		fputs(c == o->ncol - 1 ? "\n" : "  ", o->f);
	}
	o->header_done = true;
}

static void table_flush_sample(out *o)
{
	for (int c = 0; c < o->ncol; c++) {
		int w = text_width(o->names[c]);
		for (size_t r = 0; r < o->rows; r++) {
			int cw = text_width(o->cells[r * o->ncol + c]);
			w = cw > w ? cw : w;
		}
		o->width[c] = w > TABLE_MAX_WIDTH ? TABLE_MAX_WIDTH : w;
	}
	table_header(o);
	for (size_t r = 0; r < o->rows; r++) {
		for (int c = 0; c < o->ncol; c++) {
			print_cell(o, o->cells[r * o->ncol + c], c,
				   c == o->ncol - 1);
			free(o->cells[r * o->ncol + c]);
		}
	}
	o->rows = 0;
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (ch < 0x20)
				fprintf(f, "\\u%04x", ch);
			else
				fputc(ch, f);
		}
	}
	fputc('"', f);
}

static void json_value(FILE *f, const store_value *v)
{
	switch (v->kind) {
	case STORE_NULL:
		fputs("null", f);
		break;
	case STORE_INT:
		fprintf(f, "%" PRId64, v->i);
		break;
	case STORE_REAL:
		if (v->d != v->d || v->d - v->d != 0) /* NaN, inf */
			fputs("null", f);
		else
			fprintf(f, "%.17g", v->d);
		break;
	case STORE_TEXT:
		json_string(f, v->p, v->len);
		break;
	case STORE_BLOB: {
		const unsigned char *b = v->p;
		fputc('"', f);
		for (size_t i = 0; i < v->len; i++)
			fprintf(f, "%02x", b[i]);
		fputc('"', f);
		break;
	}
	}
}

static int on_columns(void *user, int n, const char *const *names)
{
	out *o = user;
	o->ncol = n;
	o->names = calloc((size_t)n + 1, sizeof(char *));
	o->width = calloc((size_t)n + 1, sizeof(int));
	o->right = calloc((size_t)n + 1, sizeof(bool));
	if (!o->names || !o->width || !o->right)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		o->names[i] = xstrdup(names[i]);
	if (o->fmt == FMT_CSV) {
		for (int i = 0; i < n; i++) {
			if (i)
				fputc(',', o->f);
			csv_field(o->f, names[i]);
		}
		fputc('\n', o->f);
	} else if (o->fmt == FMT_JSON) {
		fputc('[', o->f);
	}
	return 0;
}

static int on_row(void *user, int n, const store_value *vals)
{
	out *o = user;
	if (o->fmt == FMT_CSV) {
		for (int i = 0; i < n; i++) {
			if (i)
				fputc(',', o->f);
			if (vals[i].kind == STORE_NULL)
				continue; /* empty field */
			char *s = value_text(&vals[i]);
			csv_field(o->f, s);
			free(s);
		}
		fputc('\n', o->f);
	} else if (o->fmt == FMT_JSON) {
		fputs(o->emitted ? ",\n{" : "\n{", o->f);
		for (int i = 0; i < n; i++) {
			if (i)
				fputc(',', o->f);
			json_string(o->f, o->names[i], strlen(o->names[i]));
			fputc(':', o->f);
			json_value(o->f, &vals[i]);
		}
		fputc('}', o->f);
	} else if (!o->header_done) {
		if (o->rows == o->cap) {
			size_t cap = o->cap ? o->cap * 2 : 64;
			char **c = realloc(o->cells, cap * (size_t)(n ? n : 1) *
							 sizeof(char *));
			if (!c)
				return -ENOMEM;
			o->cells = c;
			o->cap = cap;
		}
		for (int i = 0; i < n; i++) {
			o->cells[o->rows * (size_t)n + (size_t)i] =
			    value_text(&vals[i]);
			/* numbers right-aligned unless text shows up */
			if (o->rows == 0 && !o->emitted)
				o->right[i] = vals[i].kind == STORE_INT ||
					      vals[i].kind == STORE_REAL;
			else if (vals[i].kind == STORE_TEXT ||
				 vals[i].kind == STORE_BLOB)
				o->right[i] = false;
		}
		o->rows++;
		if (o->rows == TABLE_SAMPLE_ROWS)
			table_flush_sample(o);
	} else {
		for (int i = 0; i < n; i++) {
			char *s = value_text(&vals[i]);
			print_cell(o, s, i, i == n - 1);
			free(s);
		}
	}
	o->emitted++;
	return ferror(o->f) ? -EPIPE : 0; /* e.g. `| head` went away */
}

static void finish(out *o)
{
	if (o->fmt == FMT_JSON)
		fputs(o->emitted ? "\n]\n" : "]\n", o->f);
	else if (o->fmt == FMT_TABLE && !o->header_done && o->ncol)
		table_flush_sample(o);
	if (o->fmt == FMT_TABLE) {
		fflush(o->f); /* the count follows the table on a terminal */
		fprintf(stderr, "(%zu row%s)\n", o->emitted,
			o->emitted == 1 ? "" : "s");
	}
}

static void out_free(out *o)
{
	for (size_t r = 0; r < o->rows * (size_t)o->ncol; r++)
		free(o->cells[r]);
	free(o->cells);
	for (int i = 0; i < o->ncol && o->names; i++)
		free(o->names[i]);
	free(o->names);
	free(o->width);
	free(o->right);
}

int cli_query(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db-path", required_argument, NULL, 'd'},
	    {"csv", no_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = "./traces.db";
	int fmt = -1;
	int c;
	opterr = 0;
	optind = 1;
	/* "+": options before the SQL, so SQL text is never taken apart */
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!optarg[0])
				return cli_usage_error("query",
						       "--db-path: empty path");
			db = optarg;
			break;
		case 'c':
		case 'j':
			if (fmt >= 0)
				return cli_usage_error(
				    "query", "--csv and --json exclude "
					     "each other");
			fmt = c == 'c' ? FMT_CSV : FMT_JSON;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("query", "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("query", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("query", "missing SQL statement");
	if (optind + 1 < argc)
		return cli_usage_error("query",
				       "one SQL statement expected, got %d "
				       "arguments (quote the SQL)",
				       argc - optind);
	const char *sql = argv[optind];

	store *s;
	char err[512];
	if (store_open_db(db, STORE_READ, &s, err, sizeof(err))) {
		util_error("query", db, "%s", err);
		return CLI_FAIL;
	}
	out o = {.fmt = fmt < 0 ? FMT_TABLE : (enum fmt)fmt, .f = stdout};
	cli_install_stop_handlers(); /* Ctrl-C stops a long query cleanly */
	store_query_cb cb = {.columns = on_columns,
			     .row = on_row,
			     .user = &o,
			     .stop = cli_stop_flag()};
	int rc = store_query(s, sql, &cb);
	if (rc) {
		if (rc == -EPIPE) /* the reader left: nothing to say */
			;
		else if (rc == -ENOMEM)
			util_error("query", db, "out of memory");
		else
			util_error("query", db, "%s", store_errmsg(s));
		out_free(&o);
		store_close(s);
		return CLI_FAIL;
	}
	finish(&o);
	out_free(&o);
	store_close(s);
	if (fflush(stdout) != 0) {
		util_error("query", NULL, "writing output: %s",
			   strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}
