// The configuration of listener products (ALB, NLB, CLB): role bindings, their slots and their
// checks, each at its line.
#include <catch2/catch.hpp>

#include "engine/config/binding_address.h"
#include "tests/engine/config_test_support.h"

using namespace certform::engine;
using certform::testing::ErrorWith;
using certform::testing::Loaded;
using certform::testing::LoadText;
using certform::testing::TempDir;

TEST_CASE("config: a listener binding names its role, default and additional slots",
          "[config][alb]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[account.main]
upload_via = "cas"

[certificate.web]
type = "cas"
name = "web"
cert_id = 11

[certificate.api]
type = "cas"
name = "api"
cert_id = 12

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "lsn-0bfucwbs9mn3rwabcd"
certificate = "web"
role = "default"

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "lsn-0bfucwbs9mn3rwabcd"
certificate = "api"
role = "additional"
)");
  for (const Diagnostic& d : l.diags.items()) UNSCOPED_INFO(d.ToString());
  REQUIRE(l.diags.ErrorCount() == 0);
  REQUIRE(l.config.bindings.size() == 2);
  CHECK(l.config.bindings[0].address.Key() == "alb:cn-hangzhou/lsn-0bfucwbs9mn3rwabcd/default");
  CHECK(l.config.bindings[1].address.Key() == "alb:cn-hangzhou/lsn-0bfucwbs9mn3rwabcd/sni:api");
  CHECK(l.config.bindings[1].where.line == 27);  // its role's line
}

TEST_CASE("config: listener bindings' mistakes are errors at their line", "[config][alb]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[account.main]
upload_via = "cas"

[certificate.web]
type = "cas"
name = "web"
cert_id = 11

[certificate.old]
type = "cas"
name = "old"
cert_id = 10

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "lsn-abc"
certificate = "web"
role = "default"

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "lsn-abc"
certificate = "old"
role = "default"

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "LB-1"
certificate = "web"
role = "default"

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "lsn-def"
certificate = "web"
role = "sni"

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "lsn-def"
certificate = "web"
domains = ["www.example.com"]

[[binding]]
certificate = "web"
role = "default"
domains = ["www.example.com"]
)");
  CHECK(ErrorWith(l.diags, "ALB listener cn-hangzhou/lsn-abc has two default certificates")
            .where.line == 27);
  CHECK(ErrorWith(l.diags, "invalid listener \"LB-1\"").where.line == 32);
  CHECK(ErrorWith(l.diags, "\"role\" must be \"default\" or \"additional\", not \"sni\"")
            .where.line == 41);
  CHECK(ErrorWith(l.diags, "takes no \"domains\"").where.line == 48);
  CHECK(ErrorWith(l.diags, "needs \"role\"").where.line == 43);
  CHECK(ErrorWith(l.diags, "\"role\" is only for product = \"alb\"").where.line == 52);
  CHECK(l.diags.ErrorCount() == 6);
}

TEST_CASE("config: a listener takes certificates from CAS by id only", "[config][alb]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[certificate.web]
cert_file = "web.pem"
key_file = "web.key"

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "lsn-abc"
certificate = "web"
role = "default"
)");
  CHECK(ErrorWith(l.diags, "which takes certificates from Certificate Management Service by id")
            .where.line == 11);
}

TEST_CASE(
    "config: a CLB binding names its listener by load balancer and port, and an extension "
    "by its domain",
    "[config][clb]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[certificate.web]
type = "cas"
name = "web"
cert_id = 11

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-bp1mxu5r8lau0abcd"
port = "443"
certificate = "web"
role = "default"

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-bp1mxu5r8lau0abcd"
port = "443"
certificate = "web"
role = "additional"
domain = "API.example.com"
)");
  for (const Diagnostic& d : l.diags.items()) UNSCOPED_INFO(d.ToString());
  // One certificate on the default and on an extension is two references there, not one.
  REQUIRE(l.diags.ErrorCount() == 0);
  REQUIRE(l.config.bindings.size() == 2);
  CHECK(l.config.bindings[0].address.Key() == "clb:cn-hangzhou/lb-bp1mxu5r8lau0abcd/443/default");
  CHECK(l.config.bindings[1].address.Key() ==
        "clb:cn-hangzhou/lb-bp1mxu5r8lau0abcd/443/sni:api.example.com");
  CHECK(SlotDescription(l.config.bindings[1].address) ==
        "certificate of domain extension api.example.com of listener "
        "cn-hangzhou/lb-bp1mxu5r8lau0abcd/443");
}

TEST_CASE("config: CLB bindings' mistakes are errors at their line", "[config][clb]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[certificate.web]
type = "cas"
name = "web"
cert_id = 11

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-abc"
port = "443"
certificate = "web"
role = "additional"

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-abc"
port = "0443"
certificate = "web"
role = "default"

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lsn-abc"
port = "443"
certificate = "web"
role = "default"

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-abc"
port = "443"
certificate = "web"
role = "default"
domain = "www.example.com"

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-abc"
port = "443"
certificate = "web"
role = "additional"
domain = "www..example.com"

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-abc"
port = "443"
certificate = "web"
role = "additional"
domain = "a.example.com"

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-abc"
port = "443"
certificate = "web"
role = "additional"
domain = "A.example.com"

[[binding]]
product = "alb"
region = "cn-hangzhou"
listener = "lsn-abc"
certificate = "web"
role = "additional"
domain = "a.example.com"
)");
  CHECK(ErrorWith(l.diags, "an additional CLB certificate needs \"domain\"").where.line == 13);
  CHECK(ErrorWith(l.diags, "invalid port \"0443\"").where.line == 19);
  CHECK(ErrorWith(l.diags, "invalid load_balancer \"lsn-abc\"").where.line == 26);
  CHECK(ErrorWith(l.diags, "role = \"default\" takes no \"domain\"").where.line == 38);
  CHECK(ErrorWith(l.diags, "invalid domain \"www..example.com\"").where.line == 47);
  CHECK(ErrorWith(l.diags, "has two certificates for domain \"a.example.com\"").where.line == 64);
  CHECK(ErrorWith(l.diags, "\"domain\" is only for product = \"clb\"").where.line == 73);
  CHECK(l.diags.ErrorCount() == 7);
}

TEST_CASE("config: a CLB slot address names a domain extension by its domain", "[config][clb]") {
  Address a;
  CHECK(ParseAddress("clb:cn-hangzhou/lb-abc/443/sni:www.example.com", &a).empty());
  CHECK(a.Field("port") == "443");
  CHECK(a.domain == "sni:www.example.com");
  CHECK(ParseAddress("clb:cn-hangzhou/lb-abc/443/default", &a).empty());
  // A wildcard extension as CLB writes it; the CDN's spelling is not one.
  CHECK(ParseAddress("clb:cn-hangzhou/lb-abc/443/sni:*.example.com", &a).empty());
  CHECK_FALSE(ParseAddress("clb:cn-hangzhou/lb-abc/443/sni:.example.com", &a).empty());
  CHECK_FALSE(ParseAddress("clb:cn-hangzhou/lb-abc/443/sni:web_key", &a).empty());
  CHECK_FALSE(ParseAddress("clb:cn-hangzhou/lb-abc/443/sni:WWW.example.com", &a).empty());
  CHECK_FALSE(ParseAddress("clb:cn-hangzhou/lb-abc/65536/default", &a).empty());
  CHECK_FALSE(ParseAddress("clb:cn-hangzhou/lb-abc/default", &a).empty());
  // ALB's additional slots stay named by certificate key.
  CHECK(ParseAddress("alb:cn-hangzhou/lsn-abc/sni:web", &a).empty());
}

TEST_CASE("config: a CLB wildcard extension is written \"*.example.com\"", "[config][clb]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[certificate.web]
type = "cas"
name = "web"
cert_id = 11

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-abc"
port = "443"
certificate = "web"
role = "additional"
domain = "*.Example.com"

[[binding]]
product = "clb"
region = "cn-hangzhou"
load_balancer = "lb-abc"
port = "443"
certificate = "web"
role = "additional"
domain = ".example.com"
)");
  CHECK(ErrorWith(l.diags,
                  "invalid domain \".example.com\": a wildcard domain is written "
                  "\"*.example.com\" here")
            .where.line == 23);
  REQUIRE(l.diags.ErrorCount() == 1);
  REQUIRE(l.config.bindings.size() == 1);
  CHECK(l.config.bindings[0].address.domain == "sni:*.example.com");
}
