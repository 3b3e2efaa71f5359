#include "federation/webster.h"

#include <algorithm>

namespace kscale::federation {

namespace {

__extension__ using Int128 = __int128;

/// True when `a` should get the next seat before `b` (upstream WebsterPriorityQueue.Less with
/// the Dispenser's tie-breaker).
bool ahead(const Party& a, const Party& b, NameOrder order) {
  const Int128 lhs = static_cast<Int128>(a.votes) * (2 * static_cast<Int128>(b.seats) + 1);
  const Int128 rhs = static_cast<Int128>(b.votes) * (2 * static_cast<Int128>(a.seats) + 1);
  if (lhs != rhs) {
    return lhs > rhs;
  }
  if (a.seats != b.seats) {
    return a.seats < b.seats;
  }
  return order == NameOrder::Ascending ? a.name < b.name : a.name > b.name;
}

}  // namespace

NameOrder name_order_for_uid(std::string_view uid) {
  if (uid.empty()) {
    return NameOrder::Ascending;
  }
  uint32_t hash = 2166136261u;  // FNV-1a 32-bit offset basis and prime (Go hash/fnv New32a)
  for (const char c : uid) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return (hash & 1u) != 0 ? NameOrder::Descending : NameOrder::Ascending;
}

std::vector<Party> allocate_webster_seats(int32_t new_seats, std::vector<Party> parties,
                                          NameOrder order) {
  if (parties.empty()) {
    return parties;
  }
  // A max-heap of indices keeps the parties themselves in place (no string moves per seat).
  std::vector<uint32_t> heap(parties.size());
  for (uint32_t i = 0; i < heap.size(); ++i) {
    heap[i] = i;
  }
  const auto lower = [&parties, order](uint32_t a, uint32_t b) {
    return ahead(parties[b], parties[a], order);
  };
  std::make_heap(heap.begin(), heap.end(), lower);
  for (int32_t remaining = new_seats; remaining > 0; --remaining) {
    std::pop_heap(heap.begin(), heap.end(), lower);
    ++parties[heap.back()].seats;
    std::push_heap(heap.begin(), heap.end(), lower);
  }
  std::sort(parties.begin(), parties.end(),
            [](const Party& a, const Party& b) { return a.name < b.name; });
  return parties;
}

}  // namespace kscale::federation
