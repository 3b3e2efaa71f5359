// `kscale replicas -f FILE [-o text|json|yaml]`: one reconcile of the HPA controller on a decision
// document (shared/specs/hpa-decision.md). Exit 2 when the document is invalid.

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include "autoscaler/decision_document.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "hpa/reconcile.h"
#include "kube/manifest_document.h"

namespace kscale::cli {

namespace {

struct ReplicasOptions {
  std::string file;
  std::string output = "text";
  bool skip_validation = false;
};

void run_replicas(const ReplicasOptions& o) {
  const std::string text = read_input(o.file);
  auto doc_json = kube::parse_document(text);
  if (!doc_json) {
    invalid(o.file + ": " + doc_json.error().message);
  }
  auto doc = autoscaler::decode_decision(*doc_json, o.skip_validation);
  if (!doc) {
    invalid(doc.error().message);
  }
  hpa::ControllerState state = doc->state;
  const hpa::Decision decision = hpa::reconcile(doc->hpa, doc->scale, doc->pods, doc->metrics,
                                                state, doc->controller, doc->now);
  if (o.output == "text") {
    std::cout << autoscaler::explain_decision(*doc, decision);
    return;
  }
  const auto result = autoscaler::encode_decision(*doc, decision, state);
  if (o.output == "json") {
    std::cout << boost::json::serialize(result) << "\n";
  } else {
    std::cout << kube::to_yaml(result);
  }
}

}  // namespace

void add_replicas_command(CLI::App& app) {
  auto options = std::make_shared<ReplicasOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replicas", "Run one reconcile of the HPA controller on a decision document and explain it");
  cmd->add_option("-f,--filename", options->file,
                  "HPADecision document (YAML or JSON; - for stdin)")
      ->required();
  cmd->add_option("-o,--output", options->output, "Output format")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  cmd->add_flag("--skip-validation", options->skip_validation,
                "Do not validate the HPA as the API server would; do what the controller does");
  cmd->callback([options] { run_replicas(*options); });
}

}  // namespace kscale::cli
