// The Certificate Management Service (CAS, API version 2020-04-07): UploadUserCertificate,
// ListUserCertificateOrder, GetUserCertificateDetail, DeleteUserCertificate, and the directory
// the other services bind domains through (cas_directory.h). cas_service.cc says what is
// documented and what is modelled.
#pragma once

#include <mutex>
#include <vector>

#include "providers/alicloud/emulator/cas_directory.h"
#include "providers/alicloud/emulator/rpc_service.h"

namespace certform::emulator {

inline constexpr char kCasVersion[] = "2020-04-07";

class CasService final : public RpcService, public CasDirectory {
 public:
  explicit CasService(ServiceContext context);

  // The CDN's bindings, for ListUserCertificateOrder's Keyword; none: no domain matches.
  void SetBindings(const DomainBindings* bindings) { bindings_ = bindings; }

  // Admin: adds (or, with an id already used, replaces) a certificate; returns its id.
  int64_t Put(CasCertificate certificate);
  bool Remove(int64_t id);

  std::optional<CasCertificate> FindById(const std::string& user,
                                         const std::string& id) const override;
  std::optional<CasCertificate> FindByName(const std::string& user,
                                           const std::string& name) const override;
  CasCertificate Create(const std::string& name, const std::string& user,
                        const std::string& pem) override;
  int64_t NewCertId() override;

  void Reset() override;
  void AddState(nlohmann::json* state) const override;

 protected:
  bool Serves(const std::string& action) const override;
  std::string Version() const override { return kCasVersion; }
  std::pair<std::string, int> Window(const std::string& action) const override;
  ApiResponse Dispatch(const std::string& action, const Params& params, const std::string& user,
                       const std::string& request_id, bool json) override;

 private:
  ApiResponse Upload(const Params& p, const std::string& user, const std::string& request_id,
                     bool json);
  ApiResponse List(const Params& p, const std::string& user, const std::string& request_id,
                   bool json);

  const DomainBindings* bindings_ = nullptr;
  mutable std::mutex mu_;
  std::vector<CasCertificate> cas_;  // the configured certificates plus those uploaded
  int64_t next_cert_id_ = 20000000;  // not reset: ids are never reused
};

}  // namespace certform::emulator
