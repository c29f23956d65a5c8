/* backends.c - which storage backends exist, and which one a database
 * name selects: the only code that knows them all (store.h's store_open).
 * A URL whose scheme a backend claims goes to it; anything else is a path
 * to a SQLite file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sqlite/sqlite.h"
#include "store/store_backend.h"

static const store_ops *const backends[] = {
    &sq_ops,
};

int store_open(const store_opts *o, store **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!o->db || !o->db[0]) {
		snprintf(err, errlen, "no database named");
		return -EINVAL;
	}
	const store_ops *ops = &sq_ops; /* a path */
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i]->claims && backends[i]->claims(o->db))
			ops = backends[i];
	if (ops == &sq_ops && strstr(o->db, "://")) {
		snprintf(err, errlen,
			 "unknown database URL scheme (a path names a SQLite "
			 "file; clickhouse://HOST:PORT/DB a ClickHouse "
			 "database)");
		return -EINVAL;
	}
	return store_open_with(ops, o, out, err, errlen);
}

int store_open_db(const char *db, int mode, store **out, char *err,
		  size_t errlen)
{
	store_opts o = {.db = db, .mode = mode};
	return store_open(&o, out, err, errlen);
}
