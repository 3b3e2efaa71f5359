#include "store/series_store.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <ratio>
#include <shared_mutex>  // std::shared_lock
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "core/string_hash.h"
#include "store/detail/compact_quantity.h"
#include "store/detail/label_table.h"
#include "store/detail/shared_mutex.h"
#include "store/detail/slot_index.h"

namespace kscale::store {
namespace {

using detail::LabelTable;

// Timestamps are kept as their integer tick count, so they must be exact nanoseconds.
static_assert(std::is_same_v<core::SystemTime::period, std::nano>);
static_assert(std::is_same_v<core::SystemTime::rep, int64_t>);

constexpr int64_t kNoCutoff = std::numeric_limits<int64_t>::min();
constexpr int64_t kNoTimestamp = std::numeric_limits<int64_t>::min();
constexpr int32_t kNoWindow = std::numeric_limits<int32_t>::min();

int64_t to_ns(core::SystemTime t) { return t.time_since_epoch().count(); }

/// A sample is fresh when its timestamp is at or after the cutoff; kNoCutoff when max_age is 0.
int64_t fresh_cutoff(const core::Clock& clock, std::chrono::seconds max_age) {
  constexpr int64_t kNanosPerSecond = 1'000'000'000;
  if (max_age.count() <= 0 ||
      max_age.count() >= std::numeric_limits<int64_t>::max() / kNanosPerSecond) {
    return kNoCutoff;
  }
  const int64_t age = max_age.count() * kNanosPerSecond;
  const int64_t now = to_ns(clock.system_now());
  if (now < kNoCutoff + age) {
    return kNoCutoff;
  }
  return now - age;
}

// One stored value: 40 bytes. The value is a CompactQuantity unless `full` holds the whole
// sample, which happens only when the quantity has no compact form (detail::compact) or the
// window does not fit in an int32.
struct StoredSample {
  int64_t timestamp_ns = 0;
  int64_t value = 0;
  std::unique_ptr<Sample> full;
  int32_t window_s = kNoWindow;
  uint32_t labels = LabelTable::kEmpty;
  int8_t scale = 0;
  core::Quantity::Format format = core::Quantity::Format::DecimalSI;
};
static_assert(sizeof(StoredSample) <= 40);

StoredSample encode(Sample&& sample) {
  StoredSample out;
  out.timestamp_ns = to_ns(sample.timestamp);
  bool window_fits = true;
  if (sample.window) {
    const auto w = sample.window->count();
    window_fits = w > kNoWindow && w <= std::numeric_limits<int32_t>::max();
    if (window_fits) {
      out.window_s = static_cast<int32_t>(w);
    }
  }
  if (window_fits) {
    if (const auto c = detail::compact(sample.value)) {
      out.value = c->value;
      out.scale = c->scale;
      out.format = c->format;
      return out;
    }
  }
  out.full = std::make_unique<Sample>(std::move(sample));
  return out;
}

// The points' samples, encoded (moved out of the points).
template <class Point>
std::vector<StoredSample> encode_samples(std::vector<Point>& points) {
  std::vector<StoredSample> encoded;
  encoded.reserve(points.size());
  for (Point& p : points) {
    encoded.push_back(encode(std::move(p.sample)));
  }
  return encoded;
}

Sample decode(const StoredSample& s) {
  if (s.full) {
    return *s.full;
  }
  Sample out{core::SystemTime{core::SystemTime::duration{s.timestamp_ns}},
             detail::expand({s.value, s.scale, s.format}), std::nullopt};
  if (s.window_s != kNoWindow) {
    out.window = std::chrono::seconds{s.window_s};
  }
  return out;
}

// The further series of an object with more than one label set, in insertion order. Past
// kIndexFrom of them, `index` finds a label set's position so a write does not scan the others.
struct MoreSeries {
  static constexpr size_t kIndexFrom = 8;
  std::vector<StoredSample> samples;
  detail::SlotIndex index;

  uint32_t id_at(uint32_t pos) const { return samples[pos].labels; }

  StoredSample* find(uint32_t id) {
    if (samples.size() < kIndexFrom) {
      for (StoredSample& m : samples) {
        if (m.labels == id) {
          return &m;
        }
      }
      return nullptr;
    }
    const uint32_t pos = index.find(id, [this](uint32_t p) { return id_at(p); });
    return pos == detail::SlotIndex::kNone ? nullptr : &samples[pos];
  }

  // Appends a series whose label set the object does not hold yet.
  void push_back(StoredSample&& s) {
    const auto id_of = [this](uint32_t p) { return id_at(p); };
    samples.push_back(std::move(s));
    const size_t n = samples.size();
    if (n == kIndexFrom) {
      index.rebuild(n, id_of);
    } else if (n > kIndexFrom) {
      index.insert(samples.back().labels, static_cast<uint32_t>(n - 1), id_of);
    }
  }

  // Re-indexes after positions changed (eviction compacted the vector).
  void reindex() {
    if (samples.size() < kIndexFrom) {
      index.clear();
    } else {
      index.rebuild(samples.size(), [this](uint32_t p) { return id_at(p); });
    }
  }
};

// Every series of one object in a family. Almost every object has one label set, so the first
// series is inline and further ones (other metric label sets) go to a side vector.
struct ObjectSeries {
  StoredSample first;
  std::unique_ptr<MoreSeries> more;
};

// Bounds kept per family so reads, discovery and eviction can skip whole families:
// newest_ns is the exact maximum timestamp stored (recomputed after a put lowered it);
// oldest_ns is a lower bound of the timestamps stored (exact after each eviction pass).
struct TimeBounds {
  int64_t newest_ns = kNoTimestamp;
  int64_t oldest_ns = std::numeric_limits<int64_t>::max();
  bool newest_dirty = false;

  void add(int64_t t) {
    newest_ns = std::max(newest_ns, t);
    oldest_ns = std::min(oldest_ns, t);
  }
};

// All series of one (group-resource, namespace, metric): the unit find_custom reads.
struct CustomFamily {
  std::unordered_map<std::string, ObjectSeries, core::StringHash, std::equal_to<>> objects;
  TimeBounds bounds;
};

// All series of one (namespace, metric) of the external API, keyed by label-set id.
struct ExternalFamily {
  std::unordered_map<uint32_t, StoredSample> series;
  TimeBounds bounds;
};

// Families are ordered by (resource, group, metric, namespace) so that discovery lists come out
// sorted as CustomMetricInfo orders them and has_custom_metric is one range.
struct CustomKey {
  core::GroupResource group_resource;
  std::string metric;
  std::string namespace_name;
};
struct CustomKeyView {
  std::string_view resource;
  std::string_view group;
  std::string_view metric;
  std::string_view namespace_name;
};
auto tie_key(const CustomKey& k) {
  return std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>(
      k.group_resource.resource, k.group_resource.group, k.metric, k.namespace_name);
}
auto tie_key(const CustomKeyView& k) {
  return std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>(
      k.resource, k.group, k.metric, k.namespace_name);
}

struct ExternalKey {
  std::string metric;
  std::string namespace_name;
};
struct ExternalKeyView {
  std::string_view metric;
  std::string_view namespace_name;
};
auto tie_key(const ExternalKey& k) {
  return std::tuple<std::string_view, std::string_view>(k.metric, k.namespace_name);
}
auto tie_key(const ExternalKeyView& k) {
  return std::tuple<std::string_view, std::string_view>(k.metric, k.namespace_name);
}

struct KeyLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return tie_key(a) < tie_key(b);
  }
};

using CustomFamilies = std::map<CustomKey, CustomFamily, KeyLess>;
using ExternalFamilies = std::map<ExternalKey, ExternalFamily, KeyLess>;

// Caches a filter's answer for the last label-set id: in a family most series share one label
// set, so a wildcard read calls the filter once instead of once per object.
class FilterMemo {
 public:
  explicit FilterMemo(const std::function<bool(const core::Labels&)>& filter) : filter_(filter) {}

  bool accept(uint32_t id, const core::Labels& labels) {
    if (!filter_) {
      return true;
    }
    if (id != last_id_) {
      last_id_ = id;
      last_ = filter_(labels);
    }
    return last_;
  }

 private:
  const std::function<bool(const core::Labels&)>& filter_;
  uint32_t last_id_ = LabelTable::kNotFound;
  bool last_ = false;
};

template <class Fn>
void for_each_sample(const ObjectSeries& o, Fn&& fn) {
  fn(o.first);
  if (o.more) {
    for (const StoredSample& s : o.more->samples) {
      fn(s);
    }
  }
}

void recompute_newest(CustomFamily& f) {
  int64_t newest = kNoTimestamp;
  for (const auto& [name, o] : f.objects) {
    for_each_sample(o, [&](const StoredSample& s) { newest = std::max(newest, s.timestamp_ns); });
  }
  f.bounds.newest_ns = newest;
  f.bounds.newest_dirty = false;
}

void recompute_newest(ExternalFamily& f) {
  int64_t newest = kNoTimestamp;
  for (const auto& [id, s] : f.series) {
    newest = std::max(newest, s.timestamp_ns);
  }
  f.bounds.newest_ns = newest;
  f.bounds.newest_dirty = false;
}

// Overwrites a stored sample (keeping its label id) and maintains the family's bounds. Returns
// true when the family's newest_ns may have dropped and has just been marked dirty.
bool replace(TimeBounds& bounds, StoredSample& slot, StoredSample&& s) {
  const int64_t old_ns = slot.timestamp_ns;
  s.labels = slot.labels;
  slot = std::move(s);
  const int64_t new_ns = slot.timestamp_ns;
  bounds.oldest_ns = std::min(bounds.oldest_ns, new_ns);
  if (new_ns >= bounds.newest_ns) {
    bounds.newest_ns = new_ns;
    return false;
  }
  if (old_ns == bounds.newest_ns && !bounds.newest_dirty) {
    bounds.newest_dirty = true;
    return true;
  }
  return false;
}

}  // namespace

struct SeriesStore::State {
  mutable detail::SharedMutex mutex;
  CustomFamilies custom;
  ExternalFamilies external;
  LabelTable labels;
  size_t series = 0;
  uint64_t evictions = 0;
  // Advanced by every put while the write lock is held; see SeriesStore::generation().
  std::atomic<uint64_t> generation{0};

  // Stores one custom point in `f`, interning its labels when the series is new.
  // Returns true when `f` was marked newest_dirty.
  bool put(CustomFamily& f, std::string&& object, core::Labels&& metric_labels, StoredSample&& s) {
    const auto it = f.objects.find(std::string_view(object));
    if (it == f.objects.end()) {
      s.labels = labels.acquire(std::move(metric_labels));
      f.bounds.add(s.timestamp_ns);
      f.objects.emplace(std::move(object), ObjectSeries{std::move(s), nullptr});
      ++series;
      return false;
    }
    ObjectSeries& o = it->second;
    const uint32_t id = labels.find(metric_labels);
    if (id != LabelTable::kNotFound) {
      if (o.first.labels == id) {
        return replace(f.bounds, o.first, std::move(s));
      }
      if (o.more) {
        if (StoredSample* m = o.more->find(id)) {
          return replace(f.bounds, *m, std::move(s));
        }
      }
    }
    s.labels = labels.acquire(std::move(metric_labels));
    f.bounds.add(s.timestamp_ns);
    if (!o.more) {
      o.more = std::make_unique<MoreSeries>();
    }
    o.more->push_back(std::move(s));
    ++series;
    return false;
  }

  bool put(ExternalFamily& f, core::Labels&& metric_labels, StoredSample&& s) {
    const uint32_t id = labels.find(metric_labels);
    if (id != LabelTable::kNotFound) {
      const auto it = f.series.find(id);
      if (it != f.series.end()) {
        return replace(f.bounds, it->second, std::move(s));
      }
    }
    s.labels = labels.acquire(std::move(metric_labels));
    f.bounds.add(s.timestamp_ns);
    const uint32_t key = s.labels;
    f.series.emplace(key, std::move(s));
    ++series;
    return false;
  }

  // Calls fn(object_name, stored) for every fresh series of the family that passes the filter.
  template <class Fn>
  void for_each_fresh(const CustomFamily& f, std::optional<std::string_view> object_name,
                      int64_t cutoff, const std::function<bool(const core::Labels&)>& filter,
                      Fn&& fn) const {
    if (f.bounds.newest_ns < cutoff) {
      return;
    }
    FilterMemo memo(filter);
    auto visit_object = [&](const std::string& name, const ObjectSeries& o) {
      for_each_sample(o, [&](const StoredSample& s) {
        if (s.timestamp_ns < cutoff) {
          return;
        }
        const core::Labels& l = labels.get(s.labels);
        if (memo.accept(s.labels, l)) {
          fn(name, l, s);
        }
      });
    };
    if (object_name) {
      const auto it = f.objects.find(*object_name);
      if (it != f.objects.end()) {
        visit_object(it->first, it->second);
      }
      return;
    }
    for (const auto& [name, o] : f.objects) {
      visit_object(name, o);
    }
  }

  template <class Fn>
  void for_each_fresh(const ExternalFamily& f, int64_t cutoff,
                      const std::function<bool(const core::Labels&)>& filter, Fn&& fn) const {
    if (f.bounds.newest_ns < cutoff) {
      return;
    }
    FilterMemo memo(filter);
    for (const auto& [id, s] : f.series) {
      if (s.timestamp_ns < cutoff) {
        continue;
      }
      const core::Labels& l = labels.get(id);
      if (memo.accept(id, l)) {
        fn(l, s);
      }
    }
  }

  // Removes the stale series of one family; returns how many. Exact bounds afterwards.
  size_t evict(CustomFamily& f, int64_t cutoff) {
    size_t evicted = 0;
    TimeBounds bounds;
    auto drop = [&](const StoredSample& s) {
      labels.release(s.labels);
      ++evicted;
    };
    for (auto it = f.objects.begin(); it != f.objects.end();) {
      ObjectSeries& o = it->second;
      const size_t before = evicted;
      if (o.more) {
        auto& more = o.more->samples;
        size_t kept = 0;
        for (size_t i = 0; i < more.size(); ++i) {
          if (more[i].timestamp_ns < cutoff) {
            drop(more[i]);
          } else {
            more[kept++] = std::move(more[i]);
          }
        }
        more.resize(kept);
      }
      if (o.first.timestamp_ns < cutoff) {
        drop(o.first);
        if (!o.more || o.more->samples.empty()) {
          it = f.objects.erase(it);
          continue;
        }
        o.first = std::move(o.more->samples.back());
        o.more->samples.pop_back();
      }
      if (o.more && o.more->samples.empty()) {
        o.more.reset();
      } else if (o.more && evicted != before) {
        o.more->reindex();
      }
      for_each_sample(o, [&](const StoredSample& s) { bounds.add(s.timestamp_ns); });
      ++it;
    }
    f.bounds = bounds;
    if (evicted > 0 && f.objects.size() < f.objects.bucket_count() / 4) {
      f.objects.rehash(0);
    }
    return evicted;
  }

  size_t evict(ExternalFamily& f, int64_t cutoff) {
    size_t evicted = 0;
    TimeBounds bounds;
    for (auto it = f.series.begin(); it != f.series.end();) {
      if (it->second.timestamp_ns < cutoff) {
        labels.release(it->first);
        ++evicted;
        it = f.series.erase(it);
        continue;
      }
      bounds.add(it->second.timestamp_ns);
      ++it;
    }
    f.bounds = bounds;
    return evicted;
  }
};

SeriesStore::SeriesStore(const core::Clock& clock, StoreOptions options)
    : clock_(clock), options_(options), state_(std::make_unique<State>()) {}

SeriesStore::~SeriesStore() = default;

void SeriesStore::put_custom(std::vector<CustomPoint> points) {
  // Quantities are encoded before the lock: it is the costly part of a put.
  std::vector<StoredSample> encoded = encode_samples(points);
  std::vector<CustomFamily*> dirty;
  std::unique_lock lock(state_->mutex);
  State& st = *state_;
  CustomFamilies::iterator family = st.custom.end();
  for (size_t i = 0; i < points.size(); ++i) {
    CustomSeriesKey& key = points[i].key;
    const CustomKeyView view{key.group_resource.resource, key.group_resource.group, key.metric,
                             key.namespace_name};
    // Batches usually carry one family; skip the map lookup while it does not change.
    if (family == st.custom.end() || tie_key(family->first) != tie_key(view)) {
      family = st.custom.find(view);
      if (family == st.custom.end()) {
        family = st.custom
                     .emplace(CustomKey{std::move(key.group_resource), std::move(key.metric),
                                        std::move(key.namespace_name)},
                              CustomFamily{})
                     .first;
      }
    }
    if (st.put(family->second, std::move(key.object_name), std::move(key.metric_labels),
               std::move(encoded[i]))) {
      dirty.push_back(&family->second);
    }
  }
  for (CustomFamily* f : dirty) {
    recompute_newest(*f);
  }
  st.generation.fetch_add(1, std::memory_order_release);
}

void SeriesStore::put_external(std::vector<ExternalPoint> points) {
  std::vector<StoredSample> encoded = encode_samples(points);
  std::vector<ExternalFamily*> dirty;
  std::unique_lock lock(state_->mutex);
  State& st = *state_;
  ExternalFamilies::iterator family = st.external.end();
  for (size_t i = 0; i < points.size(); ++i) {
    ExternalSeriesKey& key = points[i].key;
    const ExternalKeyView view{key.metric, key.namespace_name};
    if (family == st.external.end() || tie_key(family->first) != tie_key(view)) {
      family = st.external.find(view);
      if (family == st.external.end()) {
        family = st.external
                     .emplace(ExternalKey{std::move(key.metric), std::move(key.namespace_name)},
                              ExternalFamily{})
                     .first;
      }
    }
    if (st.put(family->second, std::move(key.metric_labels), std::move(encoded[i]))) {
      dirty.push_back(&family->second);
    }
  }
  for (ExternalFamily* f : dirty) {
    recompute_newest(*f);
  }
  st.generation.fetch_add(1, std::memory_order_release);
}

std::vector<CustomPoint> SeriesStore::find_custom(
    const core::GroupResource& gr, std::string_view namespace_name,
    std::optional<std::string_view> object_name, std::string_view metric,
    const std::function<bool(const core::Labels&)>& metric_filter) const {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  std::vector<CustomPoint> out;
  std::shared_lock lock(state_->mutex);
  const State& st = *state_;
  const auto it = st.custom.find(CustomKeyView{gr.resource, gr.group, metric, namespace_name});
  if (it == st.custom.end()) {
    return out;
  }
  const CustomKey& key = it->first;
  out.reserve(object_name ? 1 : it->second.objects.size());
  st.for_each_fresh(
      it->second, object_name, cutoff, metric_filter,
      [&](const std::string& name, const core::Labels& l, const StoredSample& s) {
        out.push_back(CustomPoint{
            CustomSeriesKey{key.group_resource, key.namespace_name, name, key.metric, l},
            decode(s)});
      });
  return out;
}

std::vector<ExternalPoint> SeriesStore::find_external(
    std::string_view namespace_name, std::string_view metric,
    const std::function<bool(const core::Labels&)>& label_filter) const {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  std::vector<ExternalPoint> out;
  std::shared_lock lock(state_->mutex);
  const State& st = *state_;
  const auto it = st.external.find(ExternalKeyView{metric, namespace_name});
  if (it == st.external.end()) {
    return out;
  }
  const ExternalKey& key = it->first;
  out.reserve(it->second.series.size());
  st.for_each_fresh(
      it->second, cutoff, label_filter, [&](const core::Labels& l, const StoredSample& s) {
        out.push_back(
            ExternalPoint{ExternalSeriesKey{key.namespace_name, key.metric, l}, decode(s)});
      });
  return out;
}

size_t SeriesStore::visit_custom(const core::GroupResource& gr, std::string_view namespace_name,
                                 std::optional<std::string_view> object_name,
                                 std::string_view metric,
                                 const std::function<bool(const core::Labels&)>& metric_filter,
                                 const std::function<void(const CustomPointView&)>& visit) const {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  std::shared_lock lock(state_->mutex);
  const State& st = *state_;
  const auto it = st.custom.find(CustomKeyView{gr.resource, gr.group, metric, namespace_name});
  if (it == st.custom.end()) {
    return 0;
  }
  const CustomKey& key = it->first;
  size_t visited = 0;
  st.for_each_fresh(
      it->second, object_name, cutoff, metric_filter,
      [&](const std::string& name, const core::Labels& l, const StoredSample& s) {
        const Sample sample = decode(s);
        visit(CustomPointView{key.group_resource, key.namespace_name, name, key.metric, l, sample});
        ++visited;
      });
  return visited;
}

size_t SeriesStore::visit_external(
    std::string_view namespace_name, std::string_view metric,
    const std::function<bool(const core::Labels&)>& label_filter,
    const std::function<void(const ExternalPointView&)>& visit) const {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  std::shared_lock lock(state_->mutex);
  const State& st = *state_;
  const auto it = st.external.find(ExternalKeyView{metric, namespace_name});
  if (it == st.external.end()) {
    return 0;
  }
  const ExternalKey& key = it->first;
  size_t visited = 0;
  st.for_each_fresh(it->second, cutoff, label_filter,
                    [&](const core::Labels& l, const StoredSample& s) {
                      const Sample sample = decode(s);
                      visit(ExternalPointView{key.namespace_name, key.metric, l, sample});
                      ++visited;
                    });
  return visited;
}

bool SeriesStore::has_custom_metric(const core::GroupResource& gr, std::string_view metric) const {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  std::shared_lock lock(state_->mutex);
  const State& st = *state_;
  for (auto it = st.custom.lower_bound(CustomKeyView{gr.resource, gr.group, metric, ""});
       it != st.custom.end() && it->first.group_resource == gr && it->first.metric == metric;
       ++it) {
    if (it->second.bounds.newest_ns >= cutoff) {
      return true;
    }
  }
  return false;
}

bool SeriesStore::has_external_metric(std::string_view metric) const {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  std::shared_lock lock(state_->mutex);
  const State& st = *state_;
  for (auto it = st.external.lower_bound(ExternalKeyView{metric, ""});
       it != st.external.end() && it->first.metric == metric; ++it) {
    if (it->second.bounds.newest_ns >= cutoff) {
      return true;
    }
  }
  return false;
}

std::vector<CustomMetricInfo> SeriesStore::list_custom_metrics() const {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  std::vector<CustomMetricInfo> out;
  std::shared_lock lock(state_->mutex);
  // Families are ordered by (group-resource, metric, namespace): the list comes out sorted and
  // duplicates are adjacent.
  for (const auto& [key, family] : state_->custom) {
    if (family.bounds.newest_ns < cutoff) {
      continue;
    }
    if (!out.empty() && out.back().group_resource == key.group_resource &&
        out.back().metric == key.metric) {
      continue;
    }
    out.push_back(CustomMetricInfo{key.group_resource, key.metric});
  }
  return out;
}

std::vector<std::string> SeriesStore::list_external_metrics() const {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  std::vector<std::string> out;
  std::shared_lock lock(state_->mutex);
  for (const auto& [key, family] : state_->external) {
    if (family.bounds.newest_ns < cutoff) {
      continue;
    }
    if (!out.empty() && out.back() == key.metric) {
      continue;
    }
    out.push_back(key.metric);
  }
  return out;
}

size_t SeriesStore::evict_stale() {
  const int64_t cutoff = fresh_cutoff(clock_, options_.max_age);
  if (cutoff == kNoCutoff) {
    return 0;
  }
  std::unique_lock lock(state_->mutex);
  State& st = *state_;
  size_t evicted = 0;
  for (auto it = st.custom.begin(); it != st.custom.end();) {
    if (it->second.bounds.oldest_ns >= cutoff) {
      ++it;
      continue;
    }
    evicted += st.evict(it->second, cutoff);
    it = it->second.objects.empty() ? st.custom.erase(it) : std::next(it);
  }
  for (auto it = st.external.begin(); it != st.external.end();) {
    if (it->second.bounds.oldest_ns >= cutoff) {
      ++it;
      continue;
    }
    evicted += st.evict(it->second, cutoff);
    it = it->second.series.empty() ? st.external.erase(it) : std::next(it);
  }
  st.series -= evicted;
  st.evictions += evicted;
  return evicted;
}

uint64_t SeriesStore::generation() const noexcept {
  return state_->generation.load(std::memory_order_acquire);
}

size_t SeriesStore::series_count() const {
  std::shared_lock lock(state_->mutex);
  return state_->series;
}

uint64_t SeriesStore::evictions() const {
  std::shared_lock lock(state_->mutex);
  return state_->evictions;
}

}  // namespace kscale::store
