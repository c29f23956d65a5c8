#!/usr/bin/env bash
# qlog_watch.sh OJO CORPUS_QLOG - `ojo watch` takes qlog files live and
# exactly once: every corpus file (*.qlog, *.sqlog, and copies named *.json)
# copied into a running watcher's directory, a qlog file written in place in
# chunks that end mid-record, one renamed in; each must be stored with the
# same events as `ojo import` of the original (the reference), non-qlog JSON
# rejected; then a restarted watcher (--once and live) adds nothing.
set -euo pipefail
OJO=$1 CORPUS=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/ojo-qlog-watch-XXXXXX")
W=
cleanup() {
  [[ -n $W ]] && kill -9 "$W" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
LOG=$T/w.log
. "$(dirname "$0")/ingest_lib.sh"

# ---- the reference: each corpus qlog file imported on its own
IN=$T/in REF=$T/ref.db DB=$T/w.db
mkdir -p "$IN"
mapfile -t rels < <(cd "$CORPUS" && find . -type f \( -name '*.qlog' -o -name '*.sqlog' \) \
  ! -path './expected/*' | sed 's|^\./||' | sort)
(( ${#rels[@]} >= 25 )) || fail "only ${#rels[@]} qlog files under $CORPUS"
"$OJO" import --db-path "$REF" "${rels[@]/#/$CORPUS/}" >/dev/null 2>"$T/ref.err" ||
  fail "reference import failed: $(tail -3 "$T/ref.err")"
contained=derived/ngtcp2_c_streams64_both_vantages.contained-0.3.qlog
ndjson=quic-go/quicgo_loss2_delay15_4x512K.client.qlog
seq=ngtcp2/b_loss5_delay20_3x1M.server.sqlog

# ---- a running watcher; files arrive while it runs
"$OJO" watch --input-dir "$IN" --db-path "$DB" 2>"$T/w.log" &
W=$!
wait_for 20 'grep -q "watching 1 directory" "$T/w.log"' ||
  fail "watcher did not start watching"
for r in "${rels[@]}"; do # copied in place (written, then closed)
  mkdir -p "$IN/$(dirname "$r")"
  cp "$CORPUS/$r" "$IN/$r"
done
mkdir -p "$IN/json" "$IN/staging"
cp "$CORPUS/$contained" "$IN/json/contained.json"   # qlog named *.json
cp "$CORPUS/$ndjson" "$IN/json/ndjson.json"
cp "$CORPUS/ngtcp2/a_clean_3x2M.meta.json" "$IN/json/meta.json" # JSON, not qlog
cp "$CORPUS/$seq" "$IN/staging/moved.sqlog"
mv "$IN/staging/moved.sqlog" "$IN/json/moved.sqlog" # arrives by rename
# written in place by a slow writer, cut mid-record, file kept open
size=$(stat -c %s "$CORPUS/$ndjson")
exec 3>"$IN/json/slow.qlog"
for i in 1 2 3; do
  head -c $(( size * i / 4 )) "$CORPUS/$ndjson" | tail -c $(( size * i / 4 - size * (i - 1) / 4 )) >&3
  sleep 0.3
done
tail -c $(( size - size * 3 / 4 )) "$CORPUS/$ndjson" >&3
exec 3>&-

want=$(( ${#rels[@]} + 5 ))
wait_for 60 '[[ $(q "$DB" "SELECT count(*) FROM files") == "$want" ]]' ||
  fail "$(q "$DB" 'SELECT count(*) FROM files') of $want files in the ledger after 60 s"
sleep 1.5 # anything that would come twice (settle time 1 s) comes now

# per file: its ledger row, and its traces (named PATH#i) with their events
# and flows, as `ojo import` stored them from the original: exactly once
traces_of() { q "$1" "SELECT count(*) || ' ' || total(n_events) || ' ' || total(n_flows) FROM traces WHERE name GLOB '$2#*'"; }
n_traces=0
check_file() { # check_file PATH_IN_WATCH_DIR CORPUS_REL
  local got want p r
  p=$(realpath "$IN/$1") r=$(realpath "$CORPUS/$2")
  got="$(q "$DB" "SELECT status || ' ' || n_events FROM files WHERE path='$p'") / $(traces_of "$DB" "$p")"
  want="ingested $(q "$REF" "SELECT n_events FROM files WHERE path='$r'") / $(traces_of "$REF" "$r")"
  [[ $got == "$want" ]] || fail "$1: '$got', want '$want' (as ojo import of $2)"
  n_traces=$(( n_traces + $(q "$DB" "SELECT count(*) FROM traces WHERE name GLOB '$p#*'") ))
  ok
}
for r in "${rels[@]}"; do check_file "$r" "$r"; done
check_file json/contained.json "$contained"
check_file json/ndjson.json "$ndjson"
check_file json/moved.sqlog "$seq"
check_file json/slow.qlog "$ndjson"
got=$(q "$DB" "SELECT status FROM files WHERE path LIKE '%/json/meta.json'")
[[ $got == rejected ]] || fail "meta.json: '$got', want rejected"; ok
# no trace besides those of the files above
[[ $(q "$DB" "SELECT count(*) FROM traces") == "$n_traces" ]] ||
  fail "$(q "$DB" "SELECT count(*) FROM traces") traces, want $n_traces"; ok
# truncated corpus files: stored up to the damage, and the ledger says so
n=$(q "$DB" "SELECT count(*) FROM files WHERE path LIKE '%/truncated/%' AND reason LIKE 'truncated at byte%'")
[[ $n == 4 ]] || fail "$n truncated files carry the warning, want 4"; ok
grep -q "truncated/quicgo_client.truncated.qlog: ingested, [0-9]* events.*warning: truncated at byte" "$T/w.log" ||
  fail "no warning logged for a truncated file"; ok
dups=$(grep -o "ojo: watch: [^:]*: ingested" "$T/w.log" | sort | uniq -d | wc -l)
[[ $dups == 0 ]] || fail "$dups files logged as ingested twice"; ok

# ---- restart: nothing is taken again, a new file still is
kill -TERM "$W"; rc=0; wait "$W" || rc=$?; W=
[[ $rc == 0 ]] || fail "SIGTERM: exit $rc"; ok
before=$(q "$DB" "SELECT count(*), sum(n_events) FROM files; SELECT count(*), sum(n_events) FROM traces")
touch "$IN/$seq" "$IN/json/slow.qlog" # newer mtime: reported, not re-read
"$OJO" watch --once --input-dir "$IN" --db-path "$DB" 2>"$T/once.log" || fail "--once restart failed"
grep -q ": 0 files ingested (0 events), 0 rejected" "$T/once.log" ||
  fail "--once restart: $(tail -1 "$T/once.log")"; ok
for f in "$seq" json/slow.qlog; do
  grep -q "/$f: warning: changed after it was ingested; not re-read (same size, modified" "$T/once.log" ||
    fail "--once restart: no warning for $f, touched after it was ingested"
done; ok
"$OJO" watch --input-dir "$IN" --db-path "$DB" 2>"$T/w.log" &
W=$!
sleep 2.5 # the startup scan, and the settle time of anything it queued
[[ $(q "$DB" "SELECT count(*), sum(n_events) FROM files; SELECT count(*), sum(n_events) FROM traces") == "$before" ]] ||
  fail "restarted watcher changed the database"; ok
cp "$CORPUS/$seq" "$IN/json/again.sqlog" # a new path: a new file, live
wait_for 20 '[[ -n $(q "$DB" "SELECT 1 FROM files WHERE path LIKE \"%/json/again.sqlog\"") ]]' ||
  fail "file copied in after the restart not ingested"
check_file json/again.sqlog "$seq"
kill -TERM "$W"; wait "$W" || true; W=
grep -q "ingested, " "$T/w.log" && [[ $(grep -c "ingested, " "$T/w.log") == 1 ]] ||
  fail "restarted watcher ingested $(grep -c 'ingested, ' "$T/w.log") files, want 1"; ok
echo "qlog_watch: ${#rels[@]} corpus files + 5 live arrivals, restart"
echo "$pass passed, 0 failed"
