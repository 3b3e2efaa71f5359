// `kscale divide -f DOC [-o json|yaml|text]`: one replica division across member clusters, as
// Karmada's scheduler would write it. Exit 2 when the document is invalid.

#include <fstream>
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include "cli/commands.h"
#include "cli/input.h"
#include "federation/division.h"
#include "federation/division_document.h"
#include "federation/division_result.h"

namespace kscale::cli {

namespace {

struct DivideOptions {
  std::string file;
  std::string output = "json";
};

void run_divide(const DivideOptions& o) {
  const std::string text = read_input(o.file);
  auto request = federation::decode_division_document(text);
  if (!request) {
    invalid(o.file + ": " + request.error().message);
  }
  const auto result = federation::divide(*request);
  if (!result && !federation::is_unschedulable(result.error())) {
    invalid(result.error().message);
  }
  if (o.output == "text") {
    std::cout << federation::explain_division(*request, result);
  } else if (o.output == "yaml") {
    std::cout << federation::encode_division_result_yaml(result);
  } else {
    std::cout << boost::json::serialize(federation::encode_division_result(result)) << "\n";
  }
}

}  // namespace

void add_divide_command(CLI::App& app) {
  auto options = std::make_shared<DivideOptions>();
  CLI::App* cmd = app.add_subcommand(
      "divide",
      "Divide replicas across member clusters as Karmada's scheduler does, and explain it");
  cmd->add_option("-f,--filename", options->file,
                  "ReplicaDivision document (YAML or JSON; - for stdin)")
      ->required();
  cmd->add_option("-o,--output", options->output, "Output format (default json)")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  cmd->callback([options] { run_divide(*options); });
}

}  // namespace kscale::cli
