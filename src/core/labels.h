#pragma once
// Label sets as Kubernetes objects and metric series carry them.

#include <map>
#include <string>

namespace kscale::core {

/// Sorted by key, as labels.Set prints.
using Labels = std::map<std::string, std::string, std::less<>>;

}  // namespace kscale::core
