// The man pages and shell completions are generated from the commands' own descriptions: they
// must list exactly what --help lists, and the completion scripts must work in a real shell.
#include <regex>
#include <set>

#include <catch2/catch.hpp>

#include "state/local/state_store.h"
#include "tests/cmd/cli_fixture.h"
#include "tests/support/emulator_fixture.h"

using namespace certform::testing;

namespace {

// The --options a --help text lists.
std::set<std::string> Flags(const std::string& help) {
  std::set<std::string> flags;
  const std::string options = help.substr(help.find("Options:"));
  // "  --config DIR", or "  -h [ --help ]" for an option with a short name.
  static const std::regex kFlag("(\n  |\\[ )--([a-z][a-z-]*)");
  for (std::sregex_iterator it(options.begin(), options.end(), kFlag), end; it != end; ++it) {
    flags.insert((*it)[2]);
  }
  return flags;
}

// The lines of `text` that mention `needle`.
std::string LineWith(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) return "";
  const size_t start = text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

// True when `line` holds the flag --`flag` as a whole word.
bool HasFlag(const std::string& line, const std::string& flag) {
  static const std::string kWordChars = "abcdefghijklmnopqrstuvwxyz-";
  for (size_t at = line.find("--" + flag); at != std::string::npos;
       at = line.find("--" + flag, at + 1)) {
    const size_t end = at + 2 + flag.size();
    if (end == line.size() || kWordChars.find(line[end]) == std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("docs: every command's man page and completions list exactly its --help options",
          "[cli][docs]") {
  CliFixture f;
  REQUIRE(f.Run({"__manpages", f.dir.path()}).exit_code == 0);
  const std::string bash = f.Run({"completion", "bash"}).out;
  const std::string zsh = f.Run({"completion", "zsh"}).out;
  REQUIRE(bash.find("complete -F _certform certform") != std::string::npos);
  REQUIRE(zsh.starts_with("#compdef certform"));
  const std::string main_page = f.dir.Read("certform.1");
  for (const std::string command :
       {"validate", "plan", "apply", "drift", "refresh", "import", "state list", "state show",
        "state rm", "state push", "state pull", "prune", "version", "completion", "fmt", "init"}) {
    INFO(command);
    std::vector<std::string> args;
    for (size_t i = 0, j; i <= command.size(); i = j + 1) {
      j = command.find(' ', i);
      if (j == std::string::npos) j = command.size();
      args.push_back(command.substr(i, j - i));
    }
    args.push_back("--help");
    ProcessResult help = f.Run(args);
    REQUIRE(help.exit_code == 0);
    std::string page_name = "certform-" + command + ".1";
    std::replace(page_name.begin(), page_name.end(), ' ', '-');
    REQUIRE(f.dir.Exists(page_name));
    const std::string page = f.dir.Read(page_name);
    const std::string bash_line = LineWith(bash, "\"" + command + "\")");
    const std::string zsh_line = LineWith(zsh, "\"" + command + "\")");
    const std::set<std::string> flags = Flags(help.out);
    CHECK_FALSE(flags.empty());
    for (const std::string& flag : flags) {
      INFO(flag);
      CHECK(page.find(".B \\-\\-" + std::regex_replace(flag, std::regex("-"), "\\-")) !=
            std::string::npos);
      CHECK(HasFlag(bash_line, flag));
      CHECK(HasFlag(zsh_line, flag));
    }
    // Nothing more either: every flag of the page is one --help shows.
    std::string plain = std::regex_replace(page, std::regex("\\\\-"), "-");
    static const std::regex kPageFlag("\n\\.B --([a-z-]+)");
    for (std::sregex_iterator it(plain.begin(), plain.end(), kPageFlag), end; it != end; ++it) {
      INFO((*it)[1].str());
      CHECK(flags.count((*it)[1].str()) == 1);
    }
    // The description is --help's, word for word (first line).
    const std::string first =
        help.out.substr(help.out.find("\n\n") + 2,
                        help.out.find('\n', help.out.find("\n\n") + 2) - help.out.find("\n\n") - 2);
    CHECK(page.find(std::regex_replace(first, std::regex("-"), "\\-")) != std::string::npos);
    const std::string top = command.substr(0, command.find(' '));
    CHECK(main_page.find(".B " + top) != std::string::npos);
  }
}

TEST_CASE("docs: bash completion completes commands, --target domains and state entries",
          "[cli][docs]") {
  CliFixture f;
  f.WriteStandardConfig();
  f.dir.Write("complete.sh", f.Run({"completion", "bash"}).out);
  const std::string bin =
      std::string(CERTFORM_BINARY).substr(0, std::string(CERTFORM_BINARY).rfind('/'));
  // `line`: bash's COMP_LINE (with COMP_POINT at its end), when the test gives one.
  auto complete = [&](const std::string& words, int cword, const std::string& line = "") {
    ProcessOptions o;
    o.cwd = f.dir.path();
    o.env = {{"PATH", bin + ":/usr/bin:/bin"}, {"API_KEY", f.api.KeyPem()}};
    if (!line.empty()) {
      o.env["COMP_LINE"] = line;
      o.env["COMP_POINT"] = std::to_string(line.size());
    }
    const std::string script = "source ./complete.sh; COMP_WORDS=(" + words +
                               "); COMP_CWORD=" + std::to_string(cword) +
                               "; _certform; printf '%s\\n' \"${COMPREPLY[@]}\"";
    return RunProcess("/bin/bash", {"-c", script}, o).out;
  };
  CHECK(complete("certform pl", 1) == "plan\n");
  CHECK(complete("certform plan --tar", 2) == "--target\n");
  const std::string domains = complete("certform plan --target ''", 3);
  CHECK(domains.find("www.example.com\n") != std::string::npos);
  CHECK(domains.find("api.example.com\n") != std::string::npos);
  CHECK(complete("certform plan --target im", 3) == "img.example.com\n");
  CHECK(complete("certform state s", 2) == "show\n");
  CHECK(complete("certform state show w", 3) == "\n");  // no state yet: nothing
  certform::engine::State state;
  state.entries["www.example.com"] = {.address = certform::engine::SplitAddress("www.example.com"),
                                      .account = "main"};
  certform::engine::PosixFileSystem fs;
  SeededRandom random;
  REQUIRE(certform::engine::StateStore(fs, f.dir.Path("certform.state.json"))
              .Write({}, &state, random)
              .ok());
  CHECK(complete("certform state rm w", 3) == "www.example.com\n");
  CHECK(complete("certform plan --format ''", 3) == "human\njson\nmarkdown\n");
  // A DCDN address: bash splits "dcdn:w" at ':' and keeps "dcdn:" itself.
  f.dir.Write(
      "dcdn.toml",
      "[[binding]]\nproduct = \"dcdn\"\ncertificate = \"web\"\ndomains = [\"www.example.com\"]\n");
  const std::string line = "certform plan --target dcdn:w";
  CHECK(complete("certform plan --target dcdn : w", 5, line) == "www.example.com\n");
  CHECK(complete("certform plan --target dcdn :", 4, "certform plan --target dcdn:") ==
        "www.example.com\n");
  CHECK(complete("certform plan --target dc", 3, "certform plan --target dc") ==
        "dcdn:www.example.com\n");
}
