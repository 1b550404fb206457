# capture_cases runs every case to its target, checking its state at each tick, and refuses an unknown case.
source "$(dirname "$0")/test_lib.sh"
start_sink

for kind in tree threads files pipe unix tcp; do
  (cd "$WORK" && CAAS_PROGRESS_SOCKET="$SINK_SOCKET" CAAS_JOB_ID=job-c "$CAPTURE_CASES" --case "$kind" --target 5 --rate 100 >"$WORK/$kind.out") \
    || fail "case $kind exited $?"
  expect_eq "$(tail -n 1 "$WORK/$kind.out")" "$kind tick 5" "last line of case $kind"
done
wait_until 2 grep -q "progress 1.000000 tcp tick 5" "$SINK_OUTPUT" || fail "the tcp case's last tick missing from progress"

set +e
"$CAPTURE_CASES" --case sockets 2>"$WORK/err"
code=$?
set -e
expect_eq "$code" 2 "exit code for an unknown case"
expect_eq "$(cat "$WORK/err")" "capture_cases: unknown case 'sockets'" "message for an unknown case"
echo "capture_cases run: ok"
