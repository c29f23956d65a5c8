/* cli_demo.c - `ojo demo`: simulate transfers traced with libojo, ingest
 * them with the watcher's code, print a summary and serve the explorer. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "demo/demo_scenario.h"
#include "http/http.h"
#include "ingest/ingest.h"
#include "store/store.h"

#define CMD		"demo"
#define MARKER		".ojo-demo"
#define MAX_TOTAL_BYTES (UINT64_C(1) << 30)

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: ojo demo [OPTIONS]\n\n"
	    "Simulates paced QUIC-like transfers over a bottleneck link, "
	    "records\nevery sender-side event with libojo into DIR/traces "
	    "(and what the\nreceivers saw, in traces of their own), ingests "
	    "them into\nDIR/traces.db like 'ojo watch', prints a summary "
	    "and serves the\nexplorer until Ctrl-C. Each run starts afresh "
	    "in DIR.\n\n"
	    "Without simulation options it runs four scenarios: a clean "
	    "path\n(where the app cancels one stream), a lossy one, one held "
	    "back by\nflow control, and CUBIC connections sharing a link. Any "
	    "simulation option runs one "
	    "custom scenario instead.\n\n"
	    "Options:\n"
	    "  --dir DIR            working directory (default ./ojo-demo)\n"
	    "  --host H             address to serve on (default "
	    "127.0.0.1)\n"
	    "  --port P             port to serve on (default 8080; 0 = any "
	    "free port)\n"
	    "  --no-serve           stop after the summary\n"
	    "  --seed S             seed of the simulation (default 1)\n"
	    "Simulation options:\n"
	    "  --connections N      connections sharing the link (1-64, "
	    "default 1)\n"
	    "  --streams N          streams per connection (1-100, default "
	    "3)\n"
	    "  --stream-bytes N     bytes per stream, suffix k/M allowed "
	    "(default 1M)\n"
	    "  --loss PCT           random loss in percent (0-50, default "
	    "0)\n"
	    "  --bandwidth MBIT     bottleneck in Mbit/s (0.1-10000, default "
	    "20)\n"
	    "  --delay MS           one-way delay in ms (0-5000, default "
	    "20)\n"
	    "  --queue PKTS         drop-tail queue in packets (0 = "
	    "unlimited, default 100)\n"
	    "  --cc newreno|cubic   congestion controller (default "
	    "newreno)\n"
	    "  -h, --help           show this help\n");
}

typedef struct demo_opts {
	const char *dir;
	const char *host;
	int port;
	bool no_serve;
	uint64_t seed;
	bool custom;
	demo_config cfg; /* the custom scenario */
} demo_opts;

static int parse_u64(const char *s, uint64_t min, uint64_t max, bool suffix,
		     uint64_t *out)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return -EINVAL;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	uint64_t mul = 1;
	if (suffix && (*end == 'k' || *end == 'K'))
		mul = 1000, end++;
	else if (suffix && (*end == 'm' || *end == 'M'))
		mul = 1000000, end++;
	if (*end || v > max / mul || v * mul < min)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

enum {
	OPT_DIR = 256,
	OPT_HOST,
	OPT_PORT,
	OPT_NO_SERVE,
	OPT_SEED,
	OPT_CONNECTIONS,
	OPT_STREAMS,
	OPT_STREAM_BYTES,
	OPT_LOSS,
	OPT_BANDWIDTH,
	OPT_DELAY,
	OPT_QUEUE,
	OPT_CC,
};

static int parse_args(int argc, char **argv, demo_opts *o, bool *help)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, OPT_DIR},
	    {"host", required_argument, NULL, OPT_HOST},
	    {"port", required_argument, NULL, OPT_PORT},
	    {"no-serve", no_argument, NULL, OPT_NO_SERVE},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"connections", required_argument, NULL, OPT_CONNECTIONS},
	    {"streams", required_argument, NULL, OPT_STREAMS},
	    {"stream-bytes", required_argument, NULL, OPT_STREAM_BYTES},
	    {"loss", required_argument, NULL, OPT_LOSS},
	    {"bandwidth", required_argument, NULL, OPT_BANDWIDTH},
	    {"delay", required_argument, NULL, OPT_DELAY},
	    {"queue", required_argument, NULL, OPT_QUEUE},
	    {"cc", required_argument, NULL, OPT_CC},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	*o = (demo_opts){
	    .dir = "./ojo-demo", .host = "127.0.0.1", .port = 8080, .seed = 1};
	demo_config_init(&o->cfg);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		uint64_t u;
		double d;
		switch (c) {
		case 'h':
			*help = true;
			return 0;
		case OPT_DIR:
			if (!*optarg)
				return cli_usage_error(CMD,
						       "--dir: empty path");
			o->dir = optarg;
			break;
		case OPT_HOST:
			if (!*optarg)
				return cli_usage_error(CMD, "--host: empty");
			o->host = optarg;
			break;
		case OPT_PORT:
			if (parse_u64(optarg, 0, 65535, false, &u))
				return cli_usage_error(
				    CMD,
				    "--port: '%s' is not a port "
				    "number (0-65535)",
				    optarg);
			o->port = (int)u;
			break;
		case OPT_NO_SERVE:
			o->no_serve = true;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, 0, UINT64_MAX, false, &o->seed))
				return cli_usage_error(
				    CMD, "--seed: '%s' is not a number",
				    optarg);
			break;
		case OPT_CONNECTIONS:
			if (parse_u64(optarg, 1, 64, false, &u))
				return cli_usage_error(
				    CMD,
				    "--connections: '%s' is not in "
				    "1-64",
				    optarg);
			o->cfg.connections = (uint32_t)u;
			o->custom = true;
			break;
		case OPT_STREAMS:
			if (parse_u64(optarg, 1, 100, false, &u))
				return cli_usage_error(
				    CMD, "--streams: '%s' is not in 1-100",
				    optarg);
			o->cfg.streams_per_conn = (uint32_t)u;
			o->custom = true;
			break;
		case OPT_STREAM_BYTES:
			if (parse_u64(optarg, 1, MAX_TOTAL_BYTES, true, &u))
				return cli_usage_error(
				    CMD,
				    "--stream-bytes: '%s' is not in "
				    "1-1073741824 (k/M suffix allowed)",
				    optarg);
			o->cfg.bytes_per_stream = u;
			o->custom = true;
			break;
		case OPT_LOSS:
			if (parse_double(optarg, 0, 50, &d))
				return cli_usage_error(
				    CMD,
				    "--loss: '%s' is not a percentage "
				    "in 0-50",
				    optarg);
			o->cfg.link.loss_rate = d / 100;
			o->custom = true;
			break;
		case OPT_BANDWIDTH:
			if (parse_double(optarg, 0.1, 10000, &d))
				return cli_usage_error(
				    CMD,
				    "--bandwidth: '%s' is not in "
				    "0.1-10000 Mbit/s",
				    optarg);
			o->cfg.link.bandwidth_bps = (uint64_t)(d * 1e6);
			o->custom = true;
			break;
		case OPT_DELAY:
			if (parse_double(optarg, 0, 5000, &d))
				return cli_usage_error(
				    CMD, "--delay: '%s' is not in 0-5000 ms",
				    optarg);
			o->cfg.link.delay_ns = (uint64_t)(d * 1e6);
			o->custom = true;
			break;
		case OPT_QUEUE:
			if (parse_u64(optarg, 0, 1000000, false, &u))
				return cli_usage_error(
				    CMD,
				    "--queue: '%s' is not in "
				    "0-1000000 packets",
				    optarg);
			o->cfg.link.queue_packets = (uint32_t)u;
			o->custom = true;
			break;
		case OPT_CC:
			if (!strcmp(optarg, "newreno"))
				o->cfg.cc = DEMO_CC_NEWRENO;
			else if (!strcmp(optarg, "cubic"))
				o->cfg.cc = DEMO_CC_CUBIC;
			else
				return cli_usage_error(
				    CMD,
				    "--cc: '%s' is not newreno or "
				    "cubic",
				    optarg);
			o->custom = true;
			break;
		case ':':
			return cli_usage_error(CMD, "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error(CMD, "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'",
				       argv[optind]);
	uint64_t total = (uint64_t)o->cfg.connections *
			 o->cfg.streams_per_conn * o->cfg.bytes_per_stream;
	if (total > MAX_TOTAL_BYTES)
		return cli_usage_error(CMD,
				       "%llu bytes to transfer in total: at "
				       "most %llu, lower --connections, "
				       "--streams or --stream-bytes",
				       (unsigned long long)total,
				       (unsigned long long)MAX_TOTAL_BYTES);
	o->cfg.seed = o->seed;
	/* receive windows sized like an autotuning receiver would: twice the
	 * path's bandwidth-delay product plus its queue, so flow control is
	 * not an accidental bottleneck of a custom run */
	double bdp = (double)o->cfg.link.bandwidth_bps / 8 * 2 *
		     (double)o->cfg.link.delay_ns / 1e9;
	double win = 2 * bdp + (double)o->cfg.link.queue_packets * 1500;
	if (win > 64.0 * 1024 * 1024)
		win = 64.0 * 1024 * 1024;
	if (win > (double)o->cfg.initial_max_stream_data)
		o->cfg.initial_max_stream_data = (uint64_t)win;
	if (o->cfg.initial_max_data < 2 * o->cfg.initial_max_stream_data)
		o->cfg.initial_max_data = 2 * o->cfg.initial_max_stream_data;
	if (o->cfg.connections > 1)
		o->cfg.conn_start_gap_ns = 200000000;
	o->cfg.stream_start_gap_ns = 20000000;
	return 0;
}

/* ---- the working directory ------------------------------------------ */

static int join(char *buf, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(buf, len, "%s/%s", a, b) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
	return rc < 0 && errno != ENOENT ? -1 : 0;
}

static int remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

/* A directory is ours if we marked it, or if it is empty. Anything else
 * might be the user's files, and a fresh start deletes. */
static int prepare_dir(const char *dir, char *traces, char *db, size_t len)
{
	char marker[4096], path[4096];
	if (join(marker, sizeof(marker), dir, MARKER) < 0 ||
	    join(traces, len, dir, "traces") < 0 ||
	    join(db, len, dir, "traces.db") < 0) {
		util_error(CMD, dir, "path too long");
		return -ENAMETOOLONG;
	}
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			util_error(CMD, dir, "exists and is not a directory");
			return -ENOTDIR;
		}
		if (access(marker, F_OK) != 0) {
			DIR *d = opendir(dir);
			if (!d) {
				int e = errno;
				util_error(CMD, dir, "%s", strerror(e));
				return -e;
			}
			struct dirent *e;
			bool empty = true;
			while ((e = readdir(d)))
				if (strcmp(e->d_name, ".") &&
				    strcmp(e->d_name, ".."))
					empty = false;
			closedir(d);
			if (!empty) {
				util_error(CMD, dir,
					   "exists, is not empty and is not an "
					   "ojo demo directory (no %s in it): "
					   "choose another --dir",
					   MARKER);
				return -EEXIST;
			}
		}
	} else if (errno != ENOENT || mkdir(dir, 0777) < 0) {
		int e = errno;
		util_error(CMD, dir, "cannot create: %s", strerror(e));
		return -e;
	}
	int fd = open(marker, O_WRONLY | O_CREAT, 0666);
	if (fd < 0) {
		int e = errno;
		util_error(CMD, marker, "cannot create: %s", strerror(e));
		return -e;
	}
	close(fd);
	static const char *const db_files[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof(db_files) / sizeof(db_files[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db, db_files[i]);
		if (unlink(path) < 0 && errno != ENOENT) {
			int e = errno;
			util_error(CMD, path, "cannot remove: %s", strerror(e));
			return -e;
		}
	}
	int rc = remove_tree(traces);
	if (rc < 0) {
		util_error(CMD, traces, "cannot remove: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

/* ---- simulate, ingest, label ----------------------------------------- */

typedef struct demo_job {
	demo_scenario sc[DEMO_MAX_SCENARIOS];
	demo_result res[DEMO_MAX_SCENARIOS];
	demo_trace_info info[DEMO_MAX_SCENARIOS];
	size_t n;
	bool interrupted; /* Ctrl-C between two scenarios or two files */
	uint64_t recorded, dropped;
	uint64_t files, ingested;
} demo_job;

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int simulate(demo_job *run, const char *traces, bool progress)
{
	for (size_t i = 0; i < run->n; i++) {
		if (cli_stop_requested()) {
			run->interrupted = true;
			return 0;
		}
		char desc[128];
		demo_describe(&run->sc[i].cfg, desc, sizeof(desc));
		if (progress)
			fprintf(stderr, "ojo: demo: simulating %s (%s)\n",
				run->sc[i].name, desc);
		int rc = demo_run_traced(&run->sc[i].cfg, traces, &run->res[i],
					 &run->info[i]);
		if (rc < 0) {
			util_error(CMD, traces, "simulation '%s' failed: %s",
				   run->sc[i].name, ojo_strerror(rc));
			return rc;
		}
		run->recorded += run->info[i].stats.events_recorded +
				 run->info[i].receiver_stats.events_recorded;
		run->dropped += run->info[i].stats.events_dropped +
				run->info[i].receiver_stats.events_dropped;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every batch in name order (names sort by time), one transaction each,
 * exactly as `ojo watch --once` would. */
static int ingest_all(demo_job *run, store *s, const char *outdir,
		      bool progress)
{
	DIR *d = opendir(outdir);
	if (!d) {
		int err = errno;
		util_error(CMD, outdir, "%s", strerror(err));
		return -err;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!ingest_wants(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **v = realloc(names, cap * sizeof(*v));
			if (!v) {
				rc = -ENOMEM;
				break;
			}
			names = v;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char path[4096];
		ingest_result ir;
		if (cli_stop_requested()) {
			run->interrupted = true;
			break;
		}
		if (join(path, sizeof(path), outdir, names[i]) < 0) {
			rc = -ENAMETOOLONG;
			util_error(CMD, names[i], "path too long");
			break;
		}
		rc = ingest_file(s, path, &ir);
		if (rc < 0) {
			util_error(CMD, path, "%s", ir.reason);
			break;
		}
		if (ir.status == STORE_FILE_REJECTED) {
			util_error(CMD, path, "rejected: %s", ir.reason);
			rc = -EINVAL;
			break;
		}
		run->files++;
		run->ingested += ir.events;
		if (progress)
			fprintf(stderr, "\rojo: demo: ingested %zu/%zu files",
				i + 1, n);
	}
	if (progress && n)
		fputc('\n', stderr);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == -ENOMEM)
		util_error(CMD, outdir, "out of memory");
	return rc;
}

/* The trace of scenario i seen from one side: 0 the senders, 1 the
 * receivers (a trace of its own: one vantage point per trace). */
static const char *trace_name(const demo_job *run, size_t i, int side)
{
	return side ? run->info[i].receiver_trace_name
		    : run->info[i].trace_name;
}

static const char *side_suffix(int side)
{
	return side ? " (receiver)" : "";
}

/* Creates each scenario's traces before their batches arrive, so they
 * carry the scenario as their title (the ingester finds them by name). */
static int create_traces(const demo_job *run, store *s)
{
	int rc = store_begin(s);
	for (size_t i = 0; rc == 0 && i < run->n; i++) {
		for (int side = 0; rc == 0 && side < 2; side++) {
			char desc[128], title[224];
			demo_describe(&run->sc[i].cfg, desc, sizeof(desc));
			snprintf(title, sizeof(title), "%s: %s%s",
				 run->sc[i].name, desc, side_suffix(side));
			/* the sender opens client-initiated streams (ids
			 * 0, 4, 8 ...): qlog's vantage point types */
			store_trace_info ti = {.name = trace_name(run, i, side),
					       .source = "ojo",
					       .pid = getpid(),
					       .title = title,
					       .vantage =
						   side ? "server" : "client"};
			int64_t trace_id;
			rc = store_trace(s, &ti, &trace_id);
		}
	}
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	return rc;
}

/* Names one scenario's flows, as seen from one side. */
static int label_side(const demo_job *run, store *s, size_t i, int side)
{
	store_trace_info ti = {
	    .name = trace_name(run, i, side), .source = "ojo", .pid = getpid()};
	int64_t trace_id;
	char desc[128], label[224];
	int rc = store_trace(s, &ti, &trace_id);
	demo_describe(&run->sc[i].cfg, desc, sizeof(desc));
	const char *sfx = side_suffix(side);
	for (size_t k = 0; rc == 0 && k < run->res[i].n_conns; k++) {
		const demo_conn_stats *c = &run->res[i].conns[k];
		snprintf(label, sizeof(label), "%s #%zu%s: %s", run->sc[i].name,
			 k + 1, sfx, desc);
		rc = store_flow_label(s, trace_id, c->flow_id, label);
		for (uint32_t j = 0; rc == 0 && j < c->n_streams; j++) {
			snprintf(label, sizeof(label), "%s #%zu stream %u%s",
				 run->sc[i].name, k + 1, 4 * j, sfx);
			rc = store_flow_label(s, trace_id, c->flow_id + 1 + j,
					      label);
		}
	}
	return rc;
}

/* Names the flows after their scenario so the explorer's list reads well. */
static int label_flows(const demo_job *run, store *s)
{
	int rc = store_begin(s);
	for (size_t i = 0; rc == 0 && i < run->n; i++)
		for (int side = 0; rc == 0 && side < 2; side++)
			rc = label_side(run, s, i, side);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	return rc;
}

/* ---- summary --------------------------------------------------------- */

static void print_summary(const demo_job *run, const char *traces,
			  const char *db, double sim_s, double ingest_s)
{
	size_t conns = 0;
	for (size_t i = 0; i < run->n; i++)
		conns += run->res[i].n_conns;
	printf("Simulated %zu scenario%s, %zu connection%s: %llu events "
	       "recorded into %s/output (%llu dropped) in %.2f s\n",
	       run->n, run->n == 1 ? "" : "s", conns, conns == 1 ? "" : "s",
	       (unsigned long long)run->recorded, traces,
	       (unsigned long long)run->dropped, sim_s);
	uint64_t rx = 0;
	for (size_t i = 0; i < run->n; i++)
		rx += run->info[i].receiver_stats.events_recorded;
	printf("  of which %llu by the receivers, in traces of their own "
	       "titled \"... (receiver)\"\n",
	       (unsigned long long)rx);
	printf("Ingested %llu files, %llu events into %s in %.2f s\n",
	       (unsigned long long)run->files,
	       (unsigned long long)run->ingested, db, ingest_s);

	store *rd = NULL;
	char err[256];
	store_stats st;
	if (store_open_db(db, STORE_READ, &rd, err, sizeof(err)) == 0 &&
	    store_stats_get(rd, &st) == 0)
		printf("Database: %lld traces, %lld flows (%lld connections, "
		       "%lld streams), %lld events\n",
		       (long long)st.traces, (long long)st.flows,
		       (long long)st.connections, (long long)st.streams,
		       (long long)st.events);
	store_close(rd);

	printf("\nScenarios:\n");
	for (size_t i = 0; i < run->n; i++) {
		char desc[128];
		demo_describe(&run->sc[i].cfg, desc, sizeof(desc));
		const demo_config *cfg = &run->sc[i].cfg;
		char reset[96] = "";
		if (cfg->reset_stream)
			snprintf(reset, sizeof(reset),
				 "; the app resets stream %u after %llu bytes",
				 4 * (cfg->reset_stream - 1),
				 (unsigned long long)cfg->reset_after_bytes);
		printf("  %-14s %s, %u x %u streams x %llu bytes%s\n",
		       run->sc[i].name, desc, cfg->connections,
		       cfg->streams_per_conn,
		       (unsigned long long)cfg->bytes_per_stream, reset);
	}
	printf("\n%-14s %4s %5s %8s %7s %6s %6s %9s %9s\n", "scenario", "conn",
	       "flow", "events", "sent", "lost", "loss%", "duration",
	       "goodput");
	uint64_t ev = 0, sent = 0, lost = 0;
	for (size_t i = 0; i < run->n; i++) {
		for (size_t k = 0; k < run->res[i].n_conns; k++) {
			const demo_conn_stats *c = &run->res[i].conns[k];
			double dur = (double)(c->end_ns - c->start_ns) / 1e9;
			char gp[32];
			if (c->completed)
				snprintf(gp, sizeof(gp), "%.2fMbit/s",
					 demo_goodput_bps(c) / 1e6);
			else
				snprintf(gp, sizeof(gp), "unfinished");
			printf("%-14s %4zu %5u %8llu %7llu %6llu %6.2f %8.3fs "
			       "%s\n",
			       run->sc[i].name, k + 1, c->flow_id,
			       (unsigned long long)c->events,
			       (unsigned long long)c->packets_sent,
			       (unsigned long long)c->packets_lost,
			       c->packets_sent
				   ? 100.0 * (double)c->packets_lost /
					 (double)c->packets_sent
				   : 0.0,
			       dur, gp);
			ev += c->events;
			sent += c->packets_sent;
			lost += c->packets_lost;
		}
	}
	printf("%-14s %4zu %5s %8llu %7llu %6llu %6.2f\n", "total", conns, "-",
	       (unsigned long long)ev, (unsigned long long)sent,
	       (unsigned long long)lost,
	       sent ? 100.0 * (double)lost / (double)sent : 0.0);
	fflush(stdout);
}

/* The server said why it could not listen; say what to do about it. The
 * data is ready, so serving it later is one command away. */
static void port_hint(const demo_opts *o, const char *db)
{
	int other = o->port < 65535 ? o->port + 1 : 8080;
	if (getenv("MAKELEVEL")) /* run by the README's `make demo` */
		util_error(CMD, NULL,
			   "port %d is in use: pick another one with "
			   "make demo DEMO_ARGS=\"--port %d\" (--port 0: any "
			   "free port)",
			   o->port, other);
	else
		util_error(CMD, NULL,
			   "port %d is in use: pick another one with --port "
			   "(e.g. --port %d, or --port 0 for any free port)",
			   o->port, other);
	fprintf(stderr,
		"ojo: demo: the data is ready: ojo serve --db-path %s "
		"--port %d\n",
		db, other);
}

static void on_ready(const char *url, void *user)
{
	(void)user;
	printf("\nExplorer: %s  (Ctrl-C to stop)\n", url);
	fflush(stdout);
}

int cli_demo(int argc, char **argv)
{
	demo_opts o;
	bool help = false;
	int rc = parse_args(argc, argv, &o, &help);
	if (rc)
		return rc;
	if (help) {
		usage(stdout);
		return CLI_OK;
	}
	cli_install_stop_handlers();
	bool progress = util_progress_enabled();

	char traces[4096], db[4096], outdir[4096];
	if (prepare_dir(o.dir, traces, db, sizeof(traces)) < 0)
		return CLI_FAIL;
	if (join(outdir, sizeof(outdir), traces, "output") < 0) {
		util_error(CMD, traces, "path too long");
		return CLI_FAIL;
	}

	demo_job *run = calloc(1, sizeof(*run));
	if (!run) {
		util_error(CMD, NULL, "out of memory");
		return CLI_FAIL;
	}
	if (o.custom) {
		snprintf(run->sc[0].name, sizeof(run->sc[0].name), "custom");
		run->sc[0].cfg = o.cfg;
		run->n = 1;
	} else {
		run->n =
		    demo_default_scenarios(o.seed, run->sc, DEMO_MAX_SCENARIOS);
	}

	int exit_code = CLI_FAIL;
	store *s = NULL;
	double t0 = mono_s();
	if (simulate(run, traces, progress) < 0)
		goto out;
	double t1 = mono_s();
	if (run->interrupted)
		goto interrupted;

	char err[512];
	if (store_open_db(db, STORE_WRITE, &s, err, sizeof(err)) < 0) {
		util_error(CMD, db, "%s", err);
		goto out;
	}
	if (create_traces(run, s) < 0) {
		util_error(CMD, db, "%s", store_errmsg(s));
		goto out;
	}
	if (ingest_all(run, s, outdir, progress) < 0)
		goto out;
	if (run->interrupted)
		goto interrupted;
	if (label_flows(run, s) < 0)
		util_error(CMD, db, "could not label flows: %s",
			   store_errmsg(s));
	store_close(s);
	s = NULL;
	double t2 = mono_s();
	if (run->ingested != run->recorded)
		util_error(CMD, db,
			   "warning: %llu events recorded but %llu ingested",
			   (unsigned long long)run->recorded,
			   (unsigned long long)run->ingested);
	print_summary(run, traces, db, t1 - t0, t2 - t1);

	if (o.no_serve || cli_stop_requested()) {
		exit_code = CLI_OK;
		goto out;
	}
	http_opts so = {
	    .db_path = db,
	    .host = o.host,
	    .port = o.port,
	    .stop = cli_stop_flag(),
	    .on_ready = on_ready,
	};
	rc = http_serve(&so);
	if (rc == -EADDRINUSE)
		port_hint(&o, db);
	exit_code = rc < 0 ? CLI_FAIL : CLI_OK;
	goto out;
interrupted:
	/* the next run starts afresh, so a half-done one is simply left */
	fprintf(stderr, "ojo: demo: interrupted\n");
	exit_code = CLI_OK;
out:
	store_close(s);
	for (size_t i = 0; i < run->n; i++)
		demo_result_free(&run->res[i]);
	free(run);
	return exit_code;
}
