#include "kube/object_store.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_set>
#include <utility>

namespace kscale::kube {

namespace {

// Values shared by many objects (namespaces, whole label sets: a Deployment's pods all carry
// one), stored once and counted, so a label set disappears with its last object.
template <class Key>
class Pool {
 public:
  template <class K>
  uint32_t acquire(K&& key) {
    auto it = ids_.find(key);
    if (it == ids_.end()) {
      uint32_t id = 0;
      if (free_.empty()) {
        id = static_cast<uint32_t>(slots_.size());
        slots_.emplace_back();
      } else {
        id = free_.back();
        free_.pop_back();
      }
      it = ids_.emplace(Key(std::forward<K>(key)), id).first;
      slots_[id] = Slot{&it->first, 0};
    }
    ++slots_[it->second].refs;
    return it->second;
  }
  void release(uint32_t id) {
    if (--slots_[id].refs == 0) {
      ids_.erase(ids_.find(*slots_[id].key));
      slots_[id].key = nullptr;
      free_.push_back(id);
    }
  }
  template <class K>
  std::optional<uint32_t> find(const K& key) const {
    const auto it = ids_.find(key);
    return it == ids_.end() ? std::nullopt : std::optional<uint32_t>(it->second);
  }
  const Key& get(uint32_t id) const { return *slots_[id].key; }
  std::size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    const Key* key = nullptr;
    uint32_t refs = 0;
  };
  std::map<Key, uint32_t, std::less<>> ids_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

struct KeyRef {
  uint32_t ns;
  std::string_view name;
};

// One object: ~32 bytes, plus one allocation holding name, uid and resourceVersion.
struct Entry {
  uint32_t ns = 0;
  uint32_t labels = 0;
  uint16_t name_len = 0;
  uint16_t uid_len = 0;
  uint16_t rv_len = 0;
  bool deleting = false;
  std::unique_ptr<char[]> text;
  std::unique_ptr<const ObjectMetadata> detail;

  std::string_view name() const { return {text.get(), name_len}; }
  KeyRef key() const { return KeyRef{ns, name()}; }
};

struct EntryHash {
  using is_transparent = void;
  std::size_t operator()(const KeyRef& k) const {
    return std::hash<std::string_view>{}(k.name) ^ (std::size_t{k.ns} * 0x9E3779B97F4A7C15ULL);
  }
  std::size_t operator()(const Entry& e) const { return (*this)(e.key()); }
};

struct EntryEq {
  using is_transparent = void;
  static KeyRef key(const KeyRef& k) { return k; }
  static KeyRef key(const Entry& e) { return e.key(); }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return key(a).ns == key(b).ns && key(a).name == key(b).name;
  }
};

// A label set as one string, "key\0value\0" per label in key order: one allocation per distinct
// set instead of a map node per label (label keys and values never hold NUL).
std::string flatten(const core::Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out.append(k).push_back('\0');
    out.append(v).push_back('\0');
  }
  return out;
}

core::Labels unflatten(std::string_view flat) {
  core::Labels out;
  while (!flat.empty()) {
    const auto k = flat.find('\0');
    const auto v = flat.find('\0', k + 1);
    out.emplace_hint(out.end(), std::string(flat.substr(0, k)),
                     std::string(flat.substr(k + 1, v - k - 1)));
    flat.remove_prefix(v + 1);
  }
  return out;
}

uint16_t clamp16(std::size_t n) { return static_cast<uint16_t>(std::min<std::size_t>(n, 0xFFFF)); }

}  // namespace

struct ObjectStore::Table {
  Pool<std::string> namespaces;
  Pool<std::string> label_sets;  // flattened
  std::unordered_set<Entry, EntryHash, EntryEq> entries;

  std::optional<KeyRef> key_of(std::string_view ns, std::string_view name) const {
    const auto id = namespaces.find(ns);
    return id ? std::optional<KeyRef>(KeyRef{*id, name}) : std::nullopt;
  }
  const Entry* find(std::string_view ns, std::string_view name) const {
    const auto key = key_of(ns, name);
    if (!key) {
      return nullptr;
    }
    const auto it = entries.find(*key);
    return it == entries.end() ? nullptr : &*it;
  }
  // Whether a detail was removed.
  bool erase(std::string_view ns, std::string_view name) {
    const auto key = key_of(ns, name);
    if (!key) {
      return false;
    }
    const auto it = entries.find(*key);
    if (it == entries.end()) {
      return false;
    }
    const bool had_detail = it->detail != nullptr;
    const uint32_t ns_id = it->ns;
    label_sets.release(it->labels);
    entries.erase(it);
    namespaces.release(ns_id);
    return had_detail;
  }
  // Whether a detail was added, changed or removed.
  bool put(ObjectMetadata&& o, const std::function<bool(const ObjectMetadata&)>& keep_detail) {
    bool changed = erase(o.namespace_name, o.name);
    const bool keep = keep_detail && keep_detail(o);
    Entry e;
    e.ns = namespaces.acquire(std::string_view(o.namespace_name));
    e.labels = label_sets.acquire(flatten(o.labels));
    e.name_len = clamp16(o.name.size());
    e.uid_len = clamp16(o.uid.size());
    e.rv_len = clamp16(o.resource_version.size());
    e.deleting = o.deleting;
    e.text = std::make_unique_for_overwrite<char[]>(e.name_len + e.uid_len + e.rv_len);
    std::copy_n(o.name.data(), e.name_len, e.text.get());
    std::copy_n(o.uid.data(), e.uid_len, e.text.get() + e.name_len);
    std::copy_n(o.resource_version.data(), e.rv_len, e.text.get() + e.name_len + e.uid_len);
    if (keep) {
      e.detail = std::make_unique<const ObjectMetadata>(std::move(o));
      changed = true;
    }
    entries.insert(std::move(e));
    return changed;
  }
  std::size_t details() const {
    return static_cast<std::size_t>(std::count_if(
        entries.begin(), entries.end(), [](const Entry& e) { return e.detail != nullptr; }));
  }
};

ObjectStore::ObjectStore(std::function<bool(const ObjectMetadata&)> keep_detail)
    : keep_detail_(std::move(keep_detail)), table_(std::make_unique<Table>()) {}

ObjectStore::~ObjectStore() = default;

void ObjectStore::detail_changed() {
  detail_version_.fetch_add(1);
  if (on_detail_change_) {
    on_detail_change_();
  }
}

void ObjectStore::upsert(ObjectMetadata&& object) {
  bool changed = false;
  {
    std::unique_lock lock(mutex_);
    changed = table_->put(std::move(object), keep_detail_);
    version_.fetch_add(1);
  }
  if (changed) {
    detail_changed();
  }
}

void ObjectStore::remove(std::string_view namespace_name, std::string_view name) {
  bool changed = false;
  {
    std::unique_lock lock(mutex_);
    changed = table_->erase(namespace_name, name);
    version_.fetch_add(1);
  }
  if (changed) {
    detail_changed();
  }
}

void ObjectStore::begin_replace() { pending_ = std::make_unique<Table>(); }

void ObjectStore::replace_item(ObjectMetadata&& object) {
  if (!pending_) {
    begin_replace();
  }
  pending_->put(std::move(object), keep_detail_);
}

void ObjectStore::end_replace() {
  if (!pending_) {
    begin_replace();
  }
  const bool changed = pending_->details() > 0 || [&] {
    std::shared_lock lock(mutex_);
    return table_->details() > 0;
  }();
  {
    std::unique_lock lock(mutex_);
    table_.swap(pending_);
    version_.fetch_add(1);
  }
  pending_.reset();  // the old set, freed outside the lock
  if (changed) {
    detail_changed();
  }
}

std::size_t ObjectStore::size() const {
  std::shared_lock lock(mutex_);
  return table_->entries.size();
}

std::optional<core::Labels> ObjectStore::labels_of(std::string_view namespace_name,
                                                   std::string_view name) const {
  std::shared_lock lock(mutex_);
  const Entry* e = table_->find(namespace_name, name);
  return e == nullptr ? std::nullopt
                      : std::optional<core::Labels>(unflatten(table_->label_sets.get(e->labels)));
}

bool ObjectStore::contains(std::string_view namespace_name, std::string_view name) const {
  std::shared_lock lock(mutex_);
  return table_->find(namespace_name, name) != nullptr;
}

std::vector<std::string> ObjectStore::select(std::string_view namespace_name,
                                             const core::LabelSelector& selector) const {
  std::vector<std::string> out;
  std::shared_lock lock(mutex_);
  const Table& t = *table_;
  std::optional<uint32_t> ns;
  if (!namespace_name.empty()) {
    ns = t.namespaces.find(namespace_name);
    if (!ns) {
      return out;
    }
  }
  // Each label set is matched once: -1 unknown, 0 no, 1 yes.
  std::vector<int8_t> matched(t.label_sets.capacity(), -1);
  for (const Entry& e : t.entries) {
    if (ns && e.ns != *ns) {
      continue;
    }
    int8_t& m = matched[e.labels];
    if (m < 0) {
      m = selector.matches(unflatten(t.label_sets.get(e.labels))) ? 1 : 0;
    }
    if (m == 1) {
      out.emplace_back(e.name());
    }
  }
  lock.unlock();
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ObjectMetadata> ObjectStore::details() const {
  std::vector<ObjectMetadata> out;
  {
    std::shared_lock lock(mutex_);
    for (const Entry& e : table_->entries) {
      if (e.detail) {
        out.push_back(*e.detail);
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const ObjectMetadata& a, const ObjectMetadata& b) {
    return std::tie(a.namespace_name, a.name) < std::tie(b.namespace_name, b.name);
  });
  return out;
}

}  // namespace kscale::kube
