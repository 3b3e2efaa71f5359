#include "federation/webster.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace kscale::federation {

namespace {

__extension__ using Int128 = __int128;

/// True when party `a` (at name rank `ra`) should get the next seat before `b` (upstream
/// WebsterPriorityQueue.Less with the Dispenser's tie-breaker). Ranks are positions in name order,
/// so the last tie costs an integer compare, not a string compare.
template <class Wide>
bool ahead(const Party& a, uint32_t ra, const Party& b, uint32_t rb, NameOrder order) {
  const Wide lhs = static_cast<Wide>(a.votes) * (2 * static_cast<Wide>(b.seats) + 1);
  const Wide rhs = static_cast<Wide>(b.votes) * (2 * static_cast<Wide>(a.seats) + 1);
  if (lhs != rhs) {
    return lhs > rhs;
  }
  if (a.seats != b.seats) {
    return a.seats < b.seats;
  }
  return order == NameOrder::Ascending ? ra < rb : ra > rb;
}

/// Seats the one-at-a-time method is certain to give each party when all start at 0, so the
/// heap only places the last ~1.5·n seats. If the N-th seat goes at priority t, every pair
/// (party i, k-th seat) with v_i/(2k+1) > t is taken, so s_i ≥ v_i/(2t) − 1/2, and
/// N ≤ Σ(v_i/(2t) + 1/2) gives 1/(2t) ≥ (N − n/2)/V; hence s_i ≥ (v_i(2N − n) − V)/(2V). The
/// greedy from these seats takes the same remaining pairs as the greedy from zero, because each
/// party's pairs come in decreasing priority order.
int32_t fast_forward(int32_t new_seats, std::vector<Party>& parties) {
  Int128 total_votes = 0;
  for (const auto& p : parties) {
    if (p.seats != 0) {
      return 0;
    }
    total_votes += p.votes;
  }
  const Int128 span = 2 * static_cast<Int128>(new_seats) - static_cast<Int128>(parties.size());
  if (total_votes == 0 || span <= 0) {
    return 0;
  }
  int32_t given = 0;
  for (auto& p : parties) {
    const Int128 num = static_cast<Int128>(p.votes) * span - total_votes;
    if (num > 0) {
      p.seats = static_cast<int32_t>(num / (2 * total_votes));
      given += p.seats;
    }
  }
  return given;
}

constexpr size_t kScanLimit = 16;

/// Few parties with votes < 2^31: a linear scan over flat arrays for the best party per seat
/// beats a heap (same order as `ahead`: priority, then fewer seats, then name rank).
void run_scan(int32_t seats, std::vector<Party>& parties, NameOrder order) {
  const auto n = static_cast<uint32_t>(parties.size());
  std::array<int64_t, kScanLimit> votes{};
  std::array<int64_t, kScanLimit> den{};  // 2·seats + 1
  for (uint32_t i = 0; i < n; ++i) {
    votes[i] = parties[i].votes;
    den[i] = 2 * static_cast<int64_t>(parties[i].seats) + 1;
  }
  const bool ascending = order == NameOrder::Ascending;
  for (int32_t left = seats; left > 0; --left) {
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; ++i) {
      const int64_t lhs = votes[i] * den[best];
      const int64_t rhs = votes[best] * den[i];
      // i comes after best in name order, so on a full tie it wins only when descending.
      if (lhs > rhs || (lhs == rhs && (den[i] < den[best] || (den[i] == den[best] && !ascending)))) {
        best = i;
      }
    }
    den[best] += 2;
  }
  for (uint32_t i = 0; i < n; ++i) {
    parties[i].seats = static_cast<int32_t>((den[i] - 1) / 2);
  }
}

template <class Wide>
void run_heap(int32_t seats, std::vector<Party>& parties, NameOrder order) {
  std::vector<uint32_t> heap(parties.size());
  for (uint32_t i = 0; i < heap.size(); ++i) {
    heap[i] = i;
  }
  const auto lower = [&parties, order](uint32_t a, uint32_t b) {
    return ahead<Wide>(parties[b], b, parties[a], a, order);
  };
  std::make_heap(heap.begin(), heap.end(), lower);
  for (int32_t left = seats; left > 0; --left) {
    std::pop_heap(heap.begin(), heap.end(), lower);
    ++parties[heap.back()].seats;
    std::push_heap(heap.begin(), heap.end(), lower);
  }
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
  // Sorted once: the result's order, and each party's index is its name rank for ties.
  const auto by_name = [](const Party& a, const Party& b) { return a.name < b.name; };
  if (!std::is_sorted(parties.begin(), parties.end(), by_name)) {
    // Sort positions, then move each party once (cheaper than shuffling strings).
    std::vector<uint32_t> order_idx(parties.size());
    for (uint32_t i = 0; i < order_idx.size(); ++i) {
      order_idx[i] = i;
    }
    std::sort(order_idx.begin(), order_idx.end(),
              [&parties](uint32_t a, uint32_t b) { return parties[a].name < parties[b].name; });
    std::vector<Party> sorted;
    sorted.reserve(parties.size());
    for (const uint32_t i : order_idx) {
      sorted.push_back(std::move(parties[i]));
    }
    parties = std::move(sorted);
  }
  const int32_t remaining = new_seats - fast_forward(new_seats, parties);
  // votes < 2^31 and seats < 2^31 keep both products below 2^63: 64-bit arithmetic is exact.
  const bool narrow = std::all_of(parties.begin(), parties.end(),
                                  [](const Party& p) { return p.votes <= INT32_MAX; });
  if (narrow && parties.size() <= kScanLimit) {
    run_scan(remaining, parties, order);
  } else if (narrow) {
    run_heap<int64_t>(remaining, parties, order);
  } else {
    run_heap<Int128>(remaining, parties, order);
  }
  return parties;
}

}  // namespace kscale::federation
