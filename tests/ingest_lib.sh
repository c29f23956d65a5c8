# ingest_lib.sh - shell helpers of the watcher tests (ingest_*.sh,
# qlog_watch.sh), sourced after T (the test's temporary directory) is set.
# LOG, when set, names the watcher log that fail shows the end of.
pass=0
fail() {
  echo "FAIL: $*" >&2
  [[ -n ${LOG:-} && -f $LOG ]] && sed 's/^/  watch: /' "$LOG" | tail -20 >&2
  exit 1
}
ok() { pass=$((pass + 1)); }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
q() { sqlite3 -cmd ".timeout 5000" "$1" "$2"; }
# wait_for SECONDS 'SHELL CODE': evaluates the code every 20 ms until true
wait_for() {
  local end=$(( $(ms) + $1 * 1000 ))
  until eval "$2" 2>/dev/null; do (( $(ms) < end )) || return 1; sleep 0.02; done
}
