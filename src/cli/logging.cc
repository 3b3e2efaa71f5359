#include "cli/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace kscale::cli {

void configure_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("kscale");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%L%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(verbosity >= 6   ? spdlog::level::trace
                    : verbosity >= 2 ? spdlog::level::debug
                                     : spdlog::level::info);
  spdlog::flush_on(spdlog::level::info);
}

}  // namespace kscale::cli
