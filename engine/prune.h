// Which certificates in Certificate Management Service certform may delete (`certform prune`).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/provider.h"
#include "engine/state.h"

namespace certform::engine {

// The name prefix of the certificates certform uploads under a derived name.
inline constexpr char kUploadNamePrefix[] = "certform-";

// Of `listed` (the certificates uploaded to `account`'s CAS), those certform uploaded (its name
// prefix, or recorded in the state's uploads) that no state entry is bound to and that the
// configuration does not still want (an upload of a certificate still bound in `account`).
// A certificate certform did not upload is never a candidate.
std::vector<StoredCertificate> PruneCandidates(const std::string& account,
                                               const std::vector<StoredCertificate>& listed,
                                               const State& state, const Config& config);

}  // namespace certform::engine
