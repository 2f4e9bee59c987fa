// A product that serves HTTPS certificates on domains through RPC calls: the CDN (2018-05-10)
// and DCDN (2018-01-15) take the same shape (set a domain's certificate, describe it, page the
// user's domains), each with its own action names, version, limits and domain table. One
// instance per product (cdn_service.h, dcdn_service.h), each with its own state and mutex.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "providers/alicloud/emulator/cas_directory.h"
#include "providers/alicloud/emulator/rpc_service.h"

namespace certform::emulator {

// A domain's live state in the emulator. The private key is never kept.
struct DomainState {
  std::string user;
  std::string status = "online";
  bool https = false;
  std::string cert_name, cert_type, cert_region;
  int64_t cert_id = 0;
  std::string cert_pem;
  std::string updated_at;
  std::string last_request_id;
};

// What tells one domain product from the other.
struct DomainProduct {
  std::string state_key;  // its table in /_emulator/state: "domains", "dcdn_domains"
  std::string version;
  // Its actions, each with its flow-control window and limit per user per second.
  std::map<std::string, std::pair<std::string, int>> actions;
  std::pair<std::string, int> unknown_window;  // for an action no product knows
  const std::vector<DomainSeed>* seeds = nullptr;
};

class DomainService final : public RpcService, public DomainBindings {
 public:
  DomainService(ServiceContext context, DomainProduct product, CasDirectory& cas);

  // Admin: creates or modifies a domain from {"user","status","https","cert_pem","cert_name",
  // "cert_type","cert_id"}; the JSON error in `error` on bad input.
  bool Put(const std::string& name, const nlohmann::json& changes, std::string* error);
  bool Remove(const std::string& name);
  // What the edge serves for domain `name` by the API's account of it (tls_edge.h); nullopt for a
  // domain the product does not have, or one not online.
  std::optional<ServedCertificate> Served(const std::string& name) const;

  bool BoundDomainMatches(const std::string& user, int64_t cert_id,
                          const std::string& keyword) const override;

  void Reset() override;
  void AddState(nlohmann::json* state) const override;

 protected:
  bool Serves(const std::string& action) const override;
  std::string Version() const override { return product_.version; }
  std::pair<std::string, int> Window(const std::string& action) const override;
  ApiResponse Dispatch(const std::string& action, const Params& params, const std::string& user,
                       const std::string& request_id, bool json) override;

 private:
  // SetDomainServerCertificate, SetCdnDomainSSLCertificate, SetDcdnDomainSSLCertificate.
  ApiResponse SetCertificate(const std::string& action, const Params& params,
                             const std::string& user, const std::string& request_id, bool json);
  // DescribeDomainCertificateInfo (CDN), DescribeDcdnDomainCertificateInfo (DCDN).
  ApiResponse DescribeCertificate(const std::string& action, const Params& params,
                                  const std::string& user, const std::string& request_id,
                                  bool json);
  // DescribeUserDomains (CDN), DescribeDcdnUserDomains: the user's domains, paged.
  ApiResponse DescribeUserDomains(const std::string& action, const Params& params,
                                  const std::string& user, const std::string& request_id,
                                  bool json);

  const DomainProduct product_;
  CasDirectory& cas_;
  mutable std::mutex mu_;
  std::map<std::string, DomainState> domains_;
  // Uploaded certificates per user: CertName → leaf fingerprint (for Certificate.Duplicated).
  std::map<std::string, std::map<std::string, std::string>> uploads_;
};

}  // namespace certform::emulator
