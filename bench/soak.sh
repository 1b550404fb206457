#!/usr/bin/env bash
# The soak (issue 7): bench/Soak.Benchmarks against the local cluster of scripts/cluster.sh (PostgreSQL, RabbitMQ,
# two silos, one web host, three real agents), with 1,000 simulated jobs on simulated, enrolled agents and random
# faults (kill -9 of a silo and its restart, stalls, a node cut off). Figures: soak.lost_events (target 0),
# soak.detection_p99_s (target: two heartbeat intervals), for the record the ingestion rate and missed stalls.
#
#   bench/soak.sh [--minutes 10] [--jobs 1000] [--nodes 10] [--interval 2] [--stalls 50] [--seed N]
#
# Starts its own local cluster (data in /var/tmp/caas-soak, bridge on 198.18.78.0/24, so it touches no other
# cluster's data) unless one is already recorded there, and stops it afterwards. The shared RabbitMQ and PostgreSQL
# are never restarted. Needs root (namespaces for the real agents). Not run by CI or bench/run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
[[ $(id -u) == 0 ]] || die "the soak needs root (the cluster's agents run in network namespaces)"
export CAAS_DATA_DIR="${CAAS_SOAK_DATA_DIR:-/var/tmp/caas-soak}" CAAS_CLUSTER_SUBNET="${CAAS_SOAK_SUBNET:-198.18.78}" \
  CAAS_CLUSTER_SCHEMA=caas_soak CAAS_CLUSTER_START_TIMEOUT=600
dotnet build "$root/bench/Soak.Benchmarks/Soak.Benchmarks.csproj" -c Release -nologo -v q -clp:ErrorsOnly
set -a; source "${CAAS_TOOLS_DIR:-/opt/caas}/postgres.env"; source "${CAAS_TOOLS_DIR:-/opt/caas}/rabbitmq.env"; set +a
started=""
stop() { [[ -z $started ]] || bash "$root/scripts/cluster.sh" down >/dev/null; }
trap stop EXIT
if [[ ! -f $CAAS_DATA_DIR/cluster/pids ]]; then
  # A fresh schema and data directory each time: a cluster replays every stored event at start.
  psql "$(printf '%s' "$CAAS_TEST_POSTGRES" | tr ';' ' ' | sed 's/Host=/host=/I; s/Port=/port=/I; s/Username=/user=/I; s/Password=/password=/I; s/Database=/dbname=/I')" \
    -q -c "DROP SCHEMA IF EXISTS $CAAS_CLUSTER_SCHEMA CASCADE;" >/dev/null
  rm -rf "$CAAS_DATA_DIR/cluster"
  started=yes
  bash "$root/scripts/cluster.sh" up >/dev/null
fi
CAAS_CLUSTER_DIR="$CAAS_DATA_DIR/cluster" dotnet "$root/bench/Soak.Benchmarks/bin/Release/net10.0/caas-bench-soak.dll" "$@"
