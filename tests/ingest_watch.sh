#!/usr/bin/env bash
# ingest_watch.sh OJO INGEST_TOOL CORPUS_QLOG - `ojo watch` as a process: usage
# and exit codes, an unwritable database, two watchers on one database, an
# input directory that appears later, live arrivals (timed), a qlog file
# from the corpus, a file written in place slowly (live and found at
# startup), SIGTERM, --cleanup-days.
set -euo pipefail
OJO=$1 TOOL=$2 CORPUS=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/ojo-ingest-watch-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
LOG=$T/w1.log
. "$(dirname "$0")/ingest_lib.sh"
ledger_n() { q "$DB" "SELECT n_events FROM files WHERE path='$1'"; }
ingested_total() { q "$DB" "SELECT count(*), sum(n_events) FROM files WHERE status='ingested'"; }
expect_rc() { # expect_rc RC CMD... ; stderr kept in $T/err
  local want=$1; shift; local rc=0
  "$@" >"$T/out" 2>"$T/err" || rc=$?
  [[ $rc == "$want" ]] || fail "$* exited $rc, want $want: $(cat "$T/err")"
}

# ---- usage and exit codes
expect_rc 0 "$OJO" watch --help
grep -q "Usage: ojo watch" "$T/out" || fail "--help prints no usage"
expect_rc 2 "$OJO" watch --bogus
grep -q "^ojo: watch: unknown option '--bogus'" "$T/err" || fail "bad usage text: $(cat "$T/err")"
expect_rc 2 "$OJO" watch --cleanup-days soon
expect_rc 2 "$OJO" watch --open-wait 0
grep -q "^ojo: watch: --open-wait: '0' is not a number of seconds" "$T/err" || fail "bad usage text: $(cat "$T/err")"
expect_rc 2 "$OJO" watch --input-dir
expect_rc 2 "$OJO" watch stray-argument

# ---- a database path that cannot be written
mkdir -p "$T/empty"
expect_rc 1 "$OJO" watch --once --input-dir "$T/empty" --db-path "$T/no/such/dir/x.db"
grep -q "^ojo: watch: $T/no/such/dir/x.db: database is not writable" "$T/err" ||
  fail "unclear error: $(cat "$T/err")"
expect_rc 1 "$OJO" watch --once --input-dir "$T/empty" --db-path /proc/ojo-test.db
grep -q "^ojo: watch: /proc/ojo-test.db: " "$T/err" || fail "unclear error: $(cat "$T/err")"
if [[ $(id -u) != 0 ]]; then # root writes anywhere: only checkable as a user
  mkdir -p "$T/ro" && chmod 555 "$T/ro"
  expect_rc 1 "$OJO" watch --once --input-dir "$T/empty" --db-path "$T/ro/x.db"
  chmod 755 "$T/ro"
fi

# ---- an input dir that does not exist yet; a second watcher; live files
DB=$T/w.db OUT=$T/traces/output
"$OJO" watch --input-dir "$OUT" --db-path "$DB" 2>"$T/w1.log" &
W1=$!; pids+=("$W1")
wait_for 10 'grep -q "$OUT: does not exist yet; waiting for it" "$T/w1.log"' ||
  fail "no log line about the missing directory"
expect_rc 1 "$OJO" watch --input-dir "$OUT" --db-path "$DB"
grep -q "^ojo: watch: $DB: another ojo watch is using this database (pid $W1)" "$T/err" ||
  fail "second watcher: $(cat "$T/err")"

n=$("$TOOL" write "$T/traces" 3 1000)   # creates output/ and renames 3 batches in
[[ $n == 3000 ]] || fail "writer recorded $n"
wait_for 10 '[[ $(ingested_total) == "3|3000" ]]' ||
  fail "files of the new directory not ingested: $(q "$DB" 'SELECT * FROM files')"

# live: three files renamed in one at a time; the median must be < 1 s
"$TOOL" write "$T/src" 3 5000 >/dev/null
lats=()
for src in "$T"/src/output/*.ojo; do
  name=live$((${#lats[@]} + 1)).ojo
  want="$(realpath "$OUT")/$name"
  t0=$(ms)
  mv "$src" "$OUT/$name"
  wait_for 10 '[[ $(ledger_n "$want") == 5000 ]]' || fail "live file $name not ingested"
  lats+=($(( $(ms) - t0 )))
done
lat=$(printf '%s\n' "${lats[@]}" | sort -n | sed -n 2p)
echo "live: renamed files queryable after ${lats[*]} ms (median $lat ms, bound 1000 ms)"
(( lat < 1000 )) || fail "live files took ${lats[*]} ms"
cp "$OUT/live1.ojo" "$T/live.ojo"

# a qlog file from the corpus arrives the same way, once
qsrc=$CORPUS/ngtcp2/a_clean_3x2M.client.sqlog
[[ -f $qsrc ]] || fail "corpus file $qsrc missing"
cp "$qsrc" "$T/src/q.sqlog"
mv "$T/src/q.sqlog" "$OUT/q.sqlog"
want="$(realpath "$OUT")/q.sqlog"
wait_for 20 '[[ -n $(ledger_n "$want") ]]' || fail "qlog file not ingested"
got=$(q "$DB" "SELECT status, format, n_events > 1000 FROM files WHERE path='$want'")
[[ $got == "ingested|qlog-"*"|1" ]] || fail "qlog file: $got"

# a file written in place, slowly, in chunks that end mid-record
"$TOOL" grow "$OUT/grow.ojo" 1000 1000 100
want="$(realpath "$OUT")/grow.ojo"
wait_for 10 '[[ -n $(ledger_n "$want") ]]' || fail "grown file not ingested"
got=$(q "$DB" "SELECT status, n_events, coalesce(reason,'') FROM files WHERE path='$want'")
[[ $got == "ingested|1000|" ]] || fail "grown file: $got"

# staging/ and *.tmp are never read
mkdir -p "$OUT/staging"
cp "$T/live.ojo" "$OUT/staging/x.ojo"; cp "$T/live.ojo" "$OUT/x.ojo.tmp"
sleep 0.3
[[ $(q "$DB" "SELECT count(*) FROM files WHERE path LIKE '%staging%' OR path LIKE '%.tmp'") == 0 ]] ||
  fail "staging or .tmp file ingested"

kill -TERM "$W1"
rc=0; wait "$W1" || rc=$?
[[ $rc == 0 ]] || fail "SIGTERM: exit $rc"
grep -q "files ingested" "$T/w1.log" || fail "no summary line"
grep -q "live1.ojo: ingested, 5000 events" "$T/w1.log" || fail "no per-file log line"

# ---- found at startup while still being written in place
mkdir -p "$T/t2"
"$TOOL" grow "$T/t2/slow.ojo" 2000 2400 150 &
G=$!; pids+=("$G")
sleep 0.4
expect_rc 0 "$OJO" watch --once --input-dir "$T/t2" --db-path "$T/t2.db"
wait "$G"
got=$(q "$T/t2.db" "SELECT status, n_events, coalesce(reason,'') FROM files")
[[ $got == "ingested|2000|" ]] || fail "file growing at startup: $got"

# ---- --cleanup-days: only ingested files go, rejected ones stay
mkdir -p "$T/c"
cp "$T/live.ojo" "$T/c/a.ojo"
printf 'not a trace' >"$T/c/bad.ojo"
touch -d '3 days ago' "$T/c/a.ojo" "$T/c/bad.ojo"
expect_rc 0 "$OJO" watch --once --cleanup-days 5 --input-dir "$T/c" --db-path "$T/c.db"
[[ -f $T/c/a.ojo && -f $T/c/bad.ojo ]] || fail "cleanup deleted a file younger than 5 days"
expect_rc 0 "$OJO" watch --once --cleanup-days 2 --input-dir "$T/c" --db-path "$T/c.db"
[[ ! -e $T/c/a.ojo ]] || fail "ingested old file not deleted"
[[ -f $T/c/bad.ojo ]] || fail "rejected file deleted"
[[ $(q "$T/c.db" "SELECT group_concat(status) FROM (SELECT status FROM files ORDER BY path)") == "ingested,rejected" ]] ||
  fail "ledger after cleanup: $(q "$T/c.db" 'SELECT path, status FROM files')"
echo "ingest_watch: ok"
