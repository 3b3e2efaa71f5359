#!/usr/bin/env bash
# Formats every C++ file (.h, .cc) under src/, tests/ and bench/ in place with clang-format-19 and
# the repository's .clang-format. tools/check_format.sh checks what this produces.
set -euo pipefail
cd "$(dirname "$0")/.."

find src tests bench -type f \( -name '*.h' -o -name '*.cc' \) -print0 | sort -z | xargs -0 clang-format-19 -i
