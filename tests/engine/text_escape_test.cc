// What views print of outside strings: no control character, bidi override or Markdown special
// survives as itself.
#include "engine/base/text_escape.h"

#include <catch2/catch.hpp>

using certform::engine::ForHtml;
using certform::engine::ForMarkdown;
using certform::engine::ForTerminal;
using certform::engine::MarkdownCode;

TEST_CASE("text escape: control characters become visible escapes on a terminal", "[escape]") {
  CHECK(ForTerminal("www.example.com") == "www.example.com");
  CHECK(ForTerminal("a\x1b[2J\x1b[HNo changes.") == "a\\x1b[2J\\x1b[HNo changes.");
  CHECK(ForTerminal("line\r\nnext\tcol") == "line\\r\\nnext\\tcol");
  CHECK(ForTerminal(std::string("nul\0del\x7f", 8)) == "nul\\x00del\\x7f");
  // C1 CSI (U+009B) is an escape sequence introducer on some terminals.
  CHECK(ForTerminal("\xc2\x9b"
                    "2J") == "\\u{009b}2J");
}

TEST_CASE("text escape: bidi overrides, separators and zero-width characters are shown",
          "[escape]") {
  // U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LRI, U+2028 LINE SEPARATOR, U+200B ZWSP, U+FEFF BOM.
  CHECK(ForTerminal("moc.\xe2\x80\xae"
                    "example") == "moc.\\u{202e}example");
  CHECK(ForTerminal("\xe2\x81\xa6x\xe2\x80\xa8y\xe2\x80\x8bz\xef\xbb\xbf") ==
        "\\u{2066}x\\u{2028}y\\u{200b}z\\u{feff}");
  // Printable Unicode stays: the views print arrows and ellipses of their own.
  CHECK(ForTerminal("01234567\xe2\x80\xa6\xe2\x86\x92"
                    "6b2b") == "01234567…→6b2b");
  CHECK(ForTerminal("bücher.example") == "bücher.example");
}

TEST_CASE("text escape: bytes that are not UTF-8 are shown as bytes", "[escape]") {
  CHECK(ForTerminal("\xff\xfe") == "\\xff\\xfe");
  CHECK(ForTerminal("\xc0\xaf") == "\\xc0\\xaf");           // overlong '/'
  CHECK(ForTerminal("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(ForTerminal("ok\xe2\x80") == "ok\\xe2\\x80");       // truncated
}

TEST_CASE("text escape: Markdown specials are literal text", "[escape]") {
  CHECK(ForMarkdown("CN=*.example.com") == "CN=\\*.example.com");
  CHECK(ForMarkdown("a|b") == "a\\|b");
  CHECK(ForMarkdown("</details><b>x</b>") == "&lt;/details&gt;&lt;b&gt;x&lt;/b&gt;");
  CHECK(ForMarkdown("`code` [link](http://x) _em_ ~~del~~ &amp;") ==
        "\\`code\\` \\[link\\](http://x) \\_em\\_ \\~\\~del\\~\\~ &amp;amp;");
  // A newline can neither end a table row nor start a block; a backslash cannot undo an escape.
  CHECK(ForMarkdown("row\n| forged |") == "row\\\\n\\| forged \\|");
  CHECK(ForMarkdown("\x1b[31m") == "\\\\x1b\\[31m");
}

TEST_CASE("text escape: a Markdown code span holds any text", "[escape]") {
  CHECK(MarkdownCode("www.example.com") == "`www.example.com`");
  CHECK(MarkdownCode("a`b") == "``a`b``");
  CHECK(MarkdownCode("``x") == "``` ``x ```");
  CHECK(MarkdownCode("a|b") == "`a\\|b`");
  CHECK(MarkdownCode("x\n</details>") == "`x\\n</details>`");
  CHECK(MarkdownCode("") == "` `");
}

TEST_CASE("text escape: text in raw HTML (a <summary>) is entities, not backslashes", "[escape]") {
  CHECK(ForHtml("web *.example.com a|b `x` _y_") == "web *.example.com a|b `x` _y_");
  CHECK(ForHtml("</summary></details><b title=\"x\">&") ==
        "&lt;/summary&gt;&lt;/details&gt;&lt;b title=&quot;x&quot;&gt;&amp;");
  // No newline can end the HTML block (a blank line would), no control reaches the page.
  CHECK(ForHtml("a\n\n## b\x1b[2J") == "a\\n\\n## b\\x1b[2J");
}
