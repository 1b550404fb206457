#!/usr/bin/env bash
# Makes a local RabbitMQ broker ready for the cluster mode and its tests: installs Debian's
# rabbitmq-server if missing, starts it (no systemd in CI), and creates the vhost `caas` and the
# user `caas` with a random password. The broker's own `guest` user may only connect from
# localhost; agents in network namespaces connect from test addresses, so they need a real user.
# The password is generated on the first run and kept only in
# ${CAAS_TOOLS_DIR:-/opt/caas}/rabbitmq.env (mode 0600):
#   CAAS_TEST_RABBITMQ='amqp://caas:<password>@127.0.0.1:5672/caas'
# Idempotent; run as root. Prints nothing on success but a last line
#   rabbitmq: <address without the password>
set -euo pipefail

tools_dir="${CAAS_TOOLS_DIR:-/opt/caas}"
env_file="$tools_dir/rabbitmq.env"
log="$tools_dir/install-rabbitmq.log"
mkdir -p "$tools_dir"
: >"$log"

fail() {
  echo "install-rabbitmq: $*" >&2
  if [ -s "$log" ]; then
    echo "install-rabbitmq: last lines of $log:" >&2
    tail -n 30 "$log" >&2
  fi
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root (apt and the broker's start need it)"

if ! dpkg -s rabbitmq-server >/dev/null 2>&1; then
  apt-get -o DPkg::Lock::Timeout=300 update -qq >>"$log" 2>&1 || fail "apt-get update failed"
  # The package's postinst tries to start the service; without systemd that may fail harmlessly.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends rabbitmq-server >>"$log" 2>&1 \
    || dpkg -s rabbitmq-server >/dev/null 2>&1 || fail "apt-get install rabbitmq-server failed"
fi

ctl() { timeout 60 rabbitmqctl "$@"; }

if ! ctl -q status >>"$log" 2>&1; then
  # Started detached as the rabbitmq user, as the Debian service would; survives this shell.
  runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq rabbitmq-server -detached >>"$log" 2>&1 \
    || fail "rabbitmq-server -detached failed"
  ctl -q wait --timeout 60 /var/lib/rabbitmq/mnesia/rabbit@"$(hostname -s)".pid >>"$log" 2>&1 \
    || ctl -q await_startup >>"$log" 2>&1 || true
fi
for _ in $(seq 1 120); do
  ctl -q status >/dev/null 2>&1 && break
  sleep 0.5
done
ctl -q status >>"$log" 2>&1 || fail "RabbitMQ does not answer rabbitmqctl status"

# The password lives only in the env file; a lost file gets a new password, set on the user below.
password=""
if [ -f "$env_file" ]; then
  password="$(sed -n "s|^CAAS_TEST_RABBITMQ='amqp://caas:\([^@]*\)@.*|\1|p" "$env_file" | tail -n 1)"
fi
if [ -z "$password" ]; then
  password="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
fi

ctl -q list_vhosts 2>>"$log" | grep -qx caas || ctl -q add_vhost caas >>"$log" 2>&1 || fail "could not create the vhost caas"
if ctl -q list_users 2>>"$log" | awk '{print $1}' | grep -qx caas; then
  # The password goes through stdin (--silent reads it there), never argv, so no process listing shows it.
  printf '%s' "$password" | ctl -q change_password caas >>"$log" 2>&1 || fail "could not set the password of the user caas"
else
  printf '%s' "$password" | ctl -q add_user caas >>"$log" 2>&1 || fail "could not create the user caas"
fi
ctl -q set_permissions -p caas caas '.*' '.*' '.*' >>"$log" 2>&1 || fail "could not grant the user caas the vhost caas"

public="amqp://caas@127.0.0.1:5672/caas"
umask 077
printf "CAAS_TEST_RABBITMQ='amqp://caas:%s@127.0.0.1:5672/caas'\n" "$password" >"$env_file.tmp"
chmod 0600 "$env_file.tmp"
mv "$env_file.tmp" "$env_file"

echo "rabbitmq: $public"
