#pragma once
// kube::detail: turning a Kubernetes API answer into a core::Error (the Status's message and the
// HTTP code), percent-encoding query values, and the metadata-only Accept headers.

#include <string>
#include <string_view>

#include "core/errors.h"
#include "net/http_types.h"

namespace kscale::kube::detail {

inline constexpr std::string_view kAcceptMetadataList =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
inline constexpr std::string_view kAcceptMetadata =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

/// A non-2xx answer as an Error whose code is the HTTP status and whose message is
/// "<what>: <status.message or body>".
core::Error answer_error(const net::Response& response, std::string_view what);

/// A query value percent-encoded (unreserved characters kept).
std::string query_value(std::string_view value);

}  // namespace kscale::kube::detail
