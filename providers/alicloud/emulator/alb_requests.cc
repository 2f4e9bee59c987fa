#include "providers/alicloud/emulator/alb_requests.h"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "providers/alicloud/oss_cnames.h"
#include "providers/alicloud/oss_names.h"

namespace certform::emulator {

namespace {

ApiError Illegal(const std::string& name) {
  return {400, "IllegalParam." + name, "The param of " + name + " is illegal."};
}

bool Digits(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string AlbWrite::Fingerprint() const {
  return listener_id + "|" + fmt::format("{}", fmt::join(certificates, ","));
}

ApiResponse AlbCall::Ok(nlohmann::json doc) const {
  doc["RequestId"] = r.request_id;
  return RenderSuccess(r.action, doc, r.json);
}

// ALB's endpoint is regional, alb.REGION.aliyuncs.com (S: certimate; the SDK's endpoint table),
// as is NLB's, nlb.REGION.aliyuncs.com (D: the NLB reference's endpoints), and the region is
// the endpoint's; a client sent to another address (the emulator) names it in the Host header,
// as OSS's clients do, or in RegionId. Neither, or a malformed one: refused (harsher: the gateway
// would not know where to route it). Both and different: refused too.
std::optional<ApiError> AlbRegion(const ServiceRequest& request, const ListenerDialect& dialect,
                                  std::string* region) {
  std::string host = HeaderValue(request.http.headers, "host");
  if (const size_t colon = host.rfind(':'); colon != std::string::npos) host.erase(colon);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string prefix = dialect.name + ".";
  constexpr std::string_view kSuffix = ".aliyuncs.com";
  std::string from_host;
  if (host.starts_with(prefix) && host.ends_with(kSuffix) &&
      host.size() > prefix.size() + kSuffix.size()) {
    from_host = host.substr(prefix.size(), host.size() - prefix.size() - kSuffix.size());
  }
  const std::string from_param = Param(request.params, "RegionId");
  if (!from_host.empty() && !from_param.empty() && from_host != from_param) {
    return ApiError{400, "IllegalParam.RegionId",
                    "The RegionId does not match the endpoint's region."};
  }
  *region = from_host.empty() ? from_param : from_host;
  if (region->empty()) return MissingParam("RegionId");
  if (!alicloud::RegionProblem(*region).empty()) return Illegal("RegionId");
  return std::nullopt;
}

std::optional<ApiError> ParseAlbWrite(const CertificateList& list, const Params& params,
                                      AlbWrite* out) {
  out->kind = list.kind;
  out->listener_id = Param(params, "ListenerId");
  if (out->listener_id.empty()) return MissingParam("ListenerId");
  // DryRun is a boolean (D: each write's DryRun); anything but true/false is refused (harsher).
  const std::string dry = Param(params, "DryRun");
  if (dry != "" && dry != "true" && dry != "false") return Illegal("DryRun");
  out->dry_run = dry == "true";
  // ClientToken: ASCII only, at most 64 characters (D: doc 214350's ClientToken, and each NLB
  // write's).
  out->client_token = Param(params, "ClientToken");
  if (out->client_token.size() > 64 ||
      std::any_of(out->client_token.begin(), out->client_token.end(),
                  [](unsigned char c) { return c < 0x21 || c > 0x7e; })) {
    return Illegal("ClientToken");
  }
  // LIST.N + SUFFIX, N from 1 (listener_dialect.h): ALB's Certificates.N.CertificateId, NLB's
  // CertificateIds.N and AdditionalCertificateIds.N. A malformed or repeated N, an empty id or a
  // certificate named twice: refused (harsher).
  const std::string prefix = list.list + ".";
  std::map<int, std::string> numbered;
  for (const auto& [name, value] : params) {
    if (!name.starts_with(prefix)) continue;
    std::string n = name.substr(prefix.size());
    if (!n.ends_with(list.suffix)) return Illegal(list.list);
    n.resize(n.size() - list.suffix.size());
    if (!Digits(n) || std::stoi(n) == 0 || value.empty() ||
        !numbered.emplace(std::stoi(n), value).second) {
      return Illegal(list.list);
    }
  }
  for (const auto& [n, id] : numbered) {
    if (std::count(out->certificates.begin(), out->certificates.end(), id)) {
      return Illegal(list.list);
    }
    out->certificates.push_back(id);
  }
  // The counts each write takes (listener_dialect.cc cites them).
  if (out->certificates.size() < list.least) return MissingParam(list.list);
  if (out->certificates.size() > list.most) {
    return ApiError{
        400, "IllegalParamSize." + list.list,
        fmt::format("The param size of {} is illegal: at most {}.", list.list, list.most)};
  }
  return std::nullopt;
}

// MaxResults 1..`most` (ALB 1..100, D: doc 214354, default 20; NLB's in listener_dialect.cc);
// out of range refused (harsher than clamping). NextToken: only one this emulator handed out
// (harsher: a made-up token is refused).
std::optional<ApiError> ParseAlbPage(const Params& params, int fallback, size_t most,
                                     size_t* offset, size_t* max_results) {
  const std::string max = Param(params, "MaxResults");
  if (max.empty()) {
    *max_results = static_cast<size_t>(fallback);
  } else if (!Digits(max) || std::stoi(max) < 1 || static_cast<size_t>(std::stoi(max)) > most) {
    return Illegal("MaxResults");
  } else {
    *max_results = static_cast<size_t>(std::stoi(max));
  }
  const std::string token = Param(params, "NextToken");
  *offset = 0;
  if (token.empty()) return std::nullopt;
  if (!token.starts_with("FFnt") || !Digits(token.substr(4)) || std::stoi(token.substr(4)) == 0) {
    return Illegal("NextToken");
  }
  *offset = static_cast<size_t>(std::stoi(token.substr(4)));
  return std::nullopt;
}

std::string AlbNextToken(size_t offset) { return fmt::format("FFnt{}", offset); }

// CAS id + region, as OSS takes them (oss_cnames.h ParseOssCertId: digits, '-', a region).
bool CasHolds(const CasDirectory& cas, const std::string& user, const std::string& id) {
  int64_t cas_id = 0;
  std::string region;
  if (!alicloud::ParseOssCertId(id, &cas_id, &region)) return false;
  return cas.FindById(user, std::to_string(cas_id)).has_value();
}

// 404, the dialect's code (listener_dialect.cc): another user's listener, or one in another
// region, is none (NLB's tables; harsher: no hint that it exists elsewhere).
ApiError ListenerNotFound(const ListenerDialect& dialect, const std::string& id) {
  return {404, dialect.listener_not_found,
          fmt::format("The specified resource {} is not found.", id)};
}

ApiError CertificateNotFound(const std::string& id) {
  return {400, "ResourceNotFound.Certificate",
          fmt::format("The specified resource {} is not found.", id)};
}

ApiError IdempotenceMismatch() {
  return {400, "IdempotenceSignatureMismatch",
          "The idempotence token of request is same with the prev one, but the signature is "
          "different."};
}

ApiError ProtocolRefusal(const std::string& protocol, const std::string& takers) {
  return {400, "OperationDenied.ListenerProtocolNotSupport",  // U: the code is not documented
          fmt::format("The operation is not allowed because the listener's protocol {} takes no "
                      "certificates ({} do).",
                      protocol, takers)};
}

// The quota's code is not documented (U): named after the quota (alb_quota_loadbalancer_
// certificates_num_*, D: ACK's "ALB quota calculation method" page), 400 as quota refusals are.
ApiError QuotaExceeded(const std::string& load_balancer_id, int limit) {
  return {400, "QuotaExceeded.LoadBalancerCertificatesNum",
          fmt::format("The quota of additional certificates of {} ({}) is exceeded.",
                      load_balancer_id, limit)};
}

// Dissociating a certificate that is not (or not yet, or no longer) associated: not documented
// (U); refused (harsher than ignoring it).
ApiError NotAssociated(const std::string& id) {
  return {400, "ResourceNotAssociated.Certificate",
          fmt::format("The specified resource {} is not associated.", id)};
}

}  // namespace certform::emulator
