#!/usr/bin/env bash
# Installs what is needed, builds kscale, runs every test (unit, integration with real kubectl,
# curl, prometheus, hey, and end to end against a real control plane), then builds the unit tests
# under AddressSanitizer and UndefinedBehaviorSanitizer and runs them. The layer check runs as a
# unit test in both; the format and clang-tidy checks run first, before the build, and fail the
# run on a violation.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== style: formatting (tools/check_format.sh)"
tools/check_format.sh

jobs=$(nproc)
# Compiled objects are cached outside the repository (ccache's own directory, ~/.cache/ccache), so
# a second run on the same machine rebuilds only what changed.
launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
echo "== build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}"

echo "== style: clang-tidy (tools/check_tidy.sh)"
tools/check_tidy.sh build

cmake --build build -j"$jobs"

# The end-to-end tests (label e2e) run against a real control plane and helm built from their Go
# modules and cached outside the repository (returns at once when cached; the first build takes
# long). KSCALE_SKIP_E2E=1 reports them skipped instead.
if [ "${KSCALE_SKIP_E2E:-}" != 1 ]; then
  echo "== control plane and helm for the end-to-end tests"
  # Go's official install location, for a shell whose PATH does not name it.
  if ! command -v go > /dev/null && [ -x /usr/local/go/bin/go ]; then
    export PATH="$PATH:/usr/local/go/bin"
  fi
  KSCALE_TESTENV_BIN=$(scripts/build-control-plane.sh)
  KSCALE_HELM_BIN=$(scripts/build-helm.sh)
  export KSCALE_TESTENV_BIN KSCALE_HELM_BIN
fi

echo "== unit, integration and end-to-end tests"
(cd build && ctest --output-on-failure --timeout 900)

echo "== unit tests under ASan+UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKSCALE_SANITIZE=ON -DKSCALE_BUILD_INTEGRATION_TESTS=OFF \
  "${launcher[@]}"
cmake --build build-asan --target unit_tests -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest -L unit --output-on-failure --timeout 600)
