#pragma once
// kube: an apps/v1 Deployment manifest (YAML or JSON) into what `kscale autoscale --local`
// needs to run its pod template as local processes; errors name the field as kubectl does.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.h"
#include "core/labels.h"

namespace kscale::kube {

/// core/v1 ContainerPort.
struct ContainerPort {
  std::string name;
  int32_t container_port = 0;
};

/// core/v1 EnvVar with a literal value (valueFrom is not supported locally).
struct EnvVar {
  std::string name;
  std::string value;
};

/// core/v1 Probe with an httpGet handler (the only kind run locally), kubelet's defaults applied.
struct HttpGetProbe {
  std::string path = "/";
  std::string port;  // a number or the name of a container port, as written
  std::string scheme = "HTTP";
  int32_t initial_delay_seconds = 0;
  int32_t period_seconds = 10;
  int32_t timeout_seconds = 1;
  int32_t success_threshold = 1;
  int32_t failure_threshold = 3;
};

struct Deployment {
  std::string name;
  std::string namespace_ = "default";
  int32_t replicas = 1;  // spec.replicas, defaulted to 1 as the API server does
  std::string selector;  // spec.selector as a canonical label selector string
  core::Labels template_labels;
  core::Labels template_annotations;
  int64_t termination_grace_period_seconds = 30;
  std::string container_name;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  std::vector<ContainerPort> ports;
  std::optional<HttpGetProbe> readiness_probe;
};

/// Parses and validates a Deployment. Errors are Invalid and name the field
/// ("spec.template.spec.containers[0].command: Required value: ..."). Only the first container
/// runs; the selector must select the template's labels, as the API server checks.
[[nodiscard]] core::Result<Deployment> read_deployment_manifest(std::string_view text);

}  // namespace kscale::kube
