#include "providers/logging_transport.h"

#include <chrono>
#include <set>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "providers/alicloud/rpc_client.h"
#include "providers/alicloud/signer.h"

namespace certform::providers {

std::string RedactedParameters(const std::string& form_body) {
  static const std::set<std::string> kPem = {"ServerCertificate", "SSLPub", "Cert"};
  std::string out;
  for (const auto& [name, value] : alicloud::ParseFormEncoded(form_body)) {
    std::string shown = value;
    if (alicloud::IsSecretParameter(name)) shown = "<redacted>";
    if (kPem.count(name)) shown = fmt::format("<PEM, {} bytes>", value.size());
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", name, shown);
  }
  return out;
}

engine::Status LoggingTransport::Send(const HttpRequest& request, HttpResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  engine::Status s = inner_.Send(request, response);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::string answer;
  if (!s.ok()) {
    answer = "failed: " + s.message();
  } else {
    nlohmann::json j = nlohmann::json::parse(response->body, nullptr, false);
    auto field = [&](const char* k) {
      return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
    };
    answer = fmt::format("HTTP {} RequestId={}{}", response->status, field("RequestId"),
                         field("Code").empty() ? "" : " Code=" + field("Code"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  fmt::print(log_, "debug: {} {} {} → {} in {} ms\n", request.method, request.url,
             RedactedParameters(request.body), answer, ms);
  return s;
}

}  // namespace certform::providers
