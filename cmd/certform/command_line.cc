#include "cmd/certform/command_line.h"

#include <regex>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "engine/base/domain_name.h"
#include "engine/base/duration.h"
#include "engine/base/file_system.h"
#include "engine/base/suggest.h"
#include "engine/base/text_escape.h"
#include "engine/config/binding_address.h"
#include "engine/config/config.h"
#include "engine/state/state_file.h"

namespace certform::cli {

namespace {

// Terraform spells long flags with one dash (-out=FILE, -detailed-exitcode); accept both.
Args NormalizeDashes(const Args& args) {
  static const std::regex kSingleDashLong("^-[a-z][a-z-]+(=.*)?$");
  Args out;
  bool rest_positional = false;
  for (const std::string& a : args) {
    if (a == "--") rest_positional = true;
    out.push_back(!rest_positional && std::regex_match(a, kSingleDashLong) ? "-" + a : a);
  }
  return out;
}

std::string FlagName(const std::string& raw) {
  std::string name = raw;
  while (name.starts_with('-')) name.erase(0, 1);
  return name.substr(0, name.find('='));
}

}  // namespace

std::string CommonOptions::StatePath() const {
  return state_path.empty() ? engine::JoinPath(config_dir, "certform.state.json") : state_path;
}

CommandLine::CommandLine(std::string usage, std::string description)
    : usage_(std::move(usage)), description_(std::move(description)) {
  options_.add_options()("help,h", "Show this help");
}

void CommandLine::AddCommonOptions(CommonOptions* common, bool with_state) {
  options_.add_options()("config", po::value(&common->config_dir)->value_name("DIR"),
                         "Configuration directory: every *.toml file in it is read (default .)");
  if (with_state) {
    options_.add_options()("state", po::value(&common->state_path)->value_name("FILE"),
                           "State file (default DIR/certform.state.json)")(
        "workspace", po::value(&common->workspace)->value_name("NAME"),
        "The state workspace (default: CERTFORM_WORKSPACE, else [state] workspace, else "
        "\"default\"); with a local state, DIR/certform.NAME.state.json");
    workspace_target_ = common;
  }
  options_.add_options()("input", po::value(&input_text_)->value_name("true|false"),
                         "false: never ask a question (as in CI); a command that would ask "
                         "fails instead")("json", po::bool_switch(&common->json),
                                          "Machine-readable JSON output")(
      "no-color", po::bool_switch(&common->no_color),
      "No colour (also when NO_COLOR is set or output is not a terminal)");
}

void CommandLine::AddFormatOption(CommonOptions* common) {
  format_target_ = common;
  options_.add_options()("format", po::value(&common->format)->value_name("FORMAT"),
                         "Output: human (default), json, or markdown (for pull-request comments)")(
      "max-size", po::value(&max_size_text_)->value_name("BYTES"),
      fmt::format("With --format markdown: shorten the output to at most BYTES (default {}, "
                  "under GitHub's 65,536-character comment limit; 0: no limit), saying what "
                  "is left out",
                  kMarkdownMaxSize)
          .c_str());
}

void CommandLine::AddConnectionOptions(ConnectionOptions* options) {
  options_.add_options()("endpoint", po::value(&options->endpoint_override)->value_name("URL"),
                         "Send every account's calls, STS's included, to URL (e.g. the local "
                         "emulator)")("ca-bundle",
                                      po::value(&options->ca_bundle)->value_name("FILE"),
                                      "Trust the CAs in FILE (PEM) for HTTPS")(
      "profile", po::value(&options->profile)->value_name("NAME"),
      "The credentials profile of accounts with credentials = \"profile\" (default: "
      "ALIBABA_CLOUD_PROFILE, else the aliyun CLI's current profile)");
}

void CommandLine::AddLockTimeout(engine::Clock::Duration* timeout) {
  lock_timeout_ = timeout;
  options_.add_options()("lock-timeout", po::value(&lock_timeout_text_)->value_name("DURATION"),
                         "How long to wait for the state lock, e.g. 30s or 2m (default 0s: "
                         "fail at once)");
}

void CommandLine::AddPositional(const char* name, int max, std::vector<std::string>* values) {
  positional_name_ = name;
  positional_values_ = values;
  options_.add_options()(name, po::value(values)->multitoken(), "");
  positional_.add(name, max);
}

void CommandLine::Describe(CommandDoc* doc) const {
  doc->usage = usage_;
  doc->description = description_;
  doc->positional = positional_name_ == nullptr ? "" : positional_name_;
  doc->options.clear();
  for (const auto& opt : options_.options()) {
    if (positional_name_ != nullptr && opt->long_name() == positional_name_) continue;
    OptionDoc o;
    o.name = opt->long_name();
    const std::string canonical =
        opt->canonical_display_name(po::command_line_style::allow_dash_for_short);
    if (canonical.size() == 2 && canonical[0] == '-') o.short_name = canonical.substr(1);
    if (opt->semantic()->max_tokens() > 0) o.value_name = opt->semantic()->name();
    o.help = opt->description();
    doc->options.push_back(std::move(o));
  }
}

std::optional<int> CommandLine::Parse(const Args& raw, Context& ctx) {
  if (ctx.describe != nullptr) {
    Describe(ctx.describe);
    return kExitOk;
  }
  const Args args = NormalizeDashes(raw);
  const std::string prog = "certform " + usage_.substr(0, usage_.find(' '));
  try {
    // No abbreviations: "--detailed-exitcod" is a typo to report, not a flag to guess.
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(
        po::command_line_parser(args).options(options_).positional(positional_).style(style).run(),
        vm_);
    if (vm_.count("help")) {
      fmt::print(ctx.out, "Usage: certform {}\n\n{}\n\n", usage_, description_);
      po::options_description visible("Options");
      for (const auto& opt : options_.options()) {
        if (positional_name_ == nullptr || opt->long_name() != positional_name_) visible.add(opt);
      }
      ctx.out << visible;
      return kExitOk;
    }
    po::notify(vm_);
  } catch (const po::unknown_option& e) {
    std::vector<std::string> names;
    for (const auto& opt : options_.options()) names.push_back(opt->long_name());
    std::string flag = FlagName(e.get_option_name());
    std::string hint = engine::Suggest(flag, names);
    // Echo the option as the user typed it (-lock=false stays one dash).
    std::string typed = e.get_option_name();
    for (const std::string& a : raw) {
      if (a.starts_with("-") && FlagName(a) == flag) {
        typed = a.substr(0, a.find('='));
        break;
      }
    }
    fmt::print(ctx.err, "{}: unknown option \"{}\"{}\nRun \"{} --help\" for its options.\n", prog,
               typed, hint.empty() ? "" : fmt::format(" (did you mean \"--{}\"?)", hint), prog);
    return kExitError;
  } catch (const po::too_many_positional_options_error&) {
    fmt::print(ctx.err, "{}: too many arguments\nUsage: certform {}\n", prog, usage_);
    return kExitError;
  } catch (const po::error& e) {
    fmt::print(ctx.err, "{}: {}\nUsage: certform {}\n", prog, e.what(), usage_);
    return kExitError;
  }
  if (format_target_ != nullptr) {
    const std::string& f = format_target_->format;
    if (f != "human" && f != "json" && f != "markdown") {
      fmt::print(ctx.err, "{}: --format must be human, json or markdown, not \"{}\"\n", prog, f);
      return kExitError;
    }
    if (format_target_->json) format_target_->format = "json";
    format_target_->json = format_target_->format == "json";
    if (!max_size_text_.empty()) {
      const std::string& m = max_size_text_;
      const bool digits = m.size() <= 9 && m.find_first_not_of("0123456789") == std::string::npos;
      const size_t size = digits ? std::stoul(m) : 0;
      if (!digits || (size != 0 && size < kMarkdownMinSize)) {
        fmt::print(ctx.err,
                   "{}: --max-size must be 0 (no limit) or a number of bytes from {} "
                   "to 999999999, not \"{}\"\n",
                   prog, kMarkdownMinSize, engine::ForTerminal(m));
        return kExitError;
      }
      if (format_target_->format != "markdown") {
        fmt::print(ctx.err, "{}: --max-size applies to --format markdown only\n", prog);
        return kExitError;
      }
      format_target_->markdown.max_size = size;
    }
  }
  if (workspace_target_ != nullptr) {
    std::string& w = workspace_target_->workspace;
    const char* from = "--workspace";
    if (w.empty()) {
      // An empty variable counts as unset, as CI systems set them.
      if (ctx.env) w = ctx.env("CERTFORM_WORKSPACE").value_or("");
      from = "CERTFORM_WORKSPACE";
      workspace_target_->workspace_from_env = !w.empty();
    }
    if (!w.empty()) {
      if (std::string problem = engine::WorkspaceNameProblem(w); !problem.empty()) {
        fmt::print(ctx.err, "{}: {} {}\n", prog, from, problem);
        return kExitError;
      }
    }
  }
  if (lock_timeout_ != nullptr) {
    auto d = engine::ParseDuration(lock_timeout_text_);
    if (!d) {
      fmt::print(ctx.err,
                 "{}: --lock-timeout \"{}\" is not a duration (e.g. 30s, 1.5s, 5m30s, 500ms)\n",
                 prog, lock_timeout_text_);
      return kExitError;
    }
    *lock_timeout_ = *d;
  }
  if (!input_text_.empty()) {
    if (input_text_ != "true" && input_text_ != "false") {
      fmt::print(ctx.err, "{}: --input must be true or false, not \"{}\"\n", prog, input_text_);
      return kExitError;
    }
    if (input_text_ == "false") ctx.in_is_tty = false;  // nobody to ask: commands say so
  }
  // Addresses from the command line pass the configuration's rules, as every address does
  // (config/binding_address.h), and take their one canonical form.
  for (std::vector<std::string>* list : domain_lists_) {
    for (std::string& d : *list) {
      std::string canonical;
      if (std::string problem = engine::AddressProblem(d, &canonical); !problem.empty()) {
        fmt::print(ctx.err, "{}: {} is not a valid address: {}\n", prog, engine::Quoted(d),
                   problem);
        return kExitError;
      }
      d = std::move(canonical);
    }
  }
  return std::nullopt;
}

}  // namespace certform::cli
