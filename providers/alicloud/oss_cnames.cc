#include "providers/alicloud/oss_cnames.h"

#include <fmt/format.h>

#include "engine/config/certificate.h"
#include "providers/alicloud/errors.h"
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

std::string OssCnames::PutBody(const engine::BindingRequest& r) {
  std::string config;
  if (!r.https) {
    config = XmlElement("DeleteCertificate", "true") + XmlElement("Force", "true");
  } else if (r.cert_type == "cas") {
    config =
        XmlElement("CertId", fmt::format("{}-{}", r.cert_id,
                                         r.cert_region.empty() ? "cn-hangzhou" : r.cert_region)) +
        XmlElement("Force", "true");
  } else {
    config = XmlElement("Certificate", r.cert_pem) + XmlElement("PrivateKey", r.key_pem) +
             XmlElement("Force", "true");
  }
  return "<BucketCnameConfiguration><Cname>" + XmlElement("Domain", r.domain) +
         "<CertificateConfiguration>" + config +
         "</CertificateConfiguration></Cname></BucketCnameConfiguration>";
}

engine::Status OssCnames::Send(const OssBucket& bucket, const std::string& method,
                               const std::string& query, std::string body,
                               providers::HttpResponse* response, engine::CallResult* result) {
  *result = engine::CallResult();
  Credentials creds;
  engine::Status s = credentials_->Get(&creds, result);
  if (!s.ok()) return s;
  const std::string host = bucket.name.empty()
                               ? fmt::format("oss-{}.aliyuncs.com", bucket.region)
                               : fmt::format("{}.oss-{}.aliyuncs.com", bucket.name, bucket.region);
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
                              engine::CallResult* result) {
  providers::HttpResponse response;
  return Send(bucket, "POST", "cname&comp=add", PutBody(request), &response, result);
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
  for (const std::string& cname : XmlElements(response.body, "Cname")) {
    engine::LiveBinding live;
    live.exists = true;
    const std::vector<std::string> certificate = XmlElements(cname, "Certificate");
    if (!certificate.empty()) {
      live.https = true;
      live.cert_type = "cas";  // a certificate given by content is created in CAS too
      const std::string id = XmlText(certificate.front(), "CertId").value_or("");
      live.cert_id = std::strtoll(id.c_str(), nullptr, 10);  // "ID-REGION"
      // The served certificate's expiry, for drift's warnings: an HTTP date, as CreationDate is
      // documented ("Wed, 15 Sep 2021 02:35:06 GMT"); ISO 8601 accepted too; else unknown (0).
      const std::string end = XmlText(certificate.front(), "ValidEndDate").value_or("");
      if (!engine::ParseHttpDate(end, &live.not_after) && !engine::ParseUtc(end, &live.not_after)) {
        live.not_after = 0;
      }
    }
    cnames->emplace_back(XmlText(cname, "Domain").value_or(""), std::move(live));
  }
  return engine::Status::OK();
}

engine::Status OssCnames::Read(const OssBucket& bucket, const std::string& domain,
                               engine::LiveBinding* live, engine::CallResult* result) {
  std::vector<OssCname> cnames;
  engine::Status s = List(bucket, &cnames, result);
  if (!s.ok()) return s;
  *live = engine::LiveBinding{};
  for (const auto& [name, binding] : cnames) {
    if (name == domain) *live = binding;
  }
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
