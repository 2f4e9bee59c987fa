// DomainProvider: what the Alibaba Cloud products that bind certificates to domains (CDN, DCDN)
// share: one account's RPC client, the paged domain listing and the "CertInfos.CertInfo"
// read-back shape. Each product names its own actions, fields and limits in its rules.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/calls/provider.h"
#include "providers/alicloud/cas_certificates.h"
#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

// The field names of one product's certificate read-back (…DomainCertificateInfo).
struct CertInfoFields {
  const char* action;  // e.g. "DescribeDomainCertificateInfo"
  const char* https;   // "on"/"off": ServerCertificateStatus (CDN), SSLProtocol (DCDN)
  const char* pem;     // the served chain: ServerCertificate (CDN), SSLPub (DCDN)
};

class DomainProvider : public engine::Provider {
 protected:
  explicit DomainProvider(RpcClient client) : client_(std::move(client)) {}

  // One page of `action` (DescribeUserDomains, DescribeDcdnUserDomains): PageNumber, PageSize;
  // TotalCount and Domains.PageData[].DomainName in the answer.
  engine::Status ListDomains(const char* action, int page, int page_size,
                             const std::string& product, std::vector<engine::Address>* domains,
                             int64_t* total, engine::CallResult* result);
  // Reads `domain` with `fields.action`; a domain the product does not know is exists = false.
  engine::Status ReadCertInfo(const CertInfoFields& fields, const std::string& domain,
                              engine::LiveBinding* live, engine::CallResult* result);
  // Calls `action` with `params`, then wipes the key parameters.
  engine::Status SendBinding(const std::string& action, Params params, engine::CallResult* result);

  RpcClient client_;
};

// The parameters of the SSL-style binding calls (SetCdnDomainSSLCertificate,
// SetDcdnDomainSSLCertificate): DomainName, SSLProtocol, CertType, CertName, and SSLPub + SSLPri
// (upload) or CertId + CertRegion (cas). Holds the key for upload requests.
Params SslBindingParams(const engine::BindingRequest& request);

// Parses a CertInfos.CertInfo answer into `live` (fingerprinting the served PEM the way local
// certificates are). Corruption when the answer does not have the documented shape.
engine::Status ParseCertInfo(const CertInfoFields& fields, const nlohmann::json& body,
                             const std::string& domain, engine::LiveBinding* live);

}  // namespace certform::alicloud
