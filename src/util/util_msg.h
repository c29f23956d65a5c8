/* util_msg.h - the tool's messages on stderr: one line per problem,
 * "ojo: CMD: PATH: reason", and whether progress lines may be drawn. */
#ifndef OJO_UTIL_MSG_H
#define OJO_UTIL_MSG_H

#include <stdbool.h>

/* Prints "ojo: CMD: PATH: REASON" (PATH omitted when NULL) to stderr. */
void util_error(const char *cmd, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True when progress lines should be drawn (stderr is a terminal). */
bool util_progress_enabled(void);

#endif
