/* cmd_serve.c - `ojo serve` (placeholder until its issue lands). */
#include "cli/cli.h"

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("serve", NULL, "not implemented yet");
	return CLI_FAIL;
}
