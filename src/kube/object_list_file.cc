#include "kube/object_list_file.h"

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

namespace kscale::kube {

namespace {

core::Result<void> add_object(const YAML::Node& obj, const std::string& where, ObjectIndex& index) {
  if (!obj.IsMap()) {
    return core::fail(core::Error::bad_request(where + ": want an object"));
  }
  const std::string kind = obj["kind"] ? obj["kind"].as<std::string>() : "";
  const std::string api_version = obj["apiVersion"] ? obj["apiVersion"].as<std::string>() : "v1";
  if (kind == "List" || kind.ends_with("List")) {
    const auto items = obj["items"];
    for (size_t i = 0; items && i < items.size(); ++i) {
      auto r = add_object(items[i], where + "items[" + std::to_string(i) + "]", index);
      if (!r) {
        return r;
      }
    }
    return {};
  }
  const auto meta = obj["metadata"];
  if (!meta || !meta["name"]) {
    return core::fail(core::Error::bad_request(where + ".metadata.name: required"));
  }
  auto info = core::resolve_kind(kind, api_version);
  if (!info) {
    return core::fail(info.error().with_context(where + ".kind"));
  }
  core::Labels labels;
  if (meta["labels"] && meta["labels"].IsMap()) {
    for (const auto& kv : meta["labels"]) {
      labels.emplace(kv.first.as<std::string>(), kv.second.as<std::string>());
    }
  }
  const std::string ns = info->namespaced && meta["namespace"] ? meta["namespace"].as<std::string>()
                         : info->namespaced                    ? "default"
                                                               : "";
  index[{info->group_resource.to_string(), ns, meta["name"].as<std::string>()}] = std::move(labels);
  return {};
}

}  // namespace

core::Result<ObjectIndex> parse_object_list(std::string_view text) {
  ObjectIndex index;
  try {
    const auto docs = YAML::LoadAll(std::string(text));
    for (size_t d = 0; d < docs.size(); ++d) {
      if (docs[d].IsNull()) {
        continue;
      }
      auto r = add_object(docs[d], docs.size() > 1 ? "documents[" + std::to_string(d) + "]." : "",
                          index);
      if (!r) {
        return core::fail(r.error());
      }
    }
  } catch (const YAML::Exception& e) {
    return core::fail(core::Error::bad_request(std::string("invalid objects file: ") + e.what()));
  }
  return index;
}

ObjectListFile::ObjectListFile(std::filesystem::path path, const core::Clock& clock,
                               std::chrono::milliseconds check_every)
    : path_(std::move(path)), clock_(clock), check_every_(check_every) {}

core::Result<std::unique_ptr<ObjectListFile>> ObjectListFile::open(
    std::filesystem::path path, const core::Clock& clock, std::chrono::milliseconds check_every) {
  auto file = std::make_unique<ObjectListFile>(std::move(path), clock, check_every);
  std::ifstream in(file->path_);
  if (!in) {
    return core::fail(
        core::Error::bad_request("--objects " + file->path_.string() + ": cannot read the file"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto index = parse_object_list(ss.str());
  if (!index) {
    return core::fail(index.error().with_context("--objects " + file->path_.string()));
  }
  std::error_code ec;
  file->mtime_ = std::filesystem::last_write_time(file->path_, ec);
  file->index_ = std::make_shared<const ObjectIndex>(std::move(*index));
  file->next_check_ = clock.monotonic_now() + check_every;
  return file;
}

void ObjectListFile::maybe_reload() const {
  const auto now = clock_.monotonic_now();
  if (now < next_check_) {
    return;
  }
  next_check_ = now + check_every_;
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path_, ec);
  if (ec || mtime == mtime_) {
    return;
  }
  mtime_ = mtime;
  std::ifstream in(path_);
  std::stringstream ss;
  ss << in.rdbuf();
  auto index = parse_object_list(ss.str());
  if (!index) {
    spdlog::warn("--objects {}: keeping the previous objects: {}", path_.string(),
                 index.error().message);
    return;
  }
  spdlog::info("--objects {}: reloaded {} objects", path_.string(), index->size());
  index_ = std::make_shared<const ObjectIndex>(std::move(*index));
}

std::shared_ptr<const ObjectIndex> ObjectListFile::current() const {
  std::lock_guard lock(mutex_);
  maybe_reload();
  return index_;
}

core::Result<std::vector<std::string>> ObjectListFile::select(
    const core::GroupResource& gr, std::string_view namespace_name,
    const core::LabelSelector& selector) const {
  return select_objects(*current(), gr, namespace_name, selector);
}

std::vector<std::string> select_objects(const ObjectIndex& index, const core::GroupResource& gr,
                                        std::string_view namespace_name,
                                        const core::LabelSelector& selector) {
  std::vector<std::string> out;
  const std::string resource = gr.to_string();
  const std::string ns(namespace_name);
  // Keys sort by (resource, namespace, name): the range of one namespace is contiguous and in
  // name order.
  for (auto it = index.lower_bound(std::make_tuple(resource, ns, std::string()));
       it != index.end() && std::get<0>(it->first) == resource && std::get<1>(it->first) == ns;
       ++it) {
    if (selector.matches(it->second)) {
      out.push_back(std::get<2>(it->first));
    }
  }
  return out;
}

std::optional<core::Labels> ObjectListFile::labels_of(const core::GroupResource& gr,
                                                      std::string_view namespace_name,
                                                      std::string_view name) const {
  const auto index = current();
  const auto it =
      index->find(std::make_tuple(gr.to_string(), std::string(namespace_name), std::string(name)));
  if (it == index->end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace kscale::kube
