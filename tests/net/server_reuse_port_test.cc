#include "net/server.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kscale::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

std::shared_ptr<Router> answering(std::string name) {
  auto router = std::make_shared<Router>();
  router->add(http::verb::get, "/", [name](const RequestContext&) -> core::Result<Response> {
    return text_response(name);
  });
  return router;
}

std::string get_root(uint16_t port) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  Request req{http::verb::get, "/", 11};
  req.set(http::field::host, "localhost");
  req.keep_alive(false);
  http::write(stream, req);
  beast::flat_buffer buffer;
  Response res;
  http::read(stream, buffer, res);
  return res.body();
}

TEST(ServerReusePortTest, TwoServersShareOnePortWithReusePort) {
  Server a(answering("a"), Limits{});
  Server b(answering("b"), Limits{});
  auto pa = a.listen("127.0.0.1", 0, nullptr, ListenOptions{.reuse_port = true});
  ASSERT_TRUE(pa) << pa.error().message;
  auto pb = b.listen("127.0.0.1", *pa, nullptr, ListenOptions{.reuse_port = true});
  ASSERT_TRUE(pb) << pb.error().message;
  EXPECT_EQ(*pa, *pb);
  std::thread ta([&] { a.run(1); });
  std::thread tb([&] { b.run(1); });
  // The kernel spreads connections over both listeners by a hash of the client's address and
  // port, so enough fresh connections reach each.
  std::set<std::string> seen;
  for (int i = 0; i < 200 && seen.size() < 2; ++i) {
    seen.insert(get_root(*pa));
  }
  a.stop();
  b.stop();
  ta.join();
  tb.join();
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b"}));
}

TEST(ServerReusePortTest, WithoutReusePortTheSecondBindFails) {
  Server a(answering("a"), Limits{});
  Server b(answering("b"), Limits{});
  auto pa = a.listen("127.0.0.1", 0, nullptr);
  ASSERT_TRUE(pa);
  auto pb = b.listen("127.0.0.1", *pa, nullptr);
  ASSERT_FALSE(pb);
  EXPECT_NE(pb.error().message.find("cannot listen"), std::string::npos) << pb.error().message;
  // One side asking is not enough either: every socket on the port must set SO_REUSEPORT.
  auto pc = b.listen("127.0.0.1", *pa, nullptr, ListenOptions{.reuse_port = true});
  EXPECT_FALSE(pc);
}

}  // namespace
}  // namespace kscale::net
