/* cmd_import.c - `ojo import` (placeholder until its issue lands). */
#include "cli/cli.h"

int cmd_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("import", NULL, "not implemented yet");
	return CLI_FAIL;
}
