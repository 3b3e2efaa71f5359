#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/httpserver_deployment.h"

#include "autoscaler/local_process_group.h"
#include "kube/deployment.h"

namespace kscale::autoscaler {
namespace {

constexpr std::string_view kDeployment = testing::kHttpserverDeployment;

// Upstream: kubernetes third_party/forked/golang/expansion/expand_test.go, TestMapReference and
// TestMapping (the cases that do not depend on the order of a Go map).
TEST(KubeletExpansionTest, MatchesUpstreamCases) {
  const std::map<std::string, std::string> vars{{"VAR_A", "A"},    {"VAR_B", "B"},
                                                {"VAR_C", "C"},    {"VAR_REF", "$(VAR_A)"},
                                                {"VAR_EMPTY", ""}, {"BLU", "$$"}};
  struct Case {
    std::string input, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"$(VAR_A)", "A"},
           {"___$(VAR_B)___", "___B___"},
           {"$(VAR_A)-$(VAR_A)", "A-A"},
           {"f000-$$VAR_A", "f000-$VAR_A"},
           {"foo\\$(VAR_C)bar", "foo\\Cbar"},
           {"foo\\\\$(VAR_C)bar", "foo\\\\Cbar"},
           {"$(VAR_A)$(VAR_B)$(VAR_C)", "ABC"},
           {"$(VAR_REF)", "$(VAR_A)"},
           {"foo$(VAR_EMPTY)bar", "foobar"},
           {"$(VAR_DNE)", "$(VAR_DNE)"},
           {"$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"},
           {"$$$$$$$(BIG_MONEY)", "$$$$(BIG_MONEY)"},
           {"$(VAR_A", "$(VAR_A"},
           {"$(", "$("},
           {"$VAR_A", "$VAR_A"},
           {"$$", "$"},
           {"$", "$"},
           {"foo$", "foo$"},
           {"$(BLU)", "$$"},
       }) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(expand_kubelet_vars(c.input, vars), c.expected);
  }
}

TEST(KubeletExpansionTest, ReplicaEnvComesFirstAndTemplateEnvSeesIt) {
  auto d = kube::read_deployment_manifest(kDeployment);
  ASSERT_TRUE(d);
  const auto env = replica_env(*d, "httpserver-abc-xyz12", 41234);
  ASSERT_EQ(env.size(), 5u);
  EXPECT_EQ(env[0], (std::pair<std::string, std::string>{"POD_NAME", "httpserver-abc-xyz12"}));
  EXPECT_EQ(env[1].second, "default");
  EXPECT_EQ(env[3], (std::pair<std::string, std::string>{"PORT", "41234"}));
  EXPECT_EQ(env[4],
            (std::pair<std::string, std::string>{"GREETING", "hello httpserver-abc-xyz12"}));
}

}  // namespace
}  // namespace kscale::autoscaler
