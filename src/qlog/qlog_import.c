/* qlog_import.c - placeholder until the qlog issue lands. */
#include "qlog/qlog.h"

#include <errno.h>
#include <stdio.h>

bool ojo_qlog_sniff(const void *head, size_t n)
{
	(void)head;
	(void)n;
	return false;
}

int ojo_qlog_import(ojo_store *s, const char *path, ojo_qlog_report *rep,
		    char *err, size_t errlen)
{
	(void)s;
	(void)path;
	(void)rep;
	snprintf(err, errlen, "qlog import not implemented yet");
	return -ENOSYS;
}
