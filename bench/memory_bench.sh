#!/usr/bin/env bash
# Memory benchmark (issue 2, "Speed"): resident bytes per stored series at $SERIES series.
# 1. The whole adapter process: starts `kscale adapter`, reads its VmRSS, pushes $SERIES pod
#    series (one namespace, one metric, 15-character pod names as a ReplicaSet makes them) as
#    MetricValueList batch writes of $BATCH items over the plain port, reads VmRSS again.
# 2. The store alone: bench/store_memory_bench.cc (SeriesStore in-process, same names), when built.
# Target: <= 256 resident bytes per series.
#
# Usage: bench/memory_bench.sh          (from the repository root)
# Environment: KSCALE (binary, default build-bench/src/cli/kscale), SERIES (1000000),
#   BATCH (10000), STORE_MEMORY_BENCH (default build-bench/bench/store_memory_bench).
set -euo pipefail

cd "$(dirname "$0")/.."
KSCALE=${KSCALE:-build-bench/src/cli/kscale}
SERIES=${SERIES:-1000000}
BATCH=${BATCH:-10000}
STORE_MEMORY_BENCH=${STORE_MEMORY_BENCH:-build-bench/bench/store_memory_bench}
source bench/bench_lib.sh

for tool in "$KSCALE" curl; do
  command -v "$tool" >/dev/null || { echo "memory_bench: $tool not found" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/kscale-memory-bench.XXXXXX)
trap cleanup EXIT
PIN=0
setup_pinning

# --metrics-max-age 0: nothing expires while the series are pushed and measured.
start_kscale --worker-threads 1 --metrics-max-age 0
BASE="http://127.0.0.1:$HTTP_PORT"
# One write and one read first, so that the baseline includes a warmed-up server.
curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/json' -d '"1"' \
  "$BASE/write-metrics/namespaces/warmup/pods/warmup/http_requests_qps"
curl -sS -f -o /dev/null "$BASE/apis/custom.metrics.k8s.io/v1beta1/namespaces/warmup/pods/*/http_requests_qps"
BEFORE=$(vm_rss_kib "$KSCALE_PID")

START=$(date +%s.%N)
for ((base = 0; base < SERIES; base += BATCH)); do
  # Pod names "web-7d9f8-" + 5 characters of the ReplicaSet alphabet, as store_memory_bench.
  awk -v from="$base" -v to="$(( base + BATCH < SERIES ? base + BATCH : SERIES ))" 'BEGIN {
    a = "bcdfghjklmnpqrstvwxz2456789"
    printf "{\"kind\":\"MetricValueList\",\"apiVersion\":\"custom.metrics.k8s.io/v1beta2\",\"metadata\":{},\"items\":["
    for (i = from; i < to; i++) {
      s = ""; k = i
      for (j = 0; j < 5; j++) { s = s substr(a, k % 27 + 1, 1); k = int(k / 27) }
      printf "%s{\"describedObject\":{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"web-7d9f8-%s\",\"apiVersion\":\"v1\"},\"metric\":{\"name\":\"http_requests_qps\"},\"value\":\"%dm\"}", (i > from ? "," : ""), s, i % 100000
    }
    printf "]}"
  }' >"$WORK/batch.json"
  curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/batch.json" \
    "$BASE/write-metrics"
done
END=$(date +%s.%N)
sleep 1
AFTER=$(vm_rss_kib "$KSCALE_PID")
STORED=$(curl -sS -f "$BASE/metrics" | awk '$1 == "kscale_store_series" {print $2}')
# A wildcard read over all of them (the biggest answer the store can give here) and the RSS after.
READ_BYTES=$(curl -sS -f "$BASE/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests_qps" | wc -c)
AFTER_READ=$(vm_rss_kib "$KSCALE_PID")

echo "memory_bench: $SERIES series pushed as MetricValueList batches of $BATCH to kscale adapter --worker-threads 1"
machine_line
printf 'kscale process: VmRSS before %d KiB, after %d KiB (stored series: %s, push took %.1f s)\n' \
  "$BEFORE" "$AFTER" "$STORED" "$(awk -v a="$START" -v b="$END" 'BEGIN {print b - a}')"
awk -v b="$BEFORE" -v a="$AFTER" -v n="$SERIES" 'BEGIN {
  printf "kscale process: resident bytes per series: %.1f\n", (a - b) * 1024 / n }'
awk -v b="$BEFORE" -v a="$AFTER_READ" -v n="$SERIES" -v r="$READ_BYTES" 'BEGIN {
  printf "kscale process after one wildcard read of all of them (%d bytes answered): %.1f bytes per series\n", r, (a - b) * 1024 / n }'
echo "target: <= 256 resident bytes per series"

if [[ -x "$STORE_MEMORY_BENCH" ]]; then
  echo
  echo "store alone ($STORE_MEMORY_BENCH $SERIES):"
  "$STORE_MEMORY_BENCH" "$SERIES"
fi
