#include "providers/logging_transport.h"

#include <cctype>
#include <chrono>
#include <set>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "engine/base/text_escape.h"
#include "providers/alicloud/rpc_client.h"
#include "providers/alicloud/signer.h"

namespace certform::providers {

namespace {

// A PEM private key (PKCS#8, RSA, EC, encrypted) or an OpenSSH one, under any name.
bool HoldsPrivateKey(const std::string& text) {
  return text.find("PRIVATE KEY") != std::string::npos;
}

// The local name of the XML tag starting at `xml[at]` ('<'), "" for a closing tag, a comment, a
// declaration or CDATA; `*end` is just past its '>' (npos when unterminated).
std::string OpeningTag(const std::string& xml, size_t at, size_t* end) {
  *end = xml.find('>', at);
  if (at + 1 >= xml.size() || !std::isalpha(static_cast<unsigned char>(xml[at + 1]))) return "";
  size_t stop = xml.find_first_of(" \t\r\n/>", at + 1);
  std::string name = xml.substr(at + 1, stop - at - 1);
  if (size_t colon = name.find(':'); colon != std::string::npos) name = name.substr(colon + 1);
  return *end != std::string::npos && xml[*end - 1] == '/' ? "" : name;
}

// Where the closing tag of element `name` (any prefix) starts at or after `from`; npos if none.
size_t ClosingTag(const std::string& xml, size_t from, const std::string& name) {
  for (size_t at = xml.find("</", from); at != std::string::npos; at = xml.find("</", at + 2)) {
    const size_t gt = xml.find('>', at);
    if (gt == std::string::npos) return std::string::npos;
    std::string tag = xml.substr(at + 2, gt - at - 2);
    if (size_t colon = tag.find(':'); colon != std::string::npos) tag = tag.substr(colon + 1);
    if (tag == name) return at;
  }
  return std::string::npos;
}

}  // namespace

std::string RedactedXml(const std::string& xml_body) {
  static const std::set<std::string> kPem = {"Certificate"};
  std::string out;
  size_t i = 0;
  while (i < xml_body.size()) {
    const size_t lt = xml_body.find('<', i);
    if (lt == std::string::npos) {
      out.append(xml_body, i);
      break;
    }
    out.append(xml_body, i, lt - i);
    size_t end = 0;
    const std::string name = OpeningTag(xml_body, lt, &end);
    if (end == std::string::npos) {
      out.append(xml_body, lt);
      break;
    }
    out.append(xml_body, lt, end + 1 - lt);
    i = end + 1;
    const bool secret = alicloud::IsSecretParameter(name);
    if (!secret && !kPem.count(name)) continue;
    // The element's whole text, up to its closing tag (which may carry a prefix too).
    size_t close = ClosingTag(xml_body, i, name);
    if (close == std::string::npos) close = xml_body.size();
    out += secret ? std::string("<redacted>") : fmt::format("<PEM, {} bytes>", close - i);
    i = close;
  }
  if (HoldsPrivateKey(out)) return fmt::format("<XML, {} bytes, redacted>", xml_body.size());
  std::string line;
  for (char c : out) {
    if (c != '\n' && c != '\r') line += c;
  }
  return line;
}

std::string RedactedParameters(const std::string& form_body) {
  static const std::set<std::string> kPem = {"ServerCertificate", "SSLPub", "Cert"};
  std::string out;
  for (const auto& [name, value] : alicloud::ParseFormEncoded(form_body)) {
    std::string shown = value;
    if (alicloud::IsSecretParameter(name) || HoldsPrivateKey(value)) shown = "<redacted>";
    if (kPem.count(name) && !HoldsPrivateKey(value)) {
      shown = fmt::format("<PEM, {} bytes>", value.size());
    }
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
  const size_t first = request.body.find_first_not_of(" \t\r\n");
  const bool xml = first != std::string::npos && request.body[first] == '<';
  // Every piece is escaped: the URL, a parameter or an error could hold a control character.
  fmt::print(
      log_, "debug: {} {} {} → {} in {} ms\n", request.method, engine::ForTerminal(request.url),
      engine::ForTerminal(xml ? RedactedXml(request.body) : RedactedParameters(request.body)),
      engine::ForTerminal(answer), ms);
  return s;
}

}  // namespace certform::providers
