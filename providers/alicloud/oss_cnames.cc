#include "providers/alicloud/oss_cnames.h"

#include <cstdint>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/domain_name.h"
#include "engine/config/binding_address.h"
#include "engine/config/certificate.h"
#include "providers/alicloud/errors.h"
#include "providers/alicloud/oss_names.h"
#include "providers/alicloud/oss_signer.h"
#include "providers/alicloud/signer.h"
#include "providers/alicloud/xml_text.h"

namespace certform::alicloud {

OssCnames::OssCnames(providers::HttpTransport& transport, engine::Clock& clock,
                     std::shared_ptr<CredentialSource> credentials, std::string endpoint_override)
    : transport_(transport),
      clock_(clock),
      credentials_(std::move(credentials)),
      endpoint_override_(std::move(endpoint_override)) {}

namespace {

// A name that came from outside (a state file, an API answer) as a JSON string: quoted, control
// characters escaped, so that an error shows exactly what was refused and nothing more.
std::string Quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// At most the first 80 bytes of an answer's text, for a message.
std::string Shortened(const std::string& text) {
  constexpr size_t kShown = 80;
  return text.size() <= kShown ? text : text.substr(0, kShown) + "...";
}

}  // namespace

std::string OssCertId(int64_t id, const std::string& region) {
  return fmt::format("{}-{}", id, region.empty() ? "cn-hangzhou" : region);
}

bool ParseCasId(std::string_view text, int64_t* id) {
  if (text.empty() || text.size() > 19 || text[0] == '0') return false;
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    if (value > (INT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *id = value;
  return true;
}

bool ParseOssCertId(const std::string& text, int64_t* id, std::string* region) {
  // 19 digits, '-', a region: nothing longer is read further (an answer is outside input).
  constexpr size_t kMaxCertId = 19 + 1 + 48;
  if (text.size() > kMaxCertId) return false;
  const size_t dash = text.find('-');
  if (dash == std::string::npos) return false;
  int64_t value = 0;
  if (!ParseCasId(std::string_view(text).substr(0, dash), &value)) return false;
  std::string rest = text.substr(dash + 1);
  if (!RegionProblem(rest).empty()) return false;
  *id = value;
  *region = std::move(rest);
  return true;
}

engine::Status OssCnames::Host(const OssBucket& bucket, std::string* host) {
  host->clear();
  if (!bucket.name.empty()) {
    if (std::string why = BucketNameProblem(bucket.name); !why.empty()) {
      return engine::Status::InvalidArgument(fmt::format(
          "refusing to send an OSS request for bucket {}: it is not an OSS bucket name ({}), so "
          "it cannot name the host BUCKET.oss-REGION.aliyuncs.com; nothing was sent",
          Quoted(bucket.name), why));
    }
  }
  if (std::string why = RegionProblem(bucket.region); !why.empty()) {
    return engine::Status::InvalidArgument(fmt::format(
        "refusing to send an OSS request for bucket {} in region {}: {}; nothing was sent",
        Quoted(bucket.name), Quoted(bucket.region), why));
  }
  *host = bucket.name.empty() ? fmt::format("oss-{}.aliyuncs.com", bucket.region)
                              : fmt::format("{}.oss-{}.aliyuncs.com", bucket.name, bucket.region);
  return engine::Status::OK();
}

std::string OssCnames::PutBody(const engine::BindingRequest& r, const std::string& previous) {
  // PutCname (https://www.alibabacloud.com/help/en/oss/developer-reference/putcname): without
  // Force, OSS checks PreviousCertId against the domain's current certificate and refuses a
  // mismatch (0018-00000209, https://help.aliyun.com/zh/oss/user-guide/0018-00000209).
  const std::string guard =
      previous.empty() ? XmlElement("Force", "true") : XmlElement("PreviousCertId", previous);
  std::string config;
  if (!r.https) {
    config = XmlElement("DeleteCertificate", "true") + guard;
  } else if (r.cert_type == "cas") {
    config = XmlElement("CertId", OssCertId(r.cert_id, r.cert_region)) + guard;
  } else {
    config = XmlElement("Certificate", r.cert_pem) + XmlElement("PrivateKey", r.key_pem) + guard;
  }
  return "<BucketCnameConfiguration><Cname>" + XmlElement("Domain", r.address.domain) +
         "<CertificateConfiguration>" + config +
         "</CertificateConfiguration></Cname></BucketCnameConfiguration>";
}

engine::Status OssCnames::Send(const OssBucket& bucket, const std::string& method,
                               const std::string& query, std::string body,
                               providers::HttpResponse* response, engine::CallResult* result) {
  *result = engine::CallResult();
  std::string host;
  engine::Status s = Host(bucket, &host);  // before the credentials: nothing leaves for a bad one
  if (!s.ok()) return s;
  Credentials creds;
  s = credentials_->Get(&creds, result);
  if (!s.ok()) return s;
  const std::string date = engine::FormatHttpDate(engine::ToUnixSeconds(clock_.Now()));
  Headers headers = {{"Host", host}, {"Date", date}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/xml");
  if (!creds.security_token.empty()) {
    headers.emplace_back("x-oss-security-token", creds.security_token);
  }
  const std::string string_to_sign =
      OssStringToSign(method, "", body.empty() ? "" : "application/xml", date, headers,
                      OssCanonicalResource(bucket.name, "", query));
  headers.emplace_back("Authorization", OssAuthorization(creds.access_key_id,
                                                         creds.access_key_secret, string_to_sign));
  providers::HttpRequest request;
  request.method = method;
  request.url =
      (endpoint_override_.empty() ? "https://" + host : endpoint_override_) + "/?" + query;
  request.headers = std::move(headers);
  request.body = std::move(body);
  SecretScrubber scrubber;
  scrubber.Add(creds.access_key_secret);
  scrubber.Add(creds.security_token);
  s = transport_.Send(request, response);
  engine::WipeSecret(&request.body);  // the key of requests by content
  for (auto& [name, value] : request.headers) engine::WipeSecret(&value);
  if (!s.ok()) {
    result->error_code = "NetworkError";
    result->error_message = s.message();
  } else {
    s = InterpretOssResponse(*response, creds.access_key_id, scrubber, result);
  }
  engine::WipeSecret(&creds.access_key_secret);
  return s;
}

engine::Status OssCnames::Put(const OssBucket& bucket, const engine::BindingRequest& request,
                              engine::CallResult* result, const std::string& previous) {
  providers::HttpResponse response;
  return Send(bucket, "POST", "cname&comp=add", PutBody(request, previous), &response, result);
}

engine::Status OssCnames::List(const OssBucket& bucket, std::vector<OssCname>* cnames,
                               engine::CallResult* result) {
  cnames->clear();
  providers::HttpResponse response;
  engine::Status s = Send(bucket, "GET", "cname", "", &response, result);
  if (!s.ok()) return s;
  if (!XmlText(response.body, "ListCnameResult")) {
    return engine::Status::Corruption("ListCname answered without ListCnameResult");
  }
  for (const std::string& element : XmlElements(response.body, "Cname")) {
    OssCname cname;
    cname.domain = XmlText(element, "Domain").value_or("");
    cname.live.exists = true;
    const std::vector<std::string> certificate = XmlElements(element, "Certificate");
    if (!certificate.empty()) {
      cname.cert_id = XmlText(certificate.front(), "CertId").value_or("");
      cname.cert_status = XmlText(certificate.front(), "Status").value_or("");
    }
    // Certificate/Status (ListCname: "Enabled" or "Disabled"): only an enabled certificate is
    // served. A disabled one, or one without a Status OSS documents, reads as HTTPS off, so that
    // drift and refresh report it (the harsher reading).
    // A disabled certificate is still attached: its id stays in live.cert_id (with HTTPS off),
    // so that prune counts it as in use and never deletes what OSS may serve again.
    if (!certificate.empty()) {
      // Which certificate is attached must be known exactly, or nothing can be decided from it
      // (prune's "in use", a rotation's PreviousCertId): a CertId that is not ID-REGION, or none,
      // fails the read (the harsher reading; ListCname documents CertId on every Certificate).
      // Only that domain is unreadable: the others of the bucket, and its listing, are not.
      int64_t id = 0;
      std::string region;
      if (!ParseOssCertId(cname.cert_id, &id, &region)) {
        cname.problem = fmt::format(
            "ListCname lists the certificate of {} with CertId {}, which is not ID-REGION (a CAS "
            "id and its region): certform cannot tell which certificate it is",
            Quoted(cname.domain), Quoted(Shortened(cname.cert_id)));
      }
      cname.live.cert_id = id;
      cname.live.cert_ref = cname.cert_id;  // for PreviousCertId, exactly as listed
      cname.live.cert_status = cname.cert_status;
    }
    if (!certificate.empty() && cname.cert_status == "Enabled") {
      cname.live.https = true;
      cname.live.cert_type = "cas";  // a certificate given by content is created in CAS too
      // The served certificate's expiry, for drift's warnings: an HTTP date, as CreationDate is
      // documented ("Wed, 15 Sep 2021 02:35:06 GMT"); ISO 8601 accepted too; else unknown (0).
      const std::string end = XmlText(certificate.front(), "ValidEndDate").value_or("");
      if (!engine::ParseHttpDate(end, &cname.live.not_after) &&
          !engine::ParseUtc(end, &cname.live.not_after)) {
        cname.live.not_after = 0;
      }
    }
    cnames->push_back(std::move(cname));
  }
  // A domain listed twice (in any case) has no one binding to decide from.
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < cnames->size(); ++i) {
    auto [at, fresh] = first.emplace(engine::NormalizeDomain((*cnames)[i].domain), i);
    if (fresh) continue;
    for (size_t twice : {at->second, i}) {
      (*cnames)[twice].problem = fmt::format(
          "ListCname lists {} more than once: certform cannot tell which binding it has",
          Quoted(Shortened((*cnames)[i].domain)));
    }
  }
  return engine::Status::OK();
}

engine::Status OssCnames::ReadCname(const OssBucket& bucket, const std::string& domain,
                                    OssCname* cname, engine::CallResult* result) {
  std::vector<OssCname> cnames;
  engine::Status s = List(bucket, &cnames, result);
  if (!s.ok()) return s;
  *cname = OssCname{};
  cname->domain = domain;
  for (OssCname& c : cnames) {
    if (engine::NormalizeDomain(c.domain) == domain) *cname = std::move(c);
  }
  if (!cname->problem.empty()) return engine::Status::Corruption(cname->problem);
  return engine::Status::OK();
}

engine::Status OssCnames::Read(const OssBucket& bucket, const std::string& domain,
                               engine::LiveBinding* live, engine::CallResult* result) {
  OssCname cname;
  engine::Status s = ReadCname(bucket, domain, &cname, result);
  if (!s.ok()) return s;
  *live = cname.live;
  return engine::Status::OK();
}

engine::Status OssCnames::ListBuckets(const std::string& region, std::string marker,
                                      std::vector<OssBucket>* buckets, std::string* next_marker,
                                      engine::CallResult* result) {
  buckets->clear();
  next_marker->clear();
  std::string query = "max-keys=1000";
  if (!marker.empty()) query += "&marker=" + PercentEncode(marker);
  providers::HttpResponse response;
  engine::Status s = Send(OssBucket{"", region}, "GET", query, "", &response, result);
  if (!s.ok()) return s;
  if (!XmlText(response.body, "ListAllMyBucketsResult")) {
    return engine::Status::Corruption("ListBuckets answered without ListAllMyBucketsResult");
  }
  for (const std::string& b : XmlElements(response.body, "Bucket")) {
    OssBucket bucket;
    bucket.name = XmlText(b, "Name").value_or("");
    // Region ("cn-hangzhou") where OSS sends it, else Location ("oss-cn-hangzhou").
    bucket.region = XmlText(b, "Region").value_or("");
    if (bucket.region.empty()) {
      bucket.region = XmlText(b, "Location").value_or("");
      if (bucket.region.starts_with("oss-")) bucket.region.erase(0, 4);
    }
    if (bucket.name.empty() || bucket.region.empty()) {
      return engine::Status::Corruption("ListBuckets answered a bucket without Name or Location");
    }
    // An answer is outside input: a bucket or region that could not be addressed as documented
    // never builds a host. The page fails, naming it, rather than skip it: a listing without it
    // would look complete to prune.
    std::string host;
    if (engine::Status bad = Host(bucket, &host); !bad.ok()) {
      buckets->clear();
      return engine::Status::Corruption(fmt::format(
          "ListBuckets answered bucket {} in region {}, which certform will not address: {}",
          Quoted(bucket.name), Quoted(bucket.region), bad.message()));
    }
    buckets->push_back(std::move(bucket));
  }
  if (XmlText(response.body, "IsTruncated").value_or("false") == "true") {
    *next_marker = XmlText(response.body, "NextMarker").value_or("");
    if (next_marker->empty()) {
      return engine::Status::Corruption("ListBuckets answered IsTruncated without NextMarker");
    }
  }
  return engine::Status::OK();
}

}  // namespace certform::alicloud
