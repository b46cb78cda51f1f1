#!/usr/bin/env bash
# Builds Helm (helm.sh/helm/v4) from the Go module proxy into a cache directory once, and prints
# the path of the helm binary. A later call with the same version reuses the build.
set -euo pipefail

HELM_VERSION="${KEYHAVEN_HELM_VERSION:-v4.3.2}"
CACHE="${KEYHAVEN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keyhaven}/helm-$HELM_VERSION"

if [ ! -x "$CACHE/bin/helm" ]; then
  if ! command -v go >/dev/null; then
    echo "Go 1.26 is needed to build Helm $HELM_VERSION from the Go module proxy." >&2
    exit 1
  fi
  echo "Building Helm $HELM_VERSION into $CACHE (once; a few minutes)" >&2
  mkdir -p "$CACHE"
  GOBIN="$CACHE/bin.tmp" GOFLAGS=-mod=mod go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
  rm -rf "$CACHE/bin" && mv "$CACHE/bin.tmp" "$CACHE/bin"
fi
echo "$CACHE/bin/helm"
