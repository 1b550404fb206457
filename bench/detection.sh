#!/usr/bin/env bash
# Detection latency on real processes (issue 4), through the standalone platform's HTTP API.
#
#   bench/detection.sh [--runs N (3)]
#
# monitoring.stall_detection_intervals: counter (10 counts a second, stall threshold 5 s, alert only) is hung with
# SIGUSR1; from the job's stream, (JobStalled.At - its LastProgressAt - threshold) in heartbeat intervals (1 s):
# how late beyond its threshold the stall was found. Target: within two intervals.
# monitoring.starvation_detection_s: cruncher (CPU-bound, progress = work done, starvation window 4 s) learns its
# pace for 12 s, then a cgroup v1 CPU quota of 5 % of a CPU is put on it; seconds from the quota to its
# JobStarved event. Target: the window plus two heartbeat intervals.
# Medians of the runs. Needs root (cgroups, CRIU for the platform), a built native/ and Web/Web.Standalone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/figures.sh"
source "$root/bench/capture-platform.sh"
capture_setup "$@"
native_bin="${CAAS_NATIVE_BIN:-$root/native/build/bin}"
threshold_s=5 window_s=4 interval_s=1

work="$(mktemp -d /var/tmp/caas-bench-detection.XXXXXX)"
quota_group=""
cleanup() {
  set +e
  if [[ -n $quota_group && -d $quota_group ]]; then
    while read -r pid; do echo "$pid" >/sys/fs/cgroup/cpu/cgroup.procs; done <"$quota_group/cgroup.procs"
    rmdir "$quota_group"
  fi
  stop_platforms
  for _ in 1 2 3 4 5; do rm -rf "$work" 2>/dev/null && break; sleep 1; done
}
trap cleanup EXIT

# submit JSON: submits a job on the current platform and waits until it runs with progress; sets job and job_pid.
submit() {
  job="$(api -H 'Content-Type: application/json' -d "$1" "$url/api/v1/jobs" | jq -r .jobId)"
  job_pid="$(wait_json '.status == "Running" and (.progress // 0) > 0' "running with progress" 60 get_job | jq -r .pid)"
}

# seconds_between FROM TO: ISO 8601 stamps (any fraction digits), to the microsecond.
seconds_between() {
  python3 -c 'import sys, datetime as d; p = d.datetime.fromisoformat; print(round((p(sys.argv[2]) - p(sys.argv[1])).total_seconds(), 3))' "$1" "$2"
}

# The payload of the job's first event of type $1.
event_data() {
  api "$url/api/v1/jobs/$job/events?take=500" | jq -r --arg type "$1" '[.items[] | select(.type == $type)][0].data'
}

echo "# detection: $runs runs; stall threshold $threshold_s s, starvation window $window_s s, heartbeats every $interval_s s" >&2
start_platform detection
declare -a stall_intervals=() starvation_s=()
for i in $(seq "$runs"); do
  submit "{\"command\": \"$native_bin/counter\", \"args\": [\"--rate\", \"10\"], \"name\": \"bench stall $i\", \"stallThresholdSeconds\": $threshold_s, \"onStall\": \"AlertOnly\", \"starvationWindowSeconds\": 0}"
  sleep 2
  kill -USR1 "$job_pid"
  wait_json '.stalled' "stalled" 60 get_job >/dev/null
  stalled="$(event_data JobStalled)"
  late_s="$(seconds_between "$(jq -r .lastProgressAt <<<"$stalled")" "$(jq -r .at <<<"$stalled")")"
  stall_intervals+=("$(awk -v late="$late_s" -v t="$threshold_s" -v i="$interval_s" 'BEGIN { printf "%.3f", (late - t) / i }')")
  api -X POST "$url/api/v1/jobs/$job/kill" >/dev/null
  echo "# run $i: stall found ${late_s} s after the last progress (threshold $threshold_s s)" >&2

  submit "{\"command\": \"$native_bin/cruncher\", \"args\": [\"--units\", \"1000000\", \"--unit-work\", \"2000000\"], \"name\": \"bench starvation $i\", \"starvationWindowSeconds\": $window_s}"
  sleep $((window_s * 3))
  quota_group="/sys/fs/cgroup/cpu/caas-bench-$$-$i"
  mkdir "$quota_group"
  echo 100000 >"$quota_group/cpu.cfs_period_us"
  echo 5000 >"$quota_group/cpu.cfs_quota_us"
  echo "$job_pid" >"$quota_group/cgroup.procs"
  throttled_at="$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)"
  wait_json '[.items[] | select(.type == "JobStarved")] | length > 0' "starved" 90 api "$url/api/v1/jobs/$job/events?take=500" >/dev/null
  starvation_s+=("$(seconds_between "$throttled_at" "$(event_data JobStarved | jq -r .at)")")
  echo "$job_pid" >/sys/fs/cgroup/cpu/cgroup.procs
  rmdir "$quota_group" && quota_group=""
  api -X POST "$url/api/v1/jobs/$job/kill" >/dev/null
  echo "# run $i: starvation raised ${starvation_s[-1]} s after the quota (window $window_s s)" >&2
done

figure monitoring.stall_detection_intervals "$(median "${stall_intervals[@]}")" "<=" 2
figure monitoring.starvation_detection_s "$(median "${starvation_s[@]}")" "<=" $((window_s + 2 * interval_s))
