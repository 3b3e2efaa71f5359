#include "kube/kubeconfig.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

namespace kscale::kube {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// base64 of "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"
constexpr const char* kPemData =
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClgKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
constexpr const char* kPem = "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n";

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kscale-kubeconfig-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  GetEnv env() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      const auto it = env_.find(name);
      return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
  }
  core::Result<std::optional<ClientConfig>> resolve(ClientConfigOptions options = {}) const {
    return resolve_client_config(options, env());
  }
  // One context "ctx" → cluster "c" (with `cluster` fields) and user "u" (with `user` fields).
  static std::string kubeconfig(const std::string& cluster, const std::string& user,
                                const std::string& current = "ctx") {
    return "apiVersion: v1\nkind: Config\ncurrent-context: " + current +
           "\nclusters:\n- name: c\n  cluster:\n" + cluster +
           "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n"
           "users:\n- name: u\n  user:\n" +
           user;
  }
  static constexpr const char* kServer = "    server: https://10.0.0.1:6443\n";

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(KubeconfigTest, TheKubeconfigFlagUsesThatFileOnly) {
  const auto flag = write("flag.yaml", kubeconfig(kServer, "    token: from-flag\n"));
  env_["KUBECONFIG"] = write("env.yaml", kubeconfig("    server: https://other:1\n", ""));
  auto r = resolve({flag, ""});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->server.host, "10.0.0.1");
  EXPECT_EQ((*r)->server.port, 6443);
  EXPECT_EQ((*r)->token, "from-flag");
  EXPECT_THAT((*r)->source, HasSubstr(flag));
}

TEST_F(KubeconfigTest, AMissingKubeconfigFlagFileIsAnError) {
  const std::string missing = (dir_ / "missing.yaml").string();
  auto r = resolve({missing, ""});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr(missing));
}

TEST_F(KubeconfigTest, KubeconfigFilesMergeFirstDefinitionWins) {
  const auto first = write("a/first.yaml",
                           "current-context: one\n"
                           "clusters:\n- name: c\n  cluster:\n    server: https://first:1\n"
                           "contexts:\n- name: one\n  context: {cluster: c, user: u}\n");
  const auto second = write("b/second.yaml",
                            "current-context: two\n"
                            "clusters:\n- name: c\n  cluster:\n    server: https://second:2\n"
                            "- name: d\n  cluster:\n    server: https://d:3\n"
                            "contexts:\n- name: one\n  context: {cluster: d, user: v}\n"
                            "- name: two\n  context: {cluster: d, user: u}\n"
                            "users:\n- name: u\n  user:\n    token: second-token\n");
  env_["KUBECONFIG"] = first + ":" + (dir_ / "missing.yaml").string() + "::" + second;
  auto r = resolve();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->server.host, "first");   // context "one" and cluster "c" from the first file
  EXPECT_EQ((*r)->token, "second-token");  // user "u" only in the second
  auto two = resolve({"", "two"});
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ((*two)->server.host, "d");
}

TEST_F(KubeconfigTest, TheContextFlagOverridesCurrentContext) {
  const auto file = write("config",
                          "current-context: a\n"
                          "clusters:\n- name: ca\n  cluster: {server: 'https://a:1'}\n"
                          "- name: cb\n  cluster: {server: 'https://b:2'}\n"
                          "contexts:\n- name: a\n  context: {cluster: ca}\n"
                          "- name: b\n  context: {cluster: cb}\n");
  auto a = load_kubeconfig(file, "");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->server.host, "a");
  auto b = load_kubeconfig(file, "b");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->server.host, "b");
  EXPECT_THAT(b->source, HasSubstr("context b"));
}

TEST_F(KubeconfigTest, RelativePathsResolveAgainstTheKubeconfigsDirectory) {
  const auto file = write("sub/dir/config",
                          kubeconfig("    server: https://h:1\n    certificate-authority: ca.crt\n",
                                     "    client-certificate: ../client.crt\n"
                                     "    client-key: /abs/client.key\n"
                                     "    tokenFile: tokens/token\n"));
  auto r = load_kubeconfig(file, "");
  ASSERT_TRUE(r) << r.error().message;
  const fs::path d = dir_ / "sub" / "dir";
  EXPECT_EQ(r->ca_file, (d / "ca.crt").string());
  EXPECT_EQ(r->cert_file, (dir_ / "sub" / "client.crt").string());
  EXPECT_EQ(r->key_file, "/abs/client.key");
  EXPECT_EQ(r->token_file, (d / "tokens" / "token").string());
}

TEST_F(KubeconfigTest, InClusterWhenBothServiceVariablesAreSet) {
  write("sa/token", "sa-token\n");
  write("sa/ca.crt", kPem);
  env_["KSCALE_SERVICEACCOUNT_DIR"] = (dir_ / "sa").string();
  env_["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  env_["KUBERNETES_SERVICE_PORT"] = "443";
  env_["HOME"] = dir_.string();
  write(".kube/config", kubeconfig("    server: https://home:1\n", ""));
  auto r = resolve();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->server.host, "fd00::1");
  EXPECT_EQ((*r)->server.port, 443);
  EXPECT_TRUE((*r)->server.tls);
  EXPECT_EQ((*r)->server.text, "https://[fd00::1]:443");
  EXPECT_EQ((*r)->token_file, (dir_ / "sa" / "token").string());
  EXPECT_EQ((*r)->ca_file, (dir_ / "sa" / "ca.crt").string());

  env_.erase("KUBERNETES_SERVICE_PORT");  // one variable is not enough: $HOME's config
  auto home = resolve();
  ASSERT_TRUE(home) << home.error().message;
  EXPECT_EQ((*home)->server.host, "home");
}

TEST_F(KubeconfigTest, InClusterWithAnUnreadableCaUsesTheSystemRoots) {
  write("sa/token", "sa-token");
  env_["KSCALE_SERVICEACCOUNT_DIR"] = (dir_ / "sa").string();
  env_["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
  env_["KUBERNETES_SERVICE_PORT"] = "443";
  auto r = resolve();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->server.text, "https://10.96.0.1:443");
  EXPECT_TRUE((*r)->ca_file.empty());
  EXPECT_TRUE((*r)->ca_pem.empty());
}

TEST_F(KubeconfigTest, KubeconfigBeatsInClusterAndHome) {
  write("sa/token", "sa-token");
  env_["KSCALE_SERVICEACCOUNT_DIR"] = (dir_ / "sa").string();
  env_["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
  env_["KUBERNETES_SERVICE_PORT"] = "443";
  env_["KUBECONFIG"] = write("env.yaml", kubeconfig("    server: https://env:1\n", ""));
  auto r = resolve();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)->server.host, "env");
}

TEST_F(KubeconfigTest, NothingFoundIsStandaloneNotAnError) {
  env_["HOME"] = dir_.string();
  auto r = resolve();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(*r);
}

TEST_F(KubeconfigTest, ASetKubeconfigVariableExcludesInClusterAndHome) {
  write("sa/token", "sa-token");
  env_["KSCALE_SERVICEACCOUNT_DIR"] = (dir_ / "sa").string();
  env_["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
  env_["KUBERNETES_SERVICE_PORT"] = "443";
  env_["HOME"] = dir_.string();
  write(".kube/config", kubeconfig("    server: https://home:1\n", ""));
  env_["KUBECONFIG"] = (dir_ / "missing").string();
  auto r = resolve();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(*r);
  env_.erase("KUBECONFIG");
  auto in_cluster = resolve();
  ASSERT_TRUE(in_cluster) << in_cluster.error().message;
  EXPECT_EQ((*in_cluster)->server.host, "10.96.0.1");
}

TEST_F(KubeconfigTest, ServerRules) {
  struct Case {
    const char* server;
    const char* error;  // nullptr: accepted
  };
  for (const auto& c : std::vector<Case>{
           {"https://k8s.example.com", nullptr},
           {"https://10.0.0.1:6443/prefix/", nullptr},
           {"http://127.0.0.1:8080", nullptr},
           {"http://localhost:8080", nullptr},
           {"http://[::1]:8080", nullptr},
           {"http://10.0.0.1:8080", "loopback"},
           {"ftp://10.0.0.1", "server"},
       }) {
    SCOPED_TRACE(c.server);
    const auto file =
        write("config", kubeconfig(std::string("    server: ") + c.server + "\n", ""));
    auto r = load_kubeconfig(file, "");
    if (c.error == nullptr) {
      EXPECT_TRUE(r) << r.error().message;
    } else {
      ASSERT_FALSE(r);
      EXPECT_THAT(r.error().message, HasSubstr(c.error));
      EXPECT_THAT(r.error().message, HasSubstr("cluster \"c\""));
    }
  }
  auto prefixed = load_kubeconfig(
      write("config", kubeconfig("    server: https://10.0.0.1:6443/prefix/\n", "")), "");
  ASSERT_TRUE(prefixed);
  EXPECT_EQ(prefixed->server.target, "/prefix/");
  auto none =
      load_kubeconfig(write("config", kubeconfig("    insecure-skip-tls-verify: true\n", "")), "");
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error().message, HasSubstr("no server"));
}

TEST_F(KubeconfigTest, CertificateAuthorityDataWinsOverTheFile) {
  auto r = load_kubeconfig(write("config", kubeconfig(std::string(kServer) +
                                                          "    certificate-authority: ca.crt\n"
                                                          "    certificate-authority-data: " +
                                                          kPemData + "\n",
                                                      "")),
                           "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->ca_pem, kPem);
  EXPECT_TRUE(r->ca_file.empty());
}

TEST_F(KubeconfigTest, InsecureSkipTlsVerifyWithACaIsAnError) {
  auto ok = load_kubeconfig(
      write("config",
            kubeconfig(std::string(kServer) + "    insecure-skip-tls-verify: true\n", "")),
      "");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(ok->insecure_skip_tls_verify);
  for (const std::string& ca :
       {std::string("    certificate-authority: ca.crt\n"),
        std::string("    certificate-authority-data: ") + kPemData + "\n"}) {
    auto r = load_kubeconfig(
        write("config",
              kubeconfig(std::string(kServer) + "    insecure-skip-tls-verify: true\n" + ca, "")),
        "");
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("insecure-skip-tls-verify"));
  }
}

TEST_F(KubeconfigTest, ClientCertificateAndKeyComeTogetherDataWinning) {
  auto both = load_kubeconfig(
      write("config", kubeconfig(kServer, std::string("    client-certificate: c.crt\n"
                                                      "    client-certificate-data: ") +
                                              kPemData + "\n    client-key: c.key\n")),
      "");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->cert_pem, kPem);
  EXPECT_TRUE(both->cert_file.empty());
  EXPECT_EQ(both->key_file, (dir_ / "c.key").string());

  auto cert_only =
      load_kubeconfig(write("config", kubeconfig(kServer, "    client-certificate: c.crt\n")), "");
  ASSERT_FALSE(cert_only);
  EXPECT_THAT(cert_only.error().message, HasSubstr("client-certificate without client-key"));
  auto key_only = load_kubeconfig(
      write("config", kubeconfig(kServer, std::string("    client-key-data: ") + kPemData + "\n")),
      "");
  ASSERT_FALSE(key_only);
  EXPECT_THAT(key_only.error().message, HasSubstr("client-key without client-certificate"));
  auto bad = load_kubeconfig(
      write("config",
            kubeconfig(kServer, "    client-certificate-data: '%%%'\n    client-key: k\n")),
      "");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("client-certificate-data: not valid base64"));
}

TEST_F(KubeconfigTest, TokenAndTokenFile) {
  auto r = load_kubeconfig(
      write("config", kubeconfig(kServer, "    token: abc\n    tokenFile: /var/token\n")), "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->token, "abc");
  EXPECT_EQ(r->token_file, "/var/token");
}

TEST_F(KubeconfigTest, UnsupportedCredentialsAreNamedWithTheAlternatives) {
  for (const char* user : {"    exec:\n      command: aws\n      apiVersion: x\n",
                           "    auth-provider:\n      name: gcp\n", "    username: admin\n"}) {
    SCOPED_TRACE(user);
    const std::string field = std::string(user).substr(4, std::string(user).find(':') - 4);
    auto r = load_kubeconfig(write("config", kubeconfig(kServer, user)), "");
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr(field + " is not supported"));
    EXPECT_THAT(r.error().message, HasSubstr("user \"u\""));
    EXPECT_THAT(r.error().message, HasSubstr("tokenFile"));
    EXPECT_THAT(r.error().message, HasSubstr("client-certificate"));
  }
}

TEST_F(KubeconfigTest, MissingNamesAreErrorsThatNameThem) {
  auto no_context = load_kubeconfig(write("config", kubeconfig(kServer, "", "")), "");
  ASSERT_FALSE(no_context);
  EXPECT_THAT(no_context.error().message, HasSubstr("--context"));
  auto unknown = load_kubeconfig(write("config", kubeconfig(kServer, "")), "nope");
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message, HasSubstr("context \"nope\" not found"));
  auto no_cluster = load_kubeconfig(
      write("config", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: gone}\n"),
      "");
  ASSERT_FALSE(no_cluster);
  EXPECT_THAT(no_cluster.error().message, HasSubstr("cluster \"gone\" not found"));
  auto no_user = load_kubeconfig(
      write("config",
            "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://a'}\n"
            "contexts:\n- name: x\n  context: {cluster: c, user: ghost}\n"),
      "");
  ASSERT_FALSE(no_user);
  EXPECT_THAT(no_user.error().message, HasSubstr("user \"ghost\" not found"));
  auto not_yaml = load_kubeconfig(write("config", "clusters: [\n"), "");
  ASSERT_FALSE(not_yaml);
  EXPECT_THAT(not_yaml.error().message, HasSubstr("not valid YAML"));
}

}  // namespace
}  // namespace kscale::kube
