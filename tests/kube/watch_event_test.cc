#include "kube/watch_event.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kscale::kube {
namespace {

const std::string kBody =
    R"({"type":"ADDED","object":{"kind":"PartialObjectMetadata","metadata":{"name":"a","namespace":"default","resourceVersion":"5","labels":{"app":"web"}}}})"
    "\n"
    R"({"type":"BOOKMARK","object":{"kind":"PartialObjectMetadata","metadata":{"resourceVersion":"9","annotations":{"k8s.io/initial-events-end":"true"}}}})"
    R"(  {"type":"DELETED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"11"}}})"
    "\r\n"
    R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (9)","reason":"Expired","code":410}})j"
    "\n";

std::vector<WatchEvent> decode_in_pieces(const std::vector<std::string_view>& pieces) {
  std::vector<WatchEvent> events;
  WatchEventStream stream(ObjectShape::Metadata, [&](WatchEvent&& e) {
    events.push_back(std::move(e));
    return core::Result<void>{};
  });
  for (auto piece : pieces) {
    EXPECT_TRUE(stream.feed(piece));
  }
  EXPECT_TRUE(stream.finish());
  return events;
}

void expect_the_four_events(const std::vector<WatchEvent>& events) {
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, WatchEventType::Added);
  EXPECT_EQ(events[0].object.name, "a");
  EXPECT_EQ(events[0].object.labels.at("app"), "web");
  EXPECT_EQ(events[1].type, WatchEventType::Bookmark);
  EXPECT_EQ(events[1].object.resource_version, "9");
  EXPECT_EQ(events[2].type, WatchEventType::Deleted);
  EXPECT_EQ(events[2].object.resource_version, "11");
  EXPECT_EQ(events[3].type, WatchEventType::Error);
  EXPECT_EQ(events[3].code, 410);
  EXPECT_EQ(events[3].reason, "Expired");
}

TEST(WatchEventStreamTest, DecodesEventsSplitAtEveryByteBoundary) {
  for (std::size_t cut = 0; cut <= kBody.size(); ++cut) {
    SCOPED_TRACE(cut);
    const std::string_view body(kBody);
    expect_the_four_events(decode_in_pieces({body.substr(0, cut), body.substr(cut)}));
  }
}

TEST(WatchEventStreamTest, DecodesEventsFedOneByteAtATime) {
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < kBody.size(); ++i) {
    pieces.push_back(std::string_view(kBody).substr(i, 1));
  }
  expect_the_four_events(decode_in_pieces(pieces));
}

TEST(WatchEventStreamTest, ABodyEndingInsideAnEventIsAnError) {
  WatchEventStream stream(ObjectShape::Metadata, [](WatchEvent&&) { return core::Result<void>{}; });
  ASSERT_TRUE(stream.feed(R"({"type":"ADDED","obj)"));
  EXPECT_FALSE(stream.finish());
}

TEST(WatchEventStreamTest, RejectsMalformedEvents) {
  WatchEventStream stream(ObjectShape::Metadata, [](WatchEvent&&) { return core::Result<void>{}; });
  EXPECT_FALSE(stream.feed(R"({"type":"RENAMED","object":{}})"));
  WatchEventStream broken(ObjectShape::Metadata, [](WatchEvent&&) { return core::Result<void>{}; });
  EXPECT_FALSE(broken.feed("{]"));
}

TEST(WatchEventStreamTest, TheCallbacksErrorStopsTheStream) {
  int calls = 0;
  WatchEventStream stream(ObjectShape::Metadata, [&](WatchEvent&&) -> core::Result<void> {
    ++calls;
    return core::fail(core::Error::internal("stop"));
  });
  EXPECT_FALSE(stream.feed(kBody));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace kscale::kube
