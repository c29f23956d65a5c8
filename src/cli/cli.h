/* cli.h - what every `ojo` subcommand shares: exit codes, usage errors,
 * and the stop flag set by SIGINT/SIGTERM. */
#ifndef OJO_CLI_H
#define OJO_CLI_H

#include <signal.h>
#include <stdbool.h>

#include "util/util_msg.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Subcommands: argv[0] is the subcommand name. Return an exit code. */
int cli_watch(int argc, char **argv);
int cli_query(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_demo(int argc, char **argv);

/* Prints "ojo: CMD: MESSAGE\nTry 'ojo CMD --help'." and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Installs SIGINT/SIGTERM handlers that set the process-wide stop flag
 * (the one piece of global mutable state in the tool: signal handlers have
 * nowhere else to write). */
void cli_install_stop_handlers(void);
bool cli_stop_requested(void);
/* Pointer to the flag, for loops that poll it (e.g. the HTTP server). */
volatile sig_atomic_t *cli_stop_flag(void);

#endif
