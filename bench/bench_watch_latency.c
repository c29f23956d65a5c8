/* bench_watch_latency.c - time from a batch file's rename into output/ to
 * its events being queryable, through a real `ojo watch` child process and
 * a separate read-only SQLite connection polling the ledger (as `ojo serve`
 * would). Baseline in the same run: the same files ingested in-process by
 * ingest_file() with no watcher, i.e. the cost of the transaction
 * itself. Target: median latency under 100 ms.
 * usage: bench_watch_latency [FILES=50] [EVENTS_PER_FILE=10000] */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ojo/ojo.h"

#define DIE(...)                                                               \
	do {                                                                   \
		fprintf(stderr, "bench_watch_latency: " __VA_ARGS__);          \
		fputc('\n', stderr);                                           \
		exit(1);                                                       \
	} while (0)

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	printf("%-44s median %7.2f ms  p90 %7.2f ms  max %7.2f ms  (n=%d)\n",
	       what, v[n / 2], v[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1],
	       v[n - 1], n);
}

static int rm_one(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb;
	(void)f;
	(void)w;
	return remove(p);
}

/* Writes files batches of per_file events with libojo into dir/output. */
static void write_corpus(const char *dir, int files, long per_file)
{
	ojo_config cfg;
	ojo_tracer *t;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = (size_t)per_file * 24 * 4 + 65536;
	cfg.flush_interval_ms = 600000;
	if (ojo_tracer_open(&cfg, &t))
		DIE("cannot open tracer in %s", dir);
	uint64_t n = 0;
	for (int f = 0; f < files; f++) {
		for (long i = 0; i < per_file; i++, n++) {
			ojo_event ev = {.timestamp_ns = n * 1000,
					.flow_id = 1 + (uint32_t)(n % 16),
					.event_type = OJO_EV_PACKET_SENT +
						      (uint32_t)(n % 3),
					.payload = n};
			if (ojo_record(t, &ev))
				DIE("event dropped");
		}
		ojo_tracer_flush(t);
	}
	ojo_tracer_close(t);
}

static int ojo_name(const struct dirent *de)
{
	return strstr(de->d_name, ".ojo") != NULL;
}

int main(int argc, char **argv)
{
	int files = argc > 1 ? atoi(argv[1]) : 50;
	long per_file = argc > 2 ? atol(argv[2]) : 10000;
	char tmpl[] = "/tmp/ojo-bench-watch-XXXXXX", path[PATH_MAX];
	char *tmp = mkdtemp(tmpl);
	struct dirent **names;
	double *lat = calloc((size_t)files, sizeof(double));
	double *base = calloc((size_t)files, sizeof(double));

	if (!tmp || files < 1 || per_file < 1 || !lat || !base)
		DIE("usage: bench_watch_latency [FILES] [EVENTS_PER_FILE]");
	snprintf(path, sizeof(path), "%s/src", tmp);
	write_corpus(path, files, per_file);
	snprintf(path, sizeof(path), "%s/src/output", tmp);
	int n = scandir(path, &names, ojo_name, alphasort);
	if (n != files)
		DIE("expected %d files in %s, found %d", files, path, n);

	/* baseline: the ingest transaction alone, in-process */
	{
		store *s;
		char err[256];
		snprintf(path, sizeof(path), "%s/baseline.db", tmp);
		if (store_open_db(path, STORE_WRITE, &s, err, sizeof(err)))
			DIE("%s", err);
		for (int i = 0; i < n; i++) {
			ingest_result res;
			snprintf(path, sizeof(path), "%s/src/output/%s", tmp,
				 names[i]->d_name);
			double t0 = now_ms();
			if (ingest_file(s, path, &res) ||
			    res.status != STORE_FILE_INGESTED)
				DIE("baseline ingest of %s failed", path);
			base[i] = now_ms() - t0;
		}
		store_close(s);
	}

	/* the watcher, as users run it */
	char out[PATH_MAX], db[PATH_MAX];
	snprintf(out, sizeof(out), "%s/traces/output", tmp);
	snprintf(db, sizeof(db), "%s/traces.db", tmp);
	snprintf(path, sizeof(path), "%s/traces", tmp);
	mkdir(path, 0755);
	mkdir(out, 0755);
	pid_t child = fork();
	if (child == 0) {
		execl(OJO_BIN, "ojo", "watch", "--quiet", "--input-dir", out,
		      "--db-path", db, (char *)NULL);
		_exit(127);
	}
	sqlite3 *rd = NULL;
	sqlite3_stmt *st = NULL;
	for (double t0 = now_ms(); !st; usleep(10000)) {
		if (now_ms() - t0 > 10000)
			DIE("ojo watch did not create %s", db);
		if (!rd && sqlite3_open_v2(db, &rd, SQLITE_OPEN_READONLY,
					   NULL) != SQLITE_OK) {
			sqlite3_close(rd);
			rd = NULL;
			continue;
		}
		if (rd && sqlite3_prepare_v2(rd,
					     "SELECT n_events FROM files "
					     "WHERE path = ?",
					     -1, &st, NULL) != SQLITE_OK)
			st = NULL;
	}
	sqlite3_busy_timeout(rd, 1000);
	char out_abs[PATH_MAX];
	if (!realpath(out, out_abs))
		DIE("realpath %s", out);
	for (int i = 0; i < n; i++) {
		char from[PATH_MAX], to[PATH_MAX];
		snprintf(from, sizeof(from), "%s/src/output/%s", tmp,
			 names[i]->d_name);
		if (snprintf(to, sizeof(to), "%s/%s", out_abs,
			     names[i]->d_name) >= (int)sizeof(to))
			DIE("path too long");
		usleep(20000); /* one at a time, as a tracer does */
		double t0 = now_ms();
		if (rename(from, to))
			DIE("rename: %s", strerror(errno));
		for (;;) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW)
				break;
			if (now_ms() - t0 > 10000)
				DIE("%s not ingested after 10 s", to);
			usleep(500);
		}
		lat[i] = now_ms() - t0;
	}
	sqlite3_finalize(st);
	sqlite3_close(rd);
	kill(child, SIGTERM);
	int status = 0;
	waitpid(child, &status, 0);

	printf("bench_watch_latency: %d files of %ld events, one at a time\n",
	       n, per_file);
	report("baseline: ojo_ingest_file() in-process", base, n);
	report("rename -> queryable via ojo watch", lat, n);
	printf("target: median < 100 ms; watcher exit status %d\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(lat);
	free(base);
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
