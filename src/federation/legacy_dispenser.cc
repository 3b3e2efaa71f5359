#include "federation/legacy_dispenser.h"

#include <algorithm>

namespace kscale::federation {

std::vector<Party> legacy_take_by_weight(int32_t replicas, std::vector<LegacyWeight> weights) {
  std::vector<Party> result;
  __extension__ using Int128 = __int128;
  Int128 sum = 0;
  for (const auto& w : weights) {
    sum += w.weight;
  }
  if (sum == 0) {
    return result;
  }
  std::stable_sort(weights.begin(), weights.end(),
                   [](const LegacyWeight& a, const LegacyWeight& b) {
                     if (a.weight != b.weight) {
                       return a.weight > b.weight;
                     }
                     if (a.last_replicas != b.last_replicas) {
                       return a.last_replicas > b.last_replicas;
                     }
                     return a.name < b.name;
                   });
  result.reserve(weights.size());
  int32_t remain = replicas;
  for (auto& w : weights) {
    const auto share = static_cast<int32_t>(static_cast<Int128>(w.weight) * replicas / sum);
    result.push_back(Party{std::move(w.name), w.weight, share});
    remain -= share;
  }
  for (auto& party : result) {
    if (remain == 0) {
      break;
    }
    ++party.seats;
    --remain;
  }
  return result;
}

}  // namespace kscale::federation
