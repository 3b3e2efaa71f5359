#!/usr/bin/env bash
# Read benchmark (issue 2, "Speed"): GET .../namespaces/default/pods/*/http_requests_qps for 100
# pods from `kscale adapter --worker-threads 1` against nginx (worker_processes 1) serving the
# identical response bytes from a file, with the same wrk settings, in the same run, on
# 127.0.0.1. Prints requests/s, p50/p99 latency and the kscale/nginx ratio per scenario.
#
# Usage: bench/read_bench.sh            (from the repository root)
# Environment: KSCALE (binary, default build-bench/src/cli/kscale), DURATION (wrk -d, 10s),
#   CONNECTIONS ("64 1"), TLS (1: also HTTPS for both with the same certificate), ROUNDS (1),
#   PIN (1: servers on CPU 1, wrk on CPU 0), PODS (100).
set -euo pipefail

cd "$(dirname "$0")/.."
KSCALE=${KSCALE:-build-bench/src/cli/kscale}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64 1}
TLS=${TLS:-1}
ROUNDS=${ROUNDS:-1}
PODS=${PODS:-100}
source bench/bench_lib.sh

for tool in "$KSCALE" wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "read_bench: $tool not found" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/kscale-read-bench.XXXXXX)
trap cleanup EXIT
chmod 755 "$WORK"  # nginx's worker (user nobody when started as root) reads the document root
setup_pinning

# 1. kscale with the seed's writes for $PODS pods.
start_kscale --worker-threads 1
PUSH="http://127.0.0.1:$HTTP_PORT/write-metrics/namespaces/default/pods"
for i in $(seq 1 "$PODS"); do
  curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "\"$((500 + i)).30\"" "$PUSH/web-7d9f8-$((10000 + i))/http_requests_qps"
done

READ_PATH='/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests_qps'
WWW="$WORK/www"
mkdir -p "$WWW/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*"
BODY="$WWW$READ_PATH"
curl -sS -f -o "$BODY" "http://127.0.0.1:$HTTP_PORT$READ_PATH"
chmod -R a+rX "$WWW"
ITEMS=$(grep -o '"describedObject"' "$BODY" | wc -l)
if [[ "$ITEMS" != "$PODS" ]]; then
  echo "read_bench: kscale answered $ITEMS items, want $PODS" >&2
  exit 1
fi

# 2. nginx: one worker, no daemon, temp prefix, the same certificate as kscale.
NGINX_PORT=$(free_port)
NGINX_TLS_PORT=$(free_port)
start_nginx "http://127.0.0.1:$NGINX_PORT/" "
  types { }
  default_type application/json;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=64 inactive=60s;
  keepalive_timeout 120s;
  ssl_certificate $WORK/certs/apiserver.crt;
  ssl_certificate_key $WORK/certs/apiserver.key;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    listen 127.0.0.1:$NGINX_TLS_PORT ssl;
    root $WWW;
  }"
declare -A PID=([kscale]=$KSCALE_PID [nginx]=$NGINX_WORKER)

# The two answers must be the same bytes.
curl -sS -f -o "$WORK/from-nginx" "http://127.0.0.1:$NGINX_PORT$READ_PATH"
curl -sS -f -o "$WORK/from-kscale-tls" -k "https://127.0.0.1:$SECURE_PORT$READ_PATH"
cmp "$BODY" "$WORK/from-nginx"
cmp "$BODY" "$WORK/from-kscale-tls"

declare -A URL=(
  [kscale-http]="http://127.0.0.1:$HTTP_PORT$READ_PATH"
  [nginx-http]="http://127.0.0.1:$NGINX_PORT$READ_PATH"
  [kscale-https]="https://127.0.0.1:$SECURE_PORT$READ_PATH"
  [nginx-https]="https://127.0.0.1:$NGINX_TLS_PORT$READ_PATH"
)
PROTOS=(http)
if [[ "$TLS" == 1 ]]; then
  PROTOS+=(https)
fi

echo "read_bench: GET $READ_PATH ($PODS items, $(wc -c <"$BODY") bytes), wrk -t1 -d$DURATION --latency"
machine_line
echo "kscale: $KSCALE adapter --worker-threads 1; nginx $(nginx -v 2>&1 | cut -d/ -f2) worker_processes 1;" \
  "pinning: servers CPU ${PIN_SERVER:-any}, wrk CPU ${PIN_CLIENT:-any}"
echo
RESULTS=()
for round in $(seq 1 "$ROUNDS"); do
  for c in $CONNECTIONS; do
    for proto in "${PROTOS[@]}"; do
      # Alternate who goes first so that neither always meets the warmer (or busier) machine.
      order=(kscale nginx)
      if (( (round + c) % 2 == 0 )); then
        order=(nginx kscale)
      fi
      declare -A R=()
      for server in "${order[@]}"; do
        R[$server]=$(run_wrk "${PID[$server]}" -t1 -c"$c" -d"$DURATION" --latency "${URL[$server-$proto]}")
      done
      read -r k_rps k_p50 k_p99 k_bad k_err k_cpu <<<"${R[kscale]}"
      read -r n_rps n_p50 n_p99 n_bad n_err n_cpu <<<"${R[nginx]}"
      if [[ "$k_bad$k_err$n_bad$n_err" != 0000 ]]; then
        echo "warning: non-2xx/socket errors in $proto -c$c: kscale $k_bad/$k_err, nginx $n_bad/$n_err" >&2
      fi
      ratio=$(awk -v k="$k_rps" -v n="$n_rps" 'BEGIN {printf "%.2f", (n > 0 ? k / n : 0)}')
      cpu_ratio=$(awk -v k="$k_cpu" -v n="$n_cpu" 'BEGIN {printf "%.2f", (n > 0 ? k / n : 0)}')
      RESULTS+=("$(printf '%-5s %-4s %2s | %8.0f %8.0f %6.2f %6.2f | %8.0f %8.0f %6.2f %6.2f | %5s %5s' \
        "$proto" "-c$c" "$round" "$k_rps" "$k_cpu" "$k_p50" "$k_p99" "$n_rps" "$n_cpu" "$n_p50" "$n_p99" \
        "$ratio" "$cpu_ratio")")
      unset R
    done
  done
done

# kscale must still be answering the same bytes (no value went stale during the run).
curl -sS -f -o "$WORK/from-kscale-after" "http://127.0.0.1:$HTTP_PORT$READ_PATH"
cmp "$BODY" "$WORK/from-kscale-after"

printf '%-5s %-4s %2s | %8s %8s %6s %6s | %8s %8s %6s %6s | %5s %5s\n' proto conn rd \
  "kscale/s" "/CPU-s" "p50ms" "p99ms" "nginx/s" "/CPU-s" "p50ms" "p99ms" ratio "/CPU"
printf '%s\n' "-----------------------------------------------------------------------------------------------"
printf '%s\n' "${RESULTS[@]}"
echo "(/s: requests per wall-clock second; /CPU-s: per second of CPU the server process used;"
echo " ratio: kscale / nginx requests per second, /CPU: the same per CPU-second)"
echo
echo "targets: kscale >= 0.9 x nginx requests/s; kscale p99 < 2 ms at 64 connections"
