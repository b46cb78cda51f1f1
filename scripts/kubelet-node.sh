#!/usr/bin/env bash
# A one-node kubelet on this machine for deploy/static-pod/kmsplugin.yaml, as a control-plane node
# runs it: the kubelet (built once from the Go module proxy, like kube-apiserver), Debian's
# containerd and runc, Debian's CNI plug-ins, and a pause image made here (no registry). Standalone
# (no API server): it runs the static pods of $DIR/manifests.
#
#   bash scripts/kubelet-node.sh start     # prints the folder to put static pod manifests in
#   KEYHAVEN_KUBELET_MANIFESTS=<that folder> npx vitest run --project integration static-pod
#   bash scripts/kubelet-node.sh stop
#
# What these machines need beyond a default node (each found by trying): cgroup v1 (the kubelet
# refuses it unless failCgroupV1 is false), no permission to lower oom_score_adj (containerd's
# restrict_oom_score_adj, else runc cannot start the sandbox), and QoS cgroups off.
set -euo pipefail
KUBE_VERSION="${KEYHAVEN_KUBE_VERSION:-v1.37.2}"
CACHE="${KEYHAVEN_CACHE:-$HOME/.cache/keyhaven}/kube-$KUBE_VERSION"
DIR="${KEYHAVEN_KUBELET_DIR:-/tmp/keyhaven-kubelet}"
SOCKET="/run/containerd/containerd.sock"

build_kubelet() {
  [ -x "$CACHE/kubelet" ] && return
  echo "Building kubelet $KUBE_VERSION into $CACHE (once; several minutes)" >&2
  local work staging
  work="$(mktemp -d)"
  staging="v0${KUBE_VERSION#v1}"
  (
    cd "$work"
    go mod init keyhaven.local/kubelet-build >/dev/null 2>&1
    modfile="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    replaces=()
    while read -r module; do replaces+=("-replace=$module=$module@$staging"); done \
      < <(sed -n 's|^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*|\1|p' "$modfile")
    go mod edit "-require=k8s.io/kubernetes@$KUBE_VERSION" "${replaces[@]}"
    printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kubelet"\n' > tools.go
    go mod tidy >&2
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION" \
      -o "$CACHE/kubelet.partial" k8s.io/kubernetes/cmd/kubelet >&2
  )
  rm -rf "$work"
  mv "$CACHE/kubelet.partial" "$CACHE/kubelet"
}

start() {
  for pkg in containerd containernetworking-plugins buildah catatonit; do
    dpkg -s "$pkg" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2
  done
  build_kubelet
  mkdir -p "$DIR/manifests" "$DIR/kubelet" "$DIR/logs"
  containerd config default |
    sed -e "s#^root = .*#root = \"$DIR/containerd-root\"#" \
      -e "s#^state = .*#state = \"$DIR/containerd-state\"#" \
      -e 's#sandbox_image = ".*"#sandbox_image = "localhost/pause:keyhaven"#' \
      -e 's#restrict_oom_score_adj = false#restrict_oom_score_adj = true#' \
      -e 's#bin_dir = "/opt/cni/bin"#bin_dir = "/usr/lib/cni"#' >"$DIR/containerd.toml"
  containerd --config "$DIR/containerd.toml" >"$DIR/logs/containerd.log" 2>&1 &
  echo $! >"$DIR/containerd.pid"
  for _ in $(seq 50); do [ -S "$SOCKET" ] && break; sleep 0.2; done
  # The pod sandbox's image: podman's own way, catatonit in pause mode, from scratch.
  if ! ctr -n k8s.io images ls -q | grep -qx localhost/pause:keyhaven; then
    local c
    c="$(buildah from scratch)"
    buildah copy "$c" /usr/bin/catatonit /catatonit >/dev/null
    buildah config --entrypoint '["/catatonit","-P"]' "$c"
    buildah commit -q "$c" localhost/pause:keyhaven >/dev/null
    buildah rm "$c" >/dev/null
    podman save localhost/pause:keyhaven | ctr -n k8s.io images import - >/dev/null
  fi
  cat >"$DIR/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: $DIR/manifests
podLogsDir: $DIR/logs/pods
containerRuntimeEndpoint: unix://$SOCKET
cgroupDriver: cgroupfs
failCgroupV1: false
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
localStorageCapacityIsolation: false
readOnlyPort: 0
authentication: {anonymous: {enabled: false}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
YAML
  "$CACHE/kubelet" --config="$DIR/kubelet.yaml" --root-dir="$DIR/kubelet" \
    --hostname-override=keyhaven-node >"$DIR/logs/kubelet.log" 2>&1 &
  echo $! >"$DIR/kubelet.pid"
  for _ in $(seq 100); do curl -sf http://127.0.0.1:10248/healthz >/dev/null && break; sleep 0.2; done
  curl -sf http://127.0.0.1:10248/healthz >/dev/null || { tail -20 "$DIR/logs/kubelet.log" >&2; exit 1; }
  echo "$DIR/manifests"
}

stop() {
  rm -f "$DIR"/manifests/*.yaml
  for _ in $(seq 150); do [ -z "$(ctr -n k8s.io tasks ls -q 2>/dev/null)" ] && break; sleep 0.2; done
  for name in kubelet containerd; do
    [ -f "$DIR/$name.pid" ] && kill "$(cat "$DIR/$name.pid")" 2>/dev/null || true
    rm -f "$DIR/$name.pid"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
