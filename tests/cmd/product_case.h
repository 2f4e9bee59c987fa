// ProductCase: one product as the conformance suite (product_conformance_test.cc) sees it, saying
// only what differs between products: how the emulator is seeded with its domains, how a
// [[binding]] names it, how certform prints its addresses, its API actions (for the counters),
// how its live binding is read from the emulator and changed behind certform's back. The suite's
// scenarios are written once and run for every row of ProductCases(): adding a product is adding
// one row.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/alicloud/emulator/emulator_config.h"
#include "tests/cmd/apply_fixture.h"

namespace certform::testing {

// A domain's binding as the emulator holds it (its admin view, not certform's read-back).
struct LiveCert {
  bool exists = false;
  bool https = false;
  std::string fingerprint;  // of the served certificate; "" when none
  int64_t cert_id = 0;      // its CAS id; 0 when bound by content
  nlohmann::json raw;       // the emulator's whole record, to compare before and after
};

struct ProductCase {
  std::string name;   // product = "NAME" in a [[binding]]; also the row's name in reports
  std::string title;  // as certform's views name it ("CDN", "DCDN", "OSS")
  // Three names seeded on the product for user u1 (the scenarios bind the first two and use
  // the third as one certform does not manage).
  std::vector<std::string> domains;
  // Adds `domains` (and whatever holds them: buckets...) to the emulator's configuration.
  std::function<void(emulator::EmulatorConfig&)> seed;
  // The TOML lines a [[binding]] on this product needs besides certificate and domains.
  std::string binding_fields;
  // A product whose bindings are slots (a load balancer's listeners): one [[binding]] names one
  // slot, and this writes the whole of certificate "web"'s on `name`. Unset for domain products.
  std::function<std::string(const std::string& name)> bind_one;
  // What plans count ("domain", "listener slot").
  std::string noun = "domain";
  // The address certform prints for `domain` on this product.
  std::function<std::string(const std::string& domain)> address;
  // true: bound only by CAS id (the account needs upload_via = "cas"); false: by content too.
  bool cas_only = false;
  // The API actions: the binding call by content ("" when cas_only) and by CAS id, the read-back.
  std::string write_action;
  std::string cas_write_action;
  std::string read_action;
  // The calls of the write action one change makes: 2 where each is sent as a dry run first.
  int calls_per_write = 1;
  // The calls, besides the writes and CAS's upload, that an apply binding two names makes
  // (read-backs, job polls, copies into a store); none for a product that writes and is done.
  std::map<std::string, int> create_extra_calls;
  // The calls import makes; empty: one read_action.
  std::map<std::string, int> import_calls;
  // A name the product does not hold, for import.
  std::string unknown_name = "nope.example.com";
  // drift's reason for `switch_off` of a binding certform recorded with CAS id `recorded`
  // (unset: "https on→off").
  std::function<std::string(int64_t recorded)> off_drift;
  // With on_removal = "disable" a removed binding is switched off (false: the product never takes
  // a certificate off, a listener's default or CLB's extension, and every removal forgets).
  bool switches_off = true;
  // A CAS certificate of user u1, not certform's, that someone else binds on the names (the
  // emulator's shop-cert; a product that checks that a certificate covers its domain needs one
  // that does).
  int64_t other_cas_id = 8089870;
  // Why prune keeps a certificate bound on `domain` (its listing reads a CLB extension through
  // its listener's default slot); unset: "live domain " + address(domain) + " serves it".
  std::function<std::string(const std::string& domain)> kept_by;
  std::string KeptBy(const std::string& domain) const {
    return kept_by ? kept_by(domain) : "live domain " + address(domain) + " serves it";
  }
  // A CAS certificate bound by someone else reads as its CAS id (false: it reads as none, CLB's
  // store copies naming their CAS id only when they are certform's own).
  bool reads_foreign_cas_ids = true;
  // The error code a throttled call is answered with (apply's plain view shows the retries).
  std::string throttle_code;
  // import's error for a name the product does not hold.
  std::string unknown_message;
  // The emulator's limit on the binding call, `by_cas` or by content, set to `per_second`.
  std::function<void(emulator::EmulatorConfig&, bool by_cas, int per_second)> limit_writes;
  // The live binding of `domain`, read from the emulator's state.
  std::function<LiveCert(ApplyFixture&, const std::string& domain)> live;
  // Behind certform's back (the emulator's admin API or another client): HTTPS off on `domain`.
  std::function<void(ApplyFixture&, const std::string& domain)> switch_off;
  // Behind certform's back: `domain` bound to CAS certificate `cert_id` (content `pem`).
  std::function<void(ApplyFixture&, const std::string& domain, int64_t cert_id,
                     const std::string& pem)>
      bind_cas;
  // The certform binary the row runs ("" for the default, CERTFORM_BINARY), and any set-up the
  // product needs once the fixture stands and certform.toml is written (endpoints, files...).
  std::string binary;
  std::function<void(ApplyFixture&)> set_up;

  const std::string& WriteAction(bool by_cas) const {
    return by_cas ? cas_write_action : write_action;
  }
  std::string Noun(size_t n) const { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }
  std::string OffDrift(int64_t recorded) const {
    return off_drift ? off_drift(recorded) : "https on→off";
  }
};

// Every product certform binds on, one row each.
const std::vector<ProductCase>& ProductCases();
// The load balancers' rows (listener_product_cases.cc), part of ProductCases().
std::vector<ProductCase> ListenerProductCases();

// The count of `action` calls user u1 made, 0 when none.
int CallsOf(ApplyFixture& f, const std::string& action);

}  // namespace certform::testing
