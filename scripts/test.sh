#!/usr/bin/env bash
# `npm test` (through scripts/lts.sh, on Node 26 LTS): makes sure what the tests need is present,
# then runs every layer in order and stops at the first that fails: types, lint, unit +
# component, mutation, integration, chaos soak, fuzzing, images, end-to-end.
set -euo pipefail
cd "$(dirname "$0")/.."
export IBM_TELEMETRY_DISABLED=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

# Debian packages for the browser, the HSM token and etcd (only as root; others must have them).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/softhsm2-util ] || need+=(softhsm2)
[ -x /usr/bin/pkcs11-tool ] || need+=(opensc)
[ -x /usr/bin/etcd ] || need+=(etcd-server)
[ -x /usr/bin/etcdctl ] || need+=(etcd-client)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "> Installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${need[*]} (run npm test as root once, or install them)." >&2
    exit 1
  fi
fi

# Node dependencies from the lock file when node_modules is missing or older than the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "> npm ci"
  # Native addons (better-sqlite3, pkcs11js) compile here instead of fetching prebuilt binaries.
  npm_config_build_from_source=true npm ci --no-audit --no-fund
  node -p process.versions.modules >node_modules/.keyhaven-node-abi
fi
echo "> Node $(node -v) ($(command -v node))"

run() {
  echo
  echo "=== $1"
  shift
  "$@"
}

run "Type check" npm run --silent typecheck
run "Lint (zero warnings) and formatting" npm run --silent lint
run "OpenAPI documents (Redocly, recommended rules: 0 errors)" npm run --silent openapi
run "Unit and component tests" npx vitest run --project unit --project component
# Stryker over the core, incremental: reports/stryker-incremental.json (committed) holds the last
# results, so only mutants whose code or tests changed since are run again.
run "Mutation testing of the core (Stryker, every module held to 90%)" npm run --silent test:mutation
# A real kube-apiserver (and its etcd) for the KMS plug-in's tests, built once from the Go module
# proxy into a cache folder and reused while its version is unchanged.
if [ "${KEYHAVEN_SKIP_KUBE:-}" = 1 ]; then
  echo
  echo "=== KEYHAVEN_SKIP_KUBE=1: the tests against a real kube-apiserver are skipped on purpose."
else
  go_minor="$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
  if [ -z "$go_minor" ] || [ "$go_minor" -lt 26 ]; then
    echo "Go 1.26 or newer is needed to build the real kube-apiserver that the KMS plug-in is" >&2
    echo "tested against (found: $(go version 2>/dev/null || echo 'no go command'))." >&2
    echo "Install it, or set KEYHAVEN_SKIP_KUBE=1 to skip that layer on purpose." >&2
    exit 1
  fi
  echo
  echo "=== kube-apiserver, etcd and the KMS test client (built once from the Go module proxy)"
  KEYHAVEN_KUBE_BIN="$(bash scripts/kube-apiserver.sh)"
  export KEYHAVEN_KUBE_BIN
  echo "$KEYHAVEN_KUBE_BIN: $("$KEYHAVEN_KUBE_BIN/kube-apiserver" --version)"
fi
# Every service a later layer starts runs the release's bundles (no tsx in a running service).
run "Build the release (services, CLI and console bundles)" node scripts/build.mjs
if [ "${KEYHAVEN_SKIP_IMAGES:-}" = 1 ]; then
  echo
  echo "=== KEYHAVEN_SKIP_IMAGES=1: the images and the static pod test are skipped on purpose."
else
  # Built from dist/ and cached by the digest of their content: an unchanged release is reused.
  run "OCI images (buildah, from Debian's packages and the release)" env KEYHAVEN_IMAGE_SKIP_BUILD=1 bash scripts/image.sh
fi
if [ "${KEYHAVEN_SKIP_KUBE:-}" != 1 ]; then
  echo
  echo "=== Helm (built once from the Go module proxy, then cached)"
  bash scripts/helm.sh
fi
run "Integration tests (engine processes, SQLite, a 3-member etcd, SoftHSM2, kube-apiserver, images, Helm)" npx vitest run --project integration
if [ "${KEYHAVEN_SKIP_KUBE:-}" != 1 ]; then
  # Faults piled on while work goes on: any lost or stale write or broken invariant fails it.
  run "Chaos soak, 2 minutes (etcd, engines, BFF, API servers, plug-ins SIGKILLed; seeded)" \
    node --import tsx scripts/soak/main.ts --minutes 2
fi
# The services were built above: the fuzzer starts them without bundling again.
run "Fuzzing both APIs as admin and viewer (Schemathesis from PyPI, in .venv)" node --import tsx scripts/fuzz.ts
run "End-to-end tests (Playwright in Chromium against the real BFF and engine)" npx playwright test
echo
echo "All test layers passed."
