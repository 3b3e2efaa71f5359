#!/usr/bin/env bash
# Lists function bodies longer than a limit (default 80 lines) in C++ sources: a brace-counting
# scan, good enough for this code's style (a definition's opening brace ends its signature line).
# Usage: tools/long_functions.sh [--max N] [paths...]   (default: src/)
# Prints "file:line: N lines: signature", longest first; exits 0.
set -euo pipefail
max=80
if [[ "${1:-}" == "--max" ]]; then
  max="$2"
  shift 2
fi
paths=("$@")
if [[ ${#paths[@]} -eq 0 ]]; then
  paths=(src)
fi
find "${paths[@]}" -type f \( -name '*.cc' -o -name '*.h' \) -print0 | sort -z |
  xargs -0 awk -v max="$max" '
    FNR == 1 { depth = 0; in_fn = 0; in_comment = 0 }
    {
      line = $0
      # Drop string and character literals and comments before counting braces.
      gsub(/\\./, "", line)
      gsub(/"[^"]*"/, "\"\"", line)
      gsub(/'\''[^'\'']*'\''/, "''", line)
      if (in_comment) {
        if (index(line, "*/") == 0) { next }
        line = substr(line, index(line, "*/") + 2); in_comment = 0
      }
      sub(/\/\/.*/, "", line)
      while (match(line, /\/\*/)) {
        rest = substr(line, RSTART + 2)
        if (index(rest, "*/") == 0) { line = substr(line, 1, RSTART - 1); in_comment = 1; break }
        line = substr(line, 1, RSTART - 1) substr(rest, index(rest, "*/") + 2)
      }
      opens = gsub(/{/, "{", line); closes = gsub(/}/, "}", line)
      # A function starts where a line with ")" (a signature end, possibly "const", "override",
      # "-> T", or a constructor initializer) opens a brace that it does not close, outside any
      # other function; namespaces, classes, enums and lambdas assigned at namespace scope are
      # scopes, not functions.
      if (!in_fn && opens > closes && line ~ /\)[^;]*\{[^}]*$/ && line !~ /^[ \t]*(namespace|class|struct|enum|union)\b/ && line !~ /=[ \t]*\[/) {
        in_fn = 1; fn_depth = depth; fn_start = FNR; fn_sig = $0
        sub(/^[ \t]+/, "", fn_sig)
      } else if (!in_fn && opens > closes && line ~ /^[ \t]*:/ ) {
        # a constructor whose initializer list ends with the brace
        in_fn = 1; fn_depth = depth; fn_start = FNR; fn_sig = prev
        sub(/^[ \t]+/, "", fn_sig)
      }
      depth += opens - closes
      if (in_fn && depth <= fn_depth) {
        n = FNR - fn_start + 1
        if (n > max) { printf "%d\t%s:%d: %d lines: %s\n", n, FILENAME, fn_start, n, fn_sig }
        in_fn = 0
      }
      if (line ~ /[^ \t]/) { prev = $0 }
    }
  ' | sort -rn | cut -f2-
