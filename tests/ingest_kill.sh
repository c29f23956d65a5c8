#!/usr/bin/env bash
# ingest_kill.sh OJO INGEST_TOOL FILES EVENTS_PER_FILE KILLS - exactly once
# under kill -9: a corpus written with libojo, a watcher killed at random
# moments and restarted KILLS times, then --once; every file's events must
# be in the database exactly once (ingest_tool verify: per-file counts and
# checksums of times and payloads) and the events table must agree.
set -euo pipefail
OJO=$1 TOOL=$2 FILES=$3 PER=$4 KILLS=$5
T=$(mktemp -d "${TMPDIR:-/tmp}/ojo-ingest-kill-XXXXXX")
W=
cleanup() { [[ -n $W ]] && kill -9 "$W" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
DB=$T/traces.db OUT=$T/traces/output

total=$("$TOOL" write "$T/traces" "$FILES" "$PER")
nfiles=$(ls "$OUT"/*.ojo | wc -l)
echo "corpus: $nfiles files, $total events"
# Old enough to be taken at once (fresh files found by a listing wait for
# the settle time), so every run starts ingesting straight away.
touch -d '1 minute ago' "$OUT"/*.ojo
midway=0
ledger() { sqlite3 -cmd ".timeout 5000" "$DB" "SELECT count(*) FROM files" 2>/dev/null || echo 0; }
for ((i = 1; i <= KILLS; i++)); do
  before=$(ledger)
  "$OJO" watch --quiet --input-dir "$OUT" --db-path "$DB" 2>>"$T/log" &
  W=$!
  # once this run has committed a file (a slow start, e.g. under a
  # sanitizer, must not make every kill land before the first one), a
  # random moment 0..99 ms later: a few more files per run
  for ((n = 0; n < 1000 && $(ledger) == before; n++)); do sleep 0.01; done
  sleep "0.$(printf %03d $(( RANDOM % 100 )))"
  kill -9 "$W"; wait "$W" 2>/dev/null || true; W=
  done_files=$(ledger)
  echo "kill $i: $done_files of $nfiles files in the ledger"
  (( done_files > 0 && done_files < nfiles )) && midway=$((midway + 1))
done
echo "$midway of $KILLS kills landed part-way through the corpus"
(( midway > 0 )) || { echo "FAIL: no kill interrupted the ingestion" >&2; exit 1; }
"$OJO" watch --once --quiet --input-dir "$OUT" --db-path "$DB"
"$TOOL" verify "$DB" "$OUT"
want=$("$TOOL" sums "$OUT")
got=$("$OJO" query --db-path "$DB" --csv \
  "SELECT count(*), sum(time_ns % 1000003), sum(payload % 1000003) FROM events" | tail -n 1)
echo "events table: $got (count, time and payload checksums); files: $want"
[[ $got == "$want" ]] || { echo "FAIL: events table disagrees with the files" >&2; exit 1; }
[[ ${want%%,*} == "$total" ]] || { echo "FAIL: files hold ${want%%,*} events, writer recorded $total" >&2; exit 1; }
echo "ingest_kill: ok"
