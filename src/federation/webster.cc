#include "federation/webster.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace kscale::federation {

namespace {

__extension__ using Int128 = __int128;

constexpr size_t kScanLimit = 16;

/// The flat arrays of one allocation.
struct Flat {
  std::span<const int64_t> votes;
  std::span<int32_t> seats;
  std::span<const uint32_t> rank;
  bool ascending;
};

/// True when party a should get the next seat before party b (upstream WebsterPriorityQueue.Less
/// with the Dispenser's tie-breaker): higher votes/(2·seats+1), compared by cross-multiplication;
/// then fewer seats; then the name that comes first in the chosen order.
template <class Wide>
bool ahead(const Flat& f, size_t a, size_t b) {
  const Wide lhs = static_cast<Wide>(f.votes[a]) * (2 * static_cast<Wide>(f.seats[b]) + 1);
  const Wide rhs = static_cast<Wide>(f.votes[b]) * (2 * static_cast<Wide>(f.seats[a]) + 1);
  if (lhs != rhs) {
    return lhs > rhs;
  }
  if (f.seats[a] != f.seats[b]) {
    return f.seats[a] < f.seats[b];
  }
  return f.ascending ? f.rank[a] < f.rank[b] : f.rank[a] > f.rank[b];
}

/// Seats the one-at-a-time method is certain to give each party when all start at 0, so the
/// loop only places the last ~1.5·n seats. If the N-th seat goes at priority t, every pair
/// (party i, k-th seat) with v_i/(2k+1) > t is taken, so s_i ≥ v_i/(2t) − 1/2, and
/// N ≤ Σ(v_i/(2t) + 1/2) gives 1/(2t) ≥ (N − n/2)/V; hence s_i ≥ (v_i(2N − n) − V)/(2V). The
/// greedy from these seats takes the same remaining pairs as the greedy from zero, because each
/// party's pairs come in decreasing priority order.
int32_t fast_forward(int32_t new_seats, const Flat& f) {
  Int128 total_votes = 0;
  for (size_t i = 0; i < f.votes.size(); ++i) {
    if (f.seats[i] != 0) {
      return 0;
    }
    total_votes += f.votes[i];
  }
  const Int128 span = 2 * static_cast<Int128>(new_seats) - static_cast<Int128>(f.votes.size());
  if (total_votes == 0 || span <= 0) {
    return 0;
  }
  int32_t given = 0;
  for (size_t i = 0; i < f.votes.size(); ++i) {
    const Int128 num = static_cast<Int128>(f.votes[i]) * span - total_votes;
    if (num > 0) {
      f.seats[i] = static_cast<int32_t>(num / (2 * total_votes));
      given += f.seats[i];
    }
  }
  return given;
}

/// Few parties with votes < 2^31: a linear scan over local arrays beats a heap.
void run_scan(int32_t seats, const Flat& f) {
  const size_t n = f.votes.size();
  std::array<int64_t, kScanLimit> den{};  // 2·seats + 1
  for (size_t i = 0; i < n; ++i) {
    den[i] = 2 * static_cast<int64_t>(f.seats[i]) + 1;
  }
  for (int32_t left = seats; left > 0; --left) {
    size_t best = 0;
    for (size_t i = 1; i < n; ++i) {
      const int64_t lhs = f.votes[i] * den[best];
      const int64_t rhs = f.votes[best] * den[i];
      if (lhs > rhs ||
          (lhs == rhs && (den[i] < den[best] ||
                          (den[i] == den[best] && (f.rank[i] < f.rank[best]) == f.ascending)))) {
        best = i;
      }
    }
    den[best] += 2;
  }
  for (size_t i = 0; i < n; ++i) {
    f.seats[i] = static_cast<int32_t>((den[i] - 1) / 2);
  }
}

template <class Wide>
void run_heap(int32_t seats, const Flat& f) {
  std::vector<uint32_t> heap(f.votes.size());
  for (uint32_t i = 0; i < heap.size(); ++i) {
    heap[i] = i;
  }
  const auto lower = [&f](uint32_t a, uint32_t b) { return ahead<Wide>(f, b, a); };
  std::make_heap(heap.begin(), heap.end(), lower);
  for (int32_t left = seats; left > 0; --left) {
    std::pop_heap(heap.begin(), heap.end(), lower);
    ++f.seats[heap.back()];
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

void allocate_webster_seats(int32_t new_seats, std::span<const int64_t> votes,
                            std::span<int32_t> seats, std::span<const uint32_t> rank,
                            NameOrder order) {
  if (votes.empty()) {
    return;
  }
  const Flat f{votes, seats, rank, order == NameOrder::Ascending};
  const int32_t remaining = new_seats - fast_forward(new_seats, f);
  // votes < 2^31 and seats < 2^31 keep both products below 2^63: 64-bit arithmetic is exact.
  const bool narrow =
      std::all_of(votes.begin(), votes.end(), [](int64_t v) { return v <= INT32_MAX; });
  if (narrow && votes.size() <= kScanLimit) {
    run_scan(remaining, f);
  } else if (narrow) {
    run_heap<int64_t>(remaining, f);
  } else {
    run_heap<Int128>(remaining, f);
  }
}

std::vector<Party> allocate_webster_seats(int32_t new_seats, std::vector<Party> parties,
                                          NameOrder order) {
  std::sort(parties.begin(), parties.end(),
            [](const Party& a, const Party& b) { return a.name < b.name; });
  std::vector<int64_t> votes(parties.size());
  std::vector<int32_t> seats(parties.size());
  std::vector<uint32_t> rank(parties.size());
  for (uint32_t i = 0; i < parties.size(); ++i) {
    votes[i] = parties[i].votes;
    seats[i] = parties[i].seats;
    rank[i] = i;
  }
  allocate_webster_seats(new_seats, votes, seats, rank, order);
  for (size_t i = 0; i < parties.size(); ++i) {
    parties[i].seats = seats[i];
  }
  return parties;
}

}  // namespace kscale::federation
