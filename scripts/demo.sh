#!/usr/bin/env bash
# The main job: installs what is needed, builds kscale, and runs the demo on this machine.
# Until the full autoscaling demo (`kscale demo`) is in the binary, this runs the adapter with a
# sample data set: it pushes values exactly as seed 000's script does and reads them back with
# `kubectl get --raw` through a kubeconfig that points at the adapter.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build --target kscale -j"$(nproc)"
KSCALE=${KSCALE:-build/src/cli/kscale}

if "$KSCALE" demo --help > /dev/null 2>&1; then
  exec "$KSCALE" demo "$@"
fi

work=$(mktemp -d)
adapter_pid=""
cleanup() {
  [ -n "$adapter_pid" ] && kill "$adapter_pid" 2> /dev/null && wait "$adapter_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$KSCALE" adapter --bind-address 127.0.0.1 --secure-port 0 --http-port 0 --cert-dir "$work/certs" \
  --objects examples/sample-objects.yaml --v 2 > "$work/adapter.log" 2>&1 &
adapter_pid=$!
for _ in $(seq 100); do
  grep -q 'on http://' "$work/adapter.log" && break
  sleep 0.1
done
https=$(grep -oE 'on https://127.0.0.1:[0-9]+' "$work/adapter.log" | head -1 | sed 's/^on //')
http=$(grep -oE 'on http://127.0.0.1:[0-9]+' "$work/adapter.log" | head -1 | sed 's/^on //')
echo "kscale adapter: metrics API at $https, push API at $http"

cat > "$work/kubeconfig" << KC
apiVersion: v1
kind: Config
clusters:
- name: kscale
  cluster: {server: "$https", certificate-authority: "$work/certs/apiserver.crt"}
contexts:
- name: kscale
  context: {cluster: kscale, user: demo}
current-context: kscale
users:
- name: demo
  user: {token: demo}
KC

echo
echo "== push per-pod QPS as seed 000's job does (json.dumps of a formatted string)"
for pod_qps in httpserver-7d9f8-abcde:512.30 httpserver-7d9f8-fghij:30.00; do
  pod=${pod_qps%%:*} qps=${pod_qps##*:}
  curl -sS -X POST -H 'Authorization: Bearer demo' -H 'Content-Type: application/json' \
    --data "\"$qps\"" "$http/write-metrics/namespaces/default/pods/$pod/http_requests_qps" > /dev/null
  echo "POST /write-metrics/namespaces/default/pods/$pod/http_requests_qps  \"$qps\""
done
curl -sS -X POST --data-binary @examples/sample-metrics.json "$http/write-metrics" > /dev/null
curl -sS -X POST --data-binary @examples/sample-external-metrics.json \
  "$http/write-external-metrics/namespaces/default" > /dev/null
echo "POST /write-metrics (batch: Deployment, Node, Pod) and /write-external-metrics/namespaces/default"

show() {
  echo
  echo "\$ kubectl get --raw '$1'"
  kubectl --kubeconfig "$work/kubeconfig" --cache-dir "$work/cache" get --raw "$1"
  echo
}
show "/apis/custom.metrics.k8s.io/v1beta2"
show "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests_qps?labelSelector=app%3Dhttpserver"
show "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests_qps"
show "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/deployments.apps/httpserver/queue_length"
show "/apis/custom.metrics.k8s.io/v1beta1/nodes/*/node_load"
show "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector=queue%3Dorders"
echo
echo "\$ kubectl get --raw '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/nope/http_requests_qps'"
kubectl --kubeconfig "$work/kubeconfig" --cache-dir "$work/cache" get --raw \
  "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/nope/http_requests_qps" || true
echo
echo "demo finished; the adapter is stopped and its files removed"
