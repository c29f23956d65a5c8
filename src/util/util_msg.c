/* util_msg.c - the tool's messages on stderr (util_msg.h). */
#include "util/util_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void util_error(const char *cmd, const char *path, const char *fmt, ...)
{
	va_list ap;
	/* one fprintf per piece would let another thread's line slip in:
	 * build the line, then write it at once */
	char line[1024];
	int n = snprintf(line, sizeof(line), "ojo: %s: %s%s", cmd,
			 path ? path : "", path ? ": " : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

bool util_progress_enabled(void)
{
	return isatty(STDERR_FILENO);
}
