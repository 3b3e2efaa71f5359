#pragma once
// metav1.LabelSelector ({matchLabels, matchExpressions}) decoded from JSON or YAML-as-JSON into a
// core::LabelSelector, as the HPA's metric selectors and a Deployment's spec.selector carry it.

#include <string>

#include <boost/json/value.hpp>

#include "core/errors.h"
#include "core/label_selector.h"

namespace kscale::core {

/// Upstream: metav1.LabelSelectorAsSelector. null is the empty selector. Errors are Invalid and
/// name the field under `path` ("spec.selector.matchExpressions[0].operator: ...").
[[nodiscard]] Result<LabelSelector> decode_label_selector(const boost::json::value& selector,
                                                          const std::string& path);

/// decode_label_selector(...).to_string(): the canonical, key-sorted text the HPA sends.
[[nodiscard]] Result<std::string> label_selector_string(const boost::json::value& selector,
                                                        const std::string& path);

}  // namespace kscale::core
