#!/usr/bin/env bash
# Builds helm (the chart test's linter and renderer) from its Go module with the machine's Go and
# caches the binary outside the repository keyed by version, in the style of
# scripts/build-control-plane.sh. Nothing built here is committed. Prints the binary's path.
#
#   scripts/build-helm.sh            # build once, reuse afterwards
#   KSCALE_HELM_BIN=FILE             # use that helm instead (no build)
#   KSCALE_TESTENV_DIR=DIR           # cache root (default ~/.cache/kscale/testenv)
set -euo pipefail

HELM_VERSION=v4.3.2

if [ -n "${KSCALE_HELM_BIN:-}" ]; then
  echo "$KSCALE_HELM_BIN"
  exit 0
fi

command -v go >/dev/null || { echo "build-helm: Go >= 1.26 is needed to build helm for the chart test" >&2; exit 1; }
export CGO_ENABLED=0 GOTOOLCHAIN=local
go_version=$(go env GOVERSION)
root=${KSCALE_TESTENV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kscale/testenv}
dir="$root/helm-${HELM_VERSION}_${go_version}"
bin="$dir/bin/helm"
mkdir -p "$dir/bin"

if [ -f "$dir/.complete" ]; then
  echo "$bin"
  exit 0
fi

exec 9>"$dir/.lock"
flock 9
if [ -f "$dir/.complete" ]; then
  echo "$bin"
  exit 0
fi

echo "build-helm: building helm ${HELM_VERSION}" >&2
GOBIN="$dir/bin" go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION}" \
  "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}" >&2
[ -x "$bin" ] || { echo "build-helm: helm was not built" >&2; exit 1; }
touch "$dir/.complete"
echo "build-helm: done: $bin" >&2
echo "$bin"
