#!/usr/bin/env bash
# The main job: installs what is needed, builds kscale, and runs `kscale demo` — seed 000's
# scenario on this machine: the adapter scraping replicas of the sample httpserver, the HPA loop
# with the seed's HPA (http_requests_qps, AverageValue 30, min 1, max 10), load from hey, a live
# table, then a summary and an SVG timeline. Arguments go to `kscale demo` (e.g. --short,
# --plot out.svg, --load hey|ab|builtin, --keep-files).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build --target kscale -j"$(nproc)"
exec build/src/cli/kscale demo "$@"
