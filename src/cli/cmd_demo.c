/* cmd_demo.c - `ojo demo` (placeholder until its issue lands). */
#include "cli/cli.h"

int cmd_demo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("demo", NULL, "not implemented yet");
	return CLI_FAIL;
}
