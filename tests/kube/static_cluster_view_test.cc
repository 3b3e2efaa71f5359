#include "kube/static_cluster_view.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace kscale::kube {
namespace {

const core::GroupResource kPods{"pods", ""};

TEST(StaticClusterViewTest, KnowsThePodsItWasGiven) {
  StaticClusterView view;
  EXPECT_TRUE(view.configured());
  EXPECT_FALSE(view.labels_of(kPods, "default", "web-1"));
  view.set_pods({{"default", "web-1", {{"app", "web"}}}, {"shop", "web-1", {{"app", "shop"}}}});
  EXPECT_EQ(view.labels_of(kPods, "default", "web-1"), (core::Labels{{"app", "web"}}));
  EXPECT_EQ(view.labels_of(kPods, "shop", "web-1"), (core::Labels{{"app", "shop"}}));
  EXPECT_FALSE(view.labels_of(core::GroupResource{"services", ""}, "default", "web-1"));
  EXPECT_FALSE(view.labels_of(kPods, "default", "web-2"));
}

TEST(StaticClusterViewTest, SelectsObjectsOfOneResourceAndNamespaceByLabels) {
  StaticClusterView view;
  view.set_pods({{"default", "web-2", {{"app", "web"}}},
                 {"default", "db-1", {{"app", "db"}}},
                 {"default", "web-1", {{"app", "web"}}},
                 {"shop", "web-3", {{"app", "web"}}}});
  const auto web = *core::LabelSelector::parse("app=web");
  EXPECT_EQ(*view.select(kPods, "default", web), (std::vector<std::string>{"web-1", "web-2"}));
  EXPECT_EQ(*view.select(kPods, "shop", core::LabelSelector()), std::vector<std::string>{"web-3"});
  EXPECT_TRUE(view.select(core::GroupResource{"services", ""}, "default", web)->empty());
}

TEST(StaticClusterViewTest, SetReplacesEverything) {
  StaticClusterView view({{{"deployments.apps", "default", "web"}, {{"app", "web"}}}});
  EXPECT_TRUE(view.labels_of(core::GroupResource{"deployments", "apps"}, "default", "web"));
  view.set_pods({{"default", "web-2", {}}});
  EXPECT_FALSE(view.labels_of(core::GroupResource{"deployments", "apps"}, "default", "web"));
  EXPECT_EQ(view.labels_of(kPods, "default", "web-2"), core::Labels{});
  EXPECT_EQ(view.objects()->size(), 1u);
}

TEST(StaticClusterViewTest, ReadersSeeWholeSetsWhileAWriterReplacesThem) {
  StaticClusterView view;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      const std::string v = std::to_string(i);
      view.set_pods({{"default", "a", {{"gen", v}}}, {"default", "b", {{"gen", v}}}});
    }
  });
  for (int i = 0; i < 20'000; ++i) {
    const auto snapshot = view.objects();
    if (snapshot->size() == 2) {
      EXPECT_EQ(snapshot->begin()->second, std::next(snapshot->begin())->second);
    }
    (void)view.labels_of(kPods, "default", "a");
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace kscale::kube
