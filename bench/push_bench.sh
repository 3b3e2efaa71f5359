#!/usr/bin/env bash
# Push benchmark (issue 2, "Speed"): single-value writes per second in the seed's format
# (POST /write-metrics/namespaces/default/pods/<pod>/http_requests_qps, body "512.30" as a JSON
# string, Content-Type application/json) against the Prometheus Pushgateway receiving the same
# values (POST /metrics/job/kscale_bench/instance/<pod>, body "http_requests_qps 512.30\n"),
# with the same wrk settings, in the same run, on 127.0.0.1; then batch ingest: POST
# /write-metrics with MetricValueList bodies of $BATCH items (samples/s), with the Pushgateway
# receiving the same samples as one text-format body per request for comparison.
# Both servers get one core: kscale --worker-threads 1, Pushgateway GOMAXPROCS=1.
#
# Usage: bench/push_bench.sh            (from the repository root)
# Environment: KSCALE (binary, default build-bench/src/cli/kscale), DURATION (wrk -d, 10s),
#   CONNECTIONS ("64 1"), BATCH (1000), BATCH_CONNECTIONS (4), PODS (100: series written in
#   turn), PIN (1: servers on CPU 1, wrk on CPU 0), STORE_BENCH (store_bench binary to run
#   afterwards for the store-level ingest figure; default build-bench/bench/store_bench).
set -euo pipefail

cd "$(dirname "$0")/.."
KSCALE=${KSCALE:-build-bench/src/cli/kscale}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64 1}
BATCH=${BATCH:-1000}
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-4}
PODS=${PODS:-100}
STORE_BENCH=${STORE_BENCH:-build-bench/bench/store_bench}
PUSHGATEWAY=${PUSHGATEWAY:-prometheus-pushgateway}
source bench/bench_lib.sh

for tool in "$KSCALE" wrk curl "$PUSHGATEWAY"; do
  command -v "$tool" >/dev/null || { echo "push_bench: $tool not found" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/kscale-push-bench.XXXXXX)
trap cleanup EXIT
setup_pinning

start_kscale --worker-threads 1
PG_PORT=$(free_port)
# No --persistence.file: the Pushgateway keeps everything in memory only.
start_bg "$WORK/pushgateway.log" env GOMAXPROCS=1 ${PIN_SERVER:+taskset -c "$PIN_SERVER"} \
  "$PUSHGATEWAY" --web.listen-address="127.0.0.1:$PG_PORT"
PG_PID=$LAST_PID
wait_http "http://127.0.0.1:$PG_PORT/-/ready"

# wrk scripts: each request writes the next of $PODS pods, so both servers hold $PODS series.
cat >"$WORK/kscale_single.lua" <<LUA
local i = 0
wrk.method = "POST"
wrk.body = '"512.30"'
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % $PODS + 1
  return wrk.format(nil, string.format("/write-metrics/namespaces/default/pods/web-7d9f8-%d/http_requests_qps", 10000 + i))
end
LUA
cat >"$WORK/pushgateway_single.lua" <<LUA
local i = 0
wrk.method = "POST"
wrk.body = "http_requests_qps 512.30\n"
wrk.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
request = function()
  i = i % $PODS + 1
  return wrk.format(nil, string.format("/metrics/job/kscale_bench/instance/web-7d9f8-%d", 10000 + i))
end
LUA

# Batch bodies: the same $BATCH samples as a MetricValueList (kscale) and as text exposition
# format (Pushgateway, one group).
awk -v n="$BATCH" 'BEGIN {
  printf "{\"kind\":\"MetricValueList\",\"apiVersion\":\"custom.metrics.k8s.io/v1beta1\",\"metadata\":{},\"items\":["
  for (i = 0; i < n; i++) {
    printf "%s{\"describedObject\":{\"kind\":\"Pod\",\"namespace\":\"batch\",\"name\":\"web-7d9f8-%d\",\"apiVersion\":\"v1\"},\"metricName\":\"http_requests_qps\",\"value\":\"%d.30\"}", (i ? "," : ""), 100000 + i, 500 + i % 100
  }
  printf "]}"
}' >"$WORK/batch.json"
# (Untyped, as the single writes are: the Pushgateway rejects a push whose type differs from
# what another group holds for the same metric name.)
awk -v n="$BATCH" 'BEGIN {
  for (i = 0; i < n; i++) printf "http_requests_qps{pod=\"web-7d9f8-%d\"} %d.30\n", 100000 + i, 500 + i % 100
}' >"$WORK/batch.txt"
lua_body_script() {  # <body file> <content type> <path>
  cat <<LUA
local f = assert(io.open("$1", "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "$2"
wrk.path = "$3"
LUA
}
lua_body_script "$WORK/batch.json" "application/json" "/write-metrics" >"$WORK/kscale_batch.lua"
lua_body_script "$WORK/batch.txt" "text/plain; version=0.0.4; charset=utf-8" \
  "/metrics/job/kscale_batch" >"$WORK/pushgateway_batch.lua"

# Both must accept the bodies before the load starts.
curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/json' -d '"512.30"' \
  "http://127.0.0.1:$HTTP_PORT/write-metrics/namespaces/default/pods/web-7d9f8-10001/http_requests_qps"
curl -sS -f -o /dev/null -X POST --data-binary 'http_requests_qps 512.30
' "http://127.0.0.1:$PG_PORT/metrics/job/kscale_bench/instance/web-7d9f8-10001"
curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/batch.json" \
  "http://127.0.0.1:$HTTP_PORT/write-metrics"
curl -sS -f -o /dev/null -X POST --data-binary "@$WORK/batch.txt" "http://127.0.0.1:$PG_PORT/metrics/job/kscale_batch"

echo "push_bench: single-value writes to $PODS series in turn; batches of $BATCH samples; wrk -t1 -d$DURATION --latency"
machine_line
echo "kscale: $KSCALE adapter --worker-threads 1; $("$PUSHGATEWAY" --version 2>&1 | head -1), GOMAXPROCS=1;" \
  "pinning: servers CPU ${PIN_SERVER:-any}, wrk CPU ${PIN_CLIENT:-any}"
echo

ROWS=()
row() {  # <scenario> <kscale result> <pushgateway result> <samples per request>
  local k_rps k_p50 k_p99 k_bad k_err k_cpu p_rps p_p50 p_p99 p_bad p_err p_cpu
  read -r k_rps k_p50 k_p99 k_bad k_err k_cpu <<<"$2"
  read -r p_rps p_p50 p_p99 p_bad p_err p_cpu <<<"$3"
  if [[ "$k_bad$k_err$p_bad$p_err" != 0000 ]]; then
    echo "warning: non-2xx/socket errors in $1: kscale $k_bad/$k_err, pushgateway $p_bad/$p_err" >&2
  fi
  ROWS+=("$(awk -v s="$1" -v kr="$k_rps" -v k50="$k_p50" -v k99="$k_p99" -v kc="$k_cpu" -v pr="$p_rps" \
    -v p50="$p_p50" -v p99="$p_p99" -v pc="$p_cpu" -v n="$4" 'BEGIN {
      printf "%-16s | %10.0f %10.0f %7.2f %7.2f | %10.0f %10.0f %7.2f %7.2f | %6.1f %6.1f", s, kr * n, kc * n,
        k50, k99, pr * n, pc * n, p50, p99, (pr > 0 ? kr / pr : 0), (pc > 0 ? kc / pc : 0) }')")
}

for c in $CONNECTIONS; do
  k=$(run_wrk "$KSCALE_PID" -t1 -c"$c" -d"$DURATION" --latency -s "$WORK/kscale_single.lua" "http://127.0.0.1:$HTTP_PORT")
  p=$(run_wrk "$PG_PID" -t1 -c"$c" -d"$DURATION" --latency -s "$WORK/pushgateway_single.lua" "http://127.0.0.1:$PG_PORT")
  row "single -c$c" "$k" "$p" 1
done
k=$(run_wrk "$KSCALE_PID" -t1 -c"$BATCH_CONNECTIONS" -d"$DURATION" --latency -s "$WORK/kscale_batch.lua" \
  "http://127.0.0.1:$HTTP_PORT")
p=$(run_wrk "$PG_PID" -t1 -c"$BATCH_CONNECTIONS" -d"$DURATION" --latency -s "$WORK/pushgateway_batch.lua" \
  "http://127.0.0.1:$PG_PORT")
row "batch$BATCH -c$BATCH_CONNECTIONS" "$k" "$p" "$BATCH"

# The ceiling of any HTTP/1.1 server on this machine and loopback: nginx answering every single
# write with a fixed 200 (no work at all), same wrk script and connections, same CPU.
CEILING_ROW=
if [[ "${CEILING:-1}" == 1 ]] && command -v nginx >/dev/null; then
  NGINX_PORT=$(free_port)
  start_nginx "http://127.0.0.1:$NGINX_PORT/" "
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { return 200 '{\"kind\":\"MetricValueList\"}'; }
  }"
  first_c=${CONNECTIONS%% *}
  read -r n_rps _ n_p99 _ _ n_cpu <<<"$(run_wrk "$NGINX_WORKER" -t1 -c"$first_c" -d"$DURATION" --latency \
    -s "$WORK/kscale_single.lua" "http://127.0.0.1:$NGINX_PORT")"
  CEILING_ROW=$(printf 'ceiling: nginx "return 200" to the same single writes, -c%s: %.0f req/s (%.0f per CPU-second), p99 %.2f ms' \
    "$first_c" "$n_rps" "$n_cpu" "$n_p99")
fi

# What the servers hold afterwards: every pod's value, on both.
K_ITEMS=$(curl -sS -f "http://127.0.0.1:$HTTP_PORT/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests_qps" |
  grep -o '"describedObject"' | wc -l)
P_ITEMS=$(curl -sS -f "http://127.0.0.1:$PG_PORT/metrics" | grep -c '^http_requests_qps{.*instance="web-7d9f8-' || true)

printf '%-16s | %10s %10s %7s %7s | %10s %10s %7s %7s | %6s %6s\n' scenario "kscale /s" "/CPU-s" "p50 ms" \
  "p99 ms" "pushgw /s" "/CPU-s" "p50 ms" "p99 ms" ratio "/CPU"
printf '%s\n' "-------------------------------------------------------------------------------------------------------------"
printf '%s\n' "${ROWS[@]}"
echo "(single rows: writes; batch row: samples = requests x $BATCH. /s: per wall-clock second; /CPU-s: per"
echo " second of CPU the server process used (user+system), i.e. what one fully available core would do)"
if [[ -n "$CEILING_ROW" ]]; then
  echo "$CEILING_ROW"
fi
echo "stored afterwards: kscale $K_ITEMS pods of namespace default, Pushgateway $P_ITEMS instances"
echo "targets: single writes >= 100 x Pushgateway; batch ingest >= 1,000,000 samples/s on one core"

if [[ -x "$STORE_BENCH" ]]; then
  echo
  echo "store-level ingest ($STORE_BENCH, SeriesStore::put_custom, one thread):"
  ${PIN_SERVER:+taskset -c "$PIN_SERVER"} "$STORE_BENCH" --benchmark_filter='PutCustom' 2>/dev/null |
    grep -E '^(Benchmark|BM_|-)' || true
fi
