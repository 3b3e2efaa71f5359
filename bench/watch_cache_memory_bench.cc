// Resident memory of the live cluster cache at scale: a FakeApiClient serves N pods (default
// 100,000) as the kube-apiserver's metadata-only list pages (PartialObjectMetadata of 500 items,
// with managedFields, ownerReferences and annotations as real pods carry them), a Reflector
// lists them into an ObjectStore, and the bench prints resident bytes per pod from
// /proc/self/statm. Target (issue 9): <= 200 bytes per pod.
// Usage: watch_cache_memory_bench [pods] [pods-per-deployment]

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <boost/asio/io_context.hpp>

#include "fakes/fake_api_client.h"
#include "kube/object_store.h"
#include "kube/reflector.h"
#include "support/run_awaitable.h"

namespace {

using kscale::fakes::FakeApiClient;

long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

std::string chars(std::size_t i, std::size_t n) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (std::size_t k = 0; k < n; ++k) {
    out += kAlphabet[i % kAlphabet.size()];
    i /= kAlphabet.size();
  }
  return out;
}

// One pod as the metadata-only list shows it: "<deployment>-<10-char hash>-<5 chars>", a UUID,
// an 8-digit resourceVersion, the Deployment's labels and a ReplicaSet owner.
std::string pod_json(std::size_t i, std::size_t per_deployment) {
  const std::size_t d = i / per_deployment;
  const std::string deployment = "service-" + std::to_string(d);
  const std::string hash = chars(d * 7919, 10);
  const std::string ns = "team-" + std::to_string(d % 100);
  char uid[40];
  std::snprintf(uid, sizeof uid, "%08zx-%04zx-4%03zx-8%03zx-%012zx", i * 2654435761u % 0xffffffff,
                i % 0xffff, i % 0xfff, (i * 7) % 0xfff,
                i * 11400714819323198485ull % 0xffffffffffff);
  return R"({"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":")" +
         deployment + "-" + hash + "-" + chars(i, 5) + R"(","generateName":")" + deployment + "-" +
         hash + R"(-","namespace":")" + ns + R"(","uid":")" + uid + R"(","resourceVersion":")" +
         std::to_string(10'000'000 + i) +
         R"(","creationTimestamp":"2026-11-30T10:00:00Z","labels":{"app":")" + deployment +
         R"(","app.kubernetes.io/name":")" + deployment +
         R"(","app.kubernetes.io/part-of":"shop","pod-template-hash":")" + hash +
         R"("},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-30T09:59:00Z"},)"
         R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":")" +
         deployment + "-" + hash +
         R"(","uid":"6c1b2f1e-2b8a-4f0e-9d55-1f2e3d4c5b6a","controller":true,"blockOwnerDeletion":true}],)"
         R"("managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2026-11-30T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{}}}},)"
         R"({"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2026-11-30T10:00:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{},"f:podIP":{}}},"subresource":"status"}]}})";
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
  const std::size_t per_deployment = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100;
  constexpr std::size_t kPage = 500;

  kscale::core::RealClock clock;
  FakeApiClient api;
  api.answer = [&](const FakeApiClient::Sent& s) -> kscale::core::Result<kscale::net::Response> {
    std::size_t start = 0;
    if (const auto at = s.target.find("continue="); at != std::string::npos) {
      start = std::strtoul(s.target.c_str() + at + 9, nullptr, 10);
    }
    const std::size_t end = std::min(n, start + kPage);
    std::string body =
        R"({"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"20000000")";
    if (end < n) {
      body += R"(,"continue":")" + std::to_string(end) + R"(")";
    }
    body += R"(},"items":[)";
    for (std::size_t i = start; i < end; ++i) {
      body += (i > start ? "," : "") + pod_json(i, per_deployment);
    }
    body += "]}";
    return kscale::net::json_response(std::move(body));
  };
  api.stream_answer =
      [](const FakeApiClient::Sent&,
         const kscale::kube::BodySink&) -> kscale::core::Result<kscale::net::Response> {
    return kscale::core::fail(kscale::core::Error::unavailable("end of the bench"));
  };
  auto env = kscale::kube::default_reflector_env(clock);
  env.sleep = [](std::chrono::milliseconds) -> boost::asio::awaitable<bool> { co_return false; };

  malloc_trim(0);
  const long before = resident_bytes();
  kscale::kube::ObjectStore store;
  {
    kscale::kube::Reflector reflector(
        api, {"/api/v1/pods", "", true, kscale::kube::ObjectShape::Metadata, "pods"}, store, env);
    boost::asio::io_context ioc;
    kscale::testing::run_awaitable(ioc, reflector.run(), std::chrono::minutes(10));
    if (!reflector.synced() || store.size() != n) {
      std::fprintf(stderr, "not synced: %zu of %zu pods\n", store.size(), n);
      return 1;
    }
  }
  api.sent.clear();
  api.sent.shrink_to_fit();
  const long after = resident_bytes();
  malloc_trim(0);
  const long trimmed = resident_bytes();
  std::printf("pods %zu (%zu per deployment)\n", n, per_deployment);
  std::printf("rss delta %.1f MiB: %.0f bytes/pod\n", (after - before) / 1048576.0,
              static_cast<double>(after - before) / static_cast<double>(n));
  std::printf("rss delta after malloc_trim %.1f MiB: %.0f bytes/pod (target <= 200)\n",
              (trimmed - before) / 1048576.0,
              static_cast<double>(trimmed - before) / static_cast<double>(n));
  return 0;
}
