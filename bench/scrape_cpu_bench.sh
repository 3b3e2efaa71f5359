#!/usr/bin/env bash
# Scrape-cost benchmark (issue 4, "Speed"): kscale adapter and Prometheus scrape the same 100
# targets of 1,000 series each every 5 s, in the same run, on 127.0.0.1. The targets are nginx
# (worker_processes 1) serving one real-shaped exposition (http_requests_total with method/code
# label sets, like the sample app) at 100 URLs. After a warm-up, the CPU seconds each scraper
# spends over the measurement window (utime+stime from /proc/<pid>/stat) are converted to CPU
# seconds per minute; the ratio kscale/Prometheus is printed. Target: ≤ 0.25.
#
# kscale does more than fetch and parse: its rule turns http_requests_total into a per-pod
# rate (store/rate.h) on every scrape, as the adapter does in the demo. Prometheus appends to
# its TSDB, which is its normal cost; its rule evaluation is not configured.
#
# Usage: bench/scrape_cpu_bench.sh   (from the repository root)
# Environment: KSCALE (binary, default build-bench/src/cli/kscale), TARGETS (100), SERIES (1000),
#   INTERVAL (5s), WARMUP (30), MEASURE (300 seconds: Prometheus's CPU per minute swings between
#   2.2 and 4.6 s over one-minute windows, with Go's GC and TSDB housekeeping), PERF_OUT (a file: perf record -g of kscale
#   for 20 s of the window, to see where its time goes).
set -euo pipefail

cd "$(dirname "$0")/.."
KSCALE=${KSCALE:-build-bench/src/cli/kscale}
TARGETS=${TARGETS:-100}
SERIES=${SERIES:-1000}
INTERVAL=${INTERVAL:-5s}
WARMUP=${WARMUP:-30}
MEASURE=${MEASURE:-300}
source bench/bench_lib.sh

for tool in "$KSCALE" nginx prometheus curl; do
  command -v "$tool" >/dev/null || { echo "scrape_cpu_bench: $tool not found" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/kscale-scrape-bench.XXXXXX)
trap cleanup EXIT
chmod 755 "$WORK"

# 1. The exposition: SERIES samples of http_requests_total over method × code × handler label sets.
mkdir -p "$WORK/www"
{
  echo "# HELP http_requests_total Total HTTP requests."
  echo "# TYPE http_requests_total counter"
  for i in $(seq 1 "$SERIES"); do
    echo "http_requests_total{code=\"200\",handler=\"/api/v1/item$i\",method=\"get\"} $((i * 7))"
  done
} > "$WORK/www/metrics"
echo "exposition: $SERIES series, $(wc -c < "$WORK/www/metrics") bytes per scrape"

# 2. nginx serves it at /pod-<n>/metrics for every target.
NGINX_PORT=$(free_port)
start_nginx "http://127.0.0.1:$NGINX_PORT/pod-1/metrics" "
  default_type text/plain;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location ~ ^/pod-[0-9]+/metrics\$ { root $WORK/www; try_files /metrics =404; }
  }"

# 3. The same targets for both scrapers.
{
  echo "interval: $INTERVAL"
  echo "rules:"
  echo "- {seriesName: http_requests_total, metric: http_requests_qps, kind: rate, window: 30s, aggregate: sum}"
  echo "targets:"
  for i in $(seq 1 "$TARGETS"); do
    echo "- {namespace: default, pod: pod-$i, labels: {app: bench}, url: http://127.0.0.1:$NGINX_PORT/pod-$i/metrics}"
  done
} > "$WORK/scrape.yaml"
{
  echo "global: {scrape_interval: $INTERVAL, scrape_timeout: 4s}"
  echo "scrape_configs:"
  for i in $(seq 1 "$TARGETS"); do
    echo "- job_name: pod-$i"
    echo "  metrics_path: /pod-$i/metrics"
    echo "  static_configs: [{targets: [127.0.0.1:$NGINX_PORT]}]"
  done
} > "$WORK/prometheus.yml"

start_kscale --scrape-config "$WORK/scrape.yaml" --worker-threads 1
PROM_PORT=$(free_port)
start_bg "$WORK/prometheus.log" prometheus --config.file "$WORK/prometheus.yml" \
  --storage.tsdb.path "$WORK/tsdb" --web.listen-address "127.0.0.1:$PROM_PORT"
PROM_PID=$LAST_PID
wait_http "http://127.0.0.1:$PROM_PORT/-/ready"

cpu_seconds() {  # utime + stime of a pid, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

sleep "$WARMUP"
k0=$(cpu_seconds "$KSCALE_PID")
p0=$(cpu_seconds "$PROM_PID")
[[ -n "${PERF_OUT:-}" ]] && perf record -g -o "$PERF_OUT" -p "$KSCALE_PID" -- sleep 20 > /dev/null 2>&1 &
sleep "$MEASURE"
k1=$(cpu_seconds "$KSCALE_PID")
p1=$(cpu_seconds "$PROM_PID")

up=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk '/^kscale_scrape_up\{/ && $2 == 1 {n++} END {print n + 0}')
prom_up=$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/query?query=sum(up)" | grep -oE '"value":\[[^]]*\]' | grep -oE '"[0-9.]+"\]' | tr -d '"]')
echo
printf '%-12s %10s %18s\n' scraper targets_up cpu_s_per_minute
awk -v k0="$k0" -v k1="$k1" -v p0="$p0" -v p1="$p1" -v m="$MEASURE" -v ku="$up" -v pu="${prom_up:-?}" 'BEGIN {
  k = (k1 - k0) * 60 / m; p = (p1 - p0) * 60 / m;
  printf "%-12s %10s %18.3f\n", "kscale", ku, k;
  printf "%-12s %10s %18.3f\n", "prometheus", pu, p;
  if (p > 0) printf "ratio kscale/prometheus: %.3f (target <= 0.25)\n", k / p;
}'
