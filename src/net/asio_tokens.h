#pragma once
// net::use_nothrow: the completion token every kscale coroutine awaits I/O with — errors come back
// as the first tuple element instead of an exception (Beast examples' as_tuple(use_awaitable)).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kscale::net {

inline constexpr auto use_nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace kscale::net
