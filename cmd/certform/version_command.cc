// certform version [--json]: what people paste into bug reports.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "engine/config/certificate.h"
#include "engine/config/config_loader.h"
#include "git_commit.h"
#include "providers/curl_transport.h"

namespace certform::cli {

int RunVersion(const Args& args, Context& ctx) {
  bool json = false;
  CommandLine cl("version [--json]",
                 "Prints certform's version; with --json also the git commit it was built from\n"
                 "and the versions of OpenSSL, libcurl and toml++ in use.");
  cl.options().add_options()("json", po::bool_switch(&json), "Machine-readable JSON output");
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (!json) {
    fmt::print(ctx.out, "certform {} ({})\n", CERTFORM_VERSION, CERTFORM_GIT_COMMIT);
    return kExitOk;
  }
  nlohmann::ordered_json doc = {{"version", CERTFORM_VERSION},
                                {"commit", CERTFORM_GIT_COMMIT},
                                {"openssl", engine::OpenSslVersion()},
                                {"libcurl", providers::CurlVersion()},
                                {"tomlplusplus", engine::TomlVersion()}};
  fmt::print(ctx.out, "{}\n", doc.dump(2));
  return kExitOk;
}

}  // namespace certform::cli
