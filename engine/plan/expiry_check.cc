#include "engine/plan/expiry_check.h"

#include <algorithm>

namespace certform::engine {

void CheckExpiry(const Address& address, const std::string& what, int64_t not_after, int64_t now,
                 int fail_days, std::vector<ExpiryFailure>* out) {
  if (fail_days <= 0 || not_after == 0) return;
  if (not_after >= now + int64_t{fail_days} * 86400) return;
  const int64_t left = not_after - now;
  out->push_back({address, what, not_after, left >= 0 ? left / 86400 : -((-left + 86399) / 86400)});
}

std::vector<ExpiryFailure> DesiredExpiryFailures(const Config& config, int64_t now, int fail_days,
                                                 const std::vector<std::string>& addresses) {
  std::vector<ExpiryFailure> out;
  for (const DesiredBinding& b : config.bindings) {
    if (!b.https) continue;
    if (!addresses.empty() &&
        std::find(addresses.begin(), addresses.end(), b.address.Key()) == addresses.end()) {
      continue;
    }
    auto cert = config.certificates.find(b.certificate);
    if (cert == config.certificates.end()) continue;
    CheckExpiry(b.address, "desired", cert->second.info.not_after, now, fail_days, &out);
  }
  return out;
}

}  // namespace certform::engine
