#include "kube/http_api_client.h"

#include <utility>

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/string.hpp>

#include "net/http_client.h"

namespace kscale::kube {

namespace asio = boost::asio;

namespace {

bool has_header(const net::RequestOptions& options, std::string_view name) {
  for (const auto& [key, value] : options.headers) {
    if (boost::beast::iequals(key, name)) {
      return true;
    }
  }
  return false;
}

}  // namespace

// A pool connection checked out for one request or stream; returned to the pool when the
// coroutine frame that holds it ends (also when the coroutine is cancelled or destroyed).
class HttpApiClient::Lease {
 public:
  explicit Lease(HttpApiClient& client) : client_(client), connection_(client.checkout()) {}
  ~Lease() { client_.give_back(std::move(connection_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  net::HttpConnection* operator->() { return connection_.get(); }

 private:
  HttpApiClient& client_;
  std::unique_ptr<net::HttpConnection> connection_;
};

HttpApiClient::HttpApiClient(asio::any_io_executor executor, ClusterConnection connection,
                             ApiClientOptions options, const core::Clock& clock)
    : executor_(std::move(executor)),
      connection_(std::move(connection)),
      options_(std::move(options)),
      prefix_(connection_.server.target),
      limiter_(options_.qps, options_.burst, clock) {
  while (!prefix_.empty() && prefix_.back() == '/') {
    prefix_.pop_back();
  }
  if (!connection_.tokens) {
    connection_.tokens = std::make_shared<TokenSource>(std::string(), std::string(), clock);
  }
}

HttpApiClient::~HttpApiClient() = default;

std::unique_ptr<net::HttpConnection> HttpApiClient::checkout() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++created_;
  }
  return std::make_unique<net::HttpConnection>(executor_, connection_.server, connection_.tls);
}

void HttpApiClient::give_back(std::unique_ptr<net::HttpConnection> connection) {
  std::lock_guard lock(mutex_);
  if (connection && idle_.size() < options_.max_idle_connections) {
    idle_.push_back(std::move(connection));
  }
  // Otherwise destroyed here, which closes its socket.
}

uint64_t HttpApiClient::connections_created() const {
  std::lock_guard lock(mutex_);
  return created_;
}

net::RequestOptions HttpApiClient::with_headers(net::RequestOptions options,
                                                const BearerToken& token, bool has_body) const {
  if (!has_header(options, "Accept")) {
    options.headers.emplace_back("Accept", "application/json");
  }
  if (has_body && !has_header(options, "Content-Type")) {
    options.headers.emplace_back("Content-Type", "application/json");
  }
  if (!has_header(options, "User-Agent")) {
    options.headers.emplace_back("User-Agent", options_.user_agent);
  }
  if (!token.value.empty()) {
    options.headers.emplace_back("Authorization", "Bearer " + token.value);
  }
  return options;
}

std::optional<BearerToken> HttpApiClient::token_for_retry(
    const core::Result<net::Response>& response, const BearerToken& used) {
  if (!response || response->result() != net::http::status::unauthorized ||
      !connection_.tokens->invalidate(used)) {
    return std::nullopt;
  }
  BearerToken fresh = connection_.tokens->token();
  if (fresh.value == used.value) {
    return std::nullopt;  // the same token would be refused again
  }
  return fresh;
}

asio::awaitable<core::Result<net::Response>> HttpApiClient::request(net::http::verb verb,
                                                                    std::string target,
                                                                    std::string body,
                                                                    net::RequestOptions options) {
  co_await limiter_.wait();
  const std::string path = prefix_ + target;
  if (const auto state = co_await asio::this_coro::cancellation_state;
      state.cancelled() != asio::cancellation_type::none) {
    co_return core::fail(core::Error::unavailable(std::string(net::http::to_string(verb)) + " " +
                                                  connection_.server.text + path +
                                                  ": cancelled while rate limited"));
  }
  const bool has_body = !body.empty();
  // Kept only when a 401 can be retried with a re-read token.
  const std::string again = connection_.tokens->has_file() ? body : std::string();
  const BearerToken used = connection_.tokens->token();
  Lease lease(*this);
  auto response =
      co_await lease->request(verb, path, std::move(body), with_headers(options, used, has_body));
  const auto fresh = token_for_retry(response, used);
  if (!fresh) {
    co_return response;
  }
  auto retried =
      co_await lease->request(verb, path, again, with_headers(options, *fresh, has_body));
  co_return retried;
}

asio::awaitable<core::Result<net::Response>> HttpApiClient::stream(std::string target,
                                                                   net::RequestOptions options,
                                                                   BodySink sink) {
  // Watches are exempt from the rate limit, as client-go exempts them (rest/request.go Watch
  // does not call tryThrottle).
  const std::string path = prefix_ + target;
  const BearerToken used = connection_.tokens->token();
  Lease lease(*this);
  auto response = co_await lease->stream(path, with_headers(options, used, false), sink);
  const auto fresh = token_for_retry(response, used);
  if (!fresh) {
    co_return response;
  }
  auto retried = co_await lease->stream(path, with_headers(options, *fresh, false), sink);
  co_return retried;
}

}  // namespace kscale::kube
