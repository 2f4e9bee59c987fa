#include "engine/prune.h"

#include <algorithm>

namespace certform::engine {

std::vector<StoredCertificate> PruneCandidates(const std::string& account,
                                               const std::vector<StoredCertificate>& listed,
                                               const State& state, const Config& config) {
  std::set<int64_t> recorded, bound, wanted;
  for (const auto& [key, u] : state.uploads) {
    if (u.account == account) recorded.insert(u.cert_id);
  }
  for (const auto& [domain, e] : state.entries) {
    if (e.account == account && e.cert_type == "cas") bound.insert(e.cert_id);
  }
  for (const DesiredBinding& b : config.bindings) {
    if (b.account != account || !b.https) continue;
    auto cert = config.certificates.find(b.certificate);
    if (cert == config.certificates.end()) continue;
    auto u = state.uploads.find(UploadKey(account, cert->second.info.fingerprint));
    if (u != state.uploads.end()) wanted.insert(u->second.cert_id);
  }
  std::vector<StoredCertificate> out;
  for (const StoredCertificate& c : listed) {
    const bool ours = c.name.starts_with(kUploadNamePrefix) || recorded.count(c.cert_id);
    if (ours && !bound.count(c.cert_id) && !wanted.count(c.cert_id)) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const StoredCertificate& a, const StoredCertificate& b) {
    return a.cert_id < b.cert_id;
  });
  return out;
}

}  // namespace certform::engine
