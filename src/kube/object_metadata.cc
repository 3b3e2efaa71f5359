#include "kube/object_metadata.h"

#include <utility>

#include "core/json_reader.h"

namespace kscale::kube {

namespace json = boost::json;
using namespace core::json_reader;

namespace {

// A string member, or "" when absent or null.
core::Result<std::string> optional_string(const json::value& obj, std::string_view key,
                                          const std::string& path) {
  const auto* v = member(obj, key);
  if (v == nullptr) {
    return std::string();
  }
  return as_string(*v, child(path, key));
}

core::Result<void> decode_meta(const json::value& md, const std::string& mp, ObjectShape shape,
                               ObjectMetadata& o) {
  KSCALE_TRY(object, as_object(md, mp));
  (void)object;
  for (auto [key, out] :
       {std::pair{"name", &o.name}, std::pair{"namespace", &o.namespace_name},
        std::pair{"uid", &o.uid}, std::pair{"resourceVersion", &o.resource_version}}) {
    KSCALE_TRY(text, optional_string(md, key, mp));
    *out = std::move(text);
  }
  if (const auto* labels = member(md, "labels")) {
    KSCALE_TRY(l, as_string_map(*labels, child(mp, "labels")));
    o.labels = std::move(l);
  }
  o.deleting = member(md, "deletionTimestamp") != nullptr;
  const auto* annotations = member(md, "annotations");
  if (shape == ObjectShape::ScrapedPod && annotations != nullptr && annotations->is_object()) {
    for (const auto& kv : annotations->get_object()) {
      if (kv.key().starts_with("prometheus.io/") && kv.value().is_string()) {
        o.annotations.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
      }
    }
  }
  return {};
}

core::Result<void> decode_ports(const json::value& spec, const std::string& sp, ObjectMetadata& o) {
  const auto* containers = member(spec, "containers");
  if (containers == nullptr) {
    return {};
  }
  KSCALE_TRY(arr, as_array(*containers, child(sp, "containers")));
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* ports = member((*arr)[i], "ports");
    if (ports == nullptr) {
      continue;
    }
    const std::string pp = child(index(child(sp, "containers"), i), "ports");
    KSCALE_TRY(parr, as_array(*ports, pp));
    for (std::size_t j = 0; j < parr->size(); ++j) {
      const auto& p = (*parr)[j];
      KSCALE_TRY(name, optional_string(p, "name", index(pp, j)));
      ContainerPort port{std::move(name), 0};
      if (const auto* n = member(p, "containerPort")) {
        KSCALE_TRY(number, as_int(*n, child(index(pp, j), "containerPort")));
        port.port = static_cast<int32_t>(number);
      }
      o.ports.push_back(std::move(port));
    }
  }
  return {};
}

core::Result<void> decode_pod_status(const json::value& st, const std::string& stp,
                                     ObjectMetadata& o) {
  KSCALE_TRY(phase, optional_string(st, "phase", stp));
  KSCALE_TRY(ip, optional_string(st, "podIP", stp));
  o.phase = std::move(phase);
  o.pod_ip = std::move(ip);
  const auto* conditions = member(st, "conditions");
  if (conditions == nullptr) {
    return {};
  }
  KSCALE_TRY(arr, as_array(*conditions, child(stp, "conditions")));
  for (const auto& c : *arr) {
    const auto* type = member(c, "type");
    const auto* status = member(c, "status");
    if (type != nullptr && type->is_string() && type->get_string() == "Ready") {
      o.ready = status != nullptr && status->is_string() && status->get_string() == "True";
    }
  }
  return {};
}

core::Result<void> decode_shape(const json::value& v, const std::string& path, ObjectShape shape,
                                ObjectMetadata& o) {
  if (shape == ObjectShape::ScrapedPod) {
    if (const auto* spec = member(v, "spec")) {
      if (auto r = decode_ports(*spec, child(path, "spec"), o); !r) {
        return r;
      }
    }
    if (const auto* status = member(v, "status")) {
      return decode_pod_status(*status, child(path, "status"), o);
    }
  } else if (shape == ObjectShape::ConfigMapData) {
    if (const auto* data = member(v, "data")) {
      KSCALE_TRY(d, as_string_map(*data, child(path, "data")));
      o.data = std::move(d);
    }
  }
  return {};
}

}  // namespace

core::Result<ObjectMetadata> decode_object_metadata(const json::value& v, ObjectShape shape,
                                                    const std::string& path) {
  ObjectMetadata o;
  KSCALE_TRY(object, as_object(v, path));
  (void)object;
  const std::string mp = child(path, "metadata");
  const auto* md = member(v, "metadata");
  if (md == nullptr) {
    return core::fail(field_error(mp, "Required value"));
  }
  if (auto r = decode_meta(*md, mp, shape, o); !r) {
    return core::fail(r.error());
  }
  if (o.name.empty()) {
    return core::fail(field_error(child(mp, "name"), "Required value"));
  }
  if (auto r = decode_shape(v, path, shape, o); !r) {
    return core::fail(r.error());
  }
  return o;
}

core::Result<ListMeta> decode_object_list(const json::value& v, ObjectShape shape,
                                          const std::function<void(ObjectMetadata&&)>& item) {
  KSCALE_TRY(object, as_object(v, ""));
  (void)object;
  ListMeta meta;
  if (const auto* md = member(v, "metadata")) {
    KSCALE_TRY(rv, optional_string(*md, "resourceVersion", "metadata"));
    KSCALE_TRY(token, optional_string(*md, "continue", "metadata"));
    meta.resource_version = std::move(rv);
    meta.continue_token = std::move(token);
  }
  const auto* items = member(v, "items");
  if (items == nullptr) {
    return meta;
  }
  KSCALE_TRY(arr, as_array(*items, "items"));
  for (std::size_t i = 0; i < arr->size(); ++i) {
    KSCALE_TRY(o, decode_object_metadata((*arr)[i], shape, index("items", i)));
    item(std::move(o));
  }
  return meta;
}

}  // namespace kscale::kube
