#include "providers/alicloud/rpc_client.h"

#include <fmt/format.h>
#include "engine/config/certificate.h"

#include "providers/alicloud/errors.h"
#include "providers/request_target.h"

namespace certform::alicloud {

bool IsSecretParameter(const std::string& name) {
  return name == "PrivateKey" || name == "SSLPri" || name == "Key" || name == "SecurityToken" ||
         name == "Signature" || name == "AccessKeySecret" || name == "OIDCToken";
}

RpcClient::RpcClient(providers::HttpTransport& transport, engine::Clock& clock,
                     engine::RandomSource& random, Credentials credentials, std::string endpoint,
                     std::string version)
    : RpcClient(transport, clock, random,
                std::make_shared<StaticCredentialSource>(std::move(credentials)),
                std::move(endpoint), std::move(version)) {}

RpcClient::RpcClient(providers::HttpTransport& transport, engine::Clock& clock,
                     engine::RandomSource& random, std::shared_ptr<CredentialSource> credentials,
                     std::string endpoint, std::string version)
    : transport_(transport),
      clock_(clock),
      random_(random),
      credentials_(std::move(credentials)),
      endpoint_(std::move(endpoint)),
      version_(std::move(version)) {}

std::string RpcClient::Identity() const {
  return credentials_ ? credentials_->Identity() : "anonymous";
}

Params RpcClient::SignedParams(const Credentials* credentials, const std::string& action,
                               const Params& params, const std::string& nonce, int64_t now) const {
  Params all = {{"Action", action},
                {"Version", version_},
                {"Format", "JSON"},
                {"SignatureNonce", nonce},
                {"Timestamp", engine::FormatUtc(now)}};
  if (credentials == nullptr) {
    all.insert(all.end(), params.begin(), params.end());
    return all;
  }
  all.insert(all.end(), {{"AccessKeyId", credentials->access_key_id},
                         {"SignatureMethod", "HMAC-SHA1"},
                         {"SignatureVersion", "1.0"}});
  if (!credentials->security_token.empty()) {
    all.emplace_back("SecurityToken", credentials->security_token);
  }
  all.insert(all.end(), params.begin(), params.end());
  all.emplace_back("Signature", Sign("POST", all, credentials->access_key_secret));
  return all;
}

engine::Status RpcClient::Call(const std::string& action, const Params& params,
                               nlohmann::json* body, engine::CallResult* result) {
  *result = engine::CallResult();
  providers::HttpRequest request;
  request.method = "POST";
  request.url = endpoint_ + "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"},
                     {"x-acs-action", action},
                     {"x-acs-version", version_}};
  // Only to the endpoint the client was made for, and only a well-formed one: checked before the
  // credentials are fetched or anything is signed.
  if (engine::Status target = providers::CheckRequestTarget(request.url, endpoint_); !target.ok()) {
    result->error_code = "InvalidEndpoint";
    result->error_message = target.message();
    return target;
  }
  Credentials credentials;
  if (credentials_) {
    engine::Status s = credentials_->Get(&credentials, result);
    if (!s.ok()) return s;
  }
  // A fresh nonce per attempt: the API refuses a reused one (SignatureNonceUsed).
  Params all = SignedParams(credentials_ ? &credentials : nullptr, action, params,
                            engine::NewUuid(random_), engine::ToUnixSeconds(clock_.Now()));
  // Whatever the API sends back is scrubbed of what this request carried in secret.
  SecretScrubber scrubber;
  scrubber.Add(credentials.access_key_secret);
  for (const auto& [name, value] : all) {
    if (IsSecretParameter(name)) scrubber.Add(value);
  }
  request.body = EncodeForm(all);
  for (auto& [name, value] : all) engine::WipeSecret(&value);
  providers::HttpResponse response;
  engine::Status sent = transport_.Send(request, &response);
  // The body holds the key of upload certificates: drop it as soon as it is sent.
  engine::WipeSecret(&request.body);
  if (!sent.ok()) {
    result->error_code = "NetworkError";
    result->error_message = sent.message();
    return sent;
  }
  engine::Status s = InterpretResponse(response, credentials.access_key_id, scrubber, body, result);
  if (!quote_unexpected_answers_ && result->error_code == "NonJsonResponse") {
    result->error_message = fmt::format(
        "HTTP {} with {} bytes that are not the API's JSON (expected a JSON object); the answer "
        "is not quoted",
        response.status, response.body.size());
    s = response.status >= 500 ? engine::Status::Unavailable(result->error_message)
                               : engine::Status::Failed(result->error_message);
  }
  // Some answers carry a key (CAS's certificate detail): the raw text does not outlive the call.
  engine::WipeSecret(&response.body);
  engine::WipeSecret(&credentials.access_key_secret);
  return s;
}

}  // namespace certform::alicloud
