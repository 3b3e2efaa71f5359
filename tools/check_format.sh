#!/usr/bin/env bash
# Checks that the C++ files (.h, .cc) under src/, tests/ and bench/ are formatted as .clang-format
# says (clang-format-19); exits 1 listing the files that are not, with the diff that fixes them.
#
# While tools/format-base exists, it names the commit of main at which formatting started, and only
# the lines changed since that commit are checked (git clang-format; fix with
# `git clang-format-19 --binary clang-format-19 $(cat tools/format-base)`). Once the whole tree has
# been reformatted (tools/format.sh, in one commit), delete tools/format-base: every file is then
# checked with `clang-format --dry-run --Werror` (fix with tools/format.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in clang-format-19 git-clang-format-19; do
  command -v "$tool" > /dev/null || { echo "check_format: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done

if [ -f tools/format-base ]; then
  base=$(tr -d '[:space:]' < tools/format-base)
  if ! git rev-parse --is-inside-work-tree > /dev/null 2>&1 || ! git cat-file -e "${base}^{commit}" 2> /dev/null; then
    echo "check_format: commit $base (tools/format-base) is not in this checkout's history;" \
         "the changed-lines check needs a clone with full history" >&2
    exit 2
  fi
  diff=$(git-clang-format-19 --binary clang-format-19 --extensions h,cc --diff "$base" -- src tests bench 2>&1) && rc=0 || rc=$?
  case "$diff" in
    "no modified files to format" | "clang-format did not modify any files" | "")
      echo "check_format: lines changed since ${base:0:12} are formatted"
      exit 0
      ;;
  esac
  echo "check_format: lines changed since ${base:0:12} are not formatted as .clang-format says in:" >&2
  printf '%s\n' "$diff" | sed -n 's|^diff --git a/\(.*\) b/.*|  \1|p' >&2
  echo "fix: git clang-format-19 --binary clang-format-19 $base" >&2
  printf '%s\n' "$diff"
  exit 1
fi

mapfile -d '' files < <(find src tests bench -type f \( -name '*.h' -o -name '*.cc' \) -print0 | sort -z)
if out=$(clang-format-19 --dry-run --Werror "${files[@]}" 2>&1); then
  echo "check_format: ${#files[@]} files are formatted"
  exit 0
fi
echo "check_format: not formatted as .clang-format says (fix: tools/format.sh):" >&2
printf '%s\n' "$out" | sed -n 's|^\([^:]*\):[0-9]*:[0-9]*: error: .*|  \1|p' | sort -u >&2
printf '%s\n' "$out" | head -100
exit 1
