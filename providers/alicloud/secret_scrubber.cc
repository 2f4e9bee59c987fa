#include "providers/alicloud/secret_scrubber.h"

#include <algorithm>
#include <cctype>

#include "engine/config/certificate.h"
#include "providers/alicloud/signer.h"

namespace certform::alicloud {

namespace {

constexpr size_t kMinSecret = 8;
constexpr size_t kMinFragment = 12;
constexpr char kRedacted[] = "<redacted>";

// Characters of base64, percent-encoding and tokens: what an echoed secret is made of.
bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' ||
         c == '%' || c == '_' || c == '.' || c == '~' || c == '-';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void ReplaceAll(std::string* text, const std::string& what) {
  for (size_t at = text->find(what); at != std::string::npos; at = text->find(what, at)) {
    text->replace(at, what.size(), kRedacted);
    at += sizeof kRedacted - 1;
  }
}

}  // namespace

SecretScrubber::~SecretScrubber() {
  for (std::string& form : forms_) engine::WipeSecret(&form);
}

void SecretScrubber::Add(std::string_view secret) {
  if (secret.size() < kMinSecret) return;
  std::vector<std::string> candidates = {std::string(secret), PercentEncode(secret)};
  candidates.push_back(PercentEncode(candidates[1]));
  candidates.push_back(EncodeForm({{"x", candidates[0]}}).substr(2));
  for (std::string& form : candidates) {
    if (std::find(forms_.begin(), forms_.end(), form) == forms_.end()) forms_.push_back(form);
    engine::WipeSecret(&form);
  }
  // Longest first, so that a form containing another is replaced whole.
  std::sort(forms_.begin(), forms_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string SecretScrubber::Scrub(std::string_view text) const {
  std::string out(text);
  const size_t echo = Lower(out).find("string to sign");
  if (echo != std::string::npos) {
    out.resize(echo);
    out += "string to sign [omitted by certform: it holds the request's secrets]";
  }
  for (const std::string& form : forms_) ReplaceAll(&out, form);
  // Fragments: a truncated echo holds part of a secret only.
  std::string result;
  for (size_t i = 0; i < out.size();) {
    if (!IsTokenChar(out[i])) {
      result += out[i++];
      continue;
    }
    size_t j = i;
    while (j < out.size() && IsTokenChar(out[j])) ++j;
    const std::string_view run(out.data() + i, j - i);
    const bool secret =
        run.size() >= kMinFragment && std::any_of(forms_.begin(), forms_.end(), [&](const auto& f) {
          return f.find(run) != std::string::npos;
        });
    result += secret ? std::string_view(kRedacted) : run;
    i = j;
  }
  return result;
}

}  // namespace certform::alicloud
