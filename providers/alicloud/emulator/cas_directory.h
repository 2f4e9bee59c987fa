// What the Certificate Management Service (CAS) lets the other services ask, and what it asks
// them: CDN, DCDN and OSS bind domains to CAS certificates by id, so they look certificates up
// here (taking CAS's lock for the look-up only, never sharing it); CAS's listing matches the CDN
// domains a certificate is bound to, so it asks the CDN through DomainBindings. Lock order: a
// domain service may call CAS while holding its own lock; CAS never calls out holding its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "providers/alicloud/emulator/emulator_config.h"

namespace certform::emulator {

class CasDirectory {
 public:
  virtual ~CasDirectory() = default;
  // `user`'s certificate whose id reads `id` (decimal, as the APIs send it).
  virtual std::optional<CasCertificate> FindById(const std::string& user,
                                                 const std::string& id) const = 0;
  // The last of `user`'s certificates named `name`.
  virtual std::optional<CasCertificate> FindByName(const std::string& user,
                                                   const std::string& name) const = 0;
  // Creates a certificate under a new id (OSS creates one from a certificate given by content);
  // returns it with its id.
  virtual CasCertificate Create(const std::string& name, const std::string& user,
                                const std::string& pem) = 0;
  // A new id from the account-wide sequence CAS ids come from (the CDN's uploads draw theirs
  // from it too, as the real CDN stores them in CAS).
  virtual int64_t NewCertId() = 0;
};

class DomainBindings {
 public:
  virtual ~DomainBindings() = default;
  // Whether one of `user`'s domains whose name contains `keyword` serves certificate `cert_id`.
  virtual bool BoundDomainMatches(const std::string& user, int64_t cert_id,
                                  const std::string& keyword) const = 0;
};

}  // namespace certform::emulator
