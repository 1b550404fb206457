# SIGUSR1 makes counter hang for good (no output, no progress, still alive); SIGTERM exits 143,
# also when counter is PID 1 of its own PID namespace.
source "$(dirname "$0")/test_lib.sh"
start_sink

CAAS_PROGRESS_SOCKET="$SINK_SOCKET" CAAS_JOB_ID=job-h "$COUNTER" --rate 50 >"$WORK/out" &
pid=$!
started "$pid"
wait_until 5 count_at_least "$WORK/out" 5 || fail "counter did not count"
kill -USR1 "$pid"
sleep 0.3
lines="$(wc -l <"$WORK/out")"
datagrams="$(wc -l <"$SINK_OUTPUT")"
sleep 1.5
expect_eq "$(wc -l <"$WORK/out")" "$lines" "output lines after hanging"
expect_eq "$(wc -l <"$SINK_OUTPUT")" "$datagrams" "progress datagrams after hanging"
kill -0 "$pid" || fail "hung counter is not alive"
expect_eq "$(awk '{print $3}' "/proc/$pid/stat")" S "hung counter state"
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
expect_eq "$code" 143 "exit code after SIGTERM while hung"

# As PID 1 a signal without a handler would be ignored.
unshare --pid --fork "$COUNTER" --rate 50 >"$WORK/out1" &
outer=$!
started "$outer"
wait_until 5 count_at_least "$WORK/out1" 3 || fail "counter as PID 1 did not count"
inner="$(pgrep -P "$outer")"
grep -q '^NSpid:.*[[:space:]]1$' "/proc/$inner/status" || fail "counter is not PID 1 of its namespace"
kill -TERM "$inner"
set +e
wait "$outer"
code=$?
set -e
expect_eq "$code" 143 "exit code of PID 1 counter after SIGTERM"
echo "counter hang and SIGTERM: ok"
