#pragma once
// One coroutine per connection, plain or TLS (STYLE.md §7). Parameters by value: the coroutine
// frame owns the stream and a reference to the immutable router.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "net/asio_tokens.h"
#include "net/router.h"
#include "net/server.h"

namespace kscale::net::detail {

namespace beast = boost::beast;
namespace asio = boost::asio;

template <class Stream>
concept TlsStream = requires(Stream& s) {
  s.next_layer();
  s.native_handle();
};

inline bool quiet_end(const boost::system::error_code& ec) {
  return ec == beast::http::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted;
}

// On TLS, the first bytes of a response: its header and as much of the body as fills one TLS
// record. Why: Beast writes the header and a body larger than 16 KB as separate writes, so the
// header went out as its own TLS record, its own sendmsg and its own TCP segment (a 20 KB answer
// took three sends). Starting the body in the header's record gives two, as nginx does. The
// buffer lives in the connection's coroutine frame; the rest of the body is written from the
// response itself. (Plain TCP already gathers header and body into one writev.)
constexpr size_t kTlsRecordBytes = 16 * 1024;
constexpr uint64_t kBodyReadChunk = 64 * 1024;

// Fills `head` with the serialized header and the start of the body; returns the bytes used and
// how much of the body they include, or nullopt when the header alone does not fit.
inline std::optional<std::pair<size_t, size_t>> fill_first_record(
    Response& res, std::array<char, kTlsRecordBytes>& head) {
  http::serializer<false, http::string_body> sr{res};
  sr.split(true);
  size_t used = 0;
  bool fits = true;
  boost::system::error_code ec;
  while (!ec && fits && !sr.is_header_done()) {
    sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      const size_t n = beast::buffer_bytes(buffers);
      if (used + n > head.size()) {
        fits = false;
        return;
      }
      used += asio::buffer_copy(asio::buffer(head.data() + used, head.size() - used), buffers);
      sr.consume(n);
    });
  }
  if (!fits || ec) {
    return std::nullopt;
  }
  const std::string& body = res.body();
  const size_t from_body = std::min(body.size(), head.size() - used);
  std::copy_n(body.data(), from_body, head.data() + used);
  return std::pair{used + from_body, from_body};
}

inline bool has_terminal(asio::cancellation_type cancelled) {
  return (cancelled & asio::cancellation_type::terminal) != asio::cancellation_type::none;
}

// Beast's composed reads pass only terminal cancellation on (async_compose's default filter), so
// the idle wait forwards a drain's `total` to them as `terminal`; the wait's bytes so far stay in
// the buffer.
struct AsTerminal {
  asio::cancellation_type operator()(asio::cancellation_type) const noexcept {
    return asio::cancellation_type::terminal;
  }
};

using RequestParser = http::request_parser<http::string_body>;

// Where a TLS response's first record is assembled (fill_first_record); nothing on plain TCP.
// It lives in the connection's coroutine frame, not in each response's.
template <class Stream>
using FirstRecord =
    std::conditional_t<TlsStream<Stream>, std::array<char, kTlsRecordBytes>, std::array<char, 0>>;

// The server side of the TLS handshake, under the read timeout; false when it failed.
template <class Stream>
asio::awaitable<bool> handshake(Stream& stream, const Limits& limits) {
  beast::get_lowest_layer(stream).expires_after(limits.read_timeout);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_nothrow);
  if (ec) {
    spdlog::debug("TLS handshake failed: {}", ec.message());
    co_return false;
  }
  co_return true;
}

// The accept-all verify callback of a listener that requests client certificates: the handshake
// asks for one but neither requires nor judges it (k8s.io/apiserver's tls.RequestClientCert);
// the listener's gate does.
inline int accept_any_certificate(int /*preverified*/, X509_STORE_CTX* /*ctx*/) { return 1; }

inline void append_der(X509* cert, std::vector<std::string>& out) {
  const int size = i2d_X509(cert, nullptr);
  if (size <= 0) {
    return;
  }
  std::string der(static_cast<size_t>(size), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &p);
  out.push_back(std::move(der));
}

// The certificates the client sent, leaf first, DER. On the server side OpenSSL's peer chain
// leaves the leaf out (SSL_get_peer_cert_chain(3)); a copy of it there is skipped.
inline Peer peer_of(SSL* ssl) {
  Peer peer;
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) {
    return peer;
  }
  append_der(leaf, peer.certificates);
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl); chain != nullptr) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      X509* cert = sk_X509_value(chain, i);
      if (X509_cmp(cert, leaf) != 0) {
        append_der(cert, peer.certificates);
      }
    }
  }
  return peer;
}

// Reads the next request into `parser`: its header, then (after the go-ahead it may expect) its
// body. While no byte of it has arrived the connection is idle: a `total` cancellation or
// `draining` ends it. Returns the read's error, or nullopt when the connection is to close
// without an answer (idle at shutdown, or the go-ahead could not be written). Every co_await is
// the whole initializer of a named local: GCC 12 mishandles temporaries (a std::tie tuple, a
// conditional's result) that live across a co_await in one full-expression.
template <class Stream>
asio::awaitable<std::optional<boost::system::error_code>> read_request(
    Stream& stream, beast::flat_buffer& buffer, RequestParser& parser,
    const std::atomic<bool>* draining) {
  boost::system::error_code ec;
  const bool idle = buffer.size() == 0;
  if (idle) {
    const auto before = co_await asio::this_coro::cancellation_state;
    if (before.cancelled() != asio::cancellation_type::none || draining->load()) {
      co_return std::nullopt;
    }
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation(),
                                                       AsTerminal{});
  }
  {
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_nothrow);
    ec = hec;
  }
  if (idle) {
    const auto after = co_await asio::this_coro::cancellation_state;
    const auto cancelled = after.cancelled();
    co_await asio::this_coro::reset_cancellation_state(asio::enable_terminal_cancellation());
    if (ec == asio::error::operation_aborted && !has_terminal(cancelled) && buffer.size() > 0) {
      // A drain arrived in the middle of the header: the request has begun, finish reading it.
      auto [rec, rn] = co_await http::async_read_header(stream, buffer, parser, use_nothrow);
      ec = rec;
    }
  }
  if (!ec && !parser.is_done()) {
    // curl sends "Expect: 100-continue" with bodies over 1 KB and waits a second for the
    // go-ahead before sending the body anyway (RFC 9110 §10.1.1).
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go_ahead{http::status::continue_, 11};
      auto [cec, cn] = co_await http::async_write(stream, go_ahead, use_nothrow);
      if (cec) {
        co_return std::nullopt;
      }
    }
    // Beast reads max(512, free capacity) bytes at a time and moves body bytes on to the body,
    // so the buffer would stay at 512 B: a 200 KB batch would take 400 reads. Room for the
    // body (up to Beast's 64 KB per read) makes it a handful.
    if (const auto length = parser.content_length();
        length && buffer.capacity() - buffer.size() < *length) {
      buffer.reserve(buffer.size() + std::min<uint64_t>(*length, kBodyReadChunk));
    }
    auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_nothrow);
    ec = bec;
  }
  co_return ec;
}

// The answer to a read that ended with `ec`: the router's, or an error for a request over the
// limits or malformed. False when the connection is to close without one (the peer left).
// `verdict`, when set, is the listener gate's answer and replaces the router's.
inline bool make_response(const boost::system::error_code& ec, RequestParser& parser,
                          const Router& router, const Limits& limits,
                          const std::atomic<bool>& draining, std::optional<Response>& verdict,
                          Response& res) {
  bool keep_alive = false;
  if (ec == http::error::body_limit) {
    res = error_response(core::Error::too_large(
        "request body is larger than the limit of " + std::to_string(limits.body_limit) +
        " bytes: split the batch or raise --max-request-body-bytes"));
  } else if (ec == http::error::header_limit) {
    res = error_response(core::Error::too_large("request headers are too large"));
  } else if (quiet_end(ec)) {
    return false;
  } else if (ec) {
    spdlog::debug("read failed: {}", ec.message());
    if (!parser.is_header_done()) {
      return false;
    }
    res = error_response(core::Error::bad_request("malformed HTTP request: " + ec.message()));
  } else {
    const Request& req = parser.get();
    res = verdict ? std::move(*verdict) : router.dispatch(req);
    keep_alive = req.keep_alive();
    if (req.method() == http::verb::head) {
      res.prepare_payload();
      res.body().clear();
    }
  }
  res.keep_alive(keep_alive && !draining.load());
  // A handler may ask for chunked transfer coding (a watch-like stream in tests); Beast frames the
  // body then.
  if (!res.chunked() &&
      (res.body().size() > 0 || res.find(http::field::content_length) == res.end())) {
    res.prepare_payload();
  }
  return true;
}

// Runs the listener's gate on a request (the request and peer live in the session's frame). A gate
// that throws answers 500 and leaves the connection usable, as the session does for handlers.
inline asio::awaitable<std::optional<Response>> pass_gate(const Gate& gate, Request& request,
                                                          const Peer& peer) {
  try {
    auto verdict = co_await gate(request, peer);
    co_return verdict;
  } catch (const std::exception& e) {
    spdlog::error("request gate failed: {}", e.what());
  }
  co_return error_response(core::Error::internal("request gate failed"));
}

// Writes `res`; on TLS its header and the start of its body go out as one record (see
// kTlsRecordBytes), assembled in `head`.
template <class Stream>
asio::awaitable<boost::system::error_code> write_response(Stream& stream, Response& res,
                                                          FirstRecord<Stream>& head) {
  if constexpr (TlsStream<Stream>) {
    if (const auto first = res.chunked() ? std::nullopt : fill_first_record(res, head)) {
      // Two writes of one buffer each: the record-sized head, then the rest of the body.
      const asio::const_buffer head_bytes(head.data(), first->first);
      auto [head_ec, head_n] = co_await asio::async_write(stream, head_bytes, use_nothrow);
      const std::string& body = res.body();
      if (head_ec || first->second >= body.size()) {
        co_return head_ec;
      }
      const asio::const_buffer rest(body.data() + first->second, body.size() - first->second);
      auto [rest_ec, rest_n] = co_await asio::async_write(stream, rest, use_nothrow);
      co_return rest_ec;
    }
  }
  auto [all_ec, all_n] = co_await http::async_write(stream, res, use_nothrow);
  co_return all_ec;
}

// Ends the connection: TLS close_notify (unless abandoned by a terminal cancellation), or a TCP
// half-close.
template <class Stream>
asio::awaitable<void> end_connection(Stream& stream) {
  if constexpr (TlsStream<Stream>) {
    const auto state = co_await asio::this_coro::cancellation_state;
    if (has_terminal(state.cancelled())) {
      co_return;  // abandoned: no close_notify exchange
    }
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(use_nothrow);
  } else {
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
}

// A member of the server's TaskGroup. `draining` and `options` (the listener's) are owned by the
// Server, which outlives the group's members. With a gate, the peer's certificates are read once
// after the handshake and every request passes the gate before the router; without one nothing
// of this runs. Shutdown (Go's http.Server.Shutdown): while no byte of the next request has arrived
// the connection is idle and a `total` cancellation closes it; once a request has begun, only
// `terminal` interrupts it, and with `draining` set its answer closes the connection.
template <class Stream>
asio::awaitable<void> run_session(Stream stream, std::shared_ptr<const Router> router,
                                  Limits limits, const std::atomic<bool>* draining,
                                  const ListenOptions* options) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const Gate* gate = options->gate ? &options->gate : nullptr;
  Peer peer;
  if constexpr (TlsStream<Stream>) {
    if (options->request_client_certificate) {
      SSL_set_verify(stream.native_handle(), SSL_VERIFY_PEER, accept_any_certificate);
    }
    const bool secured = co_await handshake(stream, limits);
    if (!secured) {
      co_return;
    }
    if (gate != nullptr) {
      peer = peer_of(stream.native_handle());
    }
  }
  beast::flat_buffer buffer;
  FirstRecord<Stream> head;
  for (;;) {
    beast::get_lowest_layer(stream).expires_after(limits.read_timeout);
    RequestParser parser;
    parser.body_limit(limits.body_limit);
    parser.header_limit(limits.header_limit);
    const auto read = co_await read_request(stream, buffer, parser, draining);
    if (!read) {
      break;
    }
    std::optional<Response> verdict;
    if (gate != nullptr && !*read) {
      auto gated = co_await pass_gate(*gate, parser.get(), peer);
      verdict = std::move(gated);
    }
    Response res;
    if (!make_response(*read, parser, *router, limits, *draining, verdict, res)) {
      break;
    }
    const auto written = co_await write_response(stream, res, head);
    if (written || !res.keep_alive()) {
      break;
    }
  }
  co_await end_connection(stream);
}

}  // namespace kscale::net::detail
