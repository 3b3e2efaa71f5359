#!/usr/bin/env bash
# End-to-end: `kscale replicas` on a decision document built from `kubectl get -o json` shapes,
# checked field by field, and `kscale simulate` on the seed burst (timeline, summary, SVG).
set -euo pipefail
kscale=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { python3 -c "import json,sys; d=json.load(open('$tmp/out.json')); e=sys.argv[1]; print(json.dumps(eval(e[1:] if e.startswith('=') else 'd'+e)))" "$1"; }
expect() { local got; got=$(field "$1"); [ "$got" = "$2" ] || fail "$1: got $got, want $2"; }

cat > "$tmp/decision.json" <<'JSON'
{"apiVersion":"kscale.io/v1alpha1","kind":"HPADecision","now":"2026-11-23T12:00:00Z",
 "hpa":{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
  "metadata":{"name":"httpserver-hpa","namespace":"default","uid":"8d2a","resourceVersion":"123","creationTimestamp":"2026-11-23T10:00:00Z"},
  "spec":{"minReplicas":1,"maxReplicas":10,"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"httpserver"},
   "metrics":[{"type":"Pods","pods":{"metric":{"name":"http_requests_qps"},"target":{"type":"AverageValue","averageValue":"30"}}}]},
  "status":{"currentReplicas":3,"desiredReplicas":3,"currentMetrics":null,
   "conditions":[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-11-23T10:01:00Z","reason":"ReadyForNewScale","message":"recommended size matches current size"}]}},
 "scale":{"spec":{"replicas":3},"status":{"replicas":3,"selector":"app=httpserver"}},
 "pods":[
  {"apiVersion":"v1","kind":"Pod","metadata":{"name":"httpserver-7d9-a","namespace":"default","labels":{"app":"httpserver","pod-template-hash":"7d9"}},
   "spec":{"containers":[{"name":"httpserver","image":"x","resources":{}}]},
   "status":{"phase":"Running","startTime":"2026-11-23T10:00:05Z","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-23T10:00:10Z"}]}},
  {"apiVersion":"v1","kind":"Pod","metadata":{"name":"httpserver-7d9-b","namespace":"default","labels":{"app":"httpserver","pod-template-hash":"7d9"}},
   "spec":{"containers":[{"name":"httpserver","image":"x","resources":{}}]},
   "status":{"phase":"Running","startTime":"2026-11-23T10:00:05Z","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-23T10:00:10Z"}]}},
  {"apiVersion":"v1","kind":"Pod","metadata":{"name":"httpserver-7d9-c","namespace":"default","labels":{"app":"httpserver"}},
   "spec":{"containers":[{"name":"httpserver","image":"x"}]},
   "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"}]}},
  {"apiVersion":"v1","kind":"Pod","metadata":{"name":"other","namespace":"default","labels":{"app":"other"}},
   "spec":{"containers":[{"name":"x"}]},"status":{"phase":"Running"}}],
 "metrics":[{"metricValues":{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","metadata":{},
   "items":[{"describedObject":{"kind":"Pod","namespace":"default","name":"httpserver-7d9-a","apiVersion":"/v1"},"metricName":"http_requests_qps","timestamp":"2026-11-23T11:59:50Z","value":"500","selector":null},
            {"describedObject":{"kind":"Pod","namespace":"default","name":"httpserver-7d9-b","apiVersion":"/v1"},"metricName":"http_requests_qps","timestamp":"2026-11-23T11:59:50Z","value":"450500m","selector":null}]}}],
 "state":{"recommendations":[{"replicas":3,"timestamp":"2026-11-23T11:59:45Z"}],"scaleUpEvents":[],"scaleDownEvents":[]}}
JSON
"$kscale" replicas -f "$tmp/decision.json" -o json > "$tmp/out.json"
# 475.25 qps per ready pod vs 30: ratio 15.84; the pending pod counts 0 on a scale-up:
# 950.5/3 = 316.83 → ratio 10.56 → ceil(10.56 × 3) = 32, capped by the legacy limit max(2×3, 4) = 6.
expect "['kind']" '"HPADecisionResult"'
expect "['desiredReplicas']" '6'
expect "['scale']" '{"updated": true, "replicas": 6, "error": null}'
expect "['reconcileError']" 'null'
expect "['recommendation']" '32'
expect "['metrics'][0]['replicas']" '32'
expect "['metrics'][0]['timestamp']" '"2026-11-23T11:59:50Z"'
expect "['metrics'][0]['pods']" '{"ready": 2, "unready": ["httpserver-7d9-c"], "missing": [], "ignored": []}'
expect "['metrics'][0]['status']['pods']['current']['averageValue']" '"475250m"'
expect "['status']['currentReplicas']" '3'
expect "['status']['desiredReplicas']" '6'
expect "['status']['lastScaleTime']" '"2026-11-23T12:00:00Z"'
expect "=[c['reason'] for c in d['status']['conditions']]" '["SucceededRescale", "ValidMetricFound", "ScaleUpLimit"]'
expect "['status']['conditions'][0]['lastTransitionTime']" '"2026-11-23T10:01:00Z"'
expect "['state']['recommendations']" '[{"replicas": 3, "timestamp": "2026-11-23T11:59:45Z"}, {"replicas": 32, "timestamp": "2026-11-23T12:00:00Z"}]'

# Invalid input: exit 2, the message names the field.
sed 's/"type":"AverageValue"/"type":"Value"/' "$tmp/decision.json" > "$tmp/bad.json"
set +e
"$kscale" replicas -f "$tmp/bad.json" -o json > /dev/null 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "invalid document: exit $rc, want 2"
grep -q 'hpa.spec.metrics\[0\].pods.target.type' "$tmp/err" || fail "error does not name the field: $(cat "$tmp/err")"

# simulate: the seed burst reaches maxReplicas 10 and comes back after the 300 s window.
"$kscale" simulate -f "$src/examples/hpa-http-requests-qps.yaml" --load "$src/examples/traces/ab-burst.csv" \
  --plot "$tmp/plot.svg" -o json --out "$tmp/sim.json" 2> "$tmp/summary"
python3 - "$tmp/sim.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"]["peakReplicas"] == 10, d["summary"]
downs = [s["time_s"] for a, s in zip(d["steps"], d["steps"][1:]) if s["replicas"] < a["replicas"]]
assert downs and downs[0] >= 660, downs
PY
python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" "$tmp/plot.svg" || fail "SVG is not well-formed"
grep -q 'id="metric"' "$tmp/plot.svg" && grep -q 'id="replicas"' "$tmp/plot.svg" || fail "SVG misses a series"
grep -q 'peak 10 replicas' "$tmp/summary" || fail "summary: $(cat "$tmp/summary")"
set +e
"$kscale" simulate -f "$src/examples/hpa-http-requests-qps.yaml" --load <(printf 'time_s,http_requests_qps\n10,1\n5,2\n') 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "unsorted trace: exit $rc, want 2"
grep -q 'time_s' "$tmp/err" || fail "trace error does not name the column"
echo "hpa cli: ok"
