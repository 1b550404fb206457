# caas-shim launch --cgroup: the job joins the cgroup before it runs, so a memory limit holds for its whole
# tree; memhog over the limit is killed by the kernel's OOM killer (SIGKILL), which the cgroup counts. A cgroup
# that cannot be joined fails the launch clearly. Needs root and the cgroup v1 memory controller.
source "$(dirname "$0")/test_lib.sh"

memory_root=/sys/fs/cgroup/memory
[ -w "$memory_root/cgroup.procs" ] || fail "needs root and a cgroup v1 memory hierarchy at $memory_root"
group="$memory_root/caas-ctest-$$"
mkdir "$group"
trap 'cleanup; rmdir "$group" 2>/dev/null || true' EXIT
echo $((32 << 20)) >"$group/memory.limit_in_bytes"
[ ! -e "$group/memory.memsw.limit_in_bytes" ] || echo $((32 << 20)) >"$group/memory.memsw.limit_in_bytes"

state="$WORK/hog"
"$SHIM" launch --state-dir "$state" --cgroup "$group" -- "$MEMHOG" --mib 128
started_job "$state"
wait_until 20 test -e "$state/exit" || fail "memhog over its limit was not killed"
expect_eq "$(cat "$state/exit")" "signaled 9" "exit file of the OOM-killed job"
grep -q '^oom_kill [1-9]' "$group/memory.oom_control" || fail "the cgroup counted no OOM kill: $(cat "$group/memory.oom_control")"

set +e
"$SHIM" launch --state-dir "$WORK/nogroup" --cgroup "$WORK/not-a-cgroup" -- "$COUNTER" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "launching into a missing cgroup succeeded"
expect_eq "$(cat "$WORK/err")" "caas-shim: cannot join cgroup '$WORK/not-a-cgroup': No such file or directory" "stderr for a missing cgroup"
echo "shim cgroup oom: ok"
