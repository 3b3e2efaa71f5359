#pragma once
// auth::detail::unauthorized: the 401 error every authenticator of the chain returns (the
// request is then answered with upstream's Unauthorized Status).

#include <string>

#include "core/errors.h"

namespace kscale::auth::detail {

inline core::Error unauthorized(std::string message) {
  return core::Error{core::StatusReason::Unauthorized, 401, std::move(message), {}};
}

}  // namespace kscale::auth::detail
