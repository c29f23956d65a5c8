#!/usr/bin/env bash
# ingest_inplace.sh OJO INGEST_TOOL CORPUS_QLOG - files written in place by a
# writer that keeps them open and pauses longer than the settle time (1 s),
# as QUIC stacks write qlog: `ojo watch` takes each whole, once, after its
# writer closes it, whether the watcher saw it created (live, also in a new
# subdirectory) or found it at startup; a hard link is taken at once;
# --once and a stopped watcher leave a file still open for the next run;
# --open-wait takes a file whose writer never closes it; a file that
# changes after it was ingested is reported, not re-read.
set -euo pipefail
OJO=$1 TOOL=$2 CORPUS=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/ojo-ingest-inplace-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
LOG=
. "$(dirname "$0")/ingest_lib.sh"

# inplace SRC DST GATE: writes the first quarter of SRC into DST (the cut
# falls mid-record), then waits GATE seconds, or until the file GATE
# exists, then writes the rest and closes DST; the file stays open all
# along. Run in the background.
inplace() {
  local size fd
  size=$(stat -c %s "$1")
  exec {fd}>"$2"
  head -c $(( size / 4 )) "$1" >&$fd
  if [[ $3 =~ ^[0-9.]+$ ]]; then sleep "$3"; else
    until [[ -e $3 ]]; do sleep 0.05; done
  fi
  tail -c +$(( size / 4 + 1 )) "$1" >&$fd
  exec {fd}>&-
}
# hold SRC DST GATE: writes all of SRC into DST, keeps it open until the
# file GATE exists, closes it.
hold() {
  local fd
  exec {fd}>"$2"
  cat "$1" >&$fd
  until [[ -e $3 ]]; do sleep 0.05; done
  exec {fd}>&-
}
started() { wait_for 10 "[[ -s '$1' ]]" || fail "writer of $1 did not start"; }

ndjson=quic-go/quicgo_loss2_delay15_4x512K.client.qlog
seq=ngtcp2/b_loss5_delay20_3x1M.server.sqlog
for r in "$ndjson" "$seq"; do [[ -f $CORPUS/$r ]] || fail "corpus file $r missing"; done
REF=$T/ref.db
"$OJO" import --db-path "$REF" "$CORPUS/$ndjson" "$CORPUS/$seq" >/dev/null 2>&1 ||
  fail "reference import failed"
ref_events() { q "$REF" "SELECT n_events FROM files WHERE path='$(realpath "$CORPUS/$1")'"; }
traces_of() { q "$1" "SELECT count(*) || ' ' || total(n_events) FROM traces WHERE name GLOB '$2#*'"; }

# check DB FILE CORPUS_REL: FILE is in the ledger once, ingested with the
# events and traces `ojo import` stored from the original, no warning
check() {
  local p r got want
  p=$(realpath "$2") r=$(realpath "$CORPUS/$3")
  got="$(q "$1" "SELECT count(*) || ' ' || group_concat(status) || ' ' || total(n_events) || ' [' || coalesce(group_concat(reason), '') || ']' FROM files WHERE path='$p'") / $(traces_of "$1" "$p")"
  want="1 ingested $(q "$REF" "SELECT total(n_events) FROM files WHERE path='$r'") [] / $(traces_of "$REF" "$r")"
  [[ $got == "$want" ]] || fail "$2: '$got', want '$want'"
  ok
}
in_ledger() { [[ -n $(q "$1" "SELECT 1 FROM files WHERE path='$(realpath "$2")'") ]]; }
logged_once() { # logged_once LOG NAME: one "ingested" line for NAME
  local n; n=$(grep -c "/$2: ingested, " "$1" || true)
  [[ $n == 1 ]] || fail "$2 logged as ingested $n times, want 1"
  ok
}

# ---- live: created while the watcher runs, paused 2.5 s mid-record
IN=$T/live DB=$T/live.db LOG=$T/live.log
mkdir -p "$IN"
"$OJO" watch --input-dir "$IN" --db-path "$DB" 2>"$LOG" &
W=$!; pids+=("$W")
wait_for 10 '[[ -f $DB ]] && q "$DB" "SELECT 1 FROM files LIMIT 0" >/dev/null' ||
  fail "watcher did not open its database"
inplace "$CORPUS/$ndjson" "$IN/paused.qlog" 2.5 & pids+=($!)
mkdir "$IN/sub" # a new subdirectory: its file may be found by listing it
inplace "$CORPUS/$seq" "$IN/sub/paused.sqlog" 2.5 & pids+=($!)
"$TOOL" grow "$IN/paused.ojo" 1000 12012 2500 & pids+=($!) # 1000 records, cut mid-record
started "$IN/paused.qlog"
sleep 1.7 # past the settle time (1 s), writers paused (2.5 s)
for f in paused.qlog sub/paused.sqlog paused.ojo; do
  in_ledger "$DB" "$IN/$f" && fail "$f ingested while its writer paused"
done; ok
wait_for 20 'in_ledger "$DB" "$IN/paused.qlog" && in_ledger "$DB" "$IN/sub/paused.sqlog" && in_ledger "$DB" "$IN/paused.ojo"' ||
  fail "files not ingested after their writers closed them"
sleep 1.5 # anything that would come twice comes now
check "$DB" "$IN/paused.qlog" "$ndjson"
check "$DB" "$IN/sub/paused.sqlog" "$seq"
got=$(q "$DB" "SELECT status, n_events, coalesce(reason, '') FROM files WHERE path LIKE '%/paused.ojo'")
[[ $got == "ingested|1000|" ]] || fail "paused.ojo: '$got', want 'ingested|1000|'"; ok
got=$(q "$DB" "SELECT sum(n) FROM blocks WHERE file_id = (SELECT file_id FROM files WHERE path LIKE '%/paused.ojo')")
[[ $got == 1000 ]] || fail "paused.ojo: $got events in blocks, want 1000"; ok
for f in paused.qlog paused.sqlog paused.ojo; do logged_once "$LOG" "$f"; done

# changed after it was ingested: reported once, never re-read
echo '{"time": 1, "name": "transport:packet_sent"}' >>"$IN/paused.qlog"
echo '{"time": 2, "name": "transport:packet_sent"}' >>"$IN/paused.qlog"
wait_for 10 'grep -q "paused.qlog: warning: changed after it was ingested; not re-read" "$LOG"' ||
  fail "no warning for a file changed after it was ingested"
sleep 0.5
[[ $(grep -c "paused.qlog: warning: changed" "$LOG") == 1 ]] ||
  fail "changed file reported $(grep -c "paused.qlog: warning: changed" "$LOG") times, want 1"; ok
check "$DB" "$IN/paused.qlog" "$ndjson"
# a second name for a finished file (ln): no writer, no close, taken at once
cp "$CORPUS/$seq" "$T/linked.sqlog"
ln "$T/linked.sqlog" "$IN/linked.sqlog"
wait_for 10 'in_ledger "$DB" "$IN/linked.sqlog"' || fail "hard-linked file not taken"
check "$DB" "$IN/linked.sqlog" "$seq"
kill -TERM "$W"; rc=0; wait "$W" || rc=$?
[[ $rc == 0 ]] || fail "SIGTERM: exit $rc"; ok

# ---- found at startup: the writer paused mid-record and still holds the
# file (the case that lost events with a 1 s settle time); a watcher
# stopped meanwhile leaves it for the next run
IN=$T/start DB=$T/start.db LOG=$T/start.log
mkdir -p "$IN"
inplace "$CORPUS/$ndjson" "$IN/open.qlog" "$T/go1" & pids+=($!)
hold "$CORPUS/$seq" "$IN/held.sqlog" "$T/go1" & pids+=($!)
started "$IN/open.qlog"; started "$IN/held.sqlog"
"$OJO" watch --input-dir "$IN" --db-path "$DB" 2>"$LOG" &
W=$!; pids+=("$W")
sleep 2.5
for f in open.qlog held.sqlog; do
  in_ledger "$DB" "$IN/$f" && fail "$f ingested while still open for writing"
done; ok
kill -TERM "$W"; rc=0; wait "$W" || rc=$?
[[ $rc == 0 ]] || fail "SIGTERM: exit $rc"; ok
for f in open.qlog held.sqlog; do
  grep -q "/$f: still open for writing (pid [0-9]*); left for the next run" "$LOG" ||
    fail "no 'left for the next run' line for $f"
done; ok
# --once: the files are still open and idle, so they are left again
timeout 60 "$OJO" watch --once --input-dir "$IN" --db-path "$DB" 2>"$T/once.log" ||
  fail "--once with files open for writing failed"
grep -q "open.qlog: still open for writing (pid [0-9]*); left for the next run" "$T/once.log" ||
  fail "--once: $(cat "$T/once.log")"; ok
[[ $(q "$DB" "SELECT count(*) FROM files") == 0 ]] || fail "--once ingested a file still open"; ok
LOG=$T/start2.log
"$OJO" watch --input-dir "$IN" --db-path "$DB" 2>"$LOG" &
W=$!; pids+=("$W")
sleep 1.5
[[ $(q "$DB" "SELECT count(*) FROM files") == 0 ]] || fail "restarted watcher took a file still open"; ok
touch "$T/go1" # the writers finish and close
wait_for 20 'in_ledger "$DB" "$IN/open.qlog" && in_ledger "$DB" "$IN/held.sqlog"' ||
  fail "files found at startup not ingested after their writers closed them"
sleep 1.5
check "$DB" "$IN/open.qlog" "$ndjson"
check "$DB" "$IN/held.sqlog" "$seq"
for f in open.qlog held.sqlog; do logged_once "$LOG" "$f"; done
kill -TERM "$W"; wait "$W" || true

# ---- a writer that never closes: taken after --open-wait, whether found
# at startup or seen created
IN=$T/never DB=$T/never.db LOG=$T/never.log
mkdir -p "$IN"
hold "$CORPUS/$seq" "$IN/atstart.sqlog" "$T/go2" & pids+=($!)
started "$IN/atstart.sqlog"
"$OJO" watch --open-wait 4 --input-dir "$IN" --db-path "$DB" 2>"$LOG" &
W=$!; pids+=("$W")
# live.qlog must be seen created (not found by the first listing)
wait_for 20 'grep -q "watching 1 directory" "$LOG"' || fail "watcher did not start"
hold "$CORPUS/$ndjson" "$IN/live.qlog" "$T/go2" & pids+=($!)
sleep 1.5
[[ $(q "$DB" "SELECT count(*) FROM files") == 0 ]] || fail "--open-wait 4: taken before 4 s"; ok
wait_for 20 'in_ledger "$DB" "$IN/atstart.sqlog" && in_ledger "$DB" "$IN/live.qlog"' ||
  fail "--open-wait 4: files never closed not taken"
grep -q "atstart.sqlog: unchanged for [0-9]* s but still open for writing; taking it as complete" "$LOG" ||
  fail "no log line for the file taken while open"; ok
grep -q "live.qlog: unchanged for [0-9]* s but never closed by its writer; taking it as complete" "$LOG" ||
  fail "no log line for the file never closed"; ok
check "$DB" "$IN/atstart.sqlog" "$seq"
check "$DB" "$IN/live.qlog" "$ndjson"
touch "$T/go2"
sleep 0.5 # the close that comes late changes nothing
check "$DB" "$IN/live.qlog" "$ndjson"
kill -TERM "$W"; wait "$W" || true
echo "ingest_inplace: paused writers (live, new subdirectory, at startup), --once, stop, --open-wait, change after ingest"
echo "$pass passed, 0 failed"
