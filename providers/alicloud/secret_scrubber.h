// SecretScrubber: makes text the API sent back safe to show, log or store.
//
// Alibaba's gateway echoes requests in error messages: a bad signature (SignatureDoesNotMatch,
// IncompleteSignature) answers "... server string to sign is:" followed by every parameter,
// PrivateKey/SSLPri and SecurityToken included, percent-encoded once or twice. Every piece of
// API-supplied text (Message, a body snippet) passes through Scrub() before it reaches a Status,
// a CallResult or any output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace certform::alicloud {

class SecretScrubber {
 public:
  SecretScrubber() = default;
  ~SecretScrubber();  // wipes the secrets it holds
  SecretScrubber(const SecretScrubber&) = delete;
  SecretScrubber& operator=(const SecretScrubber&) = delete;

  // Remembers `secret` (a key PEM, the AccessKey secret, a token, a signature) in every form the
  // API could echo it: as is, percent-encoded once and twice, and form-encoded. Strings shorter
  // than 8 characters are ignored (they would redact ordinary words).
  void Add(std::string_view secret);

  // `text` with: everything from "string to sign" on (any case) replaced by a note; every whole
  // secret replaced by "<redacted>"; and every run of 12 or more token characters that occurs
  // inside a secret (a fragment of a truncated echo) replaced by "<redacted>".
  std::string Scrub(std::string_view text) const;

 private:
  std::vector<std::string> forms_;
};

}  // namespace certform::alicloud
