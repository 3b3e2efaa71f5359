#include "kube/object_store.h"

#include <gtest/gtest.h>

namespace kscale::kube {
namespace {

ObjectMetadata object(std::string ns, std::string name, core::Labels labels) {
  ObjectMetadata o;
  o.namespace_name = std::move(ns);
  o.name = std::move(name);
  o.uid = "uid-" + o.name;
  o.resource_version = "1";
  o.labels = std::move(labels);
  return o;
}

core::LabelSelector selector(std::string_view text) { return *core::LabelSelector::parse(text); }

TEST(ObjectStoreTest, UpsertsRemovesAndSelectsByLabels) {
  ObjectStore store;
  store.upsert(object("default", "web-2", {{"app", "web"}}));
  store.upsert(object("default", "web-1", {{"app", "web"}}));
  store.upsert(object("default", "db-1", {{"app", "db"}}));
  store.upsert(object("shop", "web-9", {{"app", "web"}}));
  EXPECT_EQ(store.size(), 4u);
  EXPECT_EQ(store.select("default", selector("app=web")),
            (std::vector<std::string>{"web-1", "web-2"}));
  EXPECT_EQ(store.select("default", selector("")).size(), 3u);
  EXPECT_EQ(store.select("", selector("app=web")).size(), 3u);
  EXPECT_TRUE(store.select("nowhere", selector("")).empty());

  store.upsert(object("default", "web-1", {{"app", "db"}}));  // MODIFIED: labels changed
  EXPECT_EQ(store.labels_of("default", "web-1"), (core::Labels{{"app", "db"}}));
  store.remove("default", "web-2");
  EXPECT_FALSE(store.contains("default", "web-2"));
  EXPECT_TRUE(store.select("default", selector("app=web")).empty());
  EXPECT_EQ(store.size(), 3u);
}

TEST(ObjectStoreTest, AReplaceDropsAbsentKeysAndShowsTheOldSetUntilItEnds) {
  ObjectStore store;
  store.upsert(object("default", "a", {}));
  store.upsert(object("default", "b", {}));
  store.begin_replace();
  store.replace_item(object("default", "a", {{"v", "2"}}));
  store.replace_item(object("default", "c", {}));
  EXPECT_TRUE(store.contains("default", "b"));  // not yet replaced
  store.end_replace();
  EXPECT_FALSE(store.contains("default", "b"));
  EXPECT_TRUE(store.contains("default", "c"));
  EXPECT_EQ(store.labels_of("default", "a"), (core::Labels{{"v", "2"}}));
}

TEST(ObjectStoreTest, KeptDetailsBumpTheirVersion) {
  ObjectStore store([](const ObjectMetadata& o) { return o.labels.contains("keep"); });
  store.upsert(object("default", "plain", {}));
  EXPECT_EQ(store.detail_version(), 0u);
  int calls = 0;
  store.set_on_detail_change([&] { ++calls; });
  store.upsert(object("default", "kept", {{"keep", "1"}}));
  EXPECT_EQ(store.detail_version(), 1u);
  ASSERT_EQ(store.details().size(), 1u);
  EXPECT_EQ(store.details()[0].labels.at("keep"), "1");
  store.upsert(object("default", "kept", {}));  // no longer kept: a change
  EXPECT_EQ(store.detail_version(), 2u);
  EXPECT_TRUE(store.details().empty());
  store.upsert(object("default", "kept", {{"keep", "1"}}));
  store.remove("default", "kept");
  EXPECT_EQ(store.detail_version(), 4u);
  EXPECT_EQ(calls, 4);
}

}  // namespace
}  // namespace kscale::kube
