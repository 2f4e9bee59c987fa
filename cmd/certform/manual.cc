// certform __manpages DIR: man pages (roff, section 1) for certform and each command, generated
// from the commands' own descriptions (DescribeCommands: the text --help prints), so that they
// cannot drift from --help. The build runs it; `cmake --install` installs the pages.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <sstream>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "engine/base/file_system.h"
#include "engine/config/binding_address.h"

namespace certform::cli {

namespace {

// Text made safe for roff: backslashes escaped, no line starting with a control character.
std::string Roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string PageName(const std::string& command) {
  std::string name = "certform-" + command;
  for (char& c : name) {
    if (c == ' ') c = '-';
  }
  return name;
}

std::string Header(const std::string& name, const std::string& summary) {
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format(".TH {} 1 \"\" \"certform {}\" \"certform manual\"\n.SH NAME\n{} \\- {}\n",
                     upper, CERTFORM_VERSION, Roff(name), Roff(summary));
}

std::string CommandPage(const DescribedCommand& c) {
  std::ostringstream page;
  page << Header(PageName(c.name), c.summary);
  page << ".SH SYNOPSIS\n.B certform\n" << Roff(c.doc.usage) << "\n";
  page << ".SH DESCRIPTION\n" << Roff(c.doc.description) << "\n";
  if (!c.doc.options.empty()) page << ".SH OPTIONS\n";
  for (const OptionDoc& o : c.doc.options) {
    page << ".TP\n.B " << Roff("--" + o.name);
    if (!o.short_name.empty()) page << ", " << Roff("-" + o.short_name);
    if (!o.value_name.empty()) page << " \\fI" << Roff(o.value_name) << "\\fR";
    page << "\n" << Roff(o.help) << "\n";
  }
  page << ".SH SEE ALSO\n.BR certform (1),\n.BR certform\\-config (5)\n";
  return page.str();
}

std::string MainPage(const std::vector<DescribedCommand>& commands) {
  std::ostringstream page;
  page << Header("certform", "keep Alibaba Cloud certificates as TOML files say");
  page << ".SH SYNOPSIS\n.B certform\n\\fICOMMAND\\fR [options]\n";
  page << ".SH DESCRIPTION\n"
       << Roff(fmt::format(
              "certform reads desired domain-to-certificate bindings from the *.toml files of a\n"
              "configuration directory, diffs them against its state, shows the plan and makes\n"
              "the live bindings ({}) match it with paced calls, in the manner of Terraform.\n"
              "Private keys never appear in its state, plan files, logs or output.",
              engine::ProductTitles()))
       << "\n.SH COMMANDS\n";
  for (const DescribedCommand& c : commands) {
    page << ".TP\n.B " << Roff(c.name) << "\n"
         << Roff(c.summary) << " (see \\fB" << Roff(PageName(c.name)) << "\\fR(1))\n";
  }
  page << ".SH EXIT STATUS\n"
       << Roff(
              "0 success; 1 error; 2 with --detailed-exitcode: plan has changes, or drift found "
              "drift. verify (and apply --verify): 2 when a domain serves another certificate "
              "at the edge; verify and drift: 2 when a certificate expires within "
              "expiry_fail_days.")
       << "\n.SH ENVIRONMENT\n"
       << Roff(
              "ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,\n"
              "ALIBABA_CLOUD_SECURITY_TOKEN (or ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY,\n"
              "ALICLOUD_SECURITY_TOKEN): credentials for credentials = \"env\"; an account's\n"
              "access_key_id_env, access_key_secret_env and security_token_env name\n"
              "variables of its own instead (and role_arn, oidc_provider_arn and\n"
              "oidc_token_file an OIDC role of its own). certform check verifies each\n"
              "account's credentials, identity and permissions before a run.\n"
              "ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN,\n"
              "ALIBABA_CLOUD_OIDC_TOKEN_FILE, ALIBABA_CLOUD_ROLE_SESSION_NAME: an OIDC token\n"
              "exchanged for STS credentials (credentials = \"oidc\", or \"env\" without an\n"
              "AccessKey). ALIBABA_CLOUD_ECS_METADATA: the ECS instance's role name.\n"
              "ALIBABA_CLOUD_CREDENTIALS_FILE, ALIBABA_CLOUD_CONFIG_FILE: profile files;\n"
              "ALIBABA_CLOUD_PROFILE: the profile of credentials = \"profile\".\n"
              "CERTFORM_LOG=debug: one line per API call on standard error, secrets redacted.\n"
              "NO_COLOR: no colour.")
       << "\n.SH FILES\n"
       << Roff(
              "certform.state.json (the state; with .backup, .journal and .lock beside it), in\n"
              "the configuration directory unless --state says otherwise. All mode 0600, none\n"
              "holds a secret. The configuration, every *.toml file of the directory, is\n"
              "described in certform-config(5).")
       << "\n.SH SEE ALSO\n.BR certform\\-config (5),\n.BR certform\\-emulator (1)\n";
  return page.str();
}

}  // namespace

int RunManPages(const Args& args, Context& ctx) {
  std::vector<std::string> dir;
  CommandLine cl("__manpages DIR", "Writes certform.1 and one page per command into DIR.");
  cl.AddPositional("dir", 1, &dir);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (dir.empty()) {
    fmt::print(ctx.err, "certform __manpages: which directory?\n");
    return kExitError;
  }
  const std::vector<DescribedCommand> commands = DescribeCommands(ctx);
  std::vector<std::pair<std::string, std::string>> pages = {{"certform.1", MainPage(commands)}};
  for (const DescribedCommand& c : commands) {
    pages.push_back({PageName(c.name) + ".1", CommandPage(c)});
  }
  for (const auto& [name, text] : pages) {
    engine::Status s = ctx.fs.WriteFileAtomic(engine::JoinPath(dir[0], name), text, 0644);
    if (!s.ok()) {
      fmt::print(ctx.err, "certform __manpages: {}\n", s.message());
      return kExitError;
    }
  }
  return kExitOk;
}

}  // namespace certform::cli
