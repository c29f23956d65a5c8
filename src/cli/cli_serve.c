/* cli_serve.c - `ojo serve`: the explorer and its JSON API (docs/API.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/http.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ojo serve [--db-path FILE] [--host H] [--port P] "
		"[--ui-dir DIR]\n\n"
		"Serves the browser explorer and its JSON API (docs/API.md) "
		"over a database\nfilled by 'ojo watch', read-only.\n\n"
		"  --db-path FILE         database (default ./traces.db)\n"
		"  --host H               address to bind (default 127.0.0.1)\n"
		"  --port P               port (default 8080; 0 = any free "
		"port)\n"
		"  --ui-dir DIR           serve the UI from DIR instead of the "
		"embedded copy\n"
		"  --query-timeout-ms MS  cut off queries after MS ms (default "
		"5000)\n"
		"  --no-cache             recompute every answer (benchmarks)\n"
		"  -h, --help             show this help\n\n"
		"Prints 'ojo: serving URL' once listening; Ctrl-C stops.\n");
}

static void on_ready(const char *url, void *user)
{
	(void)user;
	printf("ojo: serving %s\n", url);
	fflush(stdout);
}

/* Parses the value of --NAME into [lo, hi]: CLI_OK or a usage error. */
static int int_opt(const char *name, const char *s, long lo, long hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return cli_usage_error("serve",
				       "--%s must be %ld..%ld, not '%s'", name,
				       lo, hi, s);
	*out = (int)v;
	return CLI_OK;
}

int cli_serve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db-path", required_argument, NULL, 'd'},
	    {"host", required_argument, NULL, 'H'},
	    {"port", required_argument, NULL, 'p'},
	    {"ui-dir", required_argument, NULL, 'u'},
	    {"query-timeout-ms", required_argument, NULL, 't'},
	    {"no-cache", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	http_opts o = {
	    .db_path = "./traces.db", .host = "127.0.0.1", .port = 8080};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.db_path = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			if (int_opt("port", optarg, 0, 65535, &o.port))
				return CLI_USAGE;
			break;
		case 'u':
			o.ui_dir = optarg;
			break;
		case 't':
			if (int_opt("query-timeout-ms", optarg, 1, 3600000,
				    &o.query_timeout_ms))
				return CLI_USAGE;
			break;
		case 'n':
			o.no_cache = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("serve", "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("serve", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("serve", "unexpected argument '%s'",
				       argv[optind]);
	cli_install_stop_handlers();
	o.stop = cli_stop_flag();
	o.on_ready = on_ready;
	return http_serve(&o) == 0 ? CLI_OK : CLI_FAIL;
}
