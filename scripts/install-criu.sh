#!/usr/bin/env bash
# Makes a working CRIU available at ${CAAS_TOOLS_DIR:-/opt/caas}/criu/bin/criu.
#
# Debian 12's own CRIU (3.17) fails `criu check` on recent kernels and 4.1.x cannot dump TCP
# sockets there, so when the system's CRIU does not pass `criu check` this fetches CRIU 4.2.x and
# the libraries it needs (glibc included) from newer Debian suites into a private prefix, without
# touching the system's apt sources, and runs it through that prefix's own dynamic loader.
# Idempotent and quiet on success; ends by printing `criu: <path> (<version>)`.
# See docs/capture.md.
set -euo pipefail

tools_dir="${CAAS_TOOLS_DIR:-/opt/caas}"
prefix="$tools_dir/criu"
wrapper="$prefix/bin/criu"
# The version seen working here (TCP included); the newest sid version is used if it is gone.
wanted_criu="${CAAS_CRIU_VERSION:-4.2.1-1}"
sid_packages=(libcompel1 libnet9 libnl-3-200)
trixie_packages=(libc6 libbsd0 libmd0 libgnutls30t64 libnettle8t64 libhogweed6t64 libgmp10
  libidn2-0 libunistring5 libtasn1-6 libp11-kit0 libffi8 libnftables1 libnftnl11 libmnl0
  libxtables12 libjansson4 libprotobuf-c1 libuuid1)

log="$tools_dir/install-criu.log"
mkdir -p "$tools_dir"
: >"$log"

fail() {
  echo "install-criu: $*" >&2
  if [ -s "$log" ]; then
    echo "install-criu: last lines of $log:" >&2
    tail -n 30 "$log" >&2
  fi
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then
  fail "must run as root (CRIU and apt both need it)"
fi

criu_passes_check() {
  # An image build (deploy/agent.Dockerfile) has no privilege to run `criu check`; the agent's engine probe runs it
  # when the container starts with the capabilities CRIU needs, and says why when it fails.
  if [ "${CAAS_CRIU_SKIP_CHECK:-0}" = 1 ]; then
    [ -x "$1" ] && "$1" --version >>"$log" 2>&1
    return
  fi
  "$1" check >>"$log" 2>&1
}

criu_version_of() {
  "$1" --version 2>/dev/null | sed -n 's/^Version: *//p' | head -n 1
}

ensure_iptables() {
  # CRIU's --tcp-established locks connections with iptables-restore during a dump.
  if command -v iptables-restore >/dev/null 2>&1; then
    return
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >>"$log" 2>&1; then
    apt-get update -qq >>"$log" 2>&1 || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >>"$log" 2>&1 \
      || fail "cannot install iptables"
  fi
}

write_wrapper() {
  # $1: directory holding the wrapper, $2: the exec line the wrapper runs.
  mkdir -p "$1"
  printf '#!/bin/sh\n# Written by scripts/install-criu.sh.\n%s\n' "$2" >"$1/criu.tmp"
  chmod 0755 "$1/criu.tmp"
  mv -f "$1/criu.tmp" "$1/criu"
}

report() {
  echo "criu: $wrapper ($(criu_version_of "$wrapper"))"
}

ensure_iptables

# Fast path: an earlier run left a working CRIU.
if [ -x "$wrapper" ] && criu_passes_check "$wrapper"; then
  report
  exit 0
fi

# The system's CRIU, when it works, is simply exposed at the same path.
system_criu="$(command -v criu 2>/dev/null || true)"
if [ -n "$system_criu" ] && [ "$system_criu" != "$wrapper" ] && criu_passes_check "$system_criu"; then
  rm -rf "$prefix"
  write_wrapper "$prefix/bin" "exec '$system_criu' \"\$@\""
  echo "system $system_criu $(criu_version_of "$system_criu")" >"$prefix/VERSIONS"
  criu_passes_check "$wrapper" || fail "$wrapper does not pass 'criu check'"
  report
  exit 0
fi

# Private apt configuration: newer suites on the mirror the system already uses.
mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null \
  | grep -v -- '-security' | head -n 1 | awk '{print $1}')"
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
    /etc/apt/sources.list)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

apt_dir="$tools_dir/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
  "$apt_dir/etc/sources.list.d" "$apt_dir/etc/preferences.d" "$apt_dir/debs"
: >"$apt_dir/status"
cat >"$apt_dir/etc/sources.list" <<EOF
deb [signed-by=$keyring] $mirror sid main
deb [signed-by=$keyring] $mirror trixie main
deb [signed-by=$keyring] $mirror bookworm main
EOF
cat >"$apt_dir/apt.conf" <<EOF
Dir::State "$apt_dir";
Dir::State::Lists "$apt_dir/lists";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir/cache";
Dir::Etc::SourceList "$apt_dir/etc/sources.list";
Dir::Etc::SourceParts "$apt_dir/etc/sources.list.d";
Dir::Etc::Preferences "$apt_dir/etc/preferences";
Dir::Etc::PreferencesParts "$apt_dir/etc/preferences.d";
APT::Architecture "amd64";
EOF
export APT_CONFIG="$apt_dir/apt.conf"

apt-get update -qq >>"$log" 2>&1 || fail "apt-get update of the private lists failed"

sid_criu="$(apt-cache madison criu | awk -F'|' '$3 ~ /sid/ { gsub(/ /, "", $2); print $2; exit }')"
[ -n "$sid_criu" ] || fail "no criu package in sid on $mirror"
criu_version="$wanted_criu"
if ! apt-cache madison criu | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | grep -qx "$wanted_criu"; then
  echo "install-criu: criu $wanted_criu is no longer on $mirror; using $sid_criu" >&2
  criu_version="$sid_criu"
fi

rm -f "$apt_dir/debs"/*.deb
(
  cd "$apt_dir/debs"
  packages=("criu=$criu_version")
  for p in "${sid_packages[@]}"; do packages+=("$p/sid"); done
  for p in "${trixie_packages[@]}"; do packages+=("$p/trixie"); done
  apt-get download -qq "${packages[@]}" >>"$log" 2>&1
) || fail "apt-get download failed"

staging="$prefix.new"
rm -rf "$staging"
mkdir -p "$staging"
: >"$staging/VERSIONS"
for deb in "$apt_dir/debs"/*.deb; do
  dpkg -x "$deb" "$staging" || fail "dpkg -x $deb failed"
  echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" >>"$staging/VERSIONS"
done

loader=""
for candidate in usr/lib64/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2 \
  usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
  if [ -e "$staging/$candidate" ]; then loader="$candidate"; break; fi
done
[ -n "$loader" ] || fail "the fetched libc6 has no ld-linux-x86-64.so.2"
[ -x "$staging/usr/sbin/criu" ] || fail "the fetched criu package has no usr/sbin/criu"

rm -rf "$prefix"
mv "$staging" "$prefix"
write_wrapper "$prefix/bin" \
  "exec '$prefix/$loader' --library-path '$prefix/usr/lib/x86_64-linux-gnu:$prefix/lib/x86_64-linux-gnu' '$prefix/usr/sbin/criu' \"\$@\""

criu_passes_check "$wrapper" || fail "$wrapper does not pass 'criu check'"
report
