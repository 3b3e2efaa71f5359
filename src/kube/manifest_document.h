#pragma once
// A Kubernetes manifest as kubectl reads it: one YAML or JSON document as a Boost.JSON value,
// and a JSON value written back as YAML (for `-o yaml`).

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/errors.h"

namespace kscale::kube {

/// One YAML or JSON document as a JSON value. Plain YAML scalars become numbers, booleans or
/// null where YAML 1.2 core schema says so; quoted scalars stay strings.
[[nodiscard]] core::Result<boost::json::value> parse_document(std::string_view text);

/// The document as YAML text.
std::string to_yaml(const boost::json::value& v);

}  // namespace kscale::kube
