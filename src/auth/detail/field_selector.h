#pragma once
// Field selectors as apimachinery's fields.ParseSelector reads them (terms a=b, a==b, a!=b, with
// \, \= \\ escapes in values), for the two uses authorization has: RequestInfo's name from
// `metadata.name=X` and the SubjectAccessReview's fieldSelector requirements.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"

namespace kscale::auth::detail {

struct FieldRequirement {
  std::string field;
  bool not_equals = false;  // "!=" (selection.NotEquals); "=" and "==" are selection.Equals
  std::string value;        // unescaped
};

/// Upstream: apimachinery pkg/fields/selector.go parseSelector — terms split at unescaped ',',
/// sorted as strings, empty terms skipped. Errors (400) carry upstream's messages.
[[nodiscard]] core::Result<std::vector<FieldRequirement>> parse_field_selector(
    std::string_view selector);

/// Upstream: Selector.RequiresExactMatch — the value of the first "field=value" requirement.
std::optional<std::string> requires_exact_match(const std::vector<FieldRequirement>& requirements,
                                                std::string_view field);

}  // namespace kscale::auth::detail
