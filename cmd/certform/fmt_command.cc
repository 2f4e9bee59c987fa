// certform fmt [--check] [--diff] [FILE...]: the configuration's files in the canonical layout
// (engine/config/toml_format.h), as Terraform's fmt. Every file is checked before any is written:
// one that does not parse stops the command with nothing rewritten.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "engine/base/file_system.h"
#include "engine/base/text_escape.h"
#include "engine/config/toml_format.h"

namespace certform::cli {

namespace {

// As the configuration loader bounds what it reads.
constexpr int64_t kMaxFileBytes = 16 << 20;
// Exit code of --check when a file is not formatted (Terraform's fmt -check says 3).
constexpr int kExitNotFormatted = 3;

void PrintDiff(std::ostream& out, const std::string& path, const engine::TomlFormat& f) {
  fmt::print(out, "--- {}\n+++ {} (formatted)\n", engine::ForTerminal(path),
             engine::ForTerminal(path));
  int hunk_line = -1;
  for (const engine::FormatEdit& e : f.edits) {
    if (e.line != hunk_line) fmt::print(out, "@@ line {} @@\n", e.line);
    hunk_line = e.line + (e.removed ? 1 : 0);
    if (!e.removed && !e.added) fmt::print(out, "~ line endings (LF) and the final newline\n");
    if (e.removed) fmt::print(out, "-{}\n", engine::ForTerminal(*e.removed));
    if (e.added) fmt::print(out, "+{}\n", engine::ForTerminal(*e.added));
  }
}

}  // namespace

int RunFmt(const Args& args, Context& ctx) {
  CommonOptions common;
  std::vector<std::string> files;
  bool check = false;
  bool diff = false;
  CommandLine cl(
      "fmt [options] [FILE...]",
      "Rewrites the configuration's TOML files (every *.toml of --config DIR, or the FILEs\n"
      "named) in certform's canonical layout, as Terraform's fmt: `key = value` with one\n"
      "space each side, table headers and keys in column 1, no trailing whitespace, at most\n"
      "one blank line in a row and one before a table that follows a value, LF line endings\n"
      "and one final newline; a trailing comment keeps its column. Comments, key spellings\n"
      "and values are never changed, and the result is checked to mean exactly what the\n"
      "file meant. Prints the name of each file it rewrites. Every file is checked before\n"
      "any is written: a syntax error in one (reported with its line) leaves all of them\n"
      "as they are.\n"
      "Exit code 0, or 1 on an error; with --check nothing is written, the files that are\n"
      "not formatted are listed and the exit code is 3 when there is one (for pull-request\n"
      "checks).");
  cl.AddCommonOptions(&common, /*with_state=*/false);
  cl.options().add_options()("check", po::bool_switch(&check),
                             "Write nothing; list the files that are not formatted, exit 3 if any")(
      "diff", po::bool_switch(&diff), "Show the lines that change");
  cl.AddPositional("file", -1, &files);
  if (auto exit = cl.Parse(args, ctx)) return *exit;

  if (files.empty()) {
    std::vector<std::string> names;
    if (engine::Status s = ctx.fs.ListFiles(common.config_dir, ".toml", &names); !s.ok()) {
      fmt::print(ctx.err, "certform fmt: cannot read the configuration directory {}: {}\n",
                 engine::ForTerminal(common.config_dir), engine::ForTerminal(s.message()));
      return kExitError;
    }
    for (const std::string& n : names) files.push_back(engine::JoinPath(common.config_dir, n));
  }
  engine::Diagnostics diags;
  std::vector<std::pair<std::string, engine::TomlFormat>> results;
  for (const std::string& path : files) {
    std::string text;
    if (engine::Status s = engine::ReadBoundedFile(ctx.fs, path, kMaxFileBytes, &text); !s.ok()) {
      diags.Error({path, 0, 0}, "cannot read the file", s.message());
      continue;
    }
    engine::TomlFormat f = engine::FormatToml(path, text);
    if (!f.ok) {
      diags.Error(f.where, f.error);
      continue;
    }
    results.emplace_back(path, std::move(f));
  }
  Style style = Style::For(ctx, common.no_color);
  if (diags.HasErrors()) {
    PrintDiagnostics(ctx.err, diags, style);
    fmt::print(ctx.err, "\ncertform fmt: nothing was rewritten.\n");
    return kExitError;
  }
  int unformatted = 0;
  for (const auto& [path, f] : results) {
    if (!f.Changed()) continue;
    ++unformatted;
    fmt::print(ctx.out, "{}\n", engine::ForTerminal(path));
    if (diff) PrintDiff(ctx.out, path, f);
    if (check) continue;
    engine::FileInfo info;
    int mode = 0644;
    if (ctx.fs.Stat(path, &info).ok()) mode = info.mode & 07777;
    if (engine::Status s = ctx.fs.WriteFileAtomic(path, f.text, mode); !s.ok()) {
      fmt::print(ctx.err, "certform fmt: cannot write {}: {} (the file is as it was)\n",
                 engine::ForTerminal(path), engine::ForTerminal(s.message()));
      return kExitError;
    }
  }
  if (check && unformatted > 0) {
    fmt::print(ctx.err, "certform fmt: {} file(s) not formatted: run \"certform fmt\"\n",
               unformatted);
    return kExitNotFormatted;
  }
  return kExitOk;
}

}  // namespace certform::cli
