#pragma once
// The SubjectAccessReview k8s.io/apiserver's webhook authorizer sends for a request, and the
// status it reads back (plugin/pkg/authorizer/webhook/webhook.go, v1.36.3).

#include <string>
#include <string_view>

#include "auth/request_info.h"
#include "auth/user_info.h"
#include "core/errors.h"

namespace kscale::auth::detail {

/// json.Marshal(SubjectAccessReviewSpec) — fields in the Go struct's order (resourceAttributes
/// or nonResourceAttributes, user, groups, extra with sorted keys, uid), empty ones omitted. The
/// cache key, and the `spec` of the body.
std::string encode_sar_spec(const UserInfo& user, const RequestInfo& info);

/// The whole review as client-go encodes it (TypeMeta, empty metadata, spec, zero status).
std::string encode_sar_body(std::string_view spec_json);

struct SarStatus {
  bool allowed = false;
  bool denied = false;
  std::string reason;
};

/// The `status` of a returned review. Errors: the body is not a review (upstream: Into fails).
[[nodiscard]] core::Result<SarStatus> decode_sar_status(std::string_view body);

}  // namespace kscale::auth::detail
