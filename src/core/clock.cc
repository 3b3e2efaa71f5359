#include "core/clock.h"

namespace kscale::core {

// The only place in src/ that reads the system clocks (STYLE.md §6).
SystemTime RealClock::system_now() const { return std::chrono::system_clock::now(); }
MonotonicTime RealClock::monotonic_now() const { return std::chrono::steady_clock::now(); }

}  // namespace kscale::core
