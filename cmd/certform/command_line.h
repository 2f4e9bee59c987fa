// Per-command argument parsing on Boost.Program_options (the only user of it), with --help, a
// "did you mean" for unknown flags, and Terraform's single-dash spellings (-out=FILE) accepted.
#pragma once

#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "cmd/certform/command.h"
#include "cmd/certform/connection_options.h"
#include "cmd/certform/markdown_view.h"
#include "engine/base/clock.h"

namespace certform::cli {

namespace po = boost::program_options;

// Options most commands share.
struct CommonOptions {
  std::string config_dir = ".";  // where the *.toml files are
  std::string state_path;        // default: <config_dir>/certform.state.json
  bool json = false;             // machine-readable output (--json, or --format json)
  std::string format = "human";  // human | json | markdown
  bool no_color = false;
  // The state workspace: --workspace, else CERTFORM_WORKSPACE (as Terraform's TF_WORKSPACE), else
  // empty: [state] workspace, else "default". Checked as [state] workspace is.
  std::string workspace;
  bool workspace_from_env = false;  // CERTFORM_WORKSPACE chose it, not --workspace
  MarkdownOptions markdown;         // --max-size

  std::string StatePath() const;
};

class CommandLine {
 public:
  // `usage` is the line after "Usage: certform "; `description` explains the command.
  CommandLine(std::string usage, std::string description);

  po::options_description& options() { return options_; }
  // Adds --config, --state, --json and --no-color, stored into `common`.
  void AddCommonOptions(CommonOptions* common, bool with_state = true);
  // Adds --format human|json|markdown and --max-size BYTES (for plan, show and drift); Parse()
  // checks them and sets `json`.
  void AddFormatOption(CommonOptions* common);
  // Adds --endpoint URL and --ca-bundle FILE, for commands that talk to the CDN.
  void AddConnectionOptions(ConnectionOptions* options);
  // Adds --lock-timeout; Parse() converts it into `timeout`.
  void AddLockTimeout(engine::Clock::Duration* timeout);
  // Positional arguments collected into `values` (at most `max`, -1 for any number).
  void AddPositional(const char* name, int max, std::vector<std::string>* values);
  // Parse() checks each address in `values` with the configuration's rules and makes it canonical
  // (engine::AddressProblem), so that "--target WWW.example.com" and "cdn:www.example.com" mean
  // www.example.com, and a malformed address is refused before anything is read or sent.
  void NormalizeDomains(std::vector<std::string>* values) { domain_lists_.push_back(values); }

  // Parses `args`. Returns an exit code when the command must stop (help printed: 0; bad
  // arguments: 1, with a message on ctx.err), nullopt when it should run.
  std::optional<int> Parse(const Args& args, Context& ctx);

  bool Has(const char* flag) const { return vm_.count(flag) > 0; }

  // Fills `doc` from the usage, description and options (what --help prints).
  void Describe(CommandDoc* doc) const;

 private:
  std::string usage_, description_;
  po::options_description options_{"Options"};
  po::positional_options_description positional_;
  const char* positional_name_ = nullptr;
  std::vector<std::string>* positional_values_ = nullptr;
  std::string lock_timeout_text_ = "0s";
  std::string input_text_;     // --input=true|false (Terraform's -input=false)
  std::string max_size_text_;  // --max-size, checked by Parse()
  engine::Clock::Duration* lock_timeout_ = nullptr;
  CommonOptions* format_target_ = nullptr;
  CommonOptions* workspace_target_ = nullptr;
  std::vector<std::vector<std::string>*> domain_lists_;
  po::variables_map vm_;
};

}  // namespace certform::cli
