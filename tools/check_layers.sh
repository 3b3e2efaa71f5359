#!/usr/bin/env bash
# Fails when a file under src/<a>/ includes "<b>/..." that ARCHITECTURE.md's dependency table does
# not allow, or includes another module's detail/ headers. Run by ctest (layers_check).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
declare -A allowed=(
  [core]="core"
  [store]="core store"
  [net]="core net"
  [sources]="core store net kube sources"
  [kube]="core net hpa kube"
  [auth]="core net kube auth"
  [api]="core store net kube api"
  [hpa]="core hpa"
  [federation]="core hpa federation"
  [autoscaler]="core hpa federation api net kube autoscaler"
  [app]="core store net kube auth sources api hpa federation autoscaler app"
  [cli]="core store net kube auth sources api hpa federation autoscaler app cli"
)
status=0
while IFS= read -r file; do
  rel=${file#"$root/src/"}
  mod=${rel%%/*}
  while IFS= read -r line; do
    inc=$(printf '%s' "$line" | sed -E 's/.*#include "([^"]+)".*/\1/')
    target=${inc%%/*}
    [ -n "${allowed[$target]+x}" ] || continue   # not a module include (third party, same dir)
    case " ${allowed[$mod]} " in
      *" $target "*) ;;
      *) echo "layer violation: $rel includes \"$inc\" ($mod may not depend on $target)"; status=1 ;;
    esac
    case "$inc" in
      */detail/*) [ "$target" = "$mod" ] || { echo "detail include: $rel includes \"$inc\""; status=1; } ;;
    esac
  done < <(grep -E '^\s*#\s*include\s+"' "$file")
done < <(find "$root/src" -name '*.h' -o -name '*.cc' | sort)
[ $status -eq 0 ] && echo "layers ok: every include follows ARCHITECTURE.md"
exit $status
