#include "providers/alicloud/xml_text.h"

#include <catch2/catch.hpp>

using namespace certform::alicloud;

TEST_CASE("xml: escape and unescape round-trip, entities and character references", "[xml][oss]") {
  const std::string awkward = "a<b>&\"c'\n-----BEGIN CERTIFICATE-----";
  CHECK(XmlEscape(awkward) == "a&lt;b&gt;&amp;&quot;c&apos;\n-----BEGIN CERTIFICATE-----");
  CHECK(XmlUnescape(XmlEscape(awkward)) == awkward);
  CHECK(XmlUnescape("&#65;&#x42;&#x4e2d; & &bogus; &#;") == "AB\xe4\xb8\xad & &bogus; &#;");
}

TEST_CASE("xml: elements at any depth, in order, empty and look-alike tags", "[xml][oss]") {
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListCnameResult><Bucket>b</Bucket>"
      "<Cname><Domain>a.example.com</Domain><Certificate><CertId>12-cn-hangzhou</CertId>"
      "</Certificate></Cname><Cname><Domain>b.example.com</Domain><Status/></Cname>"
      "<CnameCount>2</CnameCount></ListCnameResult>";
  const std::vector<std::string> cnames = XmlElements(doc, "Cname");
  REQUIRE(cnames.size() == 2);  // <CnameCount> is another element
  CHECK(XmlText(cnames[0], "Domain") == "a.example.com");
  CHECK(XmlText(cnames[0], "CertId") == "12-cn-hangzhou");
  CHECK(XmlText(cnames[1], "Certificate") == std::nullopt);
  CHECK(XmlText(cnames[1], "Status") == "");
  CHECK(XmlText(doc, "CnameCount") == "2");
  CHECK(XmlText("<Error><Code>NoSuchBucket</Code>", "Message") == std::nullopt);
  CHECK(XmlText("<Code>unterminated", "Code") == std::nullopt);
  CHECK(XmlElement("Domain", "a&b") == "<Domain>a&amp;b</Domain>");
}
