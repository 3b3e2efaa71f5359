#include "net/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "net/asio_tokens.h"

namespace kscale::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kUserAgent = "kscale/0.1";
constexpr size_t kReadChunk = 64 * 1024;

core::Error failure(const std::string& what, std::string_view step,
                    const boost::system::error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) {
    return core::Error::unavailable(what + ": timed out after " + std::to_string(timeout.count()) +
                                    "ms (" + std::string(step) + ")");
  }
  return core::Error::unavailable(what + ": " + std::string(step) + ": " + ec.message());
}

// Upstream: Go net/http request.go isReplayable — only these methods are sent again after a
// reused connection failed.
bool replayable(http::verb verb) {
  return verb == http::verb::get || verb == http::verb::head || verb == http::verb::options ||
         verb == http::verb::trace;
}

// Beast's composed reads pass on only terminal cancellation (async_compose's default filter); a
// stream forwards a `total` one to them as `terminal`, as the server's idle read does.
struct ForwardAsTerminal {
  asio::cancellation_type operator()(asio::cancellation_type) const noexcept {
    return asio::cancellation_type::terminal;
  }
};

struct StreamAttempt {
  core::Result<Response> result;
  bool retry = false;  // a reused connection failed before the response began
  bool keep = false;   // the connection may serve another request
};

core::Error stream_failure(const std::string& what, std::string_view step,
                           const boost::system::error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == asio::error::operation_aborted) {
    return core::Error::unavailable(what + ": cancelled");
  }
  return failure(what, step, ec, timeout);
}

// One streamed GET on an open connection: the head under the deadline set by the caller, then a
// 200's body piece by piece into `sink` without a deadline (any other status: collected, up to
// the body limit, into the returned response).
template <class Stream>
asio::awaitable<StreamAttempt> stream_exchange(Stream& stream, beast::flat_buffer& buffer,
                                               const Request& req, const RequestOptions& options,
                                               const StreamSink& sink, const std::string& what) {
  auto [wec, written] = co_await http::async_write(stream, req, use_nothrow);
  if (wec) {
    co_return StreamAttempt{core::fail(stream_failure(what, "write request", wec, options.timeout)),
                            wec != beast::error::timeout && wec != asio::error::operation_aborted};
  }
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  auto [hec, head_bytes] = co_await http::async_read_header(stream, buffer, parser, use_nothrow);
  if (hec) {
    const bool nothing_received = !parser.got_some() && buffer.size() == 0;
    co_return StreamAttempt{core::fail(stream_failure(what, "read response", hec, options.timeout)),
                            nothing_received && hec != beast::error::timeout &&
                                hec != asio::error::operation_aborted};
  }
  const bool ok = parser.get().result() == http::status::ok;
  if (ok) {
    beast::get_lowest_layer(stream).expires_never();
  }
  std::string piece(kReadChunk, '\0');  // Beast's own cap per read
  std::string error_body;
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, use_nothrow);
    if (ec == http::error::need_buffer) {
      ec = {};
    }
    const size_t got = piece.size() - parser.get().body().size;
    if (got > 0 && ok) {
      if (auto r = sink(std::string_view(piece.data(), got)); !r) {
        co_return StreamAttempt{core::fail(r.error())};
      }
    } else if (got > 0) {
      error_body.append(piece.data(), got);
      if (error_body.size() > options.body_limit) {
        co_return StreamAttempt{
            core::fail(core::Error::unavailable(what + ": response body is larger than " +
                                                std::to_string(options.body_limit) + " bytes"))};
      }
    }
    if (ec) {
      co_return StreamAttempt{core::fail(stream_failure(what, "read body", ec, options.timeout))};
    }
  }
  const bool keep = parser.keep_alive() && buffer.size() == 0;
  Response head{std::move(parser.get().base())};
  head.body() = std::move(error_body);
  co_return StreamAttempt{std::move(head), false, keep};
}

}  // namespace

struct HttpConnection::Attempt {
  core::Result<Response> result;
  bool retry = false;  // a reused connection failed before the response began
};

HttpConnection::HttpConnection(asio::any_io_executor executor, HttpUrl url,
                               std::shared_ptr<asio::ssl::context> tls)
    : executor_(std::move(executor)), url_(std::move(url)), tls_(std::move(tls)) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(url_.host, ec);
  host_header_ = !ec && address.is_v6() ? "[" + url_.host + "]" : url_.host;
  if (url_.port != (url_.tls ? 443 : 80)) {
    host_header_ += ":" + std::to_string(url_.port);
  }
  origin_ = (url_.tls ? "https://" : "http://") + host_header_;
}

HttpConnection::~HttpConnection() { close(); }

void HttpConnection::recycle(std::string body) {
  if (body.capacity() > spare_body_.capacity()) {
    spare_body_ = std::move(body);
  }
}

beast::tcp_stream& HttpConnection::lowest_layer() {
  return secure_ ? secure_->next_layer() : *plain_;
}

void HttpConnection::close() {
  if (plain_ || secure_) {
    boost::system::error_code ignored;
    lowest_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest_layer().close();
  }
  plain_.reset();
  secure_.reset();
  buffer_.clear();
}

asio::awaitable<core::Result<void>> HttpConnection::connect(const RequestOptions& options,
                                                            const std::string& what) {
  if (url_.tls && !tls_) {
    co_return core::fail(
        core::Error::bad_request(what + ": an https URL needs a client TLS context"));
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(url_.host, ec);
  const bool ip_literal = !ec;
  std::vector<tcp::endpoint> endpoints;
  if (ip_literal) {
    endpoints.emplace_back(address, url_.port);
  } else {
    tcp::resolver resolver(executor_);
    auto [rec, results] =
        co_await resolver.async_resolve(url_.host, std::to_string(url_.port), use_nothrow);
    if (rec) {
      co_return core::fail(failure(what, "resolve " + url_.host, rec, options.timeout));
    }
    for (const auto& entry : results) {
      endpoints.push_back(entry.endpoint());
    }
  }
  beast::tcp_stream stream(executor_);
  // One deadline for connect, handshake, write and read: tcp_stream keeps it until changed.
  stream.expires_after(options.timeout);
  auto [cec, endpoint] = co_await stream.async_connect(endpoints, use_nothrow);
  if (cec) {
    co_return core::fail(failure(what, "connect", cec, options.timeout));
  }
  ++connections_opened_;
  if (!url_.tls) {
    plain_.emplace(std::move(stream));
  } else {
    secure_.emplace(std::move(stream), *tls_);
    if (!ip_literal) {
      // A name, not an IP literal: send SNI.
      SSL_set_tlsext_host_name(secure_->native_handle(), url_.host.c_str());
    }
    if (SSL_CTX_get_verify_mode(tls_->native_handle()) != SSL_VERIFY_NONE) {
      secure_->set_verify_callback(asio::ssl::host_name_verification(url_.host));
    }
    auto [hec] = co_await secure_->async_handshake(asio::ssl::stream_base::client, use_nothrow);
    if (hec) {
      close();
      co_return core::fail(failure(what, "tls handshake", hec, options.timeout));
    }
  }
  // Beast reads max(512, free capacity) bytes at a time and hands body bytes on to the body as
  // they come, so an unreserved buffer stays at 512 B: ~150 recvmsg and epoll_wait calls for a
  // 75 KB scrape. With 64 KB free (Beast's own cap per read) it is a handful.
  buffer_.reserve(kReadChunk);
  co_return core::Result<void>{};
}

asio::awaitable<HttpConnection::Attempt> HttpConnection::exchange(const Request& req,
                                                                  const RequestOptions& options,
                                                                  const std::string& what) {
  boost::system::error_code wec;
  if (secure_) {
    auto [ec, written] = co_await http::async_write(*secure_, req, use_nothrow);
    wec = ec;
  } else {
    auto [ec, written] = co_await http::async_write(*plain_, req, use_nothrow);
    wec = ec;
  }
  if (wec) {
    close();
    co_return Attempt{core::fail(failure(what, "write request", wec, options.timeout)),
                      wec != beast::error::timeout};
  }

  http::response_parser<http::string_body> parser;
  spare_body_.clear();
  parser.get().body() =
      std::move(spare_body_);  // string_body appends to it, reserving Content-Length
  parser.body_limit(options.body_limit);
  if (req.method() == http::verb::head) {
    parser.skip(true);
  }
  boost::system::error_code rec;
  if (secure_) {
    auto [ec, read] = co_await http::async_read(*secure_, buffer_, parser, use_nothrow);
    rec = ec;
  } else {
    auto [ec, read] = co_await http::async_read(*plain_, buffer_, parser, use_nothrow);
    rec = ec;
  }
  if (rec) {
    const bool nothing_received = !parser.got_some() && buffer_.size() == 0;
    close();
    if (rec == http::error::body_limit) {
      co_return Attempt{
          core::fail(core::Error::unavailable(what + ": response body is larger than " +
                                              std::to_string(options.body_limit) + " bytes"))};
    }
    co_return Attempt{core::fail(failure(what, "read response", rec, options.timeout)),
                      nothing_received && rec != beast::error::timeout};
  }
  // Bytes past the response would be an answer to no request: start over rather than guess.
  if (!parser.keep_alive() || buffer_.size() != 0) {
    close();
  } else {
    lowest_layer().expires_never();
  }
  co_return Attempt{parser.release()};
}

asio::awaitable<core::Result<Response>> HttpConnection::get(RequestOptions options) {
  auto response = co_await request(http::verb::get, url_.target, std::string(), std::move(options));
  co_return response;
}

Request HttpConnection::make_request(http::verb verb, std::string target, std::string body,
                                     const RequestOptions& options) const {
  Request req{verb, std::move(target), 11};  // HTTP/1.1: the connection stays open by default
  req.set(http::field::host, host_header_);
  req.set(http::field::user_agent, kUserAgent);
  for (const auto& [name, value] : options.headers) {
    req.set(name, value);
  }
  if (!body.empty() || verb == http::verb::post || verb == http::verb::put ||
      verb == http::verb::patch) {
    req.body() = std::move(body);
    req.prepare_payload();
  }
  return req;
}

asio::awaitable<core::Result<void>> HttpConnection::open(const RequestOptions& options,
                                                         const std::string& what) {
  if (plain_ || secure_) {
    lowest_layer().expires_after(options.timeout);
    co_return core::Result<void>{};
  }
  auto connected = co_await connect(options, what);
  co_return connected;
}

asio::awaitable<core::Result<Response>> HttpConnection::request(http::verb verb, std::string target,
                                                                std::string body,
                                                                RequestOptions options) {
  const std::string what = std::string(http::to_string(verb)) + " " +
                           (target == url_.target ? url_.text : origin_ + target);
  const Request req = make_request(verb, std::move(target), std::move(body), options);
  const bool reused = plain_ || secure_;
  if (auto r = co_await open(options, what); !r) {
    co_return core::fail(r.error());
  }
  auto attempt = co_await exchange(req, options, what);
  if (attempt.result || !reused || !attempt.retry || !replayable(verb)) {
    co_return std::move(attempt.result);
  }
  // The server closed the idle connection (keep-alive timeout, restart): once more on a new one.
  if (auto r = co_await connect(options, what); !r) {
    co_return core::fail(r.error());
  }
  auto again = co_await exchange(req, options, what);
  co_return std::move(again.result);
}

asio::awaitable<core::Result<Response>> HttpConnection::stream(std::string target,
                                                               RequestOptions options,
                                                               StreamSink sink) {
  const std::string what = "GET " + origin_ + target;
  const Request req = make_request(http::verb::get, std::move(target), std::string(), options);
  const auto before = co_await asio::this_coro::cancellation_state;
  if (before.cancelled() != asio::cancellation_type::none) {
    co_return core::fail(core::Error::unavailable(what + ": cancelled"));
  }
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation(),
                                                     ForwardAsTerminal{});
  StreamAttempt attempt{core::fail(core::Error::internal(what + ": not sent"))};
  for (int round = 0; round < 2; ++round) {
    const bool reused = plain_ || secure_;
    if (auto r = co_await open(options, what); !r) {
      attempt = StreamAttempt{core::fail(r.error())};
      break;
    }
    if (secure_) {
      attempt = co_await stream_exchange(*secure_, buffer_, req, options, sink, what);
    } else {
      attempt = co_await stream_exchange(*plain_, buffer_, req, options, sink, what);
    }
    if (!attempt.keep) {
      close();
    } else {
      lowest_layer().expires_never();
    }
    // A reused connection the server had closed while idle: once more on a new one (a GET).
    if (attempt.result || !reused || !attempt.retry) {
      break;
    }
  }
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_return std::move(attempt.result);
}

asio::awaitable<core::Result<Response>> http_get(HttpUrl url, RequestOptions options,
                                                 std::shared_ptr<asio::ssl::context> tls) {
  // Every co_await is the whole initializer of a named local (GCC 12 coroutine temporaries).
  auto executor = co_await asio::this_coro::executor;
  HttpConnection connection(executor, std::move(url), std::move(tls));
  auto response = co_await connection.get(std::move(options));
  co_return response;
}

}  // namespace kscale::net
