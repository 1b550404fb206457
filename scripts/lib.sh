# Shared by ./caas and scripts/test.sh: building and locating the platform's parts.
root="${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export CAAS_CONFIGURATION="${CAAS_CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# MassTransit reports usage to its vendor unless told not to; the hosts also turn it off in code.
export MASSTRANSIT_USAGE_TELEMETRY=false

note() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'caas: %s\n' "$*" >&2; exit 1; }

# Debian packages the platform itself needs at run time (the tests add their own).
ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing Debian packages: ${missing[*]} (run as root, or install them)"
  note "installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_native() {
  note "building native/ (libcaas, workloads, caas-shim)"
  cmake -S "$root/native" -B "$root/native/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/native/build" -j"$(nproc)" >/dev/null
}

export_runtime_paths() {
  export CAAS_NATIVE_BIN="$root/native/build/bin"
  export CAAS_SHIM="${CAAS_SHIM:-$CAAS_NATIVE_BIN/caas-shim}"
  if [[ -z "${CAAS_CRIU:-}" ]]; then
    # install-criu.sh ends by naming the CRIU it settled on: "criu: <path> (<version>)".
    CAAS_CRIU="$(bash "$root/scripts/install-criu.sh" | sed -n 's/^criu: \([^ ]*\).*/\1/p' | tail -n 1)"
    export CAAS_CRIU
  fi
}

ensure_platform_built() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet not on PATH)"
  ensure_apt_packages cmake gcc make iptables
  [[ $(id -u) == 0 ]] || note "not root: CRIU checkpoints need root, the portal will show the engine as unusable"
  bash "$root/scripts/install-criu.sh" || note "CRIU is not usable here; jobs run but cannot be checkpointed"
  build_native
  note "building the platform ($CAAS_CONFIGURATION)"
  dotnet build "$root/Web/Web.Standalone/Web.Standalone.csproj" -c "$CAAS_CONFIGURATION" -nologo -v q -clp:ErrorsOnly
}

ensure_cli_built() {
  local dll="$root/Web/Web.Cli/bin/$CAAS_CONFIGURATION/net10.0/caas-cli.dll"
  [[ -f $dll ]] || dotnet build "$root/Web/Web.Cli/Web.Cli.csproj" -c "$CAAS_CONFIGURATION" -nologo -v q -clp:ErrorsOnly >&2
}
