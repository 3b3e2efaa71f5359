#pragma once
// StrongId<Tag, T>: a distinct type around a value (after userver's utils::StrongTypedef), so
// that a MetricName cannot be passed where a Namespace is expected.

#include <compare>
#include <functional>
#include <string>
#include <utility>

namespace kscale::core {

template <class Tag, class T>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(T value) : value_(std::move(value)) {}

  const T& value() const { return value_; }
  auto operator<=>(const StrongId&) const = default;

 private:
  T value_{};
};

using MetricName = StrongId<struct MetricNameTag, std::string>;
using Namespace = StrongId<struct NamespaceTag, std::string>;

}  // namespace kscale::core

template <class Tag, class T>
struct std::hash<kscale::core::StrongId<Tag, T>> {
  size_t operator()(const kscale::core::StrongId<Tag, T>& id) const noexcept {
    return std::hash<T>{}(id.value());
  }
};
