/* cmd_export.c - `ojo export` (placeholder until its issue lands). */
#include "cli/cli.h"

int cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("export", NULL, "not implemented yet");
	return CLI_FAIL;
}
