#include "engine/calls/domain_listing.h"

#include "engine/calls/paged_listing.h"
#include "engine/calls/retry_policy.h"
#include "engine/config/binding_address.h"

namespace certform::engine {

ListedDomains ListProductDomains(const std::string& account, const AccountRuntime& runtime,
                                 const std::string& product, Provider& provider,
                                 PacingRegistry& pacing, Clock& clock, RandomSource& random) {
  ListedDomains out;
  const RetryPolicy retry{RetryOptions{}};
  std::vector<Address> listed;
  out.call = ListAllPages<Address>(
      MakeSerialCall(pacing, runtime, account, retry, clock, random, {}, product),
      CallKind::kListDomains,
      [&](int page, std::vector<Address>* items, int64_t* total, CallResult* last) {
        return provider.ListDomainsPage(page, items, total, last);
      },
      &listed);
  if (!out.call.status.ok() || out.call.stopped) return out;
  for (const Address& a : listed) {
    Address checked;
    std::string problem = ParseAddress(a.Key(), &checked);
    // Each field on its own too: a location value holding '/' would make another, valid key.
    if (problem.empty() && (checked.product != product || checked.Key() != a.Key() ||
                            checked.location != a.location || checked.domain != a.domain)) {
      problem = "not an address of this product in its canonical form";
    }
    if (!problem.empty()) {
      out.rejected.push_back({a.Key(), problem});
      continue;
    }
    out.addresses.push_back(std::move(checked));
  }
  return out;
}

}  // namespace certform::engine
