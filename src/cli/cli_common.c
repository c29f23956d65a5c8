/* cli_common.c - what the ojo subcommands share: usage errors and the
 * stop flag. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t stop_flag;

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ojo: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ojo %s --help'.\n", cmd);
	return CLI_USAGE;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void cli_install_stop_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool cli_stop_requested(void)
{
	return stop_flag != 0;
}

volatile sig_atomic_t *cli_stop_flag(void)
{
	return &stop_flag;
}
