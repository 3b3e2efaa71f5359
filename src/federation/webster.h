#pragma once
// Webster (Sainte-Laguë) apportionment as Karmada v1.16+ divides replicas: one seat at a time to
// the party with the highest votes/(2·seats+1), compared exactly in integers.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kscale::federation {

/// A party (a member cluster): its votes (weight) and its seats (replicas).
struct Party {
  std::string name;
  int64_t votes = 0;
  int32_t seats = 0;

  friend bool operator==(const Party&, const Party&) = default;
};

/// The last tie-break between parties of equal priority and equal seats.
enum class NameOrder { Ascending, Descending };

/// Upstream: karmada pkg/util/helper/binding.go, tieBreakerByUID: names are compared descending
/// when FNV-1a-32(uid) is odd, ascending otherwise and for an empty uid.
NameOrder name_order_for_uid(std::string_view uid);

/// Upstream: karmada pkg/util/helper/webstermethod.go, AllocateWebsterSeats. Gives `new_seats`
/// seats, one at a time, on top of each party's current seats. Ties in priority go to the party
/// with fewer seats, then to the name that comes first in `order`. Priorities are compared by
/// cross-multiplication (exact; upstream compares float64 quotients, which agree for votes below
/// 2^53). Parties must have distinct names and votes ≥ 0. Returns every party, zeros included,
/// sorted by name ascending; empty when `parties` is empty.
std::vector<Party> allocate_webster_seats(int32_t new_seats, std::vector<Party> parties,
                                          NameOrder order);

/// The same over flat arrays, for callers that keep the names elsewhere: party i has votes[i] ≥ 0
/// and seats[i] (updated in place); rank[i] is its place in name order (distinct; only their order
/// is used). The three spans have one length.
void allocate_webster_seats(int32_t new_seats, std::span<const int64_t> votes,
                            std::span<int32_t> seats, std::span<const uint32_t> rank,
                            NameOrder order);

}  // namespace kscale::federation
