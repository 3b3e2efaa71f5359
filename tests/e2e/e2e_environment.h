#pragma once
// End-to-end test support: the one control plane each e2e test binary starts for all its tests
// (start-up takes seconds), owned by a gtest Environment that e2e_main.cc installs.

#include "e2e/control_plane.h"

namespace kscale::testing {

/// The control plane of this test binary; valid inside tests (after the environment's SetUp).
ControlPlane& control_plane();

/// The options the control plane of this binary starts with; a test binary that needs others
/// sets them from a static initializer (before main), e.g.
/// `const bool kOptions = (control_plane_options().kwok_cidr = "127.1.0.0/24", true);`.
ControlPlaneOptions& control_plane_options();

}  // namespace kscale::testing
