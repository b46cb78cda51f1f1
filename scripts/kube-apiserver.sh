#!/usr/bin/env bash
# Builds a real kube-apiserver, the etcd it was released with, and the KMS v2 test client
# (apps/kms-plugin/test/kms-client) from the Go module proxy into a cache directory, and prints
# that directory. A later call with the same versions and client source reuses the build.
#
# k8s.io/kubernetes is not meant to be a dependency: its go.mod points its staging modules
# (k8s.io/api, apiserver, client-go, kms, ...) at ./staging. A throwaway module requires it and
# replaces each of them by the published v0.x.y of the same release.
set -euo pipefail

KUBE_VERSION="${KEYHAVEN_KUBE_VERSION:-v1.37.2}"
STAGING_VERSION="v0${KUBE_VERSION#v1}"
CACHE="${KEYHAVEN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keyhaven}/kube-$KUBE_VERSION"
CLIENT_SRC="$(cd "$(dirname "$0")/.." && pwd)/apps/kms-plugin/test/kms-client/main.go"
CLIENT_SUM="$(sha256sum "$CLIENT_SRC" | cut -c1-16)"

if [ -x "$CACHE/bin/kube-apiserver" ] && [ -x "$CACHE/bin/etcd" ] &&
  [ -x "$CACHE/bin/kms-client-$CLIENT_SUM" ]; then
  echo "$CACHE/bin"
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "Go is not installed: the real kube-apiserver tests need Go 1.26 or newer to build it." >&2
  echo "Set KEYHAVEN_SKIP_KUBE=1 to skip the real-API-server layer on purpose." >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "Building kube-apiserver $KUBE_VERSION and its etcd into $CACHE (once; several minutes)" >&2

go mod init keyhaven.local/kube-build >/dev/null 2>&1
modfile="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
# Each `k8s.io/x => ./staging/src/k8s.io/x` becomes `k8s.io/x => k8s.io/x v0.y.z`.
replaces=()
while read -r module; do
  replaces+=("-replace=$module=$module@$STAGING_VERSION")
done < <(sed -n 's|^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*|\1|p' "$modfile")
go mod edit "-require=k8s.io/kubernetes@$KUBE_VERSION" "${replaces[@]}"

mkdir etcd
cat > etcd/main.go <<'GO'
// etcd as its release builds it: the server's own entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
mkdir kms-client
cp "$CLIENT_SRC" kms-client/main.go
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
go mod tidy >&2
rm -rf "$CACHE/bin.partial"
mkdir -p "$CACHE/bin.partial"
version="-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION"
version="$version -X k8s.io/component-base/version.gitMajor=1"
version="$version -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
build() { CGO_ENABLED=0 go build -trimpath "$@" >&2; }
build -ldflags="-s $version" -o "$CACHE/bin.partial/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
build -ldflags=-s -o "$CACHE/bin.partial/etcd" ./etcd
build -ldflags=-s -o "$CACHE/bin.partial/kms-client-$CLIENT_SUM" ./kms-client
ln -s "kms-client-$CLIENT_SUM" "$CACHE/bin.partial/kms-client"
rm -rf "$CACHE/bin"
mv "$CACHE/bin.partial" "$CACHE/bin"
echo "$CACHE/bin"
