/* cmd_query.c - `ojo query` (placeholder until its issue lands). */
#include "cli/cli.h"

int cmd_query(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("query", NULL, "not implemented yet");
	return CLI_FAIL;
}
