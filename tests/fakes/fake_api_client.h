#pragma once
// A fake kube::ApiClient for unit tests of what talks to the cluster: answers each request with
// the handler the test sets and records what was sent. It stands in where a real kube-apiserver
// cannot be made to answer on cue (a 410 at a chosen moment, a transport error, a slow review);
// the end-to-end tests in tests/e2e/ use the real one.

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "kube/api_client.h"

namespace kscale::fakes {

class FakeApiClient final : public kube::ApiClient {
 public:
  struct Sent {
    net::http::verb verb;
    std::string target;
    std::string body;
    net::RequestOptions options{};  // headers and timeout as sent
  };
  using Answer = std::function<core::Result<net::Response>(const Sent&)>;
  /// Streams: the pieces to hand to the sink, then the head to complete with.
  using StreamAnswer =
      std::function<core::Result<net::Response>(const Sent&, const kube::BodySink&)>;

  Answer answer;
  StreamAnswer stream_answer;
  std::vector<Sent> sent;  // every request and stream, in order

  boost::asio::awaitable<core::Result<net::Response>> request(
      net::http::verb verb, std::string target, std::string body,
      net::RequestOptions options) override {
    sent.push_back(Sent{verb, std::move(target), std::move(body), std::move(options)});
    co_return answer(sent.back());
  }

  boost::asio::awaitable<core::Result<net::Response>> stream(std::string target,
                                                             net::RequestOptions options,
                                                             kube::BodySink sink) override {
    sent.push_back(Sent{net::http::verb::get, std::move(target), {}, std::move(options)});
    co_return stream_answer(sent.back(), sink);
  }
};

}  // namespace kscale::fakes
