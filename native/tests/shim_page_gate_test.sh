# The page gate (page_gate.h): a restore started with --page-gate lets the restored tasks run only on
# the agent's "verified" verdict for this restore; a refusal, a stale verdict, no verdict in time or a
# dead agent make CRIU kill the restored tree before it runs a single instruction of its own.
source "$(dirname "$0")/test_lib.sh"
require_criu

# The gate alone, as CRIU runs it.
gate() {
  env CRTOOLS_SCRIPT_ACTION="$1" CAAS_PAGE_GATE_DIR="$WORK/gate" CAAS_PAGE_GATE_TOKEN=t1 \
    CAAS_PAGE_GATE_TIMEOUT_MS="${2:-5000}" CAAS_PAGE_GATE_OWNER="${3:-0}" "$SHIM" page-gate 2>>"$WORK/gate.err"
}
mkdir -p "$WORK/gate"
gate pre-restore || fail "the gate held up an action other than post-restore"
gate pre-resume || fail "the gate held up pre-resume"
[ ! -e "$WORK/gate/pages-gate-passed" ] || fail "the gate recorded a passage for another action"

(sleep 0.3; echo "verified t1" >"$WORK/gate/pages-verdict.tmp"; mv "$WORK/gate/pages-verdict.tmp" "$WORK/gate/pages-verdict") &
started $!
gate post-restore || fail "the gate refused a verified verdict: $(cat "$WORK/gate.err")"
[ -e "$WORK/gate/pages-gate-passed" ] || fail "the gate did not record its passage"

rm -f "$WORK/gate/pages-gate-passed"
echo "verified t0" >"$WORK/gate/pages-verdict"
if gate post-restore 400; then fail "the gate took another restore's verdict"; fi
grep -q "no verdict on the page images within 400 ms" "$WORK/gate.err" || fail "unclear timeout: $(cat "$WORK/gate.err")"
[ ! -e "$WORK/gate/pages-gate-passed" ] || fail "a refused gate recorded a passage"

echo "refused t1 pages-1.img chunk 3 does not match" >"$WORK/gate/pages-verdict"
if gate post-restore; then fail "the gate passed a refusal"; fi
grep -q "the agent refused the page images: pages-1.img chunk 3 does not match" "$WORK/gate.err" || fail "unclear refusal: $(cat "$WORK/gate.err")"

rm -f "$WORK/gate/pages-verdict"
sh -c 'exit 0' & gone=$!
wait "$gone"
SECONDS=0
if gate post-restore 60000 "$gone"; then fail "the gate passed with its agent gone"; fi
[ "$SECONDS" -lt 10 ] || fail "the gate waited for a dead agent"
grep -q "is gone before it judged the page images" "$WORK/gate.err" || fail "unclear dead-agent refusal: $(cat "$WORK/gate.err")"

# With CRIU: a job dumped, killed, then restored through the gate.
state="$WORK/job"
images="$WORK/images"
"$SHIM" launch --state-dir "$state" -- "$COUNTER" --rate 20
started_job "$state"
wait_until 10 count_at_least "$state/stdout.log" 5 || fail "counter did not count"
"$SHIM" dump --state-dir "$state" --images "$images" --criu "$CRIU" >/dev/null
wait_until 5 test -e "$state/exit" || fail "no exit file after the stop-mode dump"
lines="$(grep -c . "$state/stdout.log")"

counters_running() {
  pgrep -f "^$COUNTER " >/dev/null
}

# restore_through_gate VERDICT-OR-EMPTY [TIMEOUT-MS]: the verdict is written while CRIU restores.
restore_through_gate() {
  rm -f "$state/pages-verdict"
  if [ -n "$1" ]; then
    (sleep 0.5; echo "$1" >"$state/pages-verdict.tmp"; mv "$state/pages-verdict.tmp" "$state/pages-verdict") &
    started $!
  fi
  "$SHIM" restore --state-dir "$state" --images "$images" --criu "$CRIU" --page-gate r1 --gate-timeout-ms "${2:-60000}" --gate-owner $$ 2>"$WORK/restore.err"
}

for refusal in "refused r1 a page image does not match its signed hash" "verified r0" ""; do
  if restore_through_gate "$refusal" 2000; then fail "a restore with verdict '$refusal' went through"; fi
  grep -q "post-restore script" "$WORK/restore.err" || fail "CRIU did not say the gate stopped it: $(cat "$WORK/restore.err")"
  expect_eq "$(cat "$state/exit")" "error criu restore failed" "exit file after a refused restore"
  [ ! -e "$state/pid" ] || fail "a refused restore left a pid file"
  if counters_running; then fail "a refused restore left the job running"; fi
  sleep 0.3
  expect_eq "$(grep -c . "$state/stdout.log")" "$lines" "lines of output after a refused restore (the job must never run)"
done

restore_through_gate "verified r1" || fail "a verified restore failed: $(cat "$WORK/restore.err")"
started_job "$state"
[ -e "$state/pages-gate-passed" ] || fail "the restore went through without the gate"
wait_until 10 count_at_least "$state/stdout.log" $(( $(last_count "$state/stdout.log") + 3 )) || fail "the verified restore does not run"
kill -KILL "$(cat "$state/pid")"
wait_until 5 test -e "$state/exit" || fail "no exit file after killing the restored job"
echo "page gate: ok"
