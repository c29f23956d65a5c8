/* flusher.c - the background thread that drains the rings and writes
 * batches: staging/<name>.tmp, fsync, rename into output/ (FORMAT.md).
 *
 * Writers never wake the flusher (that would be a system call on their
 * path): it polls every OJO_TICK_MS. Each poll moves whatever is published
 * from every ring into the batch buffer, so a ring is emptied well before
 * it is half full; while writers fill rings faster than that (a ring more
 * than a quarter full at a poll) it polls again without sleeping. A batch
 * file is written when its oldest event has waited flush_interval_ms, when
 * the batch buffer is half full, on ojo_tracer_flush() and on close. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE64(x) __builtin_bswap64(x)
#define LE32(x) __builtin_bswap32(x)
#define LE16(x) __builtin_bswap16(x)
#else
#define LE64(x) (x)
#define LE32(x) (x)
#define LE16(x) (x)
#endif

static int write_all(int fd, const void *a, size_t alen, const void *b,
		     size_t blen)
{
	struct iovec iov[2] = {{(void *)a, alen}, {(void *)b, blen}};
	int idx = 0;
	while (idx < 2) {
		if (iov[idx].iov_len == 0) {
			idx++;
			continue;
		}
		ssize_t n = writev(fd, &iov[idx], 2 - idx);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		size_t left = (size_t)n;
		while (idx < 2 && left >= iov[idx].iov_len) {
			left -= iov[idx].iov_len;
			iov[idx].iov_len = 0;
			idx++;
		}
		if (idx < 2) {
			iov[idx].iov_base = (char *)iov[idx].iov_base + left;
			iov[idx].iov_len -= left;
		}
	}
	return 0;
}

int ojo__publish_file(struct ojo_tracer *t, const char *final, const void *a,
		      size_t alen, const void *b, size_t blen)
{
	char tmp[4096], dst[4096];
	if (t->dirs_missing) {
		ojo__make_dirs(t); /* a failure shows up just below */
		t->dirs_missing = 0;
	}
	/* batch names are unique already; others (the schema) may be written
	 * by several tracers at once, so their temporary name is made so */
	if (strncmp(final, t->name, strlen(t->name)) == 0)
		snprintf(tmp, sizeof(tmp), "%s/%s.tmp", t->staging_dir, final);
	else
		snprintf(tmp, sizeof(tmp), "%s/%s.%s.tmp", t->staging_dir,
			 t->name, final);
	snprintf(dst, sizeof(dst), "%s/%s", t->output_dir, final);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		int rc = -errno;
		if (rc == -ENOENT)
			t->dirs_missing = 1;
		return rc;
	}
	int rc = write_all(fd, a, alen, b, blen);
	if (!rc && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, dst) != 0) {
		rc = -errno;
		if (rc == -ENOENT)
			t->dirs_missing = 1;
	}
	if (rc)
		unlink(tmp); /* never leave a partial file behind */
	return rc;
}

static void report_error(struct ojo_tracer *t, int err, const char *path,
			 uint64_t lost)
{
	char full[4096];
	snprintf(full, sizeof(full), "%s/%s", t->output_dir, path);
	if (t->on_error) {
		t->on_error(t->on_error_user, err, full, lost);
		return;
	}
	fprintf(stderr, "ojo: %s: %s (%llu events lost)\n", full,
		ojo_strerror(err), (unsigned long long)lost);
}

static uint64_t dropped_total(struct ojo_tracer *t)
{
	uint64_t d = atomic_load(&t->write_lost);
	for (uint32_t i = 0; i <= t->nrings; i++)
		d += atomic_load_explicit(&t->rings[i].dropped,
					  memory_order_relaxed);
	return d;
}

static int cmp_ts(const void *a, const void *b)
{
	uint64_t x = ((const ojo_file_record *)a)->ts_delta_ns;
	uint64_t y = ((const ojo_file_record *)b)->ts_delta_ns;
	return (x > y) - (x < y);
}

/* Writes the buffered records (plus an events-dropped record if events
 * were lost since the last one that reached a file) as one batch file. */
static void write_batch(struct ojo_tracer *t)
{
	uint64_t dropped = dropped_total(t);
	uint64_t pending = dropped - t->drops_reported;
	size_t events = t->batch_n, n = events;
	if (n == 0 && pending == 0)
		return;
	ojo_file_record *rec = t->batch;
	if (pending) {
		rec[n].ts_delta_ns = ojo__mono_ns() - t->open_mono_ns;
		rec[n].flow_id = 0;
		rec[n].event_type = OJO_EV_EVENTS_DROPPED;
		rec[n].payload = pending;
		n++;
	}
	int sorted = 1;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = rec[i - 1].ts_delta_ns <= rec[i].ts_delta_ns;
	if (!sorted)
		qsort(rec, n, sizeof(*rec), cmp_ts);
	uint64_t base = rec[0].ts_delta_ns;
	for (size_t i = 0; i < n; i++) {
		rec[i].ts_delta_ns = LE64(rec[i].ts_delta_ns - base);
		rec[i].flow_id = LE32(rec[i].flow_id);
		rec[i].event_type = LE32(rec[i].event_type);
		rec[i].payload = LE64(rec[i].payload);
	}
	ojo_file_header h;
	memcpy(h.magic, OJO_MAGIC, 4);
	h.version = LE16((uint16_t)OJO_FORMAT_VERSION);
	h.reserved = 0;
	h.batch_start_ns = LE64(t->open_epoch_ns + base);
	h.schema_id = LE64(t->schema_id);

	char name[128];
	snprintf(name, sizeof(name), "%s-%08llu%s", t->name,
		 (unsigned long long)++t->batch_seq, OJO_FILE_SUFFIX);
	size_t bytes = n * sizeof(*rec);
	int rc = ojo__publish_file(t, name, &h, sizeof(h), rec, bytes);
	t->batch_n = 0;
	if (rc == 0) {
		t->drops_reported += pending;
		atomic_fetch_add(&t->files_written, 1);
		atomic_fetch_add(&t->bytes_written, sizeof(h) + bytes);
		return;
	}
	/* Counted as dropped now, reported by the next batch that succeeds. */
	atomic_fetch_add(&t->write_lost, events);
	atomic_store(&t->last_error, rc);
	atomic_fetch_add_explicit(&t->write_errors, 1, memory_order_release);
	report_error(t, rc, name, events);
}

/* Moves every published record of every ring into the batch, writing a
 * batch whenever the buffer fills up. Returns 1 if some ring had filled
 * past a quarter since the last drain (writers are busy: drain again
 * without sleeping). */
static int drain_all(struct ojo_tracer *t)
{
	int busy = 0;
	for (uint32_t i = 0; i <= t->nrings; i++) {
		struct ojo_ring *r = &t->rings[i];
		size_t total = 0;
		for (;;) {
			size_t room = t->batch_cap - 1 - t->batch_n;
			size_t got =
			    ojo_ring_drain(r, t->batch + t->batch_n, room);
			if (got && t->batch_n == 0)
				t->batch_first_mono = ojo__mono_ns();
			t->batch_n += got;
			total += got;
			if (got < room)
				break;
			write_batch(t); /* buffer full: ring may hold more */
		}
		busy |= total > (r->mask + 1) / 4;
	}
	return busy;
}

/* Everything published before this call ends up in output/. */
static void flush_all(struct ojo_tracer *t)
{
	uint64_t *snap = malloc(((size_t)t->nrings + 1) * sizeof(*snap));
	for (uint32_t i = 0; snap && i <= t->nrings; i++)
		snap[i] = atomic_load_explicit(&t->rings[i].head,
					       memory_order_relaxed);
	for (;;) {
		drain_all(t);
		int behind = 0;
		for (uint32_t i = 0; snap && i <= t->nrings; i++)
			behind |= atomic_load_explicit(&t->rings[i].tail,
						       memory_order_relaxed) <
				  snap[i];
		if (!behind)
			break;
		/* a shared-ring slot is reserved but not yet published */
		struct timespec ts = {0, 50000};
		nanosleep(&ts, NULL);
	}
	free(snap);
	write_batch(t);
}

/* One poll: drain, and write a batch when it is due. Returns 1 when the
 * writers are filling rings fast enough that the flusher should not sleep
 * before the next poll. */
static int tick(struct ojo_tracer *t)
{
	uint64_t interval = (uint64_t)t->flush_interval_ms * 1000000u;
	int busy = drain_all(t);
	uint64_t now = ojo__mono_ns();
	if (t->batch_n >= t->batch_cap / 2 ||
	    (t->batch_n && now - t->batch_first_mono >= interval)) {
		write_batch(t);
		t->batch_first_mono = now;
	} else if (t->batch_n == 0 && now - t->batch_first_mono >= interval &&
		   dropped_total(t) != t->drops_reported) {
		write_batch(t); /* only drops to report */
		t->batch_first_mono = now;
	}
	return busy; /* progress only: a stuck reservation must not spin us */
}

void *ojo__flusher_main(void *arg)
{
	struct ojo_tracer *t = arg;
	uint64_t served = 0;
	t->batch_first_mono = ojo__mono_ns();
	pthread_mutex_lock(&t->mu);
	for (;;) {
		uint64_t gen = t->flush_req;
		int stop = t->stopping;
		pthread_mutex_unlock(&t->mu);
		if (gen != served || stop) {
			flush_all(t);
			served = gen;
			pthread_mutex_lock(&t->mu);
			t->flush_done = gen;
			pthread_cond_broadcast(&t->done_cv);
			if (stop)
				break;
			continue;
		}
		int busy = tick(t);
		pthread_mutex_lock(&t->mu);
		if (!busy && t->flush_req == served && !t->stopping) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += OJO_TICK_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&t->cv, &t->mu, &ts);
		}
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}
