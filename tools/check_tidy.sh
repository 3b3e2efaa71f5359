#!/usr/bin/env bash
# Runs clang-tidy-19 with the repository's .clang-tidy over every .cc file under src/ (and the
# src/ headers they include) and fails, listing the diagnostics, when any check reports one.
# Usage: tools/check_tidy.sh [BUILD_DIR]
#   BUILD_DIR: a configured build directory (its compile_commands.json); default "build".
# Takes about 3 minutes on 2 idle cores; scripts/test.sh runs it before the build.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

for tool in clang-tidy-19 run-clang-tidy-19; do
  command -v "$tool" > /dev/null || { echo "check_tidy: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done
if [ ! -f "$build/compile_commands.json" ]; then
  echo "check_tidy: $build/compile_commands.json is missing; configure first (cmake -S . -B $build)" >&2
  exit 2
fi

log="$build/clang-tidy.log"
start=$(date +%s)
if run-clang-tidy-19 -p "$build" -j "$(nproc)" -quiet -clang-tidy-binary "$(command -v clang-tidy-19)" \
     "^$PWD/src/.*\\.cc\$" > "$log" 2>&1; then
  echo "check_tidy: src/ passes .clang-tidy ($(( $(date +%s) - start ))s)"
  # Checks not yet in WarningsAsErrors still print what they find.
  grep -E '^/.*:[0-9]+:[0-9]+: warning: .*\]$' "$log" | sed "s|^$PWD/||" | sort -u || true
  exit 0
fi
echo "check_tidy: src/ does not pass .clang-tidy (full output in $log):" >&2
grep -E '^/.*:[0-9]+:[0-9]+: (warning|error): .*\]$' "$log" | sed "s|^$PWD/||" | sort -u >&2 \
  || tail -50 "$log" >&2
exit 1
