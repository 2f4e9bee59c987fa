#include "engine/base/domain_name.h"

#include <catch2/catch.hpp>

using namespace certform::engine;

TEST_CASE("domain names: ordinary and leading-dot wildcard CDN domains are valid", "[domain]") {
  CHECK(DomainNameProblem("www.example.com").empty());
  CHECK(DomainNameProblem("a-b.c1.example.co.uk").empty());
  CHECK(DomainNameProblem(".example.org").empty());
}

TEST_CASE("domain names: malformed names are refused with the reason", "[domain]") {
  CHECK(DomainNameProblem("") == "the domain name is empty");
  CHECK(DomainNameProblem("localhost").find("two labels") != std::string::npos);
  CHECK(DomainNameProblem("a..example.com").find("empty label") != std::string::npos);
  CHECK(DomainNameProblem("-a.example.com").find("starts or ends with '-'") != std::string::npos);
  CHECK(DomainNameProblem("a_b.example.com").find("'_'") != std::string::npos);
  CHECK(DomainNameProblem("example.com.").find("ends with '.'") != std::string::npos);
  CHECK(DomainNameProblem(std::string(64, 'a') + ".com").find("63") != std::string::npos);
}

TEST_CASE("domain names: a '*.' CDN domain is refused with the leading-dot spelling", "[domain]") {
  CHECK(DomainNameProblem("*.example.com").find("\".example.com\"") != std::string::npos);
}

TEST_CASE("name matching: exact names match case-insensitively", "[domain]") {
  CHECK(NameCovers("www.example.com", "www.example.com"));
  CHECK(NameCovers("WWW.Example.com", "www.example.com"));
  CHECK_FALSE(NameCovers("www.example.com", "img.example.com"));
}

TEST_CASE("name matching: a wildcard matches exactly one left-most label", "[domain]") {
  CHECK(NameCovers("*.example.com", "www.example.com"));
  CHECK_FALSE(NameCovers("*.example.com", "example.com"));
  CHECK_FALSE(NameCovers("*.example.com", "a.b.example.com"));
  CHECK_FALSE(NameCovers("*.example.com", "www.example.org"));
}

TEST_CASE("name matching: partial-label and too-broad wildcards match nothing", "[domain]") {
  CHECK_FALSE(NameCovers("w*.example.com", "www.example.com"));
  CHECK_FALSE(NameCovers("*ww.example.com", "www.example.com"));
  CHECK_FALSE(NameCovers("*.com", "example.com"));
  CHECK_FALSE(NameCovers("www.*.com", "www.example.com"));
}

TEST_CASE("name matching: a wildcard CDN domain needs the wildcard certificate name", "[domain]") {
  CHECK(NameCovers("*.example.org", ".example.org"));
  CHECK_FALSE(NameCovers("example.org", ".example.org"));
  CHECK_FALSE(NameCovers("*.sub.example.org", ".example.org"));
  CHECK(CertificateCovers({"example.org", "*.example.org"}, ".example.org"));
  CHECK_FALSE(CertificateCovers({}, "www.example.org"));
}
