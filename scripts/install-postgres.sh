#!/usr/bin/env bash
# Makes a local PostgreSQL server ready for the tests: installs Debian's postgresql if missing,
# starts its cluster (no systemd in CI), creates the role `caas` with a random password and the
# database `caas_test`. The password is generated on the first run and kept only in
# ${CAAS_TOOLS_DIR:-/opt/caas}/postgres.env (mode 0600) as the full Npgsql connection string:
#   CAAS_TEST_POSTGRES='Host=...;Password=...'
# Idempotent; run as root. Prints nothing on success but a last line
#   postgres: <connection string without the password>
set -euo pipefail

tools_dir="${CAAS_TOOLS_DIR:-/opt/caas}"
env_file="$tools_dir/postgres.env"
log="$tools_dir/install-postgres.log"
mkdir -p "$tools_dir"
: >"$log"

fail() {
  echo "install-postgres: $*" >&2
  if [ -s "$log" ]; then
    echo "install-postgres: last lines of $log:" >&2
    tail -n 30 "$log" >&2
  fi
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root (apt and the cluster's start need it)"

if ! dpkg -s postgresql >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=300 update -qq >>"$log" 2>&1 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends postgresql >>"$log" 2>&1 \
    || fail "apt-get install postgresql failed"
fi

# The cluster Debian created with the package (15/main on Debian 12); make one if there is none.
read -r version cluster port status _ < <(pg_lsclusters --no-header 2>>"$log" | head -n 1) || true
if [ -z "${version:-}" ]; then
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  [ -n "$version" ] || fail "no PostgreSQL server version is installed under /usr/lib/postgresql"
  pg_createcluster "$version" main >>"$log" 2>&1 || fail "pg_createcluster $version main failed"
  read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
fi
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$cluster" start >>"$log" 2>&1 || fail "pg_ctlcluster $version $cluster start failed"
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || fail "PostgreSQL $version/$cluster does not accept connections on port $port"

# Test classes run in parallel, each host with its own connection pools (a cluster test alone holds dozens): the
# default of 100 connections ran out under load. Raised once; the setting needs a restart.
if [ "$(runuser -u postgres -- psql -X -tA -p "$port" -d postgres -c "SHOW max_connections" 2>>"$log")" -lt 400 ]; then
  runuser -u postgres -- psql -X -q -p "$port" -d postgres -c "ALTER SYSTEM SET max_connections = 400" >>"$log" 2>&1 \
    || fail "could not raise max_connections"
  pg_ctlcluster "$version" "$cluster" restart >>"$log" 2>&1 || fail "pg_ctlcluster $version $cluster restart failed"
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p "$port" || fail "PostgreSQL $version/$cluster does not accept connections after its restart"
fi

# The password lives only in the env file; a lost file gets a new password, set on the role below.
password=""
if [ -f "$env_file" ]; then
  password="$(sed -n "s/^CAAS_TEST_POSTGRES='.*;Password=\([^;']*\).*/\1/p" "$env_file" | tail -n 1)"
fi
if [ -z "$password" ]; then
  password="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
fi

as_postgres() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }

# The password goes through stdin, not argv, so it never shows in a process listing.
as_postgres -d postgres >>"$log" 2>&1 <<SQL || fail "could not create or update the role caas"
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caas') THEN
    CREATE ROLE caas LOGIN;
  END IF;
END
\$\$;
ALTER ROLE caas WITH LOGIN PASSWORD '$password';
SQL
if [ "$(as_postgres -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = 'caas_test'" 2>>"$log")" != "1" ]; then
  as_postgres -d postgres -c "CREATE DATABASE caas_test OWNER caas" >>"$log" 2>&1 || fail "could not create the database caas_test"
fi

public="Host=127.0.0.1;Port=$port;Username=caas;Database=caas_test"
umask 077
printf "CAAS_TEST_POSTGRES='%s;Password=%s'\n" "$public" "$password" >"$env_file.tmp"
chmod 0600 "$env_file.tmp"
mv "$env_file.tmp" "$env_file"

echo "postgres: $public"
