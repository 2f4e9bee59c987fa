#include "providers/alicloud/rpc_client.h"

#include "engine/config/certificate.h"
#include "providers/alicloud/errors.h"

namespace certform::alicloud {

bool IsSecretParameter(const std::string& name) {
  return name == "PrivateKey" || name == "SSLPri" || name == "Key" || name == "SecurityToken" ||
         name == "Signature" || name == "AccessKeySecret";
}

RpcClient::RpcClient(providers::HttpTransport& transport, engine::Clock& clock,
                     engine::RandomSource& random, Credentials credentials, std::string endpoint,
                     std::string version)
    : transport_(transport),
      clock_(clock),
      random_(random),
      credentials_(std::move(credentials)),
      endpoint_(std::move(endpoint)),
      version_(std::move(version)) {}

Params RpcClient::SignedParams(const std::string& action, const Params& params,
                               const std::string& nonce, int64_t now) const {
  Params all = {{"Action", action},
                {"Version", version_},
                {"Format", "JSON"},
                {"AccessKeyId", credentials_.access_key_id},
                {"SignatureMethod", "HMAC-SHA1"},
                {"SignatureVersion", "1.0"},
                {"SignatureNonce", nonce},
                {"Timestamp", engine::FormatUtc(now)}};
  if (!credentials_.security_token.empty()) {
    all.emplace_back("SecurityToken", credentials_.security_token);
  }
  all.insert(all.end(), params.begin(), params.end());
  all.emplace_back("Signature", Sign("POST", all, credentials_.access_key_secret));
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
  // A fresh nonce per attempt: the API refuses a reused one (SignatureNonceUsed).
  Params all =
      SignedParams(action, params, engine::NewUuid(random_), engine::ToUnixSeconds(clock_.Now()));
  // Whatever the API sends back is scrubbed of what this request carried in secret.
  SecretScrubber scrubber;
  scrubber.Add(credentials_.access_key_secret);
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
  engine::Status s =
      InterpretResponse(response, credentials_.access_key_id, scrubber, body, result);
  // Some answers carry a key (CAS's certificate detail): the raw text does not outlive the call.
  engine::WipeSecret(&response.body);
  return s;
}

}  // namespace certform::alicloud
