#pragma once
// kube::ObjectMetadata: what the cluster cache keeps of a listed or watched object — decoded from
// PartialObjectMetadata(List) or, when the server cannot transform, from full objects (both
// accepted); managedFields and everything not listed here are dropped.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/errors.h"
#include "core/labels.h"

namespace kscale::kube {

/// Which parts of an object are decoded beside its metadata.
enum class ObjectShape {
  Metadata,       // name, namespace, uid, resourceVersion, labels, deletionTimestamp
  ScrapedPod,     // + prometheus.io/* annotations, status.phase, status.podIP, Ready, ports
  ConfigMapData,  // + data (the authentication ConfigMap)
};

struct ContainerPort {
  std::string name;  // may be empty
  int32_t port = 0;  // containerPort
};

struct ObjectMetadata {
  std::string namespace_name;  // "" for cluster-scoped objects
  std::string name;
  std::string uid;
  std::string resource_version;
  core::Labels labels;
  bool deleting = false;  // metadata.deletionTimestamp is set
  // ObjectShape::ScrapedPod only:
  core::Labels annotations;          // only the prometheus.io/* ones
  std::string phase;                 // status.phase
  std::string pod_ip;                // status.podIP
  std::optional<bool> ready;         // the Ready condition's status, when present
  std::vector<ContainerPort> ports;  // spec.containers[*].ports, in order
  // ObjectShape::ConfigMapData only:
  core::Labels data;
};

/// One item (an object with `metadata`). Errors name the field under `path`
/// ("items[3].metadata.name: Required value").
[[nodiscard]] core::Result<ObjectMetadata> decode_object_metadata(const boost::json::value& v,
                                                                  ObjectShape shape,
                                                                  const std::string& path);

/// A list answer (PartialObjectMetadataList or a full List): its metadata.resourceVersion and
/// metadata.continue, and each item handed to `item` as it is decoded (so a 100k-item relist
/// never holds every decoded item at once).
struct ListMeta {
  std::string resource_version;
  std::string continue_token;
};
[[nodiscard]] core::Result<ListMeta> decode_object_list(
    const boost::json::value& v, ObjectShape shape,
    const std::function<void(ObjectMetadata&&)>& item);

}  // namespace kscale::kube
