# caas-shim launch: a missing executable fails clearly; counter runs as PID 1 of its own namespace
# and session, its output lands in stdout.log, its environment comes from the shim, and its end is
# recorded in the exit file (exit code, or the signal that killed it).
source "$(dirname "$0")/test_lib.sh"

state="$WORK/missing"
set +e
"$SHIM" launch --state-dir "$state" -- /nope 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "launching /nope succeeded"
expect_eq "$(cat "$WORK/err")" "caas-shim: cannot execute '/nope': No such file or directory" "stderr for /nope"
expect_eq "$(cat "$state/exit")" "error cannot execute '/nope': No such file or directory" "exit file for /nope"
[ ! -e "$state/pid" ] || fail "a pid file exists for a job that never ran"

set +e
"$SHIM" launch --state-dir "$WORK/badcwd" --cwd "$WORK/nowhere" -- "$COUNTER" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "launching in a missing directory succeeded"
expect_eq "$(cat "$WORK/err")" "caas-shim: cannot change directory to '$WORK/nowhere': No such file or directory" "stderr for a bad --cwd"

start_sink
state="$WORK/counter"
CAAS_PROGRESS_SOCKET="$SINK_SOCKET" CAAS_JOB_ID=job-s \
  "$SHIM" launch --state-dir "$state" --cwd "$WORK" -- "$COUNTER" --target 20 --rate 10
[ -s "$state/pid" ] || fail "no pid file when launch returned"
pid="$(cat "$state/pid")"
started_job "$state"
# Held still while it is inspected: on a loaded machine a counter left running could finish
# between two of the checks below.
kill -STOP "$pid"
grep -q '^NSpid:.*[[:space:]]1$' "/proc/$pid/status" || fail "job is not PID 1 of its own PID namespace"
expect_eq "$(ps -o sid= -p "$pid" | tr -d ' ')" "$pid" "job session id"
expect_eq "$(readlink "/proc/$pid/cwd")" "$WORK" "job working directory"
expect_eq "$(readlink "/proc/$pid/fd/0")" /dev/null "job stdin"
expect_eq "$(ps -o ppid= -p "$pid" | tr -d ' ')" "$(cat "$state/shim.pid")" "job parent is the shim"
kill -CONT "$pid"
wait_until 10 test -e "$state/exit" || fail "no exit file after the target"
expect_eq "$(cat "$state/exit")" "exited 0" "exit file at the target"
expect_eq "$(cat "$state/stdout.log")" "$(seq 1 20 | sed 's/^/count /')" "stdout.log"
expect_eq "$(wc -l <"$SINK_OUTPUT")" 20 "progress datagrams from the job"
expect_eq "$(tail -n 1 "$SINK_OUTPUT")" "caas1 job-s progress 1.000000 count 20" "last progress"
wait_until 5 process_gone "$(cat "$state/shim.pid")" || fail "supervisor outlived its job"

state="$WORK/terminated"
"$SHIM" launch --state-dir "$state" -- "$COUNTER" --rate 50
started_job "$state"
wait_until 5 count_at_least "$state/stdout.log" 2 || fail "counter did not count"
kill -TERM "$(cat "$state/pid")"
wait_until 5 test -e "$state/exit" || fail "no exit file after SIGTERM"
expect_eq "$(cat "$state/exit")" "exited 143" "exit file after SIGTERM"

state="$WORK/killed"
"$SHIM" launch --state-dir "$state" -- "$COUNTER" --rate 50
started_job "$state"
kill -KILL "$(cat "$state/pid")"
wait_until 5 test -e "$state/exit" || fail "no exit file after SIGKILL"
expect_eq "$(cat "$state/exit")" "signaled 9" "exit file after SIGKILL"

# The supervisor forwards SIGTERM to the job.
state="$WORK/forwarded"
"$SHIM" launch --state-dir "$state" -- "$COUNTER" --rate 50
started_job "$state"
wait_until 5 count_at_least "$state/stdout.log" 1 || fail "counter did not count"
kill -TERM "$(cat "$state/shim.pid")"
wait_until 5 test -e "$state/exit" || fail "no exit file after SIGTERM to the shim"
expect_eq "$(cat "$state/exit")" "exited 143" "exit file after SIGTERM to the shim"

# Relaunching right after a kill waits for the old supervisor to record its exit, so that exit
# cannot land on top of the new run.
state="$WORK/relaunched"
"$SHIM" launch --state-dir "$state" -- "$COUNTER" --rate 50
started_job "$state"
old_shim="$(cat "$state/shim.pid")"
kill -KILL "$(cat "$state/pid")"
"$SHIM" launch --state-dir "$state" -- "$COUNTER" --rate 50
started_job "$state"
process_gone "$old_shim" || fail "the old supervisor still runs after the relaunch returned"
[ "$(cat "$state/shim.pid")" != "$old_shim" ] || fail "the new run has the old supervisor"
sleep 0.5
[ ! -e "$state/exit" ] || fail "an exit file ($(cat "$state/exit")) lies about the relaunched job"
kill -0 "$(cat "$state/pid")" || fail "the relaunched job is not running"

set +e
"$SHIM" launch --state-dir "$WORK/x" 2>"$WORK/err"
code=$?
set -e
expect_eq "$code" 2 "exit code without a command"
echo "caas-shim launch: ok"
