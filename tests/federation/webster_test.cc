#include "federation/webster.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

namespace kscale::federation {
namespace {

struct WebsterCase {
  std::string name;
  int32_t new_seats;
  std::vector<Party> parties;  // votes and initial seats
  NameOrder order;
  std::vector<Party> expected;
};

std::vector<Party> classic(int32_t a, int32_t b, int32_t c, int32_t d) {
  return {{"PartyA", 100000, a}, {"PartyB", 80000, b}, {"PartyC", 30000, c}, {"PartyD", 20000, d}};
}

// Transcribed from karmada pkg/util/helper/webstermethod_test.go, TestAllocateWebsterSeats and
// ExampleAllocateWebsterSeats. Upstream's nil tie-breaker and the "a.Name < b.Name" custom one
// are NameOrder::Ascending here; "a.Name > b.Name" is Descending.
TEST(WebsterTest, AllocatesAsKarmadaDoes) {
  const std::vector<Party> votes = classic(0, 0, 0, 0);
  const std::vector<WebsterCase> cases = {
      {"example 1200/900/400, 4 seats",
       4,
       {{"Alpha", 1200, 0}, {"Beta", 900, 0}, {"Gamma", 400, 0}},
       NameOrder::Ascending,
       {{"Alpha", 1200, 2}, {"Beta", 900, 1}, {"Gamma", 400, 1}}},
      {"classic example, round 1", 1, votes, NameOrder::Ascending, classic(1, 0, 0, 0)},
      {"classic example, round 2", 2, votes, NameOrder::Ascending, classic(1, 1, 0, 0)},
      {"classic example, round 3", 3, votes, NameOrder::Ascending, classic(2, 1, 0, 0)},
      {"classic example, round 4", 4, votes, NameOrder::Ascending, classic(2, 1, 1, 0)},
      {"classic example, round 5", 5, votes, NameOrder::Ascending, classic(2, 2, 1, 0)},
      {"classic example, round 6", 6, votes, NameOrder::Ascending, classic(2, 2, 1, 1)},
      {"classic example, round 7", 7, votes, NameOrder::Ascending, classic(3, 2, 1, 1)},
      {"classic example, round 8", 8, votes, NameOrder::Ascending, classic(3, 3, 1, 1)},
      {"empty party votes", 1, {}, NameOrder::Ascending, {}},
      {"new seats 0 keeps every party at 0",
       0,
       {{"PartyB", 200, 0}, {"PartyA", 100, 0}},
       NameOrder::Ascending,
       {{"PartyA", 100, 0}, {"PartyB", 200, 0}}},
      {"tie broken by fewer seats",
       1,
       {{"PartyA", 3, 1}, {"PartyB", 1, 0}},
       NameOrder::Ascending,
       {{"PartyA", 3, 1}, {"PartyB", 1, 1}}},
      {"tie broken by name ascending",
       1,
       {{"PartyA", 1, 0}, {"PartyB", 1, 0}},
       NameOrder::Ascending,
       {{"PartyA", 1, 1}, {"PartyB", 1, 0}}},
      {"tie broken by name descending",
       1,
       {{"PartyA", 1, 0}, {"PartyB", 1, 0}},
       NameOrder::Descending,
       {{"PartyA", 1, 0}, {"PartyB", 1, 1}}},
      {"new parties join, the old one has no votes",
       2,
       {{"NewParty1", 1, 0}, {"NewParty2", 1, 0}, {"OldParty", 0, 0}},
       NameOrder::Ascending,
       {{"NewParty1", 1, 1}, {"NewParty2", 1, 1}, {"OldParty", 0, 0}}},
      {"new and old parties compete",
       2,
       {{"OldParty", 1, 1}, {"NewParty", 1, 0}},
       NameOrder::Ascending,
       {{"NewParty", 1, 2}, {"OldParty", 1, 1}}},
      {"a party with seats but no votes gets no new seat",
       2,
       {{"PartyA", 100, 0}, {"PartyB", 0, 3}},
       NameOrder::Ascending,
       {{"PartyA", 100, 2}, {"PartyB", 0, 3}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(allocate_webster_seats(c.new_seats, c.parties, c.order), c.expected);
  }
}

// Upstream: karmada#6735 — weights 170/110/60 went 5 → 6 replicas and B lost one under the old
// rule; Webster is house-monotone (pkg/util/helper/binding_test.go "brand new assign 5/6").
TEST(WebsterTest, RaisingTheTotalNeverLowersAShare) {
  const std::vector<Party> parties = {{"A", 170, 0}, {"B", 110, 0}, {"C", 60, 0}};
  EXPECT_EQ(allocate_webster_seats(5, parties, NameOrder::Ascending),
            (std::vector<Party>{{"A", 170, 2}, {"B", 110, 2}, {"C", 60, 1}}));
  EXPECT_EQ(allocate_webster_seats(6, parties, NameOrder::Ascending),
            (std::vector<Party>{{"A", 170, 3}, {"B", 110, 2}, {"C", 60, 1}}));
  std::vector<Party> previous = allocate_webster_seats(0, parties, NameOrder::Descending);
  for (int32_t seats = 1; seats <= 200; ++seats) {
    const auto next = allocate_webster_seats(seats, parties, NameOrder::Descending);
    for (size_t i = 0; i < next.size(); ++i) {
      ASSERT_GE(next[i].seats, previous[i].seats) << "seats " << seats << " party " << next[i].name;
    }
    previous = next;
  }
}

// Votes too large for a float64 to tell apart: the exact comparison still gives the seat to the
// larger vote (upstream's float quotients would see a tie and fall back to names).
TEST(WebsterTest, ComparesPrioritiesExactly) {
  const int64_t big = (int64_t{1} << 62) + 1;
  const std::vector<Party> parties = {{"a", big - 1, 0}, {"b", big, 0}};
  EXPECT_EQ(allocate_webster_seats(1, parties, NameOrder::Ascending),
            (std::vector<Party>{{"a", big - 1, 0}, {"b", big, 1}}));
}

// Upstream: pkg/util/helper/binding_test.go, evenUID / oddUID and tieBreakerByUID.
TEST(WebsterTest, NameOrderFollowsTheUidParity) {
  EXPECT_EQ(name_order_for_uid(""), NameOrder::Ascending);
  EXPECT_EQ(name_order_for_uid("4858ca61-3ff8-4095-8267-f3d059d8074c"), NameOrder::Ascending);
  EXPECT_EQ(name_order_for_uid("d43fdeeb-d750-4e2b-bee3-64eb94534f4c"), NameOrder::Descending);
}

}  // namespace
}  // namespace kscale::federation

namespace kscale::federation {
namespace {

/// The definition, one seat at a time from zero by a linear scan, to pin the fast path.
std::vector<Party> reference_webster(int32_t seats, std::vector<Party> parties, NameOrder order) {
  std::sort(parties.begin(), parties.end(),
            [](const Party& a, const Party& b) { return a.name < b.name; });
  for (int32_t s = 0; s < seats; ++s) {
    size_t best = 0;
    for (size_t i = 1; i < parties.size(); ++i) {
      const Party& a = parties[i];
      const Party& b = parties[best];
      const auto lhs = static_cast<long double>(a.votes) * (2 * b.seats + 1);
      const auto rhs = static_cast<long double>(b.votes) * (2 * a.seats + 1);
      const bool better = lhs != rhs           ? lhs > rhs
                          : a.seats != b.seats ? a.seats < b.seats
                                               : (order == NameOrder::Descending);
      if (better) {
        best = i;
      }
    }
    ++parties[best].seats;
  }
  return parties;
}

TEST(WebsterTest, FastPathMatchesOneSeatAtATime) {
  uint64_t state = 42;
  const auto next = [&state](uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  for (int round = 0; round < 400; ++round) {
    std::vector<Party> parties;
    const auto n = 1 + next(12);
    for (uint64_t i = 0; i < n; ++i) {
      // Small votes make ties common; some zeros.
      parties.push_back(
          Party{"c" + std::to_string(i), static_cast<int64_t>(next(round % 2 ? 5 : 400)), 0});
    }
    const auto seats = static_cast<int32_t>(next(300));
    const NameOrder order = round % 3 ? NameOrder::Ascending : NameOrder::Descending;
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_EQ(allocate_webster_seats(seats, parties, order),
              reference_webster(seats, parties, order));
  }
}

}  // namespace
}  // namespace kscale::federation
