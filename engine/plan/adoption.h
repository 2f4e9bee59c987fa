// Adopting an estate (`certform import --generate-config DIR`): the live bindings read from every
// listed domain, grouped by the certificate they serve (its CAS id, else its fingerprint), as the
// configuration that describes them: one certificate per CAS id, one binding per account,
// certificate, product and location, HTTPS off where none is served. A certificate the API knows
// by no CAS id (bound by content) cannot be written without its file: it becomes a placeholder,
// its bindings commented out and not adopted. Pure functions of their inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/calls/live_reader.h"
#include "engine/config/config.h"

namespace certform::engine {

// A [certificate.KEY] of type "cas" to write.
struct AdoptedCertificate {
  std::string key;      // the table's name: unique in the configuration and the generated files
  std::string account;  // the account it was found on (CAS ids are per user)
  int64_t cert_id = 0;
  // Its name in CAS (CertName) as a product reported it, checked (CertNameProblem); when no
  // product reported one (OSS lists only the id), "cas-ID" and `name_known` false.
  std::string name;
  bool name_known = true;
  int64_t not_after = 0;  // the served leaf's expiry where a product reported it; 0: unknown
  size_t domains = 0;
  bool existing = false;  // the configuration already has it (same CAS id): not written again
};

// A certificate served without a CAS id the API knows (bound by content): written as a comment
// asking for its certificate file, never its key.
struct PlaceholderCertificate {
  std::string key;
  std::string account;
  std::string cert_name;    // as the product reported it (checked), may be empty
  std::string fingerprint;  // SHA-256 of the served leaf
  int64_t not_after = 0;
  size_t domains = 0;
};

// A [[binding]] to write: one per account, certificate (or HTTPS off), product and location.
struct AdoptedBinding {
  std::string account;
  Address where;                     // product and location; `domain` empty
  bool https = true;                 // false: `https = false`, no certificate
  std::string certificate;           // the key of its AdoptedCertificate or PlaceholderCertificate
  bool placeholder = false;          // its certificate is a placeholder: written commented out
  std::vector<std::string> domains;  // sorted
};

// A domain found but not adopted, and why.
struct NotAdopted {
  Address address;
  std::string account;
  std::string why;
  bool failed = false;  // a read that failed (the estate was not wholly read), not a choice
};

struct Adoption {
  std::vector<AdoptedCertificate> certificates;  // by account, then key
  std::vector<PlaceholderCertificate> placeholders;
  std::vector<AdoptedBinding> bindings;  // by account, product, location, certificate
  std::vector<LiveRead> adopted;         // the reads written as bindings (not commented out)
  std::vector<NotAdopted> skipped;       // in the order of the reads

  // The accounts with anything to write, sorted.
  std::vector<std::string> Accounts() const;
};

// Empty when `name`, a certificate name from an API answer, may be written as a CertName: 1 to
// 128 characters (the configuration's rule), none of them a control character.
std::string CertNameProblem(const std::string& name);

// Groups `reads` (each listed domain's live binding) by the certificate each serves, against
// `config` (whose certificate keys the new ones must not take, and whose CAS certificates are
// reused by id). A read that failed, a domain gone since the listing, a certificate name that
// fails CertNameProblem and a binding that names no certificate certform can tell are skipped.
Adoption GroupByCertificate(const std::vector<LiveRead>& reads, const Config& config);

}  // namespace certform::engine
