/* lib_common.h - helpers shared by the libojo tests (tests/lib_*.c). */
#ifndef OJO_TESTS_LIB_COMMON_H
#define OJO_TESTS_LIB_COMMON_H

#include <dirent.h>

#include "check.h"
#include "check_ojo.h"
#include "ojo/ojo.h"
#include "ojo/reader.h"

/* Calls fn for every record of every .ojo file in dir/output; checks each
 * file validates. Returns the number of files. */
typedef void (*record_fn)(void *user, const ojo_record_view *v);
static inline size_t test_scan(const char *dir, record_fn fn, void *user)
{
	char out[1024];
	snprintf(out, sizeof(out), "%s/output", dir);
	size_t files;
	char **paths = test_ojo_files(out, &files);
	for (size_t f = 0; f < files; f++) {
		ojo_reader *r = test_open_valid(paths[f]);
		size_t cnt = ojo_reader_count(r);
		CHECK(cnt > 0);
		for (size_t i = 0; i < cnt; i++) {
			ojo_record_view v;
			CHECK_EQ(ojo_reader_get(r, i, &v), 0);
			if (i == 0)
				CHECK_EQ(v.time_ns,
					 ojo_reader_batch_start_ns(r));
			if (fn)
				fn(user, &v);
		}
		ojo_reader_close(r);
	}
	test_free_list(paths, files);
	return files;
}

#endif
