#include "engine/prune.h"

#include <catch2/catch.hpp>

using namespace certform::engine;

TEST_CASE("prune: only certificates certform uploaded that nothing uses or wants", "[prune][cas]") {
  Config c;
  c.accounts["main"] = AccountConfig{.name = "main"};
  CertificateConfig web;
  web.key = "web";
  web.info.fingerprint = std::string(64, 'b');
  c.certificates["web"] = web;
  c.bindings.push_back({"x.example.com", "main", true, "web", {}});
  State s;
  s.entries["a.example.com"] =
      StateEntry{.domain = "a.example.com", .account = "main", .cert_type = "cas", .cert_id = 1};
  s.uploads[UploadKey("main", std::string(64, 'b'))] =
      UploadEntry{.account = "main", .fingerprint = std::string(64, 'b'), .cert_id = 2};
  s.uploads[UploadKey("main", std::string(64, 'c'))] =
      UploadEntry{.account = "main", .fingerprint = std::string(64, 'c'), .cert_id = 5};
  const std::vector<StoredCertificate> listed = {
      {1, "certform-1111111111111111", "", 0},  // bound to a.example.com
      {2, "certform-2222222222222222", "", 0},  // still wanted by the configuration
      {3, "certform-3333333333333333", "", 0},  // certform's, unused: goes
      {4, "team-cert", "", 0},                  // not certform's: never
      {5, "web-2026-cccccccccccc", "", 0},      // explicit name, recorded as certform's: goes
  };
  std::vector<StoredCertificate> out = PruneCandidates("main", listed, s, c);
  REQUIRE(out.size() == 2);
  CHECK(out[0].cert_id == 3);
  CHECK(out[1].cert_id == 5);
  CHECK(PruneCandidates("other", listed, s, c).size() == 3);  // ids 1, 2, 3 by prefix
}
