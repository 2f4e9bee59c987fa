// `certform import DOMAIN...`: adopting bindings that already exist live into the state, from a
// live read, so that certform manages existing domains without uploading anything again. Which
// account each domain belongs to, and the state with the domains read in; the command builds the
// providers, reads, renders and writes.
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/calls/live_reader.h"
#include "engine/config/config.h"
#include "engine/state/state.h"

namespace certform::engine {

// The domains to import with their accounts: `account` when given, else the account the
// configuration's binding of the domain names, else the configuration's only account.
// InvalidArgument naming the first domain that is named twice, already in `state`, or of no
// account it can tell.
Status ImportDomains(const Config& config, const State& state,
                     const std::vector<std::string>& domains, const std::string& account,
                     std::vector<DomainRef>* refs);

// `state` with each of `reads` adopted (EntryFromLive, AdoptUpload) at `now` (UTC) into `*next`,
// and each entry made, in the order of `reads`, in `*imported`. Fails at the first read that
// failed or of a domain its product does not know, naming it; nothing is imported then (`*next`
// untouched, `*imported` holding the entries made before it).
Status ImportedState(const State& state, const Config& config, const std::vector<LiveRead>& reads,
                     const std::string& now, State* next, std::vector<StateEntry>* imported);

// `state` with each of `reads` (live bindings `config` now binds, as `import --generate-config`
// wrote it) adopted at `now` (UTC): each entry names the certificate the configuration binds the
// domain to, and a CertName the product does not report (OSS lists only the CAS id) is that
// certificate's, as an apply of it would have recorded. InvalidArgument naming the first read
// that failed, of a domain gone, already in the state or not bound by `config`; `*next`
// untouched then.
Status AdoptedState(const State& state, const Config& config, const std::vector<LiveRead>& reads,
                    const std::string& now, State* next);

}  // namespace certform::engine
