#pragma once
// The ReplicaDivisionResult document (`kscale divide -o json|yaml`) and the text explanation of
// one division (`-o text`).

#include <string>

#include <boost/json/value.hpp>

#include "core/errors.h"
#include "federation/division.h"

namespace kscale::federation {

/// {"apiVersion":"kscale.io/v1alpha1","kind":"ReplicaDivisionResult","clusters":[{"name":…,
/// "replicas":…},…],"error":null}; on an unschedulable result "clusters":[] and "error" holds
/// the message ("unschedulable: …").
boost::json::value encode_division_result(const core::Result<Assignment>& result);

/// The same document as YAML, newline-terminated.
std::string encode_division_result_yaml(const core::Result<Assignment>& result);

/// A few lines a person can check by hand: strategy, mode, tie order, weights, what each
/// cluster got, the total.
std::string explain_division(const DivisionRequest& request,
                             const core::Result<Assignment>& result);

}  // namespace kscale::federation
