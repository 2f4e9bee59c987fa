// RpcClient: one signed call of the Alibaba Cloud RPC API (POST, parameters in a form body).
#pragma once

#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/provider.h"
#include "providers/alicloud/credential_source.h"
#include "providers/alicloud/signer.h"
#include "providers/http_transport.h"

namespace certform::alicloud {

inline constexpr char kCdnApiVersion[] = "2018-05-10";

// True for the request parameters that hold secrets (private keys, the STS and OIDC tokens, the
// signature):
// never shown, logged or stored, and scrubbed from the API's answers.
bool IsSecretParameter(const std::string& name);

class RpcClient {
 public:
  // `endpoint` is scheme://host[:port] (engine::ParseEndpoint); a call to any other is refused,
  // InvalidArgument, before it is signed or sent. The references must outlive the client. Each call
  // is signed with what `credentials` gives at that moment; without a source (nullptr) calls are
  // anonymous, unsigned (STS AssumeRoleWithOIDC is).
  RpcClient(providers::HttpTransport& transport, engine::Clock& clock, engine::RandomSource& random,
            std::shared_ptr<CredentialSource> credentials, std::string endpoint,
            std::string version = kCdnApiVersion);
  // With a fixed AccessKey.
  RpcClient(providers::HttpTransport& transport, engine::Clock& clock, engine::RandomSource& random,
            Credentials credentials, std::string endpoint, std::string version = kCdnApiVersion);

  // Calls `action` with `params` (business parameters only: the common ones, the nonce, the
  // timestamp and the signature are added here). On success `body` holds the JSON answer.
  engine::Status Call(const std::string& action, const Params& params, nlohmann::json* body,
                      engine::CallResult* result);

  // The parameters Call would send for `action` at `now` with `nonce`, signed with `credentials`
  // (unsigned when null).
  Params SignedParams(const Credentials* credentials, const std::string& action,
                      const Params& params, const std::string& nonce, int64_t now) const;
  // Who the calls are made as (CredentialSource::Identity), "anonymous" without credentials.
  std::string Identity() const;

  // Whether an error may quote an answer that is not the API's JSON (a proxy's page, default
  // yes, scrubbed). STS turns it off: such an answer can hold the credentials it issued, so the
  // error says only the HTTP status, the size and what was expected.
  void set_quote_unexpected_answers(bool quote) { quote_unexpected_answers_ = quote; }

 private:
  providers::HttpTransport& transport_;
  engine::Clock& clock_;
  engine::RandomSource& random_;
  std::shared_ptr<CredentialSource> credentials_;
  std::string endpoint_;
  std::string version_;
  bool quote_unexpected_answers_ = true;
};

}  // namespace certform::alicloud
