// CommandDoc: what a command says about itself (usage, description, options), captured from the
// same CommandLine that parses its arguments and prints its --help, so that the man pages and the
// shell completions generated from it cannot drift from --help.
#pragma once

#include <string>
#include <vector>

namespace certform::cli {

struct OptionDoc {
  std::string name;        // long name without dashes, e.g. "target"
  std::string short_name;  // e.g. "h", or ""
  std::string value_name;  // e.g. "DOMAIN"; empty for a switch
  std::string help;
};

struct CommandDoc {
  std::string usage;        // after "certform ", e.g. "plan [options]"
  std::string description;  // the --help text
  std::vector<OptionDoc> options;
  std::string positional;  // the positional argument's name, or ""
};

}  // namespace certform::cli
