#pragma once
// hpa::Replicas: a replica count (int32, as autoscaling/v2 and the /scale subresource carry it),
// distinct from other integers in the engine's public functions (STYLE.md §5).

#include <compare>
#include <cstdint>

namespace kscale::hpa {

class Replicas {
 public:
  constexpr Replicas() = default;
  constexpr explicit Replicas(int32_t value) : value_(value) {}

  constexpr int32_t value() const { return value_; }
  constexpr auto operator<=>(const Replicas&) const = default;

 private:
  int32_t value_ = 0;
};

}  // namespace kscale::hpa
