#!/usr/bin/env bash
# Installs every Debian package kscale needs to build, test, benchmark and run its demo.
# Run as root on Debian bookworm. Idempotent: packages already present are skipped quickly.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache
  # style checks run by scripts/test.sh (tools/check_format.sh, tools/check_tidy.sh)
  clang-format-19 clang-tidy-19 git
  # libraries (ARCHITECTURE.md "Chosen dependencies"; prometheus-cpp is not packaged in bookworm)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libexpected-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # real programs used by tests, benchmarks and the demo
  kubectl curl openssl prometheus prometheus-pushgateway hey apache2-utils wrk nginx-light
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
# kubectl may come from a non-Debian source on some machines; install the rest even if it is absent.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
  || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
       $(printf '%s\n' "${missing[@]}" | grep -vx kubectl)
