#include "core/group_resource.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace kscale::core {

GroupResource GroupResource::parse(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) {
    return {std::string(text), ""};
  }
  return {std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
}

std::string GroupResource::to_string() const {
  return group.empty() ? resource : resource + "." + group;
}

namespace {

struct BuiltIn {
  std::string_view resource;
  std::string_view singular;
  std::string_view group;
  std::string_view kind;
  std::string_view version;
  bool namespaced;
};

// The built-in resources of the Kubernetes API that metrics are commonly attached to.
constexpr std::array kBuiltIns = {
    BuiltIn{"pods", "pod", "", "Pod", "v1", true},
    BuiltIn{"services", "service", "", "Service", "v1", true},
    BuiltIn{"namespaces", "namespace", "", "Namespace", "v1", false},
    BuiltIn{"nodes", "node", "", "Node", "v1", false},
    BuiltIn{"persistentvolumes", "persistentvolume", "", "PersistentVolume", "v1", false},
    BuiltIn{"persistentvolumeclaims", "persistentvolumeclaim", "", "PersistentVolumeClaim", "v1",
            true},
    BuiltIn{"configmaps", "configmap", "", "ConfigMap", "v1", true},
    BuiltIn{"endpoints", "endpoints", "", "Endpoints", "v1", true},
    BuiltIn{"replicationcontrollers", "replicationcontroller", "", "ReplicationController", "v1",
            true},
    BuiltIn{"deployments", "deployment", "apps", "Deployment", "v1", true},
    BuiltIn{"statefulsets", "statefulset", "apps", "StatefulSet", "v1", true},
    BuiltIn{"replicasets", "replicaset", "apps", "ReplicaSet", "v1", true},
    BuiltIn{"daemonsets", "daemonset", "apps", "DaemonSet", "v1", true},
    BuiltIn{"jobs", "job", "batch", "Job", "v1", true},
    BuiltIn{"cronjobs", "cronjob", "batch", "CronJob", "v1", true},
    BuiltIn{"ingresses", "ingress", "networking.k8s.io", "Ingress", "v1", true},
    BuiltIn{"horizontalpodautoscalers", "horizontalpodautoscaler", "autoscaling",
            "HorizontalPodAutoscaler", "v2", true},
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

ResourceInfo from_builtin(const BuiltIn& b) {
  ResourceInfo info;
  info.group_resource = {std::string(b.resource), std::string(b.group)};
  info.kind = std::string(b.kind);
  info.api_version = b.group.empty() ? std::string(b.version)
                                     : std::string(b.group) + "/" + std::string(b.version);
  info.namespaced = b.namespaced;
  return info;
}

// Upstream: apimachinery pkg/api/meta/restmapper.go UnsafeGuessKindToResource.
std::string guess_plural(std::string_view singular) {
  std::string s = lower(singular);
  if (s.empty()) {
    return s;
  }
  if (s.back() == 's') {
    return s + "es";
  }
  if (s.back() == 'y') {
    return s.substr(0, s.size() - 1) + "ies";
  }
  return s + "s";
}

// Inverse guess for custom resources addressed by plural: "widgets" → "Widget".
std::string guess_kind(std::string_view plural) {
  std::string s(plural);
  if (s.size() > 3 && s.ends_with("ies")) {
    s = s.substr(0, s.size() - 3) + "y";
  } else if (s.size() > 1 && s.ends_with("s")) {
    s.pop_back();
  }
  if (!s.empty()) {
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  }
  return s;
}

}  // namespace

std::string validate_dns1123_label(std::string_view name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  const std::string msg =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
      "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')";
  if (name.empty()) {
    return msg;
  }
  if (name.size() > 63) {
    return "must be no more than 63 characters";
  }
  if (!alnum(name.front()) || !alnum(name.back())) {
    return msg;
  }
  for (char c : name) {
    if (!alnum(c) && c != '-') {
      return msg;
    }
  }
  return {};
}

std::string validate_dns1123_subdomain(std::string_view name) {
  const std::string msg =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
      "'.', and must start and end with an alphanumeric character (e.g. 'example.com')";
  if (name.empty()) {
    return msg;
  }
  if (name.size() > 253) {
    return "must be no more than 253 characters";
  }
  size_t start = 0;
  while (true) {
    const auto dot = name.find('.', start);
    const auto label = name.substr(start, dot == std::string_view::npos ? name.npos : dot - start);
    if (!validate_dns1123_label(label).empty() && label.size() <= 63) {
      return msg;
    }
    if (label.size() > 63) {
      return msg;
    }
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return {};
}

Result<ResourceInfo> resolve_resource(std::string_view text) {
  const GroupResource gr = GroupResource::parse(lower(text));
  if (gr.resource.empty()) {
    return fail(Error::bad_request("invalid resource \"" + std::string(text) +
                                   "\": want a resource such as pods or deployments.apps"));
  }
  for (const auto& b : kBuiltIns) {
    // An empty group on input matches the core group only, as the HPA always qualifies others.
    const bool group_ok = gr.group == b.group;
    if (group_ok && (gr.resource == b.resource || gr.resource == b.singular)) {
      return from_builtin(b);
    }
  }
  if (!validate_dns1123_subdomain(gr.resource).empty() ||
      (!gr.group.empty() && !validate_dns1123_subdomain(gr.group).empty())) {
    return fail(Error::bad_request("invalid resource \"" + std::string(text) +
                                   "\": want a lower-case resource name such as pods or "
                                   "deployments.apps"));
  }
  ResourceInfo info;
  info.group_resource = gr;
  info.kind = guess_kind(gr.resource);
  info.api_version = gr.group.empty() ? "v1" : gr.group + "/v1";
  info.namespaced = true;
  return info;
}

Result<ResourceInfo> resolve_kind(std::string_view kind, std::string_view api_version) {
  if (kind.empty()) {
    return fail(Error::bad_request("describedObject.kind is required (e.g. Pod)"));
  }
  std::string_view av = api_version;
  if (!av.empty() && av.front() == '/') {
    av.remove_prefix(1);  // the Go helper's malformed "/v1" for core objects
  }
  const auto slash = av.find('/');
  const std::string group = slash == std::string_view::npos ? "" : std::string(av.substr(0, slash));
  for (const auto& b : kBuiltIns) {
    if (b.kind == kind && b.group == group) {
      return from_builtin(b);
    }
  }
  ResourceInfo info;
  info.group_resource = {guess_plural(kind), group};
  info.kind = std::string(kind);
  info.api_version = av.empty() ? "v1" : std::string(av);
  info.namespaced = true;
  return info;
}

}  // namespace kscale::core
