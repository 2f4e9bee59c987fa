// What ALB's and NLB's calls (alb_service.h) take and refuse, parsed at the door by their
// dialect (listener_dialect.h): the region a request is for, a write's parameters, paging, and
// the errors the API answers them with. alb_requests.cc cites the source of each rule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "providers/alicloud/emulator/cas_directory.h"
#include "providers/alicloud/emulator/listener_dialect.h"
#include "providers/alicloud/emulator/service_handler.h"

namespace certform::emulator {

// A write's parameters: ListenerId, the certificates (Certificates.N.CertificateId or
// [Additional]CertificateIds.N, in N order), DryRun, ClientToken.
struct AlbWrite {
  ListenerWrite kind = ListenerWrite::kUpdate;
  std::string listener_id;
  std::vector<std::string> certificates;
  bool dry_run = false;
  std::string client_token;

  // What a ClientToken binds: the listener and the certificates.
  std::string Fingerprint() const;
};

// One request being answered by AlbService.
struct AlbCall {
  const ServiceRequest& r;
  const std::string& user;
  std::string region;
  AlbWrite write;  // writes only

  ApiResponse Error(const ApiError& e) const { return RenderError(e, r.request_id, r.json); }
  ApiResponse Ok(nlohmann::json doc) const;
};

// The region `request` is for: its Host's, "NAME.REGION.aliyuncs.com" (NAME the dialect's: alb,
// nlb), else its RegionId.
std::optional<ApiError> AlbRegion(const ServiceRequest& request, const ListenerDialect& dialect,
                                  std::string* region);
// A write's parameters, its certificates named and counted as `list` says.
std::optional<ApiError> ParseAlbWrite(const CertificateList& list, const Params& params,
                                      AlbWrite* out);
// MaxResults (1..`most`, default `fallback`) and NextToken (one this emulator gave: an offset).
std::optional<ApiError> ParseAlbPage(const Params& params, int fallback, size_t most,
                                     size_t* offset, size_t* max_results);
std::string AlbNextToken(size_t offset);
// Whether "CASID-REGION" names one of `user`'s CAS certificates.
bool CasHolds(const CasDirectory& cas, const std::string& user, const std::string& id);

// The dialect's listener_not_found code.
ApiError ListenerNotFound(const ListenerDialect& dialect, const std::string& id);
ApiError CertificateNotFound(const std::string& id);
ApiError IdempotenceMismatch();
// `takers`: the protocols that do take certificates ("HTTPS and QUIC").
ApiError ProtocolRefusal(const std::string& protocol, const std::string& takers);
ApiError QuotaExceeded(const std::string& load_balancer_id, int limit);
ApiError NotAssociated(const std::string& id);

}  // namespace certform::emulator
