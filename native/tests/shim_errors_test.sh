# Bad requests to caas-shim get a clear error and change nothing.
source "$(dirname "$0")/test_lib.sh"
require_criu

set +e
"$SHIM" dump --state-dir "$WORK/empty" --images "$WORK/img" --criu "$CRIU" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "dump without a job succeeded"
expect_eq "$(cat "$WORK/err")" "caas-shim: no job in $WORK/empty: cannot read $WORK/empty/pid: No such file or directory" "dump without a job"

set +e
"$SHIM" restore --state-dir "$WORK/r" --images "$WORK/no-images" --criu "$CRIU" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "restore from a missing directory succeeded"
expect_eq "$(cat "$WORK/err")" "caas-shim: no images at '$WORK/no-images': No such file or directory" "restore without images"
[ ! -e "$WORK/r" ] || fail "a refused restore created its state directory"

mkdir "$WORK/empty-images"
set +e
"$SHIM" restore --state-dir "$WORK/r2" --images "$WORK/empty-images" --criu "$CRIU" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "restore from an empty image succeeded"
head -n 1 "$WORK/err" | grep -q "^caas-shim: criu restore failed (exit 1); from $WORK/r2/restore.log:$" \
  || fail "unclear restore failure: $(cat "$WORK/err")"
[ "$(wc -l <"$WORK/err")" -ge 2 ] || fail "restore failure shows no CRIU error lines"
grep -q RLIMIT_NOFILE "$WORK/err" && fail "the harmless RLIMIT_NOFILE line was shown"
expect_eq "$(cat "$WORK/r2/exit")" "error criu restore failed" "exit file after a failed restore"
[ ! -e "$WORK/r2/pid" ] || fail "a failed restore wrote a pid file"

"$SHIM" launch --state-dir "$WORK/job" -- "$COUNTER" --rate 20
started_job "$WORK/job"
# One state directory holds one running job.
for command in "launch --state-dir $WORK/job -- $COUNTER" "restore --state-dir $WORK/job --images $WORK/empty-images --criu $CRIU"; do
  set +e
  $SHIM $command 2>"$WORK/err"
  code=$?
  set -e
  expect_eq "$code" 1 "exit code of '$command' over a running job"
  expect_eq "$(cat "$WORK/err")" "caas-shim: a job is still running in $WORK/job (pid $(cat "$WORK/job/pid"))" "message of '$command' over a running job"
done

set +e
"$SHIM" dump --state-dir "$WORK/job" --images "$WORK/img2" --criu "$WORK/no-criu" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "dump with a missing CRIU succeeded"
expect_eq "$(cat "$WORK/err")" "caas-shim: cannot run '$WORK/no-criu': No such file or directory" "dump with a missing CRIU"
kill -0 "$(cat "$WORK/job/pid")" || fail "a failed dump ended the job"
[ ! -e "$WORK/job/exit" ] || fail "a failed dump wrote an exit file"
[ ! -e "$WORK/job/dump-pending" ] || fail "a failed dump left dump-pending behind"

# CRIU itself refuses: its error lines are shown, the job keeps running, nothing is recorded.
: "${UNIX_PEER_HOLDER:?}"
start_sink
"$SHIM" launch --state-dir "$WORK/holder" -- "$UNIX_PEER_HOLDER" "$SINK_SOCKET"
started_job "$WORK/holder"
wait_until 5 grep -q connected "$WORK/holder/stdout.log" || fail "holder did not connect"
set +e
"$SHIM" dump --state-dir "$WORK/holder" --images "$WORK/img3" --criu "$CRIU" >"$WORK/out" 2>"$WORK/err"
code=$?
set -e
expect_eq "$code" 1 "exit code of a dump CRIU refuses"
[ ! -s "$WORK/out" ] || fail "a failed dump printed timings"
expect_eq "$(head -n 1 "$WORK/err")" "caas-shim: criu dump failed (exit 1); from $WORK/img3/dump.log:" "first line of a refused dump"
grep -q '^caas-shim:   Error (criu/sk-unix.c:[0-9]*): unix: External socket is used' "$WORK/err" \
  || fail "CRIU's reason is missing: $(cat "$WORK/err")"
grep -q RLIMIT_NOFILE "$WORK/err" && fail "the harmless RLIMIT_NOFILE line was shown"
kill -0 "$(cat "$WORK/holder/pid")" || fail "a refused stop-mode dump ended the job"
sleep 0.2
[ ! -e "$WORK/holder/exit" ] || fail "a refused dump wrote an exit file"
[ ! -e "$WORK/holder/dump-pending" ] || fail "a refused dump left dump-pending behind"

set +e
"$SHIM" frobnicate 2>/dev/null
code=$?
set -e
expect_eq "$code" 2 "exit code of an unknown command"
expect_eq "$("$SHIM" version)" "caas-shim 0.1.0" "version"
echo "caas-shim errors: ok"
