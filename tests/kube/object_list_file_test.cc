#include "kube/object_list_file.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

namespace kscale::kube {
namespace {

TEST(ObjectListFileTest, ParsesAKubectlListWithNamespacesAndScopes) {
  auto index = parse_object_list(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, namespace: shop, labels: {app: web}}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, labels: {app: web}}
- apiVersion: v1
  kind: Node
  metadata: {name: n1, namespace: ignored}
)");
  ASSERT_TRUE(index) << index.error().message;
  EXPECT_EQ(index->size(), 3u);
  EXPECT_EQ(index->at({"pods", "shop", "web-1"}).at("app"), "web");
  EXPECT_TRUE(index->contains({"deployments.apps", "default", "web"}));  // no namespace → default
  EXPECT_TRUE(index->contains({"nodes", "", "n1"}));                     // cluster-scoped
}

TEST(ObjectListFileTest, AcceptsJsonAndMultiDocumentYaml) {
  EXPECT_EQ(
      parse_object_list(
          R"({"apiVersion":"v1","kind":"PodList","items":[{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"x"}}]})")
          ->size(),
      1u);
  EXPECT_EQ(
      parse_object_list(
          "kind: Pod\napiVersion: v1\nmetadata: {name: a}\n---\nkind: Pod\napiVersion: v1\nmetadata: {name: b}\n")
          ->size(),
      2u);
}

TEST(ObjectListFileTest, ErrorsNameTheItem) {
  auto missing = parse_object_list("kind: List\nitems:\n- kind: Pod\n  metadata: {namespace: x}\n");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("items[0].metadata.name: required"), std::string::npos)
      << missing.error().message;
  auto broken = parse_object_list("kind: List\nitems: [\n");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("invalid objects file"), std::string::npos);
}

TEST(ObjectListFileTest, ReloadsOnChangeAndKeepsObjectsOnAnInvalidEdit) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("kscale-objects-test-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path)
      << "kind: Pod\napiVersion: v1\nmetadata: {name: a, namespace: d, labels: {v: '1'}}\n";
  core::ManualClock clock;
  auto file = ObjectListFile::open(path, clock, std::chrono::milliseconds(100));
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ((*file)->labels_of({"pods", ""}, "d", "a")->at("v"), "1");
  EXPECT_FALSE((*file)->labels_of({"pods", ""}, "d", "b").has_value());

  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a distinct modification time
  std::ofstream(path)
      << "kind: Pod\napiVersion: v1\nmetadata: {name: a, namespace: d, labels: {v: '2'}}\n";
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() +
                                             std::chrono::seconds(1));
  EXPECT_EQ((*file)->labels_of({"pods", ""}, "d", "a")->at("v"), "1");  // not yet due
  clock.advance(std::chrono::milliseconds(150));
  EXPECT_EQ((*file)->labels_of({"pods", ""}, "d", "a")->at("v"), "2");

  std::ofstream(path) << "kind: List\nitems: [\n";
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() +
                                             std::chrono::seconds(2));
  clock.advance(std::chrono::milliseconds(150));
  EXPECT_EQ((*file)->labels_of({"pods", ""}, "d", "a")->at("v"), "2");
  std::filesystem::remove(path);
}

TEST(ObjectListFileTest, UnreadableFileIsAnErrorAtStartup) {
  core::ManualClock clock;
  auto file = ObjectListFile::open("/nonexistent/objects.yaml", clock);
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().message.find("--objects /nonexistent/objects.yaml"), std::string::npos);
}

}  // namespace
}  // namespace kscale::kube
