#!/usr/bin/env bash
# `kscale divide` over every scheduling mode (the real binary): each row is a ReplicaDivision
# body (after the apiVersion/kind header) and the exact JSON the command must print; then
# unschedulable and invalid documents, and the yaml and text outputs.
set -euo pipefail
kscale=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
head='apiVersion: kscale.io/v1alpha1
kind: ReplicaDivision'
prefix='{"apiVersion":"kscale.io/v1alpha1","kind":"ReplicaDivisionResult","clusters":'
three='clusters: [{name: member1, labels: {region: east}}, {name: member2, labels: {region: west}}, {name: member3, labels: {region: west}}]'

# expect NAME BODY CLUSTERS-JSON [ERROR-JSON]
expect() {
  local name=$1 body=$2 want="${prefix}$3,\"error\":${4:-null}}" got
  printf '%s\n%s\n' "$head" "$body" > "$tmp/doc.yaml"
  got=$("$kscale" divide -f "$tmp/doc.yaml" -o json) || fail "$name: exit $?"
  [ "$got" = "$want" ] || fail "$name: got $got, want $want"
  echo "ok: $name"
}

expect "static weights by name 3:2:1 (Karmada: replica 12)" "replicas: 12
replicaScheduling:
  replicaDivisionPreference: Weighted
  weightPreference:
    staticWeightList:
    - {targetCluster: {clusterNames: [member1]}, weight: 3}
    - {targetCluster: {clusterNames: [member2]}, weight: 2}
    - {targetCluster: {clusterNames: [member3]}, weight: 1}
$three" '[{"name":"member1","replicas":6},{"name":"member2","replicas":4},{"name":"member3","replicas":2}]'

expect "static weights by label selector, maximum over rules, zero left out" "replicas: 1
replicaScheduling:
  weightPreference:
    staticWeightList:
    - {targetCluster: {labelSelector: {matchLabels: {region: west}}}, weight: 1}
    - {targetCluster: {clusterNames: [member2]}, weight: 2}
$three" '[{"name":"member2","replicas":1}]'

expect "weighted without weightPreference: equal weights" "replicas: 7
replicaScheduling: {replicaSchedulingType: Divided, replicaDivisionPreference: Weighted}
$three" '[{"name":"member1","replicas":3},{"name":"member2","replicas":2},{"name":"member3","replicas":2}]'

expect "odd workload UID breaks ties by descending name" "replicas: 5
uid: d43fdeeb-d750-4e2b-bee3-64eb94534f4c
replicaScheduling: {}
clusters: [{name: A}, {name: B}]" '[{"name":"A","replicas":2},{"name":"B","replicas":3}]'

expect "dynamic weights, scale up places only the delta" "replicas: 24
replicaScheduling: {weightPreference: {dynamicWeight: AvailableReplicas}}
clusters:
- {name: member1, availableReplicas: 10, replicas: 2}
- {name: member2, availableReplicas: 10, replicas: 4}
- {name: member3, availableReplicas: 10, replicas: 6}" '[{"name":"member1","replicas":6},{"name":"member2","replicas":8},{"name":"member3","replicas":10}]'

expect "dynamic weights, scale down shrinks in proportion" "replicas: 6
replicaScheduling: {weightPreference: {dynamicWeight: AvailableReplicas}}
clusters:
- {name: member1, availableReplicas: 1, replicas: 2}
- {name: member2, availableReplicas: 1, replicas: 4}
- {name: member3, availableReplicas: 1, replicas: 6}" '[{"name":"member1","replicas":1},{"name":"member2","replicas":2},{"name":"member3","replicas":3}]'

expect "dynamic weights, steady keeps the assignment" "replicas: 12
replicaScheduling: {weightPreference: {dynamicWeight: AvailableReplicas}}
clusters:
- {name: member1, availableReplicas: 100, replicas: 2}
- {name: member2, availableReplicas: 0, replicas: 10}" '[{"name":"member1","replicas":2},{"name":"member2","replicas":10}]'

expect "dynamic weights, fresh divides the whole total" "replicas: 12
fresh: true
replicaScheduling: {weightPreference: {dynamicWeight: AvailableReplicas}}
clusters:
- {name: member1, availableReplicas: 2, replicas: 10}
- {name: member2, availableReplicas: 12}" '[{"name":"member1","replicas":6},{"name":"member2","replicas":6}]'

expect "aggregated: as few clusters as capacity allows" "replicas: 12
replicaScheduling: {replicaDivisionPreference: Aggregated}
clusters:
- {name: member1, availableReplicas: 6}
- {name: member2, availableReplicas: 8}
- {name: member3, availableReplicas: 10}" '[{"name":"member2","replicas":5},{"name":"member3","replicas":7}]'

expect "duplicated" "replicas: 2
replicaScheduling: {replicaSchedulingType: Duplicated}
clusters: [{name: member2}, {name: member1}]" '[{"name":"member1","replicas":2},{"name":"member2","replicas":2}]'

expect "no replicaScheduling is Duplicated" "replicas: 3
clusters: [{name: member1}]" '[{"name":"member1","replicas":3}]'

expect "legacy dispenser (pre-1.16): floor plus remainder" "replicas: 14
legacy: true
replicaScheduling:
  weightPreference:
    staticWeightList:
    - {targetCluster: {clusterNames: [member1]}, weight: 3}
    - {targetCluster: {clusterNames: [member2]}, weight: 2}
    - {targetCluster: {clusterNames: [member3]}, weight: 1}
$three" '[{"name":"member1","replicas":8},{"name":"member2","replicas":4},{"name":"member3","replicas":2}]'

printf '%s' '{"apiVersion":"kscale.io/v1alpha1","kind":"ReplicaDivision","replicas":4,"clusters":[{"name":"m1"}]}' \
  | "$kscale" divide -f - | grep -qx "${prefix}"'\[{"name":"m1","replicas":4}\],"error":null}' || fail "json on stdin"
echo "ok: json on stdin"

# Unschedulable: exit 0, clusters [], error says why.
expect "unschedulable: capacity below the delta" "replicas: 24
replicaScheduling: {weightPreference: {dynamicWeight: AvailableReplicas}}
clusters:
- {name: member1, availableReplicas: 1, replicas: 2}
- {name: member2, availableReplicas: 1, replicas: 4}" '[]' '"unschedulable: Clusters available replicas 2 are not enough to schedule 18 replicas."'
expect "unschedulable: no candidates" "replicas: 3
replicaScheduling: {}
clusters: []" '[]' '"unschedulable: no clusters available to schedule"'

# Invalid documents: exit 2, stderr names the field.
invalid() {
  local name=$1 body=$2 field=$3 rc
  printf '%s\n%s\n' "$head" "$body" > "$tmp/bad.yaml"
  set +e
  "$kscale" divide -f "$tmp/bad.yaml" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  [ $rc -eq 2 ] || fail "$name: exit $rc, want 2"
  grep -qF "$field" "$tmp/err" || fail "$name: stderr does not name $field: $(cat "$tmp/err")"
  [ ! -s "$tmp/out" ] || fail "$name: printed a result"
  echo "ok: invalid: $name"
}
invalid "weight 0" "replicas: 3
replicaScheduling: {weightPreference: {staticWeightList: [{targetCluster: {clusterNames: [a]}, weight: 0}]}}
clusters: [{name: a}]" "replicaScheduling.weightPreference.staticWeightList[0].weight: Invalid value: 0: must be greater than or equal to 1"
invalid "dynamic without availableReplicas" "replicas: 3
replicaScheduling: {weightPreference: {dynamicWeight: AvailableReplicas}}
clusters: [{name: a}]" "clusters[0].availableReplicas: Required value"
invalid "unknown scheduling type" "replicas: 3
replicaScheduling: {replicaSchedulingType: Spread}
clusters: [{name: a}]" "replicaScheduling.replicaSchedulingType: Unsupported value"
invalid "negative replicas" "replicas: -1
clusters: [{name: a}]" "replicas: Invalid value: -1"
invalid "duplicate cluster" "replicas: 1
clusters: [{name: a}, {name: a}]" "clusters[1].name: Duplicate value"

# Other outputs.
printf '%s\n%s\n' "$head" "replicas: 3
replicaScheduling: {weightPreference: {staticWeightList: [{targetCluster: {clusterNames: [a]}, weight: 2}, {targetCluster: {clusterNames: [b]}, weight: 1}]}}
clusters: [{name: a}, {name: b}]" > "$tmp/doc.yaml"
"$kscale" divide -f "$tmp/doc.yaml" -o yaml > "$tmp/out.yaml"
printf 'apiVersion: kscale.io/v1alpha1\nkind: ReplicaDivisionResult\nclusters:\n  - name: a\n    replicas: 2\n  - name: b\n    replicas: 1\nerror: null\n' \
  | diff - "$tmp/out.yaml" || fail "yaml output"
echo "ok: yaml"
"$kscale" divide -f "$tmp/doc.yaml" -o text > "$tmp/out.txt"
grep -q "strategy: StaticWeight" "$tmp/out.txt" || fail "text: strategy"
grep -q "total: 3" "$tmp/out.txt" || fail "text: total"
echo "ok: text"
echo "PASS"
