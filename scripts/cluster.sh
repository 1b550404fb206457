#!/usr/bin/env bash
# A local cluster on this machine (./caas up --cluster, ./caas down): PostgreSQL and RabbitMQ (installed and
# started by scripts/install-postgres.sh and install-rabbitmq.sh), two silos (Caas:Roles=silo, health on
# 127.0.0.1:5001 and :5002) and one web host (Caas:Roles=web, the portal on 127.0.0.1:5000), each a process in Cluster
# mode on the host, and three node agents, each in its own network namespace behind the bridge clup0 (198.18.8.1/24), in two pools:
# onprem-1, onprem-2 (pool onprem) and cloud-a-1 (pool cloud-a). Everything it starts is recorded in
# $CAAS_DATA_DIR/cluster/pids, and `down` stops exactly those processes, by PID, and deletes the namespaces.
# Run as root (namespaces, CRIU).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"

data="${CAAS_DATA_DIR:-$root/.data}/cluster"
pids="$data/pids"
# Overridable for a second cluster on the machine (bench/soak.sh): its bridge subnet and PostgreSQL schema.
subnet="${CAAS_CLUSTER_SUBNET:-198.18.8}"
schema="${CAAS_CLUSTER_SCHEMA:-caas_local}"
start_timeout="${CAAS_CLUSTER_START_TIMEOUT:-180}"
bridge=clup0
nodes=("onprem-1 onprem 11" "onprem-2 onprem 12" "cloud-a-1 cloud-a 13")

# Reads one Key=Value field of an Npgsql connection string.
field() { printf '%s' "$1" | tr ';' '\n' | sed -n "s/^$2=//Ip" | head -n 1; }

# Talks to the web host's API with curl, the credentials in a config on stdin (never on the command line).
api() {
  local auth=$1 method=$2 path=$3
  printf '%s\n' "$auth" | curl -sS -f -K - -X "$method" -H 'Content-Type: application/json' "${@:4}" "http://127.0.0.1:5000/api/v1$path"
}

# Each agent gets a credential of its own from the web host (POST /api/v1/nodes/ID/enroll, as an admin), handed to it
# in its environment only, so no secret is in the repository, on a command line or in a log; enrolling again at the
# next `up` replaces it. The silos refuse reports and answers without it (Caas:Security:AgentCredentials:Required,
# true unless set otherwise, in Cluster mode too), so the agents start only after the web host is up and they are enrolled.
enroll_and_start_agents() {
  local rabbit=$1 login token token_id node id pool host credential
  login="user = \"admin:$(cat "$data/admin.password")\""
  token="$(api "$login" POST /tokens -d '{"name":"caas up --cluster: enrolling agents","expiresInDays":1}')" \
    || die "could not log in as admin with $data/admin.password (a cluster schema from an earlier start with another password?)"
  token_id="$(jq -r .id <<<"$token")"
  token="header = \"Authorization: Bearer $(jq -r .token <<<"$token")\""
  for node in "${nodes[@]}"; do
    read -r id pool host <<<"$node"
    credential="$(api "$token" POST "/nodes/$id/enroll" | jq -r .credential)"
    [[ $credential == caasagent_* ]] || die "enrolling $id returned no credential"
    note "starting agent $id (enrolled; log: $data/$id/agent.log)"
    # nsenter execs the agent, so $! is the agent's own PID. Broker URL and credential go in the environment.
    Caas__Bus__RabbitMq__Url="${rabbit/@127.0.0.1:/@$subnet.1:}" Caas__Agent__Credential="$credential" \
      nohup nsenter --net="/run/netns/clup-$id" \
      dotnet "$root/Capture/Capture.Agent/bin/$CAAS_CONFIGURATION/net10.0/Capture.Agent.dll" \
      --Caas:Agent:NodeId="$id" --Caas:Agent:Pool="$pool" --Caas:Agent:DataDirectory="$data/$id/agent" \
      --Caas:Agent:ImageKeyFile="$data/image.key" --Caas:Metrics:Port=9464 >"$data/$id/agent.log" 2>&1 &
    echo "agent $! $id" >>"$pids"
  done
  api "$token" DELETE "/tokens/$token_id" >/dev/null
}

up() {
  [[ $(id -u) == 0 ]] || die "the local cluster needs root: network namespaces and CRIU"
  [[ -f $pids ]] && die "a local cluster is already recorded in $pids: ./caas down first"
  ensure_platform_built
  dotnet build "$root/Capture/Capture.Agent/Capture.Agent.csproj" -c "$CAAS_CONFIGURATION" -nologo -v q -clp:ErrorsOnly
  export_runtime_paths
  bash "$root/scripts/install-postgres.sh" >/dev/null
  bash "$root/scripts/install-rabbitmq.sh" >/dev/null
  local postgres rabbit
  postgres="$(set -a; source "${CAAS_TOOLS_DIR:-/opt/caas}/postgres.env"; printf '%s' "$CAAS_TEST_POSTGRES")"
  rabbit="$(set -a; source "${CAAS_TOOLS_DIR:-/opt/caas}/rabbitmq.env"; printf '%s' "$CAAS_TEST_RABBITMQ")"
  # The cluster's events live in a schema of their own, apart from the tests' throw-away schemas.
  PGPASSWORD="$(field "$postgres" Password)" psql -q -h "$(field "$postgres" Host)" -p "$(field "$postgres" Port)" \
    -U "$(field "$postgres" Username)" -d "$(field "$postgres" Database)" -c "CREATE SCHEMA IF NOT EXISTS $schema;" >/dev/null
  mkdir -p "$data"
  : >"$pids"

  note "network: bridge $bridge at $subnet.1/24, one namespace per agent"
  ip link add "$bridge" type bridge
  ip addr add "$subnet.1/24" dev "$bridge"
  ip link set "$bridge" up
  echo "bridge $bridge" >>"$pids"

  local node id pool host ns
  for node in "${nodes[@]}"; do
    read -r id pool host <<<"$node"
    ns="clup-$id"
    ip netns add "$ns"
    echo "netns $ns" >>"$pids"
    ip link add "clupv$host" type veth peer name "clupp$host"
    ip link set "clupv$host" master "$bridge" up
    ip link set "clupp$host" netns "$ns"
    nsenter --net="/run/netns/$ns" ip link set lo up
    nsenter --net="/run/netns/$ns" ip link set "clupp$host" name eth0
    nsenter --net="/run/netns/$ns" ip addr add "$subnet.$host/24" dev eth0
    nsenter --net="/run/netns/$ns" ip link set eth0 up
    nsenter --net="/run/netns/$ns" ip route add default via "$subnet.1"
    mkdir -p "$data/$id"
  done

  # The first admin's password: made once, kept 0600 beside the cluster's data, used below to enroll the agents.
  if [[ ! -s $data/admin.password ]]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$data/admin.password")
  fi
  # Secrets go in the environment, never on a command line that any process listing shows.
  export Caas__Cluster__Postgres="$postgres;Search Path=$schema" Caas__Bus__RabbitMq__Url="$rabbit"
  local host="$root/Web/Web.Standalone/bin/$CAAS_CONFIGURATION/net10.0/caas-standalone.dll" n
  for n in 1 2; do
    note "starting silo-$n (log: $data/silo-$n/host.log)"
    mkdir -p "$data/silo-$n"
    Caas__Security__BootstrapAdminPassword="$(cat "$data/admin.password")" nohup dotnet "$host" --Caas:Mode=Cluster --Caas:Roles=silo --Caas:DataDirectory="$data/silo-$n" \
      --Caas:Url="http://127.0.0.1:500$n" --Caas:Orleans:SiloPort=$((11110 + n)) --Caas:Orleans:GatewayPort=$((30000 + n)) \
      --Caas:Metrics:Port=$((9400 + n)) \
      >"$data/silo-$n/host.log" 2>&1 &
    echo "silo $! silo-$n" >>"$pids"
  done
  note "starting the web host (log: $data/web/host.log)"
  mkdir -p "$data/web"
  Caas__Security__BootstrapAdminPassword="$(cat "$data/admin.password")" nohup dotnet "$host" --Caas:Mode=Cluster --Caas:Roles=web --Caas:DataDirectory="$data/web" \
    --Caas:Url=http://127.0.0.1:5000 --Caas:Metrics:Port=9400 --Caas:Portal:DemoCommand="$CAAS_NATIVE_BIN/counter" "$@" >"$data/web/host.log" 2>&1 &
  echo "web $! web" >>"$pids"
  unset Caas__Cluster__Postgres Caas__Bus__RabbitMq__Url

  local kind pid name
  for _ in $(seq 1 "$start_timeout"); do
    grep -q "caas is running" "$data/web/host.log" 2>/dev/null && break
    while read -r kind pid name; do
      case $kind in
        silo|web) kill -0 "$pid" 2>/dev/null || { tail -n 30 "$data/$name/host.log" >&2; die "$name exited; ./caas down cleans up"; } ;;
      esac
    done <"$pids"
    sleep 1
  done
  grep -q "caas is running" "$data/web/host.log" || die "the web host did not start within $start_timeout s (log: $data/web/host.log); ./caas down cleans up"

  enroll_and_start_agents "$rabbit"
  sed -n '/caas is running/,/Ctrl-C/p' "$data/web/host.log" | grep -v Ctrl-C
  echo "  silos    silo-1, silo-2 (health on http://127.0.0.1:5001/health/ready, :5002); logs in $data/<silo>/host.log"
  echo "  metrics  http://127.0.0.1:9400/metrics (web), :9401, :9402 (silos); agents on 127.0.0.1:9464 in their namespaces"
  echo "  agents   onprem-1, onprem-2 (pool onprem), cloud-a-1 (pool cloud-a), each enrolled with a credential of its own; logs in $data/<node>/agent.log"
  echo "  admin    user admin, password in $data/admin.password (0600)"
  echo "  ./caas down stops the web host, the silos and the agents and deletes their namespaces."
}

down() {
  [[ -f $pids ]] || { echo "no local cluster recorded in $pids"; return 0; }
  local kind pid name
  # Only PIDs this script recorded, and only while they still run what it started there.
  while read -r kind pid name; do
    case $kind in
      silo|web|agent)
        if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$data"; then
          kill -TERM "$pid" 2>/dev/null || true
          for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        fi
        ;;
    esac
  done < <(tac "$pids")
  # The agents' jobs: their roots, by the PID files the agents keep, when they run with this cluster's data.
  find "$data" -name pid -path '*/jobs/*' 2>/dev/null | while read -r file; do
    pid="$(cat "$file")"
    if [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/environ ]] && tr '\0' '\n' <"/proc/$pid/environ" | grep -q "$data"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  while read -r kind pid name; do
    case $kind in
      netns) ip netns delete "$pid" 2>/dev/null || true ;;
      bridge) ip link delete "$pid" 2>/dev/null || true ;;
    esac
  done <"$pids"
  rm -f "$pids"
  echo "local cluster stopped; its data stays in $data"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  *) die "usage: scripts/cluster.sh up|down" ;;
esac
