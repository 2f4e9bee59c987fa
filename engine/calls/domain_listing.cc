#include "engine/calls/domain_listing.h"

#include "engine/calls/paged_listing.h"
#include "engine/calls/retry_policy.h"
#include "engine/config/binding_address.h"

namespace certform::engine {

ListedDomains ListProductDomains(
    const std::string& account, const AccountRuntime& runtime, const std::string& product,
    Provider& provider, PacingRegistry& pacing, Clock& clock, RandomSource& random,
    const std::function<void(const std::vector<Address>& page)>& on_page) {
  ListedDomains out;
  const RetryPolicy retry{RetryOptions{}};
  std::vector<Address> listed;
  // Each page through the door as it arrives, in listing order.
  auto door = [&](const std::vector<Address>& page) {
    const size_t first = out.addresses.size();
    for (const Address& a : page) {
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
    if (on_page && out.addresses.size() > first) {
      on_page({out.addresses.begin() + static_cast<std::ptrdiff_t>(first), out.addresses.end()});
    }
  };
  out.call = ListAllPages<Address>(
      MakeSerialCall(pacing, runtime, account, retry, clock, random, {}, product),
      CallKind::kListDomains,
      [&](int page, std::vector<Address>* items, int64_t* total, CallResult* last) {
        return provider.ListDomainsPage(page, items, total, last);
      },
      &listed, door);
  if (!out.call.status.ok() || out.call.stopped) {
    out.addresses.clear();  // a failure or a stop: nothing listed
    out.rejected.clear();
  }
  return out;
}

}  // namespace certform::engine
