// The README and docs/ stay true to the tree and to each other: certform-config(5) names every key
// the configuration loader accepts (asked of the built certform itself, so that a new key without
// its documentation fails here), every link of README.md and docs/*.md leads to a file and a
// heading that exist, every docs page is reachable from the README, the README's two set-up
// commands are there, and its RAM table lists exactly the actions of the policies in
// docs/credentials.md.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/cmd/cli_fixture.h"

using namespace certform::testing;

namespace {

std::string SourceFile(const std::string& relative) {
  std::ifstream in(std::string(CERTFORM_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The keys of every "allowed keys: a, b, c" line of `output`.
std::set<std::string> AllowedKeys(const std::string& output) {
  std::set<std::string> keys;
  static const std::regex kLine("allowed keys: ([^\n]*)");
  static const std::regex kKey("[a-z_]+");
  for (std::sregex_iterator it(output.begin(), output.end(), kLine), end; it != end; ++it) {
    const std::string list = (*it)[1].str();
    for (std::sregex_iterator k(list.begin(), list.end(), kKey); k != end; ++k) {
      keys.insert(k->str());
    }
  }
  return keys;
}

// GitHub's anchor of a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'.
std::string Anchor(const std::string& heading) {
  std::string out;
  for (unsigned char c : heading) {
    if (std::isalnum(c) || c == '-' || c == '_') {
      out += static_cast<char>(std::tolower(c));
    } else if (c == ' ') {
      out += '-';
    } else if (c >= 0x80) {
      out += static_cast<char>(c);  // kept as GitHub keeps letters beyond ASCII
    }
  }
  return out;
}

// The anchors of the headings of a Markdown text (outside code fences).
std::set<std::string> Anchors(const std::string& text) {
  std::set<std::string> anchors;
  std::istringstream lines(text);
  bool fence = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("```")) fence = !fence;
    if (fence || !line.starts_with("#")) continue;
    const size_t start = line.find_first_not_of('#');
    if (start == std::string::npos || line[start] != ' ') continue;
    anchors.insert(Anchor(line.substr(start + 1)));
  }
  return anchors;
}

// The RAM actions ("cdn:SetDomainServerCertificate", ...) named between `from` and the next
// heading of the same level.
std::set<std::string> RamActions(const std::string& text, const std::string& from) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  const size_t next = text.find("\n" + from.substr(0, from.find(' ') + 1), at + from.size());
  const std::string section = text.substr(at, next == std::string::npos ? next : next - at);
  std::set<std::string> actions;
  static const std::regex kAction("\\b([a-z]+(-[a-z]+)?:[A-Z][A-Za-z]+)\\b");
  for (std::sregex_iterator it(section.begin(), section.end(), kAction), end; it != end; ++it) {
    actions.insert((*it)[1].str());
  }
  return actions;
}

}  // namespace

TEST_CASE("docs: certform-config(5) names every key the configuration accepts", "[cli][docs]") {
  CliFixture f;
  // The products, as the binary lists them for a product it does not know.
  f.dir.Write("certform.toml",
              "[[binding]]\nproduct = \"qqqqqqqq\"\ndomains = [\"a.example.com\"]\n");
  const ProcessResult unknown_product = f.Run({"validate"});
  const std::string products_hint = unknown_product.out + unknown_product.err;
  const size_t use = products_hint.find("use \"");
  REQUIRE(use != std::string::npos);
  std::vector<std::string> products;
  static const std::regex kQuoted("\"([a-z0-9_-]+)\"");
  const std::string line = products_hint.substr(use, products_hint.find('\n', use) - use);
  for (std::sregex_iterator it(line.begin(), line.end(), kQuoted), end; it != end; ++it) {
    products.push_back((*it)[1].str());
  }
  REQUIRE(products.size() >= 3);

  // One unknown key in every table: each error lists the keys that table accepts.
  std::string config = "qqqqqqqq = 1\n[account.a]\nqqqqqqqq = 1\n";
  for (const std::string& p : products) config += "[account.a." + p + "]\nqqqqqqqq = 1\n";
  config +=
      "[certificate.c]\nqqqqqqqq = 1\n[[binding]]\nqqqqqqqq = 1\n[state]\nqqqqqqqq = 1\n"
      "[prune]\nqqqqqqqq = 1\n";
  f.dir.Write("certform.toml", config);
  const ProcessResult r = f.Run({"validate"});
  CHECK(r.exit_code == 1);
  const std::set<std::string> keys = AllowedKeys(r.out + r.err);
  CHECK(keys.count("expiry_warning_days") == 1);  // top level
  CHECK(keys.count("access_key_id_env") == 1);    // [account.NAME]
  CHECK(keys.count("key_env") == 1);              // [certificate.NAME]
  CHECK(keys.count("lock_lease") == 1);           // [state]
  CHECK(keys.count("skip_products") == 1);        // [prune]
  CHECK(keys.size() >= 40);

  const std::string page = SourceFile("docs/man/certform-config.5");
  REQUIRE(page.starts_with(".TH CERTFORM-CONFIG 5 "));
  for (const std::string& key : keys) {
    INFO(key);
    // Named in bold on a line of its own request (.B, .BR, .TP's tag...), as a whole word.
    const std::regex bold("(^|\n)\\.B[IR]? [^\n]*\\b" + key + "\\b");
    CHECK(std::regex_search(page, bold));
  }
  for (const std::string& p : products) {
    INFO(p);
    CHECK(page.find("[account.\\fINAME\\fB." + p + "]") != std::string::npos);
    CHECK(page.find("\\(dq" + p + "\\(dq") != std::string::npos);  // product = "P"
  }
}

TEST_CASE("docs: every link of the README and docs/ leads somewhere, and every page is linked",
          "[cli][docs]") {
  namespace fs = std::filesystem;
  const fs::path root = CERTFORM_SOURCE_DIR;
  std::vector<fs::path> pages = {root / "README.md"};
  for (const fs::directory_entry& e : fs::directory_iterator(root / "docs")) {
    if (e.path().extension() == ".md") pages.push_back(e.path());
  }
  REQUIRE(pages.size() >= 10);
  const std::string readme = SourceFile("README.md");
  static const std::regex kLink("\\]\\(([^)#\\s]*)(#[^)\\s]*)?\\)");
  for (const fs::path& page : pages) {
    const std::string text = SourceFile(fs::relative(page, root).string());
    for (std::sregex_iterator it(text.begin(), text.end(), kLink), end; it != end; ++it) {
      const std::string target = (*it)[1].str();
      const std::string anchor = (*it)[2].matched ? (*it)[2].str().substr(1) : "";
      if (target.find("://") != std::string::npos) continue;
      INFO(page.filename().string() + " → " + target + (anchor.empty() ? "" : "#" + anchor));
      const fs::path file = target.empty() ? page : (page.parent_path() / target);
      REQUIRE(fs::exists(file));
      if (!anchor.empty()) {
        std::ifstream in(file);
        std::stringstream linked;
        linked << in.rdbuf();
        CHECK(Anchors(linked.str()).count(anchor) == 1);
      }
    }
    if (page.filename() != "README.md") {
      INFO(page.filename().string() + " is not linked from the README");
      CHECK(readme.find("](docs/" + page.filename().string()) != std::string::npos);
    }
  }
}

TEST_CASE("docs: the README's two set-up commands and its RAM actions", "[cli][docs]") {
  const std::string readme = SourceFile("README.md");
  const size_t setup = readme.find("## On a new machine\n\n```sh\n");
  REQUIRE(setup != std::string::npos);
  const std::string block = readme.substr(setup, readme.find("```\n", setup + 30) - setup);
  CHECK(block.find("\nscripts/demo.sh   # the main job") != std::string::npos);
  CHECK(block.find("\nscripts/test.sh   # deps, build, and every test (ctest)") !=
        std::string::npos);
  for (const char* script : {"scripts/demo.sh", "scripts/test.sh"}) {
    INFO(script);
    const auto perms =
        std::filesystem::status(std::string(CERTFORM_SOURCE_DIR) + "/" + script).permissions();
    CHECK((perms & std::filesystem::perms::owner_exec) != std::filesystem::perms::none);
  }
  // The README's short table and docs/credentials.md's policy documents: the same actions.
  const std::set<std::string> short_table = RamActions(readme, "## RAM policies");
  const std::set<std::string> policies =
      RamActions(SourceFile("docs/credentials.md"), "## RAM policies");
  CHECK(short_table.size() >= 15);
  CHECK(short_table == policies);
}
