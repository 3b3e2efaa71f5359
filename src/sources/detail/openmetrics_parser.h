#pragma once
// The OpenMetrics 1.0 text line grammar over ExpositionScanner. Upstream:
// model/textparse/openmetricslex.l and openmetricsparse.go.

#include "sources/detail/exposition_scanner.h"

namespace kscale::sources::detail {

class OpenMetricsParser : private ExpositionScanner {
 public:
  OpenMetricsParser(std::string_view text, const ParseCallbacks& callbacks)
      : ExpositionScanner(text, /*open_metrics=*/true, callbacks) {}

  [[nodiscard]] core::Result<ParseStats> run() { return finish(parse_lines()); }

 private:
  bool parse_lines();
  bool end_of_input();
  bool comment_line();
  bool metadata(MetaKind kind);
  bool series();
  bool sample_timestamp(std::optional<Timestamp>& out);
  bool at_exemplar_start() const { return starts_with_at(p_, end_, " # {"); }
  bool value(std::string_view expected, double& out);
  bool token_timestamp(std::string_view what, std::optional<Timestamp>& out);
  bool exemplar(double& value, std::optional<Timestamp>& timestamp);
  bool labels(bool& have_name, bool exemplar);
  bool fail_no_eof();
};

}  // namespace kscale::sources::detail
