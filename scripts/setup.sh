#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs for the dev environment and the tests: Debian packages,
# npm dependencies and the kube-apiserver build. Idempotent: a second run takes a second or two.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# command -> Debian package that provides it
declare -A packages=(
  [etcd]=etcd-server
  [etcdctl]=etcd-client
  [docker-registry]=docker-registry
  [skopeo]=skopeo
  [umoci]=umoci
  [busybox]=busybox-static
  [mmdebstrap]=mmdebstrap
  [htpasswd]=apache2-utils
  [openssl]=openssl
  [ss]=iproute2
  [curl]=curl
  [rpm]=rpm
  [rpmbuild]=rpm
  [zip]=zip
  [objcopy]=binutils
)
missing=()
for cmd in "${!packages[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [[ -x "/usr/sbin/$cmd" || -x "/bin/$cmd" ]] || missing+=("${packages[$cmd]}")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "installing Debian packages: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v node >/dev/null 2>&1 || die "Node.js 20 is not installed"
node -e 'const [ma, mi] = process.versions.node.split(".").map(Number); process.exit(ma > 20 || (ma === 20 && mi >= 19) ? 0 : 1)' \
  || die "Node.js $(node --version) is too old: Kubeguard needs 20.19 or newer"
command -v kubectl >/dev/null 2>&1 || die "kubectl is not installed; the tests use it the way a user would (any 1.31-1.33 client)"

# npm dependencies, reinstalled only when the lockfile changed
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.kubeguard-lock ]] || [[ "$(cat node_modules/.kubeguard-lock)" != "$lock_hash" ]]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.kubeguard-lock
fi

# the real kube-apiserver, built from its Go module once per pinned version
bash tools/build-kube-apiserver.sh >/dev/null
say "ready"
