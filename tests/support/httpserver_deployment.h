#pragma once
// Test fixture: seed 000's httpserver Deployment as `kscale autoscale --local` runs it (selector
// with an expression, $(VAR) references, a named metrics port and an httpGet readiness probe).

#include <string_view>

namespace kscale::testing {

inline constexpr std::string_view kHttpserverDeployment = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpserver
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: httpserver}
    matchExpressions:
      - {key: tier, operator: In, values: [web, front]}
  template:
    metadata:
      labels: {app: httpserver, tier: web}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: metrics}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: httpserver
          command: [kscale]
          args: [httpserver, --metrics-port, $(PORT)]
          env:
            - {name: GREETING, value: "hello $(POD_NAME)"}
          ports:
            - {name: metrics, containerPort: 9100}
          readinessProbe:
            httpGet: {path: /healthz, port: metrics}
            periodSeconds: 2
)yaml";

}  // namespace kscale::testing
