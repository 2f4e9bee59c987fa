// The emulator's OSS custom domains (CNAME): PutCname (POST /?cname&comp=add) and ListCname
// (GET /?cname) on BUCKET.oss-REGION.aliyuncs.com, signed with OSS signature V1, XML in and out.
//
// Documented (OSS API reference PutCname,
// https://www.alibabacloud.com/help/en/oss/developer-reference/putcname; ListCname,
// https://www.alibabacloud.com/help/en/oss/developer-reference/listcname; error 0018-00000209,
// https://help.aliyun.com/zh/oss/user-guide/0018-00000209; error responses,
// https://www.alibabacloud.com/help/en/oss/user-guide/overview-14): the body
// BucketCnameConfiguration/Cname/{Domain, CertificateConfiguration{CertId "ID-REGION",
// Certificate, PrivateKey, PreviousCertId, Force, DeleteCertificate}}; unless Force is true, a
// PreviousCertId that is not the domain's current certificate is refused (EC 0018-00000209, in
// <EC> and the x-oss-ec header); the domain's ownership must have been verified
// (NeedVerifyDomainOwnership otherwise); a certificate given by content is created in Certificate
// Management Service (the RAM user needs yundun-cert permissions); ListCname answers
// ListCnameResult/Cname[]/{Domain, LastModified, Status, Certificate{Type, CertId, Status
// "Enabled"/"Disabled", CreationDate, Fingerprint, ValidStartDate, ValidEndDate}}.
// Unconfirmed, modelled in the harsher reading: wildcard domains are refused (InvalidArgument);
// replacing or deleting a certificate without PreviousCertId or Force is refused like a mismatch,
// and so is a PreviousCertId sent for a domain that has no certificate; PreviousCertId is
// compared as the whole "ID-REGION" text ListCname lists; the mismatch's Code and HTTP status
// (400 InvalidArgument here: only the EC is documented, and OSS says not to build logic on ECs);
// a certificate disabled behind certform's back keeps its CertId (it is still "the current
// certificate" for PreviousCertId) and a new PutCname of a certificate enables it; the HTTP
// statuses of NeedVerifyDomainOwnership and CnameAlreadyExists (409) and of an unknown CertId
// (404 NoSuchCertificate); no limit is stated (10/s each, answered 503 SlowDown beyond); the
// Fingerprint's format (SHA-1 hex here; certform does not rely on it).
// ListBuckets (GetService, GET / on oss-REGION.aliyuncs.com, OSS API reference "ListBuckets
// (GetService)"): the requester's buckets of every region in ListAllMyBucketsResult/Buckets/
// Bucket{Name, Location "oss-REGION", Region, CreationDate}, sorted by name, after `marker`, at
// most max-keys (default 100, at most 1000) a page with IsTruncated and NextMarker. Counted
// against the read window (its limit is not stated either).
#include <algorithm>
#include <map>
#include <optional>
#include <regex>

#include <fmt/format.h>

#include "providers/alicloud/emulator/oss_service.h"

#include "engine/config/certificate.h"
#include "providers/alicloud/emulator/certificate_check.h"
#include "providers/alicloud/emulator/ram_policy.h"
#include "providers/alicloud/xml_text.h"

namespace certform::emulator {

namespace {

constexpr char kXmlDeclaration[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

ApiResponse OssXml(int status, std::string body, const std::string& request_id) {
  ApiResponse r;
  r.status = status;
  r.content_type = "application/xml";
  r.body = kXmlDeclaration + body;
  r.headers["x-oss-request-id"] = request_id;
  return r;
}

// OSS's <Error> document; `extra`: further elements (e.g. <Endpoint>), already XML.
ApiResponse OssError(const ApiError& e, const std::string& request_id, const std::string& host,
                     const std::string& extra = "") {
  using alicloud::XmlElement;
  return OssXml(e.status,
                "<Error>" + XmlElement("Code", e.code) + XmlElement("Message", e.message) +
                    XmlElement("RequestId", request_id) + XmlElement("HostId", host) + extra +
                    "</Error>",
                request_id);
}

// "BUCKET.oss-REGION.aliyuncs.com" → bucket and region; "oss-REGION.aliyuncs.com" (the
// service: ListBuckets) → no bucket; false for any other host.
bool ParseHost(const std::string& host, std::string* bucket, std::string* region) {
  const std::string suffix = ".aliyuncs.com";
  if (!host.ends_with(suffix)) return false;
  if (host.starts_with("oss-")) {
    bucket->clear();
    *region = host.substr(4, host.size() - suffix.size() - 4);
    return !region->empty() && region->find('.') == std::string::npos;
  }
  const size_t dot = host.find(".oss-");
  if (dot == std::string::npos || dot == 0) return false;
  *bucket = host.substr(0, dot);
  *region = host.substr(dot + 5, host.size() - suffix.size() - dot - 5);
  return !region->empty();
}

// The value of `name` in the query of `target` ("/?a=1&b=2"), "" when absent.
std::string QueryValue(const std::string& target, const std::string& name) {
  const size_t q = target.find('?');
  if (q == std::string::npos) return "";
  for (const auto& [key, value] : signature::ParseForm(target.substr(q + 1))) {
    if (key == name) return value;
  }
  return "";
}

std::string CertIdText(int64_t id, const std::string& region) {
  return fmt::format("{}-{}", id, region.empty() ? "cn-hangzhou" : region);
}

}  // namespace

ServedCertificate ServedBy(const CnameState& c) {
  return c.https && c.cert_status == "Enabled" ? ServedCertificate{true, c.cert_pem}
                                               : ServedCertificate{};
}

OssService::OssService(ServiceContext context, CasDirectory& cas) : context_(context), cas_(cas) {}

void OssService::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  cnames_.clear();
  detached_.clear();
}

bool OssService::Accepts(const ServiceRequest& r) const {
  const ApiRequest& request = r.http;
  if (HeaderValue(request.headers, "authorization").starts_with("OSS ")) return true;
  const size_t q = request.target.find('?');
  return q != std::string::npos && request.target.find("cname", q) != std::string::npos;
}

ApiResponse OssService::Handle(const ServiceRequest& r) {
  const ApiRequest& request = r.http;
  const std::string& request_id = r.request_id;
  FlowControl& flow = context_.flow;
  // The Host header may carry a port (a client addressing OSS's names at another port, as the
  // interop test does); the names are what OSS routes by.
  std::string host = HeaderValue(request.headers, "host");
  if (const size_t colon = host.rfind(':'); colon != std::string::npos) host.erase(colon);
  std::string bucket_name, region, user;
  AccountKey caller;
  if (!ParseHost(host, &bucket_name, &region)) {
    flow.CountRejected();
    return OssError({400, "InvalidBucketName", "The host is not BUCKET.oss-REGION.aliyuncs.com."},
                    request_id, host);
  }
  if (auto e =
          context_.auth.CheckOss(request.method, request.target, request.headers, bucket_name,
                                 engine::ToUnixSeconds(context_.clock.Now()), &user, &caller)) {
    flow.CountRejected();
    return OssError(*e, request_id, host);
  }
  // Each call counted in the user's OSS write or read window (no limit is stated: 10/s each),
  // answered 503 SlowDown beyond.
  int answered = 0;  // the count of this call among the user's calls of its action
  auto Admit = [&](const char* action, bool write) -> std::optional<ApiResponse> {
    if (RamDenies(context_.config, caller, action)) {  // ram_policy.h
      flow.CountRejected();
      return OssError({403, "AccessDenied", "You have no right to access this resource."},
                      request_id, host, alicloud::XmlElement("EC", "0003-00000202"));
    }
    engine::Clock::Duration wait{};
    const EmulatorConfig& config = context_.config;
    if (!flow.Admit(user, write ? "oss-write" : "oss-read",
                    write ? config.oss_write_limit : config.oss_read_limit, &wait)) {
      return OssError({503, "SlowDown", "Please reduce your request rate."}, request_id, host);
    }
    answered = flow.CountCall(action, user);
    return std::nullopt;
  };
  if (bucket_name.empty()) {
    if (request.method != "GET" || request.target.find("cname") != std::string::npos) {
      return OssError({400, "InvalidBucketName", "The request names no bucket."}, request_id, host);
    }
    if (auto slow_down = Admit("ListBuckets", false)) return *slow_down;
    return ListBuckets(user, request.target, request_id, host);
  }
  const BucketSeed* bucket = nullptr;
  for (const BucketSeed& b : context_.config.buckets) {
    if (b.name == bucket_name) bucket = &b;
  }
  if (bucket == nullptr) {
    return OssError({404, "NoSuchBucket", "The specified bucket does not exist."}, request_id,
                    host);
  }
  if (bucket->region != region) {
    // A bucket addressed through another region's endpoint (OSS help, "HTTP status code 403",
    // AccessDenied): refused, naming the right endpoint; never "no such bucket".
    return OssError({403, "AccessDenied",
                     "The bucket you are attempting to access must be addressed using the "
                     "specified endpoint. Please send all future requests to this endpoint."},
                    request_id, host,
                    alicloud::XmlElement("Endpoint", "oss-" + bucket->region + ".aliyuncs.com"));
  }
  if (bucket->user != user) {
    return OssError({403, "AccessDenied", "You have no right to access this bucket."}, request_id,
                    host);
  }
  const bool put = request.method == "POST" && request.target.find("comp=add") != std::string::npos;
  if (auto slow_down = Admit(put ? "PutCname" : "ListCname", put)) return *slow_down;
  if (!put) return ListCname(*bucket, request_id);
  ApiResponse response = PutCname(*bucket, user, request.body, request_id, host);
  // As for the RPC services (Faults::lose_answers): carried out, the answer never arrives.
  if (flow.LoseAnswer("PutCname", answered)) {
    response = ApiResponse();
    response.drop = true;
  }
  return response;
}

ApiResponse OssService::PutCname(const BucketSeed& bucket, const std::string& user,
                                 const std::string& body, const std::string& request_id,
                                 const std::string& host) {
  using alicloud::XmlText;
  const std::optional<std::string> domain = XmlText(body, "Domain");
  if (!domain || domain->empty()) {
    return OssError({400, "MalformedXML", "The XML you provided was not well-formed."}, request_id,
                    host);
  }
  if (domain->starts_with("*.") || domain->starts_with(".")) {
    return OssError({400, "InvalidArgument", "Wildcard domains are not supported."}, request_id,
                    host);
  }
  std::lock_guard<std::mutex> lock(mu_);
  const auto& verified = bucket.verified_domains;
  if (std::find(verified.begin(), verified.end(), *domain) == verified.end() ||
      detached_.count(*domain) > 0) {
    return OssError({409, "NeedVerifyDomainOwnership",
                     "You need to verify the domain ownership of " + *domain + " first."},
                    request_id, host);
  }
  auto existing = cnames_.find(*domain);
  if (existing != cnames_.end() && existing->second.bucket != bucket.name) {
    return OssError(
        {409, "CnameAlreadyExists", "The domain is already attached to another bucket."},
        request_id, host);
  }
  const ServedCertificate before =
      existing == cnames_.end() ? ServedCertificate{} : ServedBy(existing->second);
  CnameState next;
  if (existing == cnames_.end()) {
    next.bucket = bucket.name;
  } else {
    next = existing->second;
  }
  const int64_t now = engine::ToUnixSeconds(context_.clock.Now());
  next.updated_at = engine::FormatUtc(now);
  next.cert_bound_at = engine::FormatHttpDate(now);
  const std::vector<std::string> config = alicloud::XmlElements(body, "CertificateConfiguration");
  if (!config.empty()) {
    const std::string& c = config.front();
    const bool force = XmlText(c, "Force").value_or("") == "true";
    // Absent and empty alike: "" then stands for "no certificate", which only a domain without
    // one matches.
    const std::string previous = XmlText(c, "PreviousCertId").value_or("");
    const std::string current = next.https ? CertIdText(next.cert_id, next.cert_region) : "";
    if (!force && previous != current) {
      constexpr char kMismatch[] = "0018-00000209";
      ApiResponse refused =
          OssError({400, "InvalidArgument",
                    "The PreviousCertId you specified does not match the certificate ID the "
                    "custom domain uses."},
                   request_id, host, alicloud::XmlElement("EC", kMismatch));
      refused.headers["x-oss-ec"] = kMismatch;
      return refused;
    }
    const std::string cert_id = XmlText(c, "CertId").value_or("");
    const std::string pem = XmlText(c, "Certificate").value_or("");
    std::string key = XmlText(c, "PrivateKey").value_or("");
    if (XmlText(c, "DeleteCertificate").value_or("") == "true") {
      next.https = false;
      next.cert_id = 0;
      next.cert_status.clear();
      next.cert_pem.clear();
    } else if (!cert_id.empty()) {
      // CertId is "ID-REGION" (PutCname's example "493****-cn-hangzhou"); anything else is
      // refused (the docs are silent: the harsher reading), so the region listed back is a region.
      static const std::regex kCertId("^[1-9][0-9]{0,18}-[a-z]+(-[a-z0-9]+)+$");
      if (!std::regex_match(cert_id, kCertId)) {
        return OssError({400, "InvalidArgument", "The CertId you specified is not valid."},
                        request_id, host);
      }
      const size_t dash = cert_id.find('-');
      const std::optional<CasCertificate> found = cas_.FindById(user, cert_id.substr(0, dash));
      if (!found) {
        return OssError(
            {404, "NoSuchCertificate", "The certificate " + cert_id + " does not exist."},
            request_id, host);
      }
      next.https = true;
      next.cert_status = "Enabled";
      next.cert_id = found->id;
      next.cert_region = cert_id.substr(dash + 1);
      next.cert_pem = found->pem;
    } else if (!pem.empty()) {
      context_.flow.CountKeyReceived();
      std::string fingerprint;
      if (auto e = CheckUpload(pem, key, &fingerprint)) {
        engine::WipeSecret(&key);
        return OssError({400, "InvalidArgument", e->message}, request_id, host);
      }
      context_.edge.KeepKey(key);  // for the edge's handshakes only, never shown
      engine::WipeSecret(&key);
      // Created in Certificate Management Service, as OSS documents.
      const CasCertificate created = cas_.Create("oss-" + fingerprint.substr(0, 16), user, pem);
      next.https = true;
      next.cert_status = "Enabled";
      next.cert_id = created.id;
      next.cert_region = bucket.region;
      next.cert_pem = pem;
    }
  }
  if (ServedBy(next) != before) context_.edge.Changed(*domain, before);
  cnames_[*domain] = next;
  return OssXml(200, "", request_id);
}

ApiResponse OssService::ListCname(const BucketSeed& bucket, const std::string& request_id) {
  using alicloud::XmlElement;
  std::lock_guard<std::mutex> lock(mu_);
  std::string body =
      "<ListCnameResult>" + XmlElement("Bucket", bucket.name) + XmlElement("Owner", bucket.user);
  std::map<std::string, CnameState> listed;
  for (const std::string& domain : bucket.verified_domains) {
    if (detached_.count(domain) > 0) continue;
    CnameState attached;  // attached and verified, no certificate yet
    attached.bucket = bucket.name;
    attached.updated_at = "";
    listed.emplace(domain, attached);
  }
  for (const auto& [domain, c] : cnames_) listed[domain] = c;
  for (const auto& [domain, c] : listed) {
    if (c.bucket != bucket.name) continue;
    body += "<Cname>" + XmlElement("Domain", domain) + XmlElement("LastModified", c.updated_at) +
            XmlElement("Status", "Enabled");
    if (c.https) {
      // Dates as HTTP dates, as the docs show CreationDate ("Wed, 15 Sep 2021 02:35:06 GMT").
      std::string start, end;
      engine::CertificateChain chain;
      if (engine::CertificateChain::Parse(c.cert_pem, &chain).ok()) {
        start = engine::FormatHttpDate(chain.Inspect().not_before);
        end = engine::FormatHttpDate(chain.Inspect().not_after);
      }
      body += "<Certificate>" + XmlElement("Type", "CAS") +
              XmlElement("CertId", CertIdText(c.cert_id, c.cert_region)) +
              XmlElement("Status", c.cert_status) + XmlElement("CreationDate", c.cert_bound_at) +
              XmlElement("Fingerprint", FingerprintOf(c.cert_pem)) +
              XmlElement("ValidStartDate", start) + XmlElement("ValidEndDate", end) +
              "</Certificate>";
    }
    body += "</Cname>";
  }
  return OssXml(200, body + "</ListCnameResult>", request_id);
}

bool OssService::SetCnameCertificateStatus(const std::string& domain, const std::string& status,
                                           std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (status != "Enabled" && status != "Disabled") {
    *error = "certificate_status is \"Enabled\" or \"Disabled\"";
    return false;
  }
  auto c = cnames_.find(domain);
  if (c == cnames_.end() || !c->second.https) {
    *error = domain + " has no certificate on any bucket";
    return false;
  }
  c->second.cert_status = status;
  return true;
}

ApiResponse OssService::ListBuckets(const std::string& user, const std::string& target,
                                    const std::string& request_id, const std::string& host) {
  using alicloud::XmlElement;
  const auto& denied = context_.config.oss_list_denied;
  if (std::find(denied.begin(), denied.end(), user) != denied.end()) {  // emulator_config.h
    return OssError({403, "AccessDenied", "You have no right to access this resource."}, request_id,
                    host, XmlElement("EC", "0003-00000202"));
  }
  const std::string marker = QueryValue(target, "marker");
  const std::string max_text = QueryValue(target, "max-keys");
  const int max_keys = max_text.empty() ? 100 : std::atoi(max_text.c_str());
  if (max_keys < 1 || max_keys > 1000) {
    return OssError({400, "InvalidArgument", "max-keys must be between 1 and 1000."}, request_id,
                    host);
  }
  std::vector<const BucketSeed*> mine;
  for (const BucketSeed& b : context_.config.buckets) {
    if (b.user == user && b.name > marker) mine.push_back(&b);
  }
  std::sort(mine.begin(), mine.end(),
            [](const BucketSeed* a, const BucketSeed* b) { return a->name < b->name; });
  const bool truncated = mine.size() > static_cast<size_t>(max_keys);
  if (truncated) mine.resize(static_cast<size_t>(max_keys));
  std::string body = "<ListAllMyBucketsResult><Owner>" + XmlElement("ID", user) + "</Owner>";
  if (truncated) {
    body += XmlElement("Marker", marker) + XmlElement("MaxKeys", std::to_string(max_keys)) +
            XmlElement("IsTruncated", "true") + XmlElement("NextMarker", mine.back()->name);
  }
  body += "<Buckets>";
  for (const BucketSeed* b : mine) {
    body += "<Bucket>" + XmlElement("Name", b->name) + XmlElement("Location", "oss-" + b->region) +
            XmlElement("Region", b->region) + "</Bucket>";
  }
  return OssXml(200, body + "</Buckets></ListAllMyBucketsResult>", request_id);
}

std::optional<ServedCertificate> OssService::Served(const std::string& domain) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cnames_.find(domain);
  if (it == cnames_.end()) return std::nullopt;
  return ServedBy(it->second);
}

void OssService::DetachCname(const std::string& domain) {
  std::lock_guard<std::mutex> lock(mu_);
  cnames_.erase(domain);
  detached_.insert(domain);
}

void OssService::AddState(nlohmann::json* state) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json cnames = nlohmann::json::object();
  for (const auto& [domain, c] : cnames_) {
    cnames[domain] = {{"bucket", c.bucket},
                      {"https", c.https},
                      {"certificate_status", c.cert_status},
                      {"cert_id", c.cert_id},
                      {"cert_region", c.cert_region},
                      {"fingerprint", FingerprintOf(c.cert_pem)}};
  }
  (*state)["oss_cnames"] = cnames;
}

}  // namespace certform::emulator
