/* sq_schema.c - the layout of an Ojo database.
 *
 * Events are append-only and read per flow and time window, so they are not
 * stored one row each: ingestion groups them into blocks of up to
 * SQ_BLOCK_MAX_EVENTS events of one (flow, type), sorted by time, with the
 * block's time span and payload min/max beside the blob. A query for one
 * flow's cwnd in a window reads only the blocks that overlap it, and a
 * zoomed-out series can use a block's min/max without opening it. The
 * `events` virtual table (store_vtab.c) shows blocks as one row per event
 * for SQL users.
 *
 * A new database gets sq_schema_v1_sql and then every step of
 * sq_schema_steps, the same path an old database upgrades along, so a new
 * database and an upgraded one cannot differ (store.c runs them). The
 * newest layout is described table by table in docs/DATABASE.md. */
#include "sqlite/sq_schema.h"

/* A connection's bytes_sent / bytes_acked include those of its streams and
 * `streams` counts them: DATA_SENT/ACKED are recorded on stream flows, and
 * connection lists sort and show totals. own_bytes_* hold a flow's own
 * sums; triggers move a stream's own sums off its old parent (OLD) and
 * onto its new one (NEW), which is right for a first link, a relink and a
 * new delta alike, whichever of a stream's link and its data is ingested
 * first. Moving own sums only (never the rolled-up ones) keeps chains and
 * self-links exact: a flow's total is its own plus its direct children's
 * own. */
#define ROLLUP_TRIGGERS                                                        \
	"CREATE TRIGGER IF NOT EXISTS flows_rollup_update\n"                   \
	"AFTER UPDATE OF parent_key, own_bytes_sent, own_bytes_acked\n"        \
	"ON flows WHEN OLD.parent_key IS NOT NEW.parent_key\n"                 \
	"  OR (NEW.parent_key IS NOT NULL\n"                                   \
	"      AND (OLD.own_bytes_sent <> NEW.own_bytes_sent\n"                \
	"           OR OLD.own_bytes_acked <> NEW.own_bytes_acked))\n"         \
	"BEGIN\n"                                                              \
	"  UPDATE flows SET bytes_sent = bytes_sent - OLD.own_bytes_sent,\n"   \
	"    bytes_acked = bytes_acked - OLD.own_bytes_acked,\n"               \
	"    streams = streams - 1\n"                                          \
	"    WHERE flow_key = OLD.parent_key AND flow_key <> OLD.flow_key;\n"  \
	"  UPDATE flows SET bytes_sent = bytes_sent + NEW.own_bytes_sent,\n"   \
	"    bytes_acked = bytes_acked + NEW.own_bytes_acked,\n"               \
	"    streams = streams + 1\n"                                          \
	"    WHERE flow_key = NEW.parent_key AND flow_key <> NEW.flow_key;\n"  \
	"END;\n"                                                               \
	"CREATE TRIGGER IF NOT EXISTS flows_rollup_delete\n"                   \
	"AFTER DELETE ON flows WHEN OLD.parent_key IS NOT NULL\n"              \
	"BEGIN\n"                                                              \
	"  UPDATE flows SET bytes_sent = bytes_sent - OLD.own_bytes_sent,\n"   \
	"    bytes_acked = bytes_acked - OLD.own_bytes_acked,\n"               \
	"    streams = streams - 1\n"                                          \
	"    WHERE flow_key = OLD.parent_key AND flow_key <> OLD.flow_key;\n"  \
	"END;\n"

const char sq_schema_v1_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(\n"
    "  key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    /* one tracer instance (Ojo) or one qlog trace */
    "CREATE TABLE IF NOT EXISTS traces(\n"
    "  trace_id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  source TEXT NOT NULL,\n" /* 'ojo' | 'qlog' */
    "  pid INTEGER NOT NULL DEFAULT 0,\n"
    "  schema_id INTEGER NOT NULL DEFAULT 0,\n"
    "  vantage TEXT, title TEXT,\n"
    "  first_ns INTEGER, last_ns INTEGER,\n"
    "  n_events INTEGER NOT NULL DEFAULT 0,\n"
    "  n_flows INTEGER NOT NULL DEFAULT 0,\n"
    "  dropped INTEGER NOT NULL DEFAULT 0);\n"
    /* every input file ever looked at: the exactly-once ledger */
    "CREATE TABLE IF NOT EXISTS files(\n"
    "  file_id INTEGER PRIMARY KEY,\n"
    "  path TEXT NOT NULL UNIQUE,\n"
    "  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,\n"
    "  trace_id INTEGER REFERENCES traces,\n"
    "  format TEXT NOT NULL,\n"
    "  batch_start_ns INTEGER,\n"
    "  n_events INTEGER NOT NULL DEFAULT 0,\n"
    "  status TEXT NOT NULL CHECK(status IN ('ingested','rejected')),\n"
    "  reason TEXT,\n"
    "  ingested_at_ns INTEGER NOT NULL);\n"
    /* a connection or stream: (trace, flow id) */
    "CREATE TABLE IF NOT EXISTS flows(\n"
    "  flow_key INTEGER PRIMARY KEY,\n"
    "  trace_id INTEGER NOT NULL REFERENCES traces,\n"
    "  flow_id INTEGER NOT NULL,\n"
    "  parent_key INTEGER,\n" /* from OJO_EV_STREAM_LINK */
    "  label TEXT,\n"
    "  first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,\n"
    "  n_events INTEGER NOT NULL DEFAULT 0,\n"
    "  packets_sent INTEGER NOT NULL DEFAULT 0,\n"
    "  packets_received INTEGER NOT NULL DEFAULT 0,\n"
    "  packets_acked INTEGER NOT NULL DEFAULT 0,\n"
    "  packets_lost INTEGER NOT NULL DEFAULT 0,\n"
    "  packets_retransmitted INTEGER NOT NULL DEFAULT 0,\n"
    "  bytes_sent INTEGER NOT NULL DEFAULT 0,\n" /* DATA_SENT lengths */
    "  bytes_acked INTEGER NOT NULL DEFAULT 0,\n"
    "  max_cwnd INTEGER,\n"
    "  last_cwnd INTEGER,\n"
    "  UNIQUE(trace_id, flow_id));\n"
    "CREATE INDEX IF NOT EXISTS flows_by_start ON flows(first_ns);\n"
    "CREATE INDEX IF NOT EXISTS flows_by_events ON flows(n_events);\n"
    "CREATE INDEX IF NOT EXISTS flows_by_lost ON flows(packets_lost);\n"
    "CREATE INDEX IF NOT EXISTS flows_by_parent ON flows(parent_key);\n"
    /* the events, packed: see the comment at the top of this file */
    "CREATE TABLE IF NOT EXISTS blocks(\n"
    "  block_id INTEGER PRIMARY KEY,\n"
    "  flow_key INTEGER NOT NULL,\n"
    "  type INTEGER NOT NULL,\n"
    "  t_first INTEGER NOT NULL, t_last INTEGER NOT NULL,\n"
    "  n INTEGER NOT NULL,\n"
    "  v_min INTEGER NOT NULL, v_max INTEGER NOT NULL,\n" /* as i64 */
    "  file_id INTEGER NOT NULL,\n"
    "  data BLOB NOT NULL);\n" /* n x (i64 time_ns, u64 payload) LE */
    "CREATE INDEX IF NOT EXISTS blocks_by_flow ON blocks(flow_key, type, "
    "t_first);\n"
    /* per-flow histogram of event types (distributions, filters) */
    "CREATE TABLE IF NOT EXISTS type_counts(\n"
    "  flow_key INTEGER NOT NULL, type INTEGER NOT NULL,\n"
    "  n INTEGER NOT NULL,\n"
    "  PRIMARY KEY(flow_key, type)) WITHOUT ROWID;\n"
    /* built-in catalog plus user schemas */
    "CREATE TABLE IF NOT EXISTS event_types(\n"
    "  type INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL, category TEXT NOT NULL,\n"
    "  description TEXT NOT NULL DEFAULT '',\n"
    "  payload_kind TEXT NOT NULL DEFAULT 'count',\n"
    "  unit TEXT NOT NULL DEFAULT '');\n"
    /* qlog events with no Ojo equivalent, kept whole */
    "CREATE TABLE IF NOT EXISTS unmapped_events(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  trace_id INTEGER NOT NULL, flow_id INTEGER NOT NULL,\n"
    "  time_ns INTEGER NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL);\n"
    "CREATE INDEX IF NOT EXISTS unmapped_by_trace ON unmapped_events(trace_id, "
    "name);\n";

/* Version 1 -> 2: the time of last_cwnd (so batches ingested out of order
 * keep the latest value) and an index for "flows by duration". */
static const char step_1_to_2[] =
    "ALTER TABLE flows ADD COLUMN last_cwnd_ns INTEGER;\n"
    "UPDATE flows SET last_cwnd_ns = last_ns WHERE last_cwnd IS NOT NULL;\n"
    "CREATE INDEX IF NOT EXISTS flows_by_duration ON flows(last_ns - "
    "first_ns);\n";

/* Version 2 -> 3: connection rows carry their streams' byte totals and
 * count (see ROLLUP_TRIGGERS), filled in here for what is already stored
 * (until now bytes_* were each flow's own); parent_ns, so a link ingested
 * late does not override a newer one (for old rows: the flow's last_ns,
 * a bound on the time of its link). */
static const char step_2_to_3[] =
    "ALTER TABLE flows ADD COLUMN streams INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE flows ADD COLUMN own_bytes_sent INTEGER NOT NULL"
    " DEFAULT 0;\n"
    "ALTER TABLE flows ADD COLUMN own_bytes_acked INTEGER NOT NULL"
    " DEFAULT 0;\n"
    "ALTER TABLE flows ADD COLUMN parent_ns INTEGER;\n"
    "UPDATE flows SET parent_ns = last_ns WHERE parent_key IS NOT NULL;\n"
    "UPDATE flows SET own_bytes_sent = bytes_sent,"
    " own_bytes_acked = bytes_acked;\n"
    "CREATE TEMP TABLE ojo_rollup AS SELECT parent_key AS k,\n"
    "  count(*) AS n, sum(own_bytes_sent) AS bs, sum(own_bytes_acked) AS ba\n"
    "  FROM flows WHERE parent_key IS NOT NULL AND parent_key <> flow_key\n"
    "  GROUP BY parent_key;\n"
    "UPDATE flows SET streams = r.n, bytes_sent = flows.bytes_sent + r.bs,\n"
    "  bytes_acked = flows.bytes_acked + r.ba\n"
    "  FROM ojo_rollup r WHERE r.k = flows.flow_key;\n"
    "DROP TABLE temp.ojo_rollup;\n"
    "CREATE INDEX IF NOT EXISTS flows_by_bytes ON "
    "flows(bytes_sent);\n" ROLLUP_TRIGGERS;

const sq_schema_step sq_schema_steps[] = {
    {1, step_1_to_2},
    {2, step_2_to_3},
};
const size_t sq_schema_n_steps =
    sizeof(sq_schema_steps) / sizeof(sq_schema_steps[0]);
