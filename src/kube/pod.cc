#include "kube/pod.h"

#include <utility>

#include "core/json_reader.h"

namespace kscale::kube {

namespace json = boost::json;
using namespace core::json_reader;

core::Result<hpa::ResourceList> decode_resource_list(const json::value& v,
                                                     const std::string& path) {
  hpa::ResourceList out;
  KSCALE_TRY(obj, as_object(v, path));
  for (const auto& kv : *obj) {
    KSCALE_TRY(milli, as_quantity_milli(kv.value(), child(path, kv.key())));
    out.emplace_back(std::string(kv.key()), milli);
  }
  return out;
}

namespace {

core::Result<hpa::Container> decode_container(const json::value& v, const std::string& path) {
  hpa::Container c;
  if (const auto* n = member(v, "name")) {
    KSCALE_TRY(name, as_string(*n, child(path, "name")));
    c.name = name;
  }
  if (const auto* res = member(v, "resources")) {
    if (const auto* req = member(*res, "requests")) {
      KSCALE_TRY(r, decode_resource_list(*req, child(child(path, "resources"), "requests")));
      c.requests = std::move(r);
    }
  }
  if (const auto* rp = member(v, "restartPolicy")) {
    KSCALE_TRY(policy, as_string(*rp, child(path, "restartPolicy")));
    c.restart_policy_always = policy == "Always";
  }
  return c;
}

core::Result<void> decode_pod_metadata(const json::value& md, const std::string& mp, hpa::Pod& p) {
  if (const auto* n = member(md, "name")) {
    KSCALE_TRY(name, as_string(*n, child(mp, "name")));
    p.name = name;
  }
  if (const auto* labels = member(md, "labels")) {
    KSCALE_TRY(lobj, as_object(*labels, child(mp, "labels")));
    for (const auto& kv : *lobj) {
      KSCALE_TRY(val, as_string(kv.value(), child(child(mp, "labels"), kv.key())));
      p.labels.emplace(std::string(kv.key()), val);
    }
  }
  p.deleted = member(md, "deletionTimestamp") != nullptr;
  return {};
}

core::Result<void> decode_pod_spec(const json::value& spec, const std::string& sp, hpa::Pod& p) {
  for (auto [key, out] :
       {std::pair{"containers", &p.containers}, std::pair{"initContainers", &p.init_containers}}) {
    if (const auto* list = member(spec, key)) {
      KSCALE_TRY(arr, as_array(*list, child(sp, key)));
      for (std::size_t i = 0; i < arr->size(); ++i) {
        KSCALE_TRY(c, decode_container((*arr)[i], index(child(sp, key), i)));
        out->push_back(std::move(c));
      }
    }
  }
  if (const auto* res = member(spec, "resources")) {
    if (const auto* req = member(*res, "requests")) {
      KSCALE_TRY(r, decode_resource_list(*req, child(child(sp, "resources"), "requests")));
      p.pod_requests = std::move(r);
    }
  }
  return {};
}

// status.conditions: only Ready is kept (the last one, when several).
core::Result<void> decode_ready_condition(const json::value& conds, const std::string& stp,
                                          hpa::Pod& p) {
  KSCALE_TRY(arr, as_array(conds, child(stp, "conditions")));
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto& c = (*arr)[i];
    const std::string cp = index(child(stp, "conditions"), i);
    const auto* type = member(c, "type");
    if (type == nullptr || !type->is_string() || type->as_string() != "Ready") {
      continue;
    }
    hpa::PodReadyCondition ready;
    if (const auto* s = member(c, "status")) {
      KSCALE_TRY(status_text, as_string(*s, child(cp, "status")));
      ready.status = status_text == "True"    ? hpa::ConditionStatus::True
                     : status_text == "False" ? hpa::ConditionStatus::False
                                              : hpa::ConditionStatus::Unknown;
    }
    if (const auto* t = member(c, "lastTransitionTime")) {
      KSCALE_TRY(time, as_time(*t, child(cp, "lastTransitionTime")));
      ready.last_transition_time = time;
    }
    p.ready = ready;
  }
  return {};
}

core::Result<void> decode_pod_status(const json::value& status, const std::string& stp,
                                     hpa::Pod& p) {
  if (const auto* ph = member(status, "phase")) {
    KSCALE_TRY(phase, as_string(*ph, child(stp, "phase")));
    p.phase = phase == "Pending"     ? hpa::PodPhase::Pending
              : phase == "Running"   ? hpa::PodPhase::Running
              : phase == "Succeeded" ? hpa::PodPhase::Succeeded
              : phase == "Failed"    ? hpa::PodPhase::Failed
                                     : hpa::PodPhase::Unknown;
  }
  if (const auto* st = member(status, "startTime")) {
    KSCALE_TRY(t, as_time(*st, child(stp, "startTime")));
    p.start_time = t;
  }
  if (const auto* conds = member(status, "conditions")) {
    return decode_ready_condition(*conds, stp, p);
  }
  return {};
}

}  // namespace

core::Result<hpa::Pod> decode_pod(const json::value& v, const std::string& path) {
  hpa::Pod p;
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  const std::string mp = child(path, "metadata");
  if (const auto* md = member(v, "metadata")) {
    if (auto r = decode_pod_metadata(*md, mp, p); !r) {
      return core::fail(r.error());
    }
  }
  if (p.name.empty()) {
    return core::fail(field_error(child(mp, "name"), "Required value"));
  }
  if (const auto* spec = member(v, "spec")) {
    if (auto r = decode_pod_spec(*spec, child(path, "spec"), p); !r) {
      return core::fail(r.error());
    }
  }
  p.phase = hpa::PodPhase::Unknown;
  if (const auto* status = member(v, "status")) {
    if (auto r = decode_pod_status(*status, child(path, "status"), p); !r) {
      return core::fail(r.error());
    }
  }
  return p;
}

}  // namespace kscale::kube
