/* cli_main.c - the ojo command: dispatches to one subcommand per job. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ojo/ojo.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"demo", cli_demo,
     "simulate transfers, ingest them and serve the explorer"},
    {"watch", cli_watch,
     "ingest trace directories into a SQLite database, live"},
    {"serve", cli_serve, "serve the browser explorer and JSON API"},
    {"import", cli_import, "import qlog files or directories"},
    {"export", cli_export, "export flows as qlog, CSV or JSON"},
    {"query", cli_query, "run a read-only SQL query on a database"},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: ojo COMMAND [OPTIONS]\n\n"
		   "Ojo records transport-protocol events and lets you explore "
		   "them.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f,
		"\nRun 'ojo COMMAND --help' for the options of one command.\n"
		"  -h, --help     show this help\n"
		"  -V, --version  show the version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help") ||
	    !strcmp(name, "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
		printf("ojo %s\n", OJO_VERSION_STRING);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ojo: unknown command '%s'\nTry 'ojo --help'.\n", name);
	return CLI_USAGE;
}
