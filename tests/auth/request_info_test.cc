#include "auth/request_info.h"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kscale::auth {
namespace {

constexpr std::string_view kP = "/apis/custom.metrics.k8s.io/v1beta2";

struct Case {
  std::string name;
  std::string method;
  std::string target;
  std::string verb;
  std::string group;
  std::string version;
  std::string ns;
  std::string resource;
  std::string subresource;
  std::string object;
  std::vector<std::string> parts;
  std::string label_selector = {};
  std::string field_selector = {};
};

void expect_resource(const Case& c) {
  SCOPED_TRACE(c.name + ": " + c.method + " " + c.target);
  auto info = make_request_info(c.method, c.target);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->is_resource_request);
  EXPECT_EQ(info->verb, c.verb);
  EXPECT_EQ(info->api_group, c.group);
  EXPECT_EQ(info->api_version, c.version);
  EXPECT_EQ(info->namespace_name, c.ns);
  EXPECT_EQ(info->resource, c.resource);
  EXPECT_EQ(info->subresource, c.subresource);
  EXPECT_EQ(info->name, c.object);
  EXPECT_EQ(info->parts, c.parts);
  EXPECT_EQ(info->label_selector, c.label_selector);
  EXPECT_EQ(info->field_selector, c.field_selector);
}

// The resource rows of kubernetes-integration.md §4's table.
TEST(RequestInfoTest, SpecTableResourceRows) {
  const std::string p(kP);
  const std::vector<Case> cases = {
      {"pods wildcard with a selector is a get",
       "GET",
       p + "/namespaces/default/pods/*/http_requests_qps?labelSelector=app%3Dweb",
       "get",
       "custom.metrics.k8s.io",
       "v1beta2",
       "default",
       "pods",
       "http_requests_qps",
       "*",
       {"pods", "*", "http_requests_qps"}},
      {"the aggregator's escaped star",
       "GET",
       p + "/namespaces/default/pods/%2A/http_requests_qps?labelSelector=app%3Dweb",
       "get",
       "custom.metrics.k8s.io",
       "v1beta2",
       "default",
       "pods",
       "http_requests_qps",
       "*",
       {"pods", "*", "http_requests_qps"}},
      {"metrics by name",
       "GET",
       p + "/namespaces/default/metrics/foo",
       "get",
       "custom.metrics.k8s.io",
       "v1beta2",
       "default",
       "metrics",
       "",
       "foo",
       {"metrics", "foo"}},
      {"root-scoped",
       "GET",
       p + "/nodes/n1/node_load",
       "get",
       "custom.metrics.k8s.io",
       "v1beta2",
       "",
       "nodes",
       "node_load",
       "n1",
       {"nodes", "n1", "node_load"}},
      {"external list carries its selector",
       "GET",
       "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector=queue%3Dorders",
       "list",
       "external.metrics.k8s.io",
       "v1beta1",
       "default",
       "queue_depth",
       "",
       "",
       {"queue_depth"},
       "queue=orders"},
  };
  for (const auto& c : cases) {
    expect_resource(c);
  }
}

TEST(RequestInfoTest, SpecTableNonResourceRows) {
  for (const auto& [method, target, path, verb] : std::vector<std::array<std::string, 4>>{
           {"GET", "/apis", "/apis", "get"},
           {"GET", "/apis/custom.metrics.k8s.io", "/apis/custom.metrics.k8s.io", "get"},
           {"GET", std::string(kP), std::string(kP), "get"},
           {"POST", "/write-metrics/namespaces/default/pods/p1/m",
            "/write-metrics/namespaces/default/pods/p1/m", "post"},
       }) {
    SCOPED_TRACE(target);
    auto info = make_request_info(method, target);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->is_resource_request);
    EXPECT_EQ(info->path, path);
    EXPECT_EQ(info->verb, verb);
    EXPECT_EQ(info->resource, "");
  }
}

// Transcribed from k8s.io/apiserver pkg/endpoints/request/requestinfo_test.go
// TestGetAPIRequestInfo (v1.36.3).
TEST(RequestInfoTest, UpstreamResourcePaths) {
  const std::vector<Case> cases = {
      {"namespaces list",
       "GET",
       "/api/v1/namespaces",
       "list",
       "",
       "v1",
       "",
       "namespaces",
       "",
       "",
       {"namespaces"}},
      {"namespace get",
       "GET",
       "/api/v1/namespaces/other",
       "get",
       "",
       "v1",
       "other",
       "namespaces",
       "",
       "other",
       {"namespaces", "other"}},
      {"namespaced list",
       "GET",
       "/api/v1/namespaces/other/pods",
       "list",
       "",
       "v1",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"namespaced get",
       "GET",
       "/api/v1/namespaces/other/pods/foo",
       "get",
       "",
       "v1",
       "other",
       "pods",
       "",
       "foo",
       {"pods", "foo"}},
      {"head is get",
       "HEAD",
       "/api/v1/namespaces/other/pods/foo",
       "get",
       "",
       "v1",
       "other",
       "pods",
       "",
       "foo",
       {"pods", "foo"}},
      {"all namespaces", "GET", "/api/v1/pods", "list", "", "v1", "", "pods", "", "", {"pods"}},
      {"head list", "HEAD", "/api/v1/pods", "list", "", "v1", "", "pods", "", "", {"pods"}},
      {"proxy",
       "GET",
       "/api/v1/proxy/namespaces/other/pods/foo",
       "proxy",
       "",
       "v1",
       "other",
       "pods",
       "",
       "foo",
       {"pods", "foo"}},
      {"proxy has no subresource",
       "GET",
       "/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource",
       "proxy",
       "",
       "v1",
       "other",
       "pods",
       "",
       "foo",
       {"pods", "foo", "subpath", "not", "a", "subresource"}},
      {"watch prefix",
       "GET",
       "/api/v1/watch/pods",
       "watch",
       "",
       "v1",
       "",
       "pods",
       "",
       "",
       {"pods"}},
      {"watch=true",
       "GET",
       "/api/v1/pods?watch=true",
       "watch",
       "",
       "v1",
       "",
       "pods",
       "",
       "",
       {"pods"}},
      {"watch=false",
       "GET",
       "/api/v1/pods?watch=false",
       "list",
       "",
       "v1",
       "",
       "pods",
       "",
       "",
       {"pods"}},
      {"namespaced watch prefix",
       "GET",
       "/api/v1/watch/namespaces/other/pods",
       "watch",
       "",
       "v1",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"watch=1",
       "GET",
       "/api/v1/namespaces/other/pods?watch=1",
       "watch",
       "",
       "v1",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"watch=0",
       "GET",
       "/api/v1/namespaces/other/pods?watch=0",
       "list",
       "",
       "v1",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"subresource",
       "GET",
       "/api/v1/namespaces/other/pods/foo/status",
       "get",
       "",
       "v1",
       "other",
       "pods",
       "status",
       "foo",
       {"pods", "foo", "status"}},
      {"proxy subresource",
       "GET",
       "/api/v1/namespaces/other/pods/foo/proxy/subpath",
       "get",
       "",
       "v1",
       "other",
       "pods",
       "proxy",
       "foo",
       {"pods", "foo", "proxy", "subpath"}},
      {"namespace finalize",
       "PUT",
       "/api/v1/namespaces/other/finalize",
       "update",
       "",
       "v1",
       "other",
       "namespaces",
       "finalize",
       "other",
       {"namespaces", "other", "finalize"}},
      {"namespace status",
       "PUT",
       "/api/v1/namespaces/other/status",
       "update",
       "",
       "v1",
       "other",
       "namespaces",
       "status",
       "other",
       {"namespaces", "other", "status"}},
      {"patch",
       "PATCH",
       "/api/v1/namespaces/other/pods/foo",
       "patch",
       "",
       "v1",
       "other",
       "pods",
       "",
       "foo",
       {"pods", "foo"}},
      {"delete",
       "DELETE",
       "/api/v1/namespaces/other/pods/foo",
       "delete",
       "",
       "v1",
       "other",
       "pods",
       "",
       "foo",
       {"pods", "foo"}},
      {"create",
       "POST",
       "/api/v1/namespaces/other/pods",
       "create",
       "",
       "v1",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"deletecollection nodes",
       "DELETE",
       "/api/v1/nodes",
       "deletecollection",
       "",
       "v1",
       "",
       "nodes",
       "",
       "",
       {"nodes"}},
      {"deletecollection namespaces",
       "DELETE",
       "/api/v1/namespaces",
       "deletecollection",
       "",
       "v1",
       "",
       "namespaces",
       "",
       "",
       {"namespaces"}},
      {"deletecollection pods",
       "DELETE",
       "/api/v1/namespaces/other/pods",
       "deletecollection",
       "",
       "v1",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"group deletecollection",
       "DELETE",
       "/apis/extensions/v1/namespaces/other/pods",
       "deletecollection",
       "extensions",
       "v1",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"group create",
       "POST",
       "/apis/extensions/v1/namespaces/other/pods",
       "create",
       "extensions",
       "v1",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"group version",
       "POST",
       "/apis/extensions/v1beta3/namespaces/other/pods",
       "create",
       "extensions",
       "v1beta3",
       "other",
       "pods",
       "",
       "",
       {"pods"}},
      {"unknown method has no verb",
       "OPTIONS",
       "/api/v1/pods/foo",
       "",
       "",
       "v1",
       "",
       "pods",
       "",
       "foo",
       {"pods", "foo"}},
      {"namespaces with nothing after",
       "GET",
       "/apis/g/v1/namespaces/ns1/",
       "get",
       "g",
       "v1",
       "ns1",
       "namespaces",
       "",
       "ns1",
       {"namespaces", "ns1"}},
  };
  for (const auto& c : cases) {
    expect_resource(c);
  }
}

// Transcribed from requestinfo_test.go TestGetNonAPIRequestInfo and TestGetAPIRequestInfo's
// "error" cases, which are non-resource requests.
TEST(RequestInfoTest, FewerThanThreeSegmentsOrAnotherPrefixIsNonResource) {
  for (const std::string target :
       {"/", "", "/api/version/", "/apis/group/version/", "/badprefix/version/resource",
        "/apis/version/resource", "/not-api/version/resource", "/apis/extensions/v1beta1",
        "/apis/extensions/v1beta1/", "/api/version", "/api", "/healthz", "/readyz?verbose"}) {
    SCOPED_TRACE(target);
    auto info = make_request_info("GET", target);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->is_resource_request);
    EXPECT_EQ(info->verb, "get");
    EXPECT_EQ(info->path, target.substr(0, target.find('?')));
  }
  for (const std::string target :
       {"/api/version/resource", "/apis/group/version/resource/name/subresource",
        "/api/version/resource/name/subresource", "/apis/batch/v1/job", "/apis/batch/v1/job/foo",
        "/apis/batch/v1/job/foo/scale"}) {
    SCOPED_TRACE(target);
    auto info = make_request_info("GET", target);
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->is_resource_request);
  }
}

TEST(RequestInfoTest, NonResourceVerbIsTheLowerCaseMethod) {
  auto info = make_request_info("DELETE", "/write-metrics");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->verb, "delete");
  info = make_request_info("PoSt", "/metrics");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->verb, "post");
}

// Transcribed from requestinfo_test.go TestSelectorParsing.
TEST(RequestInfoTest, UpstreamSelectorParsing) {
  const std::string r = "/apis/group/version/resource";
  const std::vector<Case> cases = {
      {"no selector", "GET", r, "list", "group", "version", "", "resource", "", "", {"resource"}},
      {"metadata.name selector",
       "GET",
       r + "?fieldSelector=metadata.name=name1",
       "list",
       "group",
       "version",
       "",
       "resource",
       "",
       "name1",
       {"resource"},
       "",
       "metadata.name=name1"},
      {"metadata.name selector with watch",
       "GET",
       r + "?watch=true&fieldSelector=metadata.name=name1",
       "watch",
       "group",
       "version",
       "",
       "resource",
       "",
       "name1",
       {"resource"},
       "",
       "metadata.name=name1"},
      {"random selector",
       "GET",
       r + "?fieldSelector=foo=bar&labelSelector=baz=qux",
       "list",
       "group",
       "version",
       "",
       "resource",
       "",
       "",
       {"resource"},
       "baz=qux",
       "foo=bar"},
      {"invalid selector with metadata.name",
       "GET",
       r + "?fieldSelector=metadata.name=name1,foo",
       "list",
       "group",
       "version",
       "",
       "resource",
       "",
       "",
       {"resource"},
       "",
       "metadata.name=name1,foo"},
      {"invalid selector with watch",
       "GET",
       r + "?fieldSelector=metadata.name=name1,foo&watch=true",
       "watch",
       "group",
       "version",
       "",
       "resource",
       "",
       "",
       {"resource"},
       "",
       "metadata.name=name1,foo"},
      {"invalid selector with watch false",
       "GET",
       r + "?fieldSelector=metadata.name=name1,foo&watch=false",
       "list",
       "group",
       "version",
       "",
       "resource",
       "",
       "",
       {"resource"},
       "",
       "metadata.name=name1,foo"},
      {"deletecollection honours selectors",
       "DELETE",
       r + "?fieldSelector=foo=bar&labelSelector=baz=qux",
       "deletecollection",
       "group",
       "version",
       "",
       "resource",
       "",
       "",
       {"resource"},
       "baz=qux",
       "foo=bar"},
      {"repeated params: the first",
       "GET",
       r + "?fieldSelector=metadata.name=foo&fieldSelector=metadata.name=bar&labelSelector=foo=bar&labelSelector=foo=baz",
       "list",
       "group",
       "version",
       "",
       "resource",
       "",
       "foo",
       {"resource"},
       "foo=bar",
       "metadata.name=foo"},
      {"selectors on other verbs ignored",
       "GET",
       r + "/name?fieldSelector=foo=bar&labelSelector=foo=bar",
       "get",
       "group",
       "version",
       "",
       "resource",
       "",
       "name",
       {"resource", "name"}},
      {"root watch prefix: not parsed",
       "GET",
       "/apis/group/version/watch/resource?fieldSelector=metadata.name=foo&labelSelector=foo=bar",
       "watch",
       "group",
       "version",
       "",
       "resource",
       "",
       "",
       {"resource"}},
      {"item watch prefix: not parsed",
       "GET",
       "/apis/group/version/watch/resource/name?fieldSelector=metadata.name=foo&labelSelector=foo=bar",
       "watch",
       "group",
       "version",
       "",
       "resource",
       "",
       "name",
       {"resource", "name"}},
  };
  for (const auto& c : cases) {
    expect_resource(c);
  }
}

// Upstream decodes the query into ListOptions: a value that does not convert drops the name
// from a metadata.name selector but keeps `watch`; any watch value but 0/false (any case) is a
// watch; a name that is not a path segment name is not taken.
TEST(RequestInfoTest, ListOptionsDecodingEdges) {
  const std::string r = "/apis/g/v1/namespaces/ns/things";
  const auto name_and_verb = [](const std::string& target) {
    auto info = make_request_info("GET", target);
    EXPECT_TRUE(info);
    return info ? info->name + "|" + info->verb : std::string();
  };
  EXPECT_EQ(name_and_verb(r + "?fieldSelector=metadata.name%3Dx&limit=abc"), "|list");
  EXPECT_EQ(name_and_verb(r + "?fieldSelector=metadata.name%3Dx&timeoutSeconds=1.5&watch=1"),
            "|watch");
  EXPECT_EQ(name_and_verb(r + "?fieldSelector=metadata.name%3Dx&labelSelector=a%20b%20c"), "|list");
  EXPECT_EQ(name_and_verb(r + "?fieldSelector=metadata.name%3Dx&limit=500&timeoutSeconds=-3"),
            "x|list");
  EXPECT_EQ(name_and_verb(r + "?fieldSelector=metadata.name==x,a!=b"), "x|list");
  EXPECT_EQ(name_and_verb(r + "?fieldSelector=metadata.name!=x"), "|list");
  EXPECT_EQ(name_and_verb(r + "?fieldSelector=metadata.name=a%25b"), "|list");
  EXPECT_EQ(name_and_verb(r + "?fieldSelector=metadata.name=.."), "|list");
  EXPECT_EQ(name_and_verb(r + "?watch=FALSE"), "|list");
  EXPECT_EQ(name_and_verb(r + "?watch="), "|watch");
  EXPECT_EQ(name_and_verb(r + "?watch=yes"), "|watch");
  // Go's URL.Query() drops a malformed pair and one with ';', keeping the rest.
  EXPECT_EQ(name_and_verb(r + "?x=%zz&watch=true"), "|watch");
  EXPECT_EQ(name_and_verb(r + "?watch=true;x=1"), "|list");
}

TEST(RequestInfoTest, WatchPrefixWithoutAResourceIsAnError) {
  auto info = make_request_info("GET", "/apis/g/v1/watch");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, 500);
  EXPECT_EQ(info.error().message,
            "failed to create RequestInfo: unable to determine kind and namespace from url, "
            "/apis/g/v1/watch");
}

TEST(RequestInfoTest, MalformedPathEscapeIsBadRequest) {
  auto info = make_request_info("GET", "/apis/g/v1/pods/%zz");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, 400);
}

TEST(RequestInfoTest, EscapedSlashSplitsAsGoDecodesThePathFirst) {
  auto info = make_request_info("GET", "/apis/g/v1/namespaces%2Fns/pods/p");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->namespace_name, "ns");
  EXPECT_EQ(info->resource, "pods");
  EXPECT_EQ(info->name, "p");
  EXPECT_EQ(info->path, "/apis/g/v1/namespaces/ns/pods/p");
}

}  // namespace
}  // namespace kscale::auth
