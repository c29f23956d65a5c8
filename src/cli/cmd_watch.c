/* cmd_watch.c - `ojo watch` (placeholder until its issue lands). */
#include "cli/cli.h"

int cmd_watch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("watch", NULL, "not implemented yet");
	return CLI_FAIL;
}
