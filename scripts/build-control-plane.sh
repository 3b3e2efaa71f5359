#!/usr/bin/env bash
# Builds the real control plane the end-to-end tests start (etcd, kube-apiserver,
# kube-controller-manager, kubectl, kwok) from their Go modules with the machine's Go, as
# shared/specs/kubernetes-integration.md section 6 describes, and caches the binaries outside the
# repository keyed by version. Nothing built here is committed. Prints the bin directory.
#
#   scripts/build-control-plane.sh            # build once, reuse afterwards
#   KSCALE_TESTENV_BIN=DIR              # use binaries from DIR instead (no build)
#   KSCALE_TESTENV_DIR=DIR              # cache root (default ~/.cache/kscale/testenv)
set -euo pipefail

K8S_VERSION=v1.36.3
STAGING_VERSION=v0.36.3
ETCD_VERSION=v3.6.8
KWOK_VERSION=v0.8.0

if [ -n "${KSCALE_TESTENV_BIN:-}" ]; then
  echo "$KSCALE_TESTENV_BIN"
  exit 0
fi

command -v go >/dev/null || { echo "build-control-plane: Go >= 1.26 is needed to build the test control plane" >&2; exit 1; }
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
go_version=$(go env GOVERSION)
root=${KSCALE_TESTENV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kscale/testenv}
dir="$root/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_${go_version}"
bin="$dir/bin"
mkdir -p "$dir"

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

log() { echo "build-control-plane: $*" >&2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$bin"

# k8s.io/kubernetes requires its staging modules at v0.0.0 and etcd's server module has replace
# directives, so `go install ...@version` refuses both: build them from a generated wrapper module
# whose replace lines come from kubernetes' own go.mod.
log "reading k8s.io/kubernetes@${K8S_VERSION}'s go.mod"
(cd "$work" && go mod download -json "k8s.io/kubernetes@${K8S_VERSION}") > "$work/k8s.json"
gomod=$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' "$work/k8s.json")
[ -f "$gomod" ] || { log "go mod download printed no GoMod path"; exit 1; }

mkdir -p "$work/wrapper"
{
  echo "module kscale.test/controlplane"
  echo
  echo "go 1.26.0"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes ${K8S_VERSION}"
  echo "	go.etcd.io/etcd/server/v3 ${ETCD_VERSION}"
  echo ")"
  echo
  echo "replace ("
  grep -E '^	k8s.io/[^ ]+ v0.0.0$' "$gomod" | awk -v v="$STAGING_VERSION" '{print "\t" $1 " => " $1 " " v}'
  echo ")"
} > "$work/wrapper/go.mod"
cat > "$work/wrapper/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF

cd "$work/wrapper"
log "resolving modules (go mod tidy)"
go mod tidy >&2
ld="-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
for cmd in kube-apiserver kube-controller-manager kubectl; do
  log "building $cmd"
  go build -trimpath -ldflags "$ld" -o "$bin/$cmd" "k8s.io/kubernetes/cmd/$cmd" >&2
done
log "building etcd"
go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3 >&2
log "building kwok"
GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}" >&2
# kwok has no built-in stages; the tests join these files into its --config.
stages=$(go env GOMODCACHE)/sigs.k8s.io/kwok@${KWOK_VERSION}/kustomize/stage
mkdir -p "$dir/kwok-stages"
cp -r "$stages"/. "$dir/kwok-stages/" 2>/dev/null || log "kwok stages not found under $stages"
chmod -R u+w "$dir/kwok-stages"

for b in kube-apiserver kube-controller-manager kubectl etcd kwok; do
  [ -x "$bin/$b" ] || { log "$b was not built"; exit 1; }
done
touch "$dir/.complete"
log "done: $bin"
echo "$bin"
