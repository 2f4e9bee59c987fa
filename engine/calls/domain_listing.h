// Listing every domain a user has on one product (Provider::ListDomainsPage, page after page,
// paced and retried in the listing call's lane), each listed address passed through the address
// door: what the API lists is outside input. prune reads the whole estate this way before it
// deletes anything; `import --generate-config` adopts what it finds.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"

namespace certform::engine {

// A listed name that is not an address certform reads (a domain, bucket or region the
// configuration's rules refuse, or one of another product).
struct RejectedName {
  std::string text;     // the address as listed (untrusted: escape it before printing)
  std::string problem;  // why the address door refused it
};

struct ListedDomains {
  PacedCallResult call;            // the listing's outcome (a failure or a stop: nothing listed)
  std::vector<Address> addresses;  // the listed addresses that passed the door, in listing order
  std::vector<RejectedName> rejected;
};

// Lists every domain of `account`'s user on `product` through `provider` (that account's provider
// of it), in `pacing`'s listing lane of that user. Names that fail the address door (ParseAddress,
// or not of `product`, or not in their canonical form) are in `rejected`, never in `addresses`.
// `on_page`, when given, is told the addresses of each page that passed the door as soon as that
// page arrives, while the next is fetched (in the listing's order; quick: it holds up the next
// page); a later page's failure still fails the listing, and `addresses` is then empty: the
// caller drops what it started on.
ListedDomains ListProductDomains(
    const std::string& account, const AccountRuntime& runtime, const std::string& product,
    Provider& provider, PacingRegistry& pacing, Clock& clock, RandomSource& random,
    const std::function<void(const std::vector<Address>& page)>& on_page = {});

}  // namespace certform::engine
