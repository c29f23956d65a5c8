#!/bin/sh
# qlog_cli.sh - `ojo import` and `ojo export` from the shell: reports, the
# exactly-once ledger, exit codes, the files export writes.
# Usage: qlog_cli.sh OJO_BINARY CORPUS_DIR
set -u
ojo=$1
corpus=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/ojo-qlog-cli-XXXXXX")
trap 'rm -rf "$dir"' EXIT
pass=0
fail=0
check() { # check NAME CONDITION...
	name=$1
	shift
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

db=$dir/t.db
"$ojo" import --help >"$dir/help" 2>&1
check "import --help exits 0" test $? -eq 0
check "import --help shows usage" grep -q "Usage: ojo import" "$dir/help"
"$ojo" import --db-path "$db" >/dev/null 2>&1
check "import without PATH is a usage error" test $? -eq 2
"$ojo" import --bogus x >/dev/null 2>&1
check "unknown option is a usage error" test $? -eq 2

"$ojo" import --db-path "$db" "$corpus/ngtcp2" "$corpus/truncated" >"$dir/out1" 2>"$dir/err1"
check "import of two directories exits 0" test $? -eq 0
check "report per file" test "$(grep -c ': imported (' "$dir/out1")" -eq 10
check "unmapped counts per name" grep -q "unmapped transport:parameters_set: 2" "$dir/out1"
check "truncation warning" grep -q "warning: truncated at byte" "$dir/err1"
check "meta.json passed over" grep -q "skipped (JSON, not qlog)" "$dir/out1"

"$ojo" import --db-path "$db" "$corpus/ngtcp2/a_clean_3x2M.client.sqlog" >"$dir/out2" 2>&1
check "second import exits 0" test $? -eq 0
check "second import skips" grep -q "skipped (already imported)" "$dir/out2"

printf 'not json at all\n' >"$dir/bad.qlog"
"$ojo" import --db-path "$db" "$dir/bad.qlog" >"$dir/out3" 2>"$dir/err3"
check "non-qlog file exits 1" test $? -eq 1
check "reason names the file" grep -q "ojo: import: .*bad.qlog: not qlog" "$dir/err3"
"$ojo" import --db-path "$db" "$dir/bad.qlog" >"$dir/out4" 2>&1
check "rejected file is not retried" grep -q "skipped (already rejected)" "$dir/out4"
! grep -q "changed after" "$dir/out4"
check "an unchanged file gets no change warning" test $? -eq 0
printf 'still not json\n' >>"$dir/bad.qlog"
"$ojo" import --db-path "$db" "$dir/bad.qlog" >"$dir/out4b" 2>&1
check "a file changed since it was recorded is named in a warning" \
  grep -q "bad.qlog: warning: changed after it was rejected; not re-read" "$dir/out4b"

"$ojo" export --db-path "$db" --format qlog -o "$dir/qlog" 2>"$dir/err5"
check "export qlog exits 0" test $? -eq 0
n=$(ls "$dir/qlog" | grep -c '\.sqlog$')
check "one file per connection (10)" test "$n" -eq 10
f=$(ls "$dir/qlog"/*_server.sqlog | head -n 1)
check "header first" sh -c "head -c 200 '$f' | grep -q '\"qlog_version\":\"0.3\",\"qlog_format\":\"JSON-SEQ\"'"
check "packet events" grep -q '"name":"transport:packet_sent"' "$f"
check "metrics events" grep -q '"name":"recovery:metrics_updated"' "$f"
check "packet sizes for qvis" grep -q '"raw":{"length":[1-9]' "$f"
# each file is named after its connection id (group_id) and vantage point
# (a second one of the same name gets _tTRACEfFLOW)
named=0
for g in "$dir/qlog"/*.sqlog; do
	id=$(head -n 1 "$g" | sed -n 's/.*"group_id":"\([^"]*\)".*/\1/p')
	vp=$(head -n 1 "$g" | sed -n 's/.*"vantage_point":{[^}]*"type":"\([a-z]*\)".*/\1/p')
	[ "$vp" = unknown ] && vp= || vp=_$vp
	case $(basename "$g") in "${id}${vp}.sqlog" | "${id}${vp}_t"*) named=$((named + 1)) ;; esac
done
check "files named after connection id and vantage (10)" test "$named" -eq 10

# -o naming one file: one connection goes there; several are refused
"$ojo" export --db-path "$db" --format qlog -o "$dir/all.sqlog" 2>"$dir/err6"
check "several connections into one .sqlog exits 1" test $? -eq 1
check "no file left behind" test ! -e "$dir/all.sqlog"
check "error names the database" grep -q "ojo: export: $db: 10 connections selected" "$dir/err6"
"$ojo" export --db-path "$db" --trace 1 --format qlog -o "$dir/one.sqlog" 2>/dev/null
check "one connection into a .sqlog file exits 0" test $? -eq 0
check "it is a JSON-SEQ qlog file" sh -c "head -c 60 '$dir/one.sqlog' | grep -q 'qlog_version'"
"$ojo" export --help >"$dir/help2"
check "export --help explains -o" grep -q "ending in .sqlog" "$dir/help2"

"$ojo" export --db-path "$db" --trace 1 --format csv -o "$dir/t1.csv"
check "export csv exits 0" test $? -eq 0
check "csv header" sh -c "head -n 1 '$dir/t1.csv' | grep -q '^trace_id,flow_id,time_ns,type,name,payload,offset,length$'"
check "csv rows" test "$(wc -l <"$dir/t1.csv")" -gt 1000
"$ojo" export --db-path "$db" --trace 1 --flow 1 --from 0 --to 50000000 --format json >"$dir/t1.json"
check "export json exits 0" test $? -eq 0
check "json array" sh -c "head -c 1 '$dir/t1.json' | grep -q '\\['"
"$ojo" export --db-path "$db" --format yaml >/dev/null 2>&1
check "bad format is a usage error" test $? -eq 2
"$ojo" export --db-path "$db" --trace 999 --format qlog -o - >/dev/null 2>"$dir/err7"
check "unknown trace fails" test $? -eq 1
check "unknown trace: clear error" grep -q "ojo: export: $db: no trace 999" "$dir/err7"

echo "$pass passed, $fail failed"
test "$fail" -eq 0
