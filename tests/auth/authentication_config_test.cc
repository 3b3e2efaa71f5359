#include "auth/authentication_config.h"

#include <gtest/gtest.h>

#include "auth/test_certificates.h"

namespace kscale::auth {
namespace {

using Data = std::map<std::string, std::string>;

// As kube-apiserver writes it (the spec's §6 control plane).
Data apiserver_data() {
  return Data{
      {"client-ca-file", "CLIENT CA PEM"},
      {"requestheader-client-ca-file", "FRONT PROXY CA PEM"},
      {"requestheader-allowed-names", R"(["front-proxy-client"])"},
      {"requestheader-username-headers", R"(["X-Remote-User"])"},
      {"requestheader-group-headers", R"(["X-Remote-Group"])"},
      {"requestheader-extra-headers-prefix", R"(["X-Remote-Extra-"])"},
      {"requestheader-uid-headers", "null"},
  };
}

TEST(AuthenticationConfigTest, ReadsEveryKeyOfTheConfigMap) {
  const auto config = resolve_authentication_config(apiserver_data(), AuthenticationFlags{});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->client_ca, "CLIENT CA PEM");
  ASSERT_TRUE(config->request_header);
  const auto& rh = *config->request_header;
  EXPECT_EQ(rh.client_ca, "FRONT PROXY CA PEM");
  EXPECT_EQ(rh.allowed_names, std::vector<std::string>{"front-proxy-client"});
  EXPECT_EQ(rh.username_headers, std::vector<std::string>{"X-Remote-User"});
  EXPECT_EQ(rh.group_headers, std::vector<std::string>{"X-Remote-Group"});
  EXPECT_EQ(rh.extra_header_prefixes, std::vector<std::string>{"X-Remote-Extra-"});
  EXPECT_TRUE(rh.uid_headers.empty());
}

TEST(AuthenticationConfigTest, EmptyStringNullAndEmptyArrayAreEmptyLists) {
  for (const std::string value : {"", "null", "[]"}) {
    SCOPED_TRACE(value);
    Data data = apiserver_data();
    data["requestheader-allowed-names"] = value;
    const auto config = resolve_authentication_config(data, AuthenticationFlags{});
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_TRUE(config->request_header->allowed_names.empty());
  }
}

TEST(AuthenticationConfigTest, AListThatIsNotAJsonStringArrayNamesItsKey) {
  for (const std::string value : {"[1]", "x-remote-user", R"({"a":"b"})"}) {
    SCOPED_TRACE(value);
    Data data = apiserver_data();
    data["requestheader-group-headers"] = value;
    const auto config = resolve_authentication_config(data, AuthenticationFlags{});
    ASSERT_FALSE(config);
    EXPECT_NE(config.error().message.find("requestheader-group-headers"), std::string::npos);
  }
}

TEST(AuthenticationConfigTest, NoRequestHeaderCaMeansNoRequestHeaderPath) {
  const auto config =
      resolve_authentication_config(Data{{"client-ca-file", "PEM"}}, AuthenticationFlags{});
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->request_header);
  EXPECT_EQ(config->client_ca, "PEM");
  const auto empty = resolve_authentication_config(Data{}, AuthenticationFlags{});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->client_ca.empty());
  EXPECT_FALSE(empty->request_header);
}

TEST(AuthenticationConfigTest, ClientCaFlagReplacesOnlyTheClientCaKey) {
  const auto& certs = testing::TestCertificates::get();
  AuthenticationFlags flags;
  flags.client_ca_file = certs.path("ca");
  const auto config = resolve_authentication_config(apiserver_data(), flags);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->client_ca, certs.pem("ca"));
  EXPECT_EQ(config->request_header->client_ca, "FRONT PROXY CA PEM");
}

// Upstream getRequestHeader: a --requestheader-client-ca-file takes every requestheader setting
// from the flags (their defaults included), none from the ConfigMap.
TEST(AuthenticationConfigTest, RequestHeaderCaFlagReplacesEveryRequestHeaderKey) {
  const auto& certs = testing::TestCertificates::get();
  AuthenticationFlags flags;
  flags.requestheader_client_ca_file = certs.path("front-proxy-ca");
  flags.requestheader_uid_headers = {"X-Remote-Uid"};
  const auto config = resolve_authentication_config(apiserver_data(), flags);
  ASSERT_TRUE(config) << config.error().message;
  const auto& rh = *config->request_header;
  EXPECT_EQ(rh.client_ca, certs.pem("front-proxy-ca"));
  EXPECT_TRUE(rh.allowed_names.empty());
  EXPECT_EQ(rh.username_headers, std::vector<std::string>{"x-remote-user"});
  EXPECT_EQ(rh.group_headers, std::vector<std::string>{"x-remote-group"});
  EXPECT_EQ(rh.extra_header_prefixes, std::vector<std::string>{"x-remote-extra-"});
  EXPECT_EQ(rh.uid_headers, std::vector<std::string>{"X-Remote-Uid"});
  EXPECT_EQ(config->client_ca, "CLIENT CA PEM");
}

TEST(AuthenticationConfigTest, AnUnreadableFlagFileNamesTheFlagAndPath) {
  AuthenticationFlags flags;
  flags.requestheader_client_ca_file = "/nonexistent/front-proxy-ca.crt";
  const auto config = resolve_authentication_config(apiserver_data(), flags);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("--requestheader-client-ca-file"), std::string::npos);
  EXPECT_NE(config.error().message.find("/nonexistent/front-proxy-ca.crt"), std::string::npos);
}

TEST(AuthenticationConfigTest, LookupFailureMessageNamesTheRoleToBind) {
  const std::string m = lookup_failure_message("configmaps is forbidden");
  EXPECT_NE(m.find("configmaps is forbidden"), std::string::npos);
  EXPECT_NE(m.find("--role=extension-apiserver-authentication-reader"), std::string::npos);
}

}  // namespace
}  // namespace kscale::auth
