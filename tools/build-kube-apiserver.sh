#!/usr/bin/env bash
# Builds the real kube-apiserver from the Go module k8s.io/kubernetes, pinned below, into an ignored
# cache folder. Rebuilt only when the pinned version (or this script's build inputs) change.
#
# k8s.io/kubernetes cannot be consumed as a plain dependency: its go.mod replaces every
# k8s.io/<staging module> with a path inside its own repository. We generate a small go.mod that
# replaces each of those with the published v0.<minor>.<patch> module of the same release.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.32.13}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KUBEGUARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeguard}"
OUT_DIR="$CACHE/kube-apiserver/$KUBE_VERSION"
BIN="$OUT_DIR/kube-apiserver"
STAMP="$OUT_DIR/.complete"

log() { printf '[kube-apiserver] %s\n' "$*" >&2; }
die() { printf '[kube-apiserver] error: %s\n' "$*" >&2; exit 1; }

if [[ -x "$BIN" && -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$KUBE_VERSION" ]]; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi
if [[ -e "$BIN" && ! -f "$STAMP" ]]; then
  log "found a half-built cache in $OUT_DIR (no completion stamp); rebuilding it"
fi

# Go is often installed outside PATH (the official tarball in /usr/local/go).
for d in ${KUBEGUARD_GO_DIRS-/usr/local/go/bin /usr/lib/go/bin}; do
  [[ -x "$d/go" ]] && PATH="$PATH:$d"
done
command -v go >/dev/null 2>&1 || die "the Go toolchain is not on PATH. Install Go 1.23 or newer (Debian 12's golang-go 1.19 is too old) or put /usr/local/go/bin on PATH, and run again."

staging_version="v0.${KUBE_VERSION#v1.}"
work="$OUT_DIR/build"
rm -rf "$work" "$STAMP"
mkdir -p "$work"
cd "$work"

log "resolving k8s.io/kubernetes@$KUBE_VERSION (Go module proxy: $(go env GOPROXY))"
gomod="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
[[ -n "$gomod" && -f "$gomod" ]] || die "could not download the go.mod of k8s.io/kubernetes@$KUBE_VERSION"
staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod")
[[ -n "$staging" ]] || die "no staging replace directives found in $gomod"

{
  echo "module kubeguard.local/kube-apiserver-build"
  echo
  echo "go 1.23"
  echo
  echo "require k8s.io/kubernetes $KUBE_VERSION"
  echo
  echo "replace ("
  for m in $staging; do echo "	$m => $m $staging_version"; done
  echo ")"
} > go.mod
cat > tools.go <<'GO'
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver/app"
GO

log "resolving dependencies (first run downloads a few hundred MB of modules)"
go mod tidy >/dev/null

minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done
log "compiling (several minutes on 2 cores the first time)"
start=$SECONDS
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$BIN.tmp" k8s.io/kubernetes/cmd/kube-apiserver
mv "$BIN.tmp" "$BIN"
echo "$KUBE_VERSION" > "$STAMP"
cd "$OUT_DIR" && rm -rf "$work"
log "built $BIN in $((SECONDS - start)) s"
echo "$BIN"
