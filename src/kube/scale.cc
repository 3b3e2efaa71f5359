#include "kube/scale.h"

#include "core/json_reader.h"

namespace kscale::kube {

namespace json = boost::json;
using namespace core::json_reader;

core::Result<hpa::Scale> decode_scale(const json::value& v, const std::string& path) {
  hpa::Scale s;
  const auto* spec = member(v, "spec");
  const auto* status = member(v, "status");
  if (spec != nullptr) {
    KSCALE_TRY(r, member_count(*spec, "replicas", child(path, "spec"), 0));
    s.spec_replicas = hpa::Replicas(r);
  }
  if (status != nullptr) {
    KSCALE_TRY(r, member_count(*status, "replicas", child(path, "status"), 0));
    s.status_replicas = hpa::Replicas(r);
    if (const auto* sel = member(*status, "selector")) {
      KSCALE_TRY(selector, as_string(*sel, child(child(path, "status"), "selector")));
      s.selector = selector;
    }
  }
  return s;
}

}  // namespace kscale::kube
