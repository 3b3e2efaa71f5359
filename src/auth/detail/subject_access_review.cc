#include "auth/detail/subject_access_review.h"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/detail/field_selector.h"
#include "core/json_reader.h"
#include "core/label_selector.h"

namespace kscale::auth::detail {

namespace {

namespace json = boost::json;

void put_if(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) {
    o[key] = value;
  }
}

json::object requirement(std::string_view key, std::string_view op, json::array values) {
  json::object r({{"key", key}, {"operator", op}}, values.storage());
  if (!values.empty()) {
    r["values"] = std::move(values);
  }
  return r;
}

// Upstream: webhook.go labelSelectorToAuthorizationAPI — =, ==, in → In; !=, notin → NotIn;
// exists, !key; > and < dropped. A selector that does not parse (or keeps nothing) is left out.
json::array label_requirements(std::string_view selector, const json::storage_ptr& sp) {
  json::array out(sp);
  const auto parsed = core::LabelSelector::parse(selector);
  if (!parsed) {
    return out;
  }
  using Op = core::LabelSelector::Operator;
  for (const auto& r : parsed->requirements()) {
    std::string_view op;
    switch (r.op) {
      case Op::Equals:
      case Op::DoubleEquals:
      case Op::In:
        op = "In";
        break;
      case Op::NotEquals:
      case Op::NotIn:
        op = "NotIn";
        break;
      case Op::Exists:
        op = "Exists";
        break;
      case Op::DoesNotExist:
        op = "DoesNotExist";
        break;
      default:
        continue;
    }
    out.push_back(requirement(r.key, op, json::array(r.values.begin(), r.values.end(), sp)));
  }
  return out;
}

// Upstream: webhook.go fieldSelectorToAuthorizationAPI — = and == → In, != → NotIn, one value.
json::array field_requirements(std::string_view selector, const json::storage_ptr& sp) {
  json::array out(sp);
  const auto parsed = parse_field_selector(selector);
  if (!parsed) {
    return out;
  }
  for (const auto& r : *parsed) {
    out.push_back(requirement(r.field, r.not_equals ? "NotIn" : "In",
                              json::array({json::value(r.value, sp)}, sp)));
  }
  return out;
}

json::object resource_attributes(const RequestInfo& info, const json::storage_ptr& sp) {
  json::object a(sp);
  put_if(a, "namespace", info.namespace_name);
  put_if(a, "verb", info.verb);
  put_if(a, "group", info.api_group);
  put_if(a, "version", info.api_version);
  put_if(a, "resource", info.resource);
  put_if(a, "subresource", info.subresource);
  put_if(a, "name", info.name);
  if (auto reqs = field_requirements(info.field_selector, sp); !reqs.empty()) {
    a["fieldSelector"] = json::object({{"requirements", std::move(reqs)}}, sp);
  }
  if (auto reqs = label_requirements(info.label_selector, sp); !reqs.empty()) {
    a["labelSelector"] = json::object({{"requirements", std::move(reqs)}}, sp);
  }
  return a;
}

}  // namespace

std::string encode_sar_spec(const UserInfo& user, const RequestInfo& info) {
  // Built once per request (the cache key): in a stack buffer rather than a dozen allocations.
  unsigned char buffer[4096];
  json::monotonic_resource resource(buffer);
  const json::storage_ptr sp(&resource);
  json::object spec(sp);
  if (info.is_resource_request) {
    spec["resourceAttributes"] = resource_attributes(info, sp);
  } else {
    json::object a(sp);
    put_if(a, "path", info.path);
    put_if(a, "verb", info.verb);
    spec["nonResourceAttributes"] = std::move(a);
  }
  put_if(spec, "user", user.name);
  if (!user.groups.empty()) {
    spec["groups"] = json::array(user.groups.begin(), user.groups.end(), sp);
  }
  if (!user.extra.empty()) {
    json::object extra(sp);
    for (const auto& [key, values] : user.extra) {
      extra[key] = json::array(values.begin(), values.end(), sp);
    }
    spec["extra"] = std::move(extra);
  }
  put_if(spec, "uid", user.uid);
  return json::serialize(spec);
}

std::string encode_sar_body(std::string_view spec_json) {
  std::string body =
      R"({"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":)";
  body += spec_json;
  body += R"(,"status":{"allowed":false}})";
  return body;
}

core::Result<SarStatus> decode_sar_status(std::string_view body) {
  boost::system::error_code ec;
  const auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return core::fail(core::Error::internal("decoding the SubjectAccessReview answer: " +
                                            (ec ? ec.message() : std::string("not an object"))));
  }
  SarStatus status;
  const auto* s = core::json_reader::member(v, "status");
  if (s == nullptr) {
    return status;
  }
  const auto flag = [&](std::string_view key) -> core::Result<bool> {
    const auto* m = core::json_reader::member(*s, key);
    return m ? core::json_reader::as_bool(*m, "status." + std::string(key))
             : core::Result<bool>{false};
  };
  KSCALE_TRY(allowed, flag("allowed"));
  KSCALE_TRY(denied, flag("denied"));
  status.allowed = allowed;
  status.denied = denied;
  if (const auto* r = core::json_reader::member(*s, "reason")) {
    KSCALE_TRY(reason, core::json_reader::as_string(*r, "status.reason"));
    status.reason = std::move(reason);
  }
  return status;
}

}  // namespace kscale::auth::detail
