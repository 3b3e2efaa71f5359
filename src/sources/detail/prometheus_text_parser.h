#pragma once
// The Prometheus text format 0.0.4 line grammar over ExpositionScanner. Upstream:
// model/textparse/promlex.l and promparse.go.

#include "sources/detail/exposition_scanner.h"

namespace kscale::sources::detail {

class PrometheusTextParser : private ExpositionScanner {
 public:
  PrometheusTextParser(std::string_view text, const ParseCallbacks& callbacks)
      : ExpositionScanner(text, /*open_metrics=*/false, callbacks) {}

  [[nodiscard]] core::Result<ParseStats> run() { return finish(parse_lines()); }

 private:
  bool parse_lines();
  bool comment();
  bool metadata(MetaKind kind);
  bool series();
  bool labels(bool& have_name);
  bool timestamp(std::optional<Timestamp>& out);
};

}  // namespace kscale::sources::detail
