// certform fmt's layout (engine/config/toml_format.h): what changes, what never does.
#include "engine/config/toml_format.h"

#include <catch2/catch.hpp>

using certform::engine::FormatToml;
using certform::engine::TomlFormat;

namespace {

std::string Formatted(const std::string& text) {
  TomlFormat f = FormatToml("c.toml", text);
  INFO(f.error);
  REQUIRE(f.ok);
  return f.text;
}

}  // namespace

TEST_CASE("fmt: spaces around = and in headers, indentation and trailing whitespace", "[fmt]") {
  CHECK(Formatted("  [ certificate . web ]  \nname=\"web\"   \n   key_file =  \"k.pem\"\n") ==
        "[certificate.web]\nname = \"web\"\nkey_file = \"k.pem\"\n");
  CHECK(Formatted("[[ binding ]]\ndomains=[\"a.example.com\",\"b.example.com\"]\n") ==
        "[[binding]]\ndomains = [\"a.example.com\",\"b.example.com\"]\n");
  CHECK(Formatted("a . b = 1\n") == "a.b = 1\n");
}

TEST_CASE("fmt: a formatted file is left as it is (no edits)", "[fmt]") {
  const std::string text =
      "# certform configuration\n[account.main]\nregion = \"cn-hangzhou\" # the default\n\n"
      "[certificate.web]\ncert_file = \"web.pem\"\n";
  TomlFormat f = FormatToml("c.toml", text);
  REQUIRE(f.ok);
  CHECK_FALSE(f.Changed());
  CHECK(f.text == text);
  // And formatting is idempotent.
  const std::string once = Formatted("x=1\n\n\n\n[t]\n  y=2   # c\n[u]\nz='q'\n");
  CHECK(once == "x = 1\n\n[t]\ny = 2   # c\n\n[u]\nz = 'q'\n");
  CHECK_FALSE(FormatToml("c.toml", once).Changed());
}

TEST_CASE("fmt: blank lines: at most one, none at the ends, one before a table after a value",
          "[fmt]") {
  CHECK(Formatted("\n\n\nx = 1\n\n\n\ny = 2\n\n\n") == "x = 1\n\ny = 2\n");
  CHECK(Formatted("x = 1\n[t]\ny = 2\n") == "x = 1\n\n[t]\ny = 2\n");
  // A comment just above a table stays attached to it.
  CHECK(Formatted("x = 1\n# about t\n[t]\n") == "x = 1\n# about t\n[t]\n");
  CHECK(Formatted("x = 1") == "x = 1\n");
  CHECK(Formatted("x = 1\r\ny = 2\r\n") == "x = 1\ny = 2\n");
}

TEST_CASE("fmt: strings, comments and values are never changed", "[fmt]") {
  // A '#' or '=' inside a string is not a comment or a separator; a quoted key keeps its spaces.
  CHECK(Formatted("\"a = b\"=\"x # not a comment\"  # comment  \n") ==
        "\"a = b\" = \"x # not a comment\" # comment\n");
  CHECK(Formatted("'k'='v'\n") == "'k' = 'v'\n");
  // A multi-line string keeps every line as written, trailing spaces and indentation included.
  const std::string multi = "pem = \"\"\"   \n  line one   \n\n\n\n  [not a table]\nend\"\"\"\n";
  CHECK(Formatted(multi) == multi);
  const std::string literal = "pem = '''\n  x = 1   \n'''   \nnext=2\n";
  CHECK(Formatted(literal) == "pem = '''\n  x = 1   \n'''\nnext = 2\n");
  // A multi-line array keeps its layout; trailing whitespace outside strings goes.
  CHECK(Formatted("domains = [   \n    \"a.example.com\",   # one\n    \"b.example.com\",\n]\n"
                  "[t]\n") ==
        "domains = [\n    \"a.example.com\",   # one\n    \"b.example.com\",\n]\n\n[t]\n");
  // Escaped quotes do not end a string early.
  CHECK(Formatted("x=\"a\\\"#b\"\n") == "x = \"a\\\"#b\"\n");
}

TEST_CASE("fmt: a trailing comment keeps its column while the code ends before it", "[fmt]") {
  // Aligned comments stay aligned; a comment the code has grown into moves to one space after.
  CHECK(Formatted("a=1          # one\nlonger_key=2 # two\n") ==
        "a = 1        # one\nlonger_key = 2 # two\n");
  CHECK(Formatted("[t]            # about t\n") == "[t]            # about t\n");
}

TEST_CASE("fmt: a syntax error is reported at its line, in plain words, and nothing is made",
          "[fmt]") {
  TomlFormat f = FormatToml("dir/c.toml", "x = 1\nname = \"web\n");
  CHECK_FALSE(f.ok);
  CHECK(f.text.empty());
  CHECK(f.where.file == "dir/c.toml");
  CHECK(f.where.line == 2);
  CHECK(f.error.find("unterminated string") != std::string::npos);
}

TEST_CASE("fmt: edits name the input lines they change", "[fmt]") {
  TomlFormat f = FormatToml("c.toml", "x = 1\ny=2\n\n\nz = 3\n");
  REQUIRE(f.ok);
  REQUIRE(f.edits.size() == 2);
  CHECK(f.edits[0].line == 2);
  CHECK(f.edits[0].removed == "y=2");
  CHECK(f.edits[0].added == "y = 2");
  CHECK(f.edits[1].line == 4);
  CHECK(f.edits[1].removed == "");
  CHECK_FALSE(f.edits[1].added.has_value());
}
