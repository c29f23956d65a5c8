/* bench_record.c - cost of ojo_record / ojo_record_now per event with 1 and
 * 2 writer threads, next to baselines measured in the same run: a store of
 * the 24-byte event to a thread-local array (the floor), the same store
 * into one array shared by all threads after reserving the slot with an
 * atomic fetch_add on a shared counter (the cost of a single reservation
 * counter under contention), one
 * clock_gettime(CLOCK_MONOTONIC), and fwrite of each event to a buffered
 * file. Each case runs ROUNDS rounds of EVENTS events per thread; the
 * figures are the median and the p10/p90 spread over rounds of the mean ns
 * per event of each thread, and the total events/s of all threads. With 2
 * threads, "overlap" is the median share of a round's span during which
 * both threads ran: near 100% only when both CPUs were free, otherwise the
 * 2-thread figures measure threads taking turns.
 * usage: bench_record [ROUNDS] [EVENTS_PER_ROUND] */
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ojo/ojo.h"

enum kind { FLOOR, SHARED, CLOCK, FWRITE, RECORD, RECORD_NOW, NKINDS };
static const char *kind_name[NKINDS] = {
    "baseline: store to thread-local array",
    "baseline: shared counter (fetch_add)",
    "baseline: clock_gettime(MONOTONIC)",
    "baseline: fwrite to buffered file",
    "ojo_record (caller timestamp)",
    "ojo_record_now (library timestamp)",
};

static int rounds = 101;
static uint64_t events = 1u << 16;
/* SHARED: every thread reserves its slot with one atomic fetch_add on this
 * counter, what a ring with a single reservation counter does. */
static _Atomic uint64_t shared_head;
static ojo_event *shared_arr; /* a power of two >= 2 * events slots */
static uint64_t shared_mask;
static ojo_tracer *tr;
static char dir[256];

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct worker {
	pthread_t th;
	int idx;
	enum kind k;
	_Atomic int *start; /* threads not yet at the start line */
	ojo_event *arr;	    /* FLOOR: this thread's array */
	FILE *f;	    /* FWRITE: this thread's file */
	uint64_t t0, t1, sink;
	int failed;
};

static void *run(void *arg)
{
	struct worker *w = arg;
	uint64_t n = events, sink = 0;
	uint32_t flow = (uint32_t)w->idx + 1;
	/* spin rather than sleep at the start line, so that both threads of
	 * a round start within nanoseconds of each other */
	atomic_fetch_sub(w->start, 1);
	for (unsigned spins = 0; atomic_load(w->start) > 0; spins++) {
		/* stay on the CPU (threads that yield here rarely overlap),
		 * unless the other thread cannot get one */
		if (spins > 100000)
			sched_yield();
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	w->t0 = now_ns();
	switch (w->k) {
	case FLOOR:
		for (uint64_t i = 0; i < n; i++) {
			w->arr[i] = (ojo_event){i, flow, OJO_EV_PACKET_SENT, i};
			__asm__ volatile("" ::: "memory"); /* one store each */
		}
		break;
	case SHARED:
		for (uint64_t i = 0; i < n; i++) {
			uint64_t pos = atomic_fetch_add_explicit(
			    &shared_head, 1, memory_order_relaxed);
			shared_arr[pos & shared_mask] =
			    (ojo_event){i, flow, OJO_EV_PACKET_SENT, i};
		}
		break;
	case CLOCK:
		for (uint64_t i = 0; i < n; i++) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sink += (uint64_t)ts.tv_nsec;
		}
		break;
	case FWRITE:
		for (uint64_t i = 0; i < n; i++) {
			ojo_event ev = {i, flow, OJO_EV_PACKET_SENT, i};
			w->failed |= fwrite(&ev, sizeof(ev), 1, w->f) != 1;
		}
		break;
	case RECORD:
		for (uint64_t i = 0; i < n; i++) {
			ojo_event ev = {i, flow, OJO_EV_PACKET_SENT, i};
			w->failed |= ojo_record(tr, &ev) != 0;
		}
		break;
	case RECORD_NOW:
		for (uint64_t i = 0; i < n; i++)
			w->failed |= ojo_record_now(tr, flow,
						    OJO_EV_PACKET_SENT, i) != 0;
		break;
	default:
		break;
	}
	w->t1 = now_ns();
	w->sink = sink;
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	int i = (int)(p * (n - 1) + 0.5);
	return v[i];
}

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void cleanup(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

struct result {
	double p10, p50, p90, mevs, overlap;
};

/* One case: its workers and its per-round figures. */
struct bcase {
	enum kind k;
	int threads;
	struct worker w[2];
	double *ns, *rate, *overlap;
};

static void case_init(struct bcase *c, enum kind k, int threads)
{
	memset(c, 0, sizeof(*c));
	c->k = k;
	c->threads = threads;
	c->ns = calloc((size_t)rounds * threads, sizeof(double));
	c->rate = calloc((size_t)rounds, sizeof(double));
	c->overlap = calloc((size_t)rounds, sizeof(double));
	for (int i = 0; i < threads; i++) {
		c->w[i].idx = i;
		c->w[i].k = k;
		if (k == FLOOR) {
			c->w[i].arr = calloc(events, sizeof(ojo_event));
		} else if (k == FWRITE) {
			char p[512];
			snprintf(p, sizeof(p), "%s/fwrite-%d-%d", dir, threads,
				 i);
			c->w[i].f = fopen(p, "w");
			if (!c->w[i].f) {
				perror(p);
				exit(1);
			}
		}
	}
}

/* Round r of case c; the tracer is flushed after it (not timed) so every
 * round starts with empty rings. */
static void case_round(struct bcase *c, int r)
{
	int threads = c->threads;
	struct worker *w = c->w;
	_Atomic int start = threads;
	for (int i = 0; i < threads; i++) {
		w[i].start = &start;
		pthread_create(&w[i].th, NULL, run, &w[i]);
	}
	uint64_t t0 = UINT64_MAX, t1 = 0, last_start = 0,
		 first_end = UINT64_MAX;
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].th, NULL);
		c->ns[r * threads + i] =
		    (double)(w[i].t1 - w[i].t0) / (double)events;
		t0 = w[i].t0 < t0 ? w[i].t0 : t0;
		t1 = w[i].t1 > t1 ? w[i].t1 : t1;
		last_start = w[i].t0 > last_start ? w[i].t0 : last_start;
		first_end = w[i].t1 < first_end ? w[i].t1 : first_end;
		if (w[i].failed) {
			fprintf(stderr, "bench: %s failed (dropped?)\n",
				kind_name[c->k]);
			cleanup();
			exit(1);
		}
	}
	c->rate[r] = (double)events * threads / (double)(t1 - t0) * 1e3;
	c->overlap[r] =
	    first_end > last_start
		? (double)(first_end - last_start) / (double)(t1 - t0)
		: 0;
	if (c->k == FWRITE)
		for (int i = 0; i < threads; i++)
			rewind(w[i].f);
	if (c->k == RECORD || c->k == RECORD_NOW)
		ojo_tracer_flush(tr);
}

static struct result case_done(struct bcase *c)
{
	struct result res;
	int n = rounds * c->threads;
	res.p10 = pct(c->ns, n, 0.1);
	res.p50 = pct(c->ns, n, 0.5);
	res.p90 = pct(c->ns, n, 0.9);
	res.mevs = pct(c->rate, rounds, 0.5);
	res.overlap = pct(c->overlap, rounds, 0.5);
	for (int i = 0; i < c->threads; i++) {
		free(c->w[i].arr);
		if (c->w[i].f)
			fclose(c->w[i].f);
	}
	free(c->ns);
	free(c->rate);
	free(c->overlap);
	return res;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (argc > 2)
		events = strtoull(argv[2], NULL, 0);
	if (rounds < 1 || events < 1)
		return 2;
	shared_mask = 63;
	while (shared_mask < 2 * events - 1)
		shared_mask = shared_mask * 2 + 1;
	shared_arr = calloc(shared_mask + 1, sizeof(*shared_arr));
	if (!shared_arr)
		return 1;
	/* tmpfs when available: the disk is not what is measured here */
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/ojo-bench-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	/* a ring holds two whole rounds (two threads of one round may use one
	 * ring one after the other): zero drops by construction */
	size_t slots = 64; /* rings hold a power of two of 32-byte slots */
	while (slots < events * 2)
		slots *= 2;
	cfg.buffer_size = slots * 32;
	cfg.max_writers = 2;
	cfg.flush_interval_ms = 60000;
	int rc = ojo_tracer_open(&cfg, &tr);
	if (rc) {
		fprintf(stderr, "bench: open %s: %s\n", dir, ojo_strerror(rc));
		return 1;
	}
	printf("bench_record: %d rounds x %llu events per thread, ring %zu "
	       "bytes per thread, %ld CPUs\n",
	       rounds, (unsigned long long)events, cfg.buffer_size,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("%-40s %3s %8s %8s %8s %10s %8s\n", "case", "thr", "p10 ns",
	       "median", "p90 ns", "Mevents/s", "overlap");
	/* Rounds of all cases are interleaved, so a burst of load from other
	 * processes hits every case alike. */
	static struct bcase cases[2][NKINDS];
	for (int threads = 1; threads <= 2; threads++)
		for (int k = 0; k < NKINDS; k++)
			case_init(&cases[threads - 1][k], (enum kind)k,
				  threads);
	for (int r = 0; r < rounds; r++)
		for (int threads = 1; threads <= 2; threads++)
			for (int k = 0; k < NKINDS; k++)
				case_round(&cases[threads - 1][k], r);
	struct result res[NKINDS][3];
	for (int threads = 1; threads <= 2; threads++) {
		for (int k = 0; k < NKINDS; k++) {
			struct result r = case_done(&cases[threads - 1][k]);
			res[k][threads] = r;
			printf("%-40s %3d %8.2f %8.2f %8.2f %10.1f",
			       kind_name[k], threads, r.p10, r.p50, r.p90,
			       r.mevs);
			if (threads > 1)
				printf(" %7.0f%%", r.overlap * 100);
			printf("\n");
		}
	}
	ojo_stats st;
	ojo_tracer_stats(tr, &st);
	ojo_tracer_close(tr);
	printf("events recorded %llu, dropped %llu, files %llu, bytes %llu\n",
	       (unsigned long long)st.events_recorded,
	       (unsigned long long)st.events_dropped,
	       (unsigned long long)st.files_written,
	       (unsigned long long)st.bytes_written);
	printf("targets: record/floor (1 thr) = %.2fx (<= 4x); record total "
	       "(2 thr) = %.1f M/s (>= 100; shared counter: %.1f M/s; threads "
	       "overlapped %.0f%%); record_now - clock_gettime (1 thr) = "
	       "%+.2f ns (<= +5)\n",
	       res[RECORD][1].p50 / res[FLOOR][1].p50, res[RECORD][2].mevs,
	       res[SHARED][2].mevs, res[RECORD][2].overlap * 100,
	       res[RECORD_NOW][1].p50 - res[CLOCK][1].p50);
	free(shared_arr);
	cleanup();
	return st.events_dropped ? 1 : 0;
}
