#!/usr/bin/env bash
# Migration benchmark (issue 3, capture.migration_ratio): a 1 GiB memhog moved between two real node agents
# of one platform, request to its first heartbeat with progress on the target, side by side with raw CRIU
# doing the same move by hand (dump, copy of the images, restore), runs interleaved.
#
#   bench/capture-migration.sh [--runs N (3)] [--mib M (1024)]
#
# The platform is a Cluster-mode host (silo and web) on PostgreSQL (a schema of its own) and RabbitMQ (a
# virtual host of its own), with two Capture.Agent processes on this host (node-a, node-b; enrolled through the
# platform's API, their credentials in their environment) that move
# checkpoints to each other over their transfer servers on 127.0.0.1. Needs root, a built native/,
# Web/Web.Standalone and Capture/Capture.Agent (Release), CRIU, and the tests' servers
# (CAAS_TEST_POSTGRES, CAAS_TEST_RABBITMQ, or /opt/caas/postgres.env and rabbitmq.env).
# Prints "bench capture.migration_ratio: ..." on stdout and the per-run figures as "# ..." on stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/figures.sh"
source "$root/bench/capture-platform.sh"

capture_setup "$@"
agent_dll="$root/Capture/Capture.Agent/bin/${CAAS_CONFIGURATION:-Release}/net10.0/Capture.Agent.dll"
[[ -e $agent_dll ]] || { echo "capture-migration: $agent_dll is missing (dotnet build Capture/Capture.Agent -c Release)" >&2; exit 1; }
for env_file in /opt/caas/postgres.env /opt/caas/rabbitmq.env; do
  # shellcheck disable=SC1090
  [[ -r $env_file ]] && { set -a; source "$env_file"; set +a; }
done
[[ -n ${CAAS_TEST_POSTGRES:-} && -n ${CAAS_TEST_RABBITMQ:-} ]] \
  || { echo "capture-migration: needs CAAS_TEST_POSTGRES and CAAS_TEST_RABBITMQ (scripts/install-postgres.sh, scripts/install-rabbitmq.sh)" >&2; exit 1; }

work="$(mktemp -d /var/tmp/caas-bench-migration.XXXXXX)"
run_id="$(basename "$work" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z' | tail -c 7)"
schema="caas_bench_mig_$run_id" vhost="bench-mig-$run_id"
raw="$work/raw"
mkdir -p "$raw"
raw_job_pid=""
declare -A agent_pid=()

psql_admin() { psql -q -v ON_ERROR_STOP=1 "$(python3 - <<'PY'
import os
# The tests' Npgsql connection string as a libpq one.
parts = dict(p.split("=", 1) for p in os.environ["CAAS_TEST_POSTGRES"].split(";") if "=" in p)
key = {"host": "host", "port": "port", "username": "user", "database": "dbname", "password": "password"}
print(" ".join(f"{key[k.lower()]}='{v}'" for k, v in parts.items() if k.lower() in key))
PY
)" -c "$1"; }

cleanup() {
  set +e
  [[ -n $raw_job_pid ]] && kill -9 "$raw_job_pid" 2>/dev/null
  stop_platforms
  local name pidfile pid
  for name in "${!agent_pid[@]}"; do
    kill -TERM "${agent_pid[$name]}" 2>/dev/null
    for _ in $(seq 50); do kill -0 "${agent_pid[$name]}" 2>/dev/null || break; sleep 0.2; done
    kill -9 "${agent_pid[$name]}" 2>/dev/null
  done
  # The jobs the agents started or restored (their environment names this run's directory), by PID.
  while read -r pidfile; do
    pid="$(cat "$pidfile" 2>/dev/null)"
    [[ $pid =~ ^[0-9]+$ ]] && grep -qs "$work/" "/proc/$pid/environ" && kill -9 "$pid"
  done < <(find "$work" -name pid -type f 2>/dev/null)
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1
  psql_admin "DROP SCHEMA IF EXISTS $schema CASCADE;" >/dev/null 2>&1
  # CAAS_BENCH_LOGS=DIR keeps the host's and agents' logs for a look at where the time went.
  [[ -n ${CAAS_BENCH_LOGS:-} ]] && mkdir -p "$CAAS_BENCH_LOGS" && cp "$work"/*.log "$CAAS_BENCH_LOGS/" 2>/dev/null
  for _ in 1 2 3 4 5; do rm -rf "$work" 2>/dev/null && break; sleep 1; done
}
trap cleanup EXIT

broker_user="$(python3 -c 'import sys, urllib.parse as u; print(u.unquote(u.urlparse(sys.argv[1]).username))' "$CAAS_TEST_RABBITMQ")"
rabbitmqctl -q add_vhost "$vhost" >/dev/null
rabbitmqctl -q set_permissions -p "$vhost" "$broker_user" '.*' '.*' '.*' >/dev/null
psql_admin "CREATE SCHEMA $schema;"
# Secrets reach the processes through their environment, never their command lines.
export Caas__Bus__RabbitMq__Url="${CAAS_TEST_RABBITMQ%/*}/$vhost"
export Caas__Cluster__Postgres="$CAAS_TEST_POSTGRES;Search Path=$schema"
head -c 32 /dev/urandom >"$work/image.key"
chmod 600 "$work/image.key"

# start_agent NODE: a Capture.Agent process with its data under $work/NODE and its transfer server on a free port,
# enrolled first: the platform refuses the reports of an agent without its node's credential.
start_agent() {
  local node="$1" credential
  mkdir -p "$work/$node"
  credential="$(enroll_agent "$node")"
  Caas__Agent__Credential="$credential" CAAS_SHIM="$shim" CAAS_CRIU="$criu" DOTNET_ENVIRONMENT=Production \
    dotnet "$agent_dll" --Caas:Agent:NodeId="$node" --Caas:Agent:DataDirectory="$work/$node/agent" \
      --Caas:Agent:ImageKeyFile="$work/image.key" --Caas:Agent:HeartbeatInterval=00:00:01 \
      --Caas:Agent:Transfer:ListenUrl="http://127.0.0.1:$(free_port)" >"$work/$node.log" 2>&1 &
  agent_pid[$node]=$!
}

# A restored job keeps the environment of its image, so its progress goes to the socket path of node-a,
# where it was first launched (docs/capture.md, "Moving checkpoints between agents": nodes are to use the same
# DataDirectory path, which two agents on one host cannot). That path is made a symbolic link to the socket of
# the node the job runs on: node-a's own socket is renamed (it stays bound) and the link is switched before each move.
follow_progress_to() {
  local target="$1" socket
  [[ $target == node-a ]] && socket="$work/node-a/agent/progress-node-a.sock" || socket="$work/$target/agent/progress.sock"
  ln -sfn "$socket" "$work/node-a/agent/progress.tmp" && mv -fT "$work/node-a/agent/progress.tmp" "$work/node-a/agent/progress.sock"
}

start_platform_host platform --Caas:Mode=Cluster --Caas:Roles=silo,web
start_agent node-a
start_agent node-b
for node in node-a node-b; do
  deadline=$(($(now_ms) + 90000))
  until [[ -S $work/$node/agent/progress.sock ]]; do
    (($(now_ms) < deadline)) && kill -0 "${agent_pid[$node]}" 2>/dev/null || { echo "capture-migration: agent $node did not start:" >&2; tail -n 30 "$work/$node.log" >&2; exit 1; }
    sleep 0.1
  done
done
mv "$work/node-a/agent/progress.sock" "$work/node-a/agent/progress-node-a.sock"
follow_progress_to node-a

wait_json 'length == 2' "ready (both nodes reported)" 90 api "$url/api/v1/nodes" >/dev/null
submit_memhog
on="$(get_job | jq -r .nodeId)"

# migrate: request to the first heartbeat with progress from the other node after the job's JobRestored there;
# sets migrate_s and on (the job's node now).
platform_migrate() {
  local target t0 t1 from
  [[ $on == node-a ]] && target=node-b || target=node-a
  from="$(get_job | jq .version)"
  # node-a's agent flushes the job's progress through that path before it dumps: switch away from it only after.
  [[ $target == node-a ]] && follow_progress_to node-a
  settle
  t0=$(now_ms)
  api -H 'Content-Type: application/json' -d "{\"node\": \"$target\"}" "$url/api/v1/jobs/$job/migrate" >/dev/null
  if [[ $target != node-a ]]; then
    wait_json "any(.items[]; .version >= $from and .type == \"CheckpointTaken\")" "checkpointed for the move" 300 api "$url/api/v1/jobs/$job/events?skip=0&take=200" >/dev/null
    follow_progress_to "$target"
  fi
  local filter="[.items[] | select(.version >= $from)] | (map(select(.type == \"JobRestored\" and (.data | fromjson).nodeId == \"$target\")) | first) as \$r
    | \$r != null and any(.[]; .type == \"HeartbeatRecorded\" and .version > \$r.version and ((.data | fromjson) | .nodeId == \"$target\" and .sample.progress != null))"
  local events
  events="$(wait_json "$filter" "migrated to $target and heartbeating with progress there" 300 api "$url/api/v1/jobs/$job/events?skip=0&take=200")"
  t1=$(now_ms)
  migrate_s="$(seconds_between "$t0" "$t1")"
  # Where the time went, by the stream's own clock: each step's event, in seconds after the request.
  migrate_steps="$(jq -r --argjson from "$from" --argjson t0 "$t0" '[.items[] | select(.version > $from and .type != "HeartbeatRecorded" and .type != "ProgressReported")] | reverse
    | map("\(.type) +\((((.at | sub("\\.[0-9]+"; "") | sub("\\+00:00$"; "Z") | fromdateiso8601) + ((.at | capture("\\.(?<f>[0-9]+)").f // "0") | ("0." + .) | tonumber)) * 1000 - $t0) / 1000 | . * 100 | round / 100)s") | join(", ")' <<<"$events")"
  on="$target"
}

# The same move by hand: criu dump (the job stops), a copy of the images to "the other node's" directory,
# criu restore -d from the copy; sets raw_dump_s, raw_copy_s, raw_restore_s, raw_move_s.
raw_migrate() {
  local images="$raw/images-$1" copy="$raw/copy-$1" t0 t1 t2 t3
  mkdir -p "$images"
  settle
  t0=$(now_ms)
  "$criu" dump -t "$raw_job_pid" -D "$images" 2>"$raw/criu-dump.err" \
    || { echo "capture-migration: raw criu dump failed:" >&2; grep -s Error "$images/dump.log" >&2; exit 1; }
  t1=$(now_ms)
  cp -a "$images" "$copy"
  t2=$(now_ms)
  rm -f "$raw/restore.pid"
  "$criu" restore -d -D "$copy" --pidfile "$raw/restore.pid" 2>"$raw/criu-restore.err" \
    || { echo "capture-migration: raw criu restore failed:" >&2; grep -s Error "$copy/restore.log" >&2; exit 1; }
  t3=$(now_ms)
  raw_job_pid="$(cat "$raw/restore.pid")"
  raw_dump_s="$(seconds_between "$t0" "$t1")"
  raw_copy_s="$(seconds_between "$t1" "$t2")"
  raw_restore_s="$(seconds_between "$t2" "$t3")"
  raw_move_s="$(seconds_between "$t0" "$t3")"
  # Not needed once restored; 2 GiB a run otherwise (the platform's retention bounds its own).
  rm -rf "$images" "$copy"
}

echo "# capture-migration: memhog --mib $mib, $runs runs, CRIU $("$criu" --version 2>/dev/null | sed -n 's/^Version: //p'), job $job on $on, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
launch_raw_memhog "$raw/state"
declare -a p_move=() r_move=()
for i in $(seq "$runs"); do
  raw_migrate "$i"
  from_node="$on"
  platform_migrate
  echo "# run $i: raw dump ${raw_dump_s} s + copy ${raw_copy_s} s + restore -d ${raw_restore_s} s = ${raw_move_s} s; platform migration $from_node -> $on ${migrate_s} s to the first heartbeat with progress there (load $(cut -d' ' -f1 /proc/loadavg)): $migrate_steps" >&2
  p_move+=("$migrate_s") r_move+=("$raw_move_s")
done
echo "# medians: platform migration $(median "${p_move[@]}") s, raw dump + copy + restore $(median "${r_move[@]}") s" >&2
figure capture.migration_ratio "$(ratio "$(median "${p_move[@]}")" "$(median "${r_move[@]}")")" "<=" 1.30
