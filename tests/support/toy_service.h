// A test-only product plugged into the emulator through CdnEmulator::AddService, to prove the
// seam: a new product needs a handler of its own, not an edit of the emulator. An RPC API (signed
// like the CDN with signature V1, Version 2030-01-01, JSON answers like the CDN's) that binds a
// domain to a CAS certificate by id:
//   SetToyCertificate(DomainName, Enabled "on"|"off", CertId when on) → {RequestId}
//   DescribeToyCertificate(DomainName) → {RequestId, DomainName, Enabled, CertId}
//   DescribeToyDomains(PageNumber, PageSize 1..50) → {RequestId, TotalCount, PageNumber, PageSize,
//                                                     Domains:{Domain:[{DomainName}]}}
// SetToyCertificate is limited to 5 calls per user per second (Throttling.User beyond); the
// describes to 100.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "providers/alicloud/emulator/cas_directory.h"
#include "providers/alicloud/emulator/rpc_service.h"

namespace certform::testing {

inline constexpr char kToyVersion[] = "2030-01-01";

struct ToyBinding {
  bool enabled = false;
  int64_t cert_id = 0;  // 0 when disabled
};

class ToyService final : public emulator::RpcService {
 public:
  ToyService(emulator::ServiceContext context, emulator::CasDirectory& cas);

  // Admin (C++ only): a domain of `user`, without a certificate.
  void PutToyDomain(const std::string& name, const std::string& user);
  // The domain's binding; nullopt for an unknown domain.
  std::optional<ToyBinding> Binding(const std::string& name) const;
  // Sets a binding behind certform's back (no check of the id); false for an unknown domain.
  bool SetBinding(const std::string& name, ToyBinding binding);

  // SetToyCertificate's limit per user per second (5 unless told).
  void SetWriteLimit(int per_second) { write_limit_ = per_second; }

  void Reset() override;
  void AddState(nlohmann::json* state) const override;

 protected:
  bool Serves(const std::string& action) const override;
  std::string Version() const override { return kToyVersion; }
  std::pair<std::string, int> Window(const std::string& action) const override;
  emulator::ApiResponse Dispatch(const std::string& action, const emulator::Params& params,
                                 const std::string& user, const std::string& request_id,
                                 bool json) override;

 private:
  struct Domain {
    std::string user;
    ToyBinding binding;
  };
  emulator::ApiResponse Set(const emulator::Params& p, const std::string& user,
                            const std::string& request_id, bool json);
  emulator::ApiResponse Describe(const emulator::Params& p, const std::string& user,
                                 const std::string& request_id, bool json);
  emulator::ApiResponse List(const emulator::Params& p, const std::string& user,
                             const std::string& request_id, bool json);

  emulator::CasDirectory& cas_;
  std::atomic<int> write_limit_{5};
  mutable std::mutex mu_;
  std::map<std::string, Domain> domains_;
};

}  // namespace certform::testing
