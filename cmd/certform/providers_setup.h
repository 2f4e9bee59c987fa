// Building each account's providers (one per product of the product table) and certificate
// store, with its credentials and the command's transport, for commands that talk to the API; and
// the CertificateMaterial that feeds upload certificates to apply.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "cmd/certform/connection_options.h"
#include "cmd/certform/context.h"
#include "engine/apply/applier.h"
#include "engine/calls/certificate_store.h"
#include "engine/calls/live_reader.h"
#include "engine/calls/pacing_registry.h"
#include "engine/config/config.h"
#include "providers/alicloud/credential_source.h"
#include "providers/alicloud/sts_credentials.h"
#include "providers/curl_transport.h"
#include "providers/logging_transport.h"

namespace certform::cli {

// Owns the transport, each account's providers and store, and the command's one PacingRegistry;
// hands out AccountRuntimes.
class ProviderSet {
 public:
  explicit ProviderSet(engine::PacingOptions pacing = {}) : pacing_(pacing) {}

  // Builds providers for `accounts` (names in `config`). Fails, before any call is made, when an
  // account's credentials cannot be found; the message never holds a secret.
  engine::Status Build(const engine::Config& config, const std::set<std::string>& accounts,
                       const ConnectionOptions& options, Context& ctx);

  // The steps of Build, for a command that takes each account on its own (check): the transport
  // (InvalidArgument for a bad --endpoint), then an account's providers over the credentials the
  // caller made for it with StsFor (the account's STS endpoint, or --endpoint).
  engine::Status Prepare(const ConnectionOptions& options, Context& ctx);
  alicloud::StsSetup StsFor(const engine::AccountConfig& account) const;
  void AddAccount(const engine::Config& config, const engine::AccountConfig& account,
                  std::shared_ptr<alicloud::CredentialSource> credentials, Context& ctx);
  // After Prepare: the transport every call goes through, and where a call to `own` goes.
  providers::HttpTransport& transport() { return *transport_in_use_; }
  std::string Via(const std::string& own) const;

  // Each account's provider and its user (AccessKeyId and endpoint): the accounts of one user
  // share each call's pace in pacing().
  std::map<std::string, engine::AccountRuntime> Runtimes() const;
  // Where every call of this command takes its pace.
  engine::PacingRegistry& pacing() { return pacing_; }

 private:
  std::unique_ptr<providers::CurlTransport> transport_;
  std::unique_ptr<providers::HttpTransport> logging_;     // CERTFORM_LOG=debug
  providers::HttpTransport* transport_in_use_ = nullptr;  // logging_, else transport_
  std::string endpoint_override_;                         // --endpoint
  alicloud::StsSetup sts_base_;                           // what every account's STS shares
  // account → product → its provider (one per row of the product table).
  std::map<std::string, std::map<std::string, std::unique_ptr<engine::Provider>>> providers_;
  std::map<std::string, std::unique_ptr<engine::CertificateStore>> stores_;  // upload_via = "cas"
  std::map<std::string, std::string> users_;        // account → AccessKeyId@endpoint
  std::map<std::string, std::string> cas_regions_;  // accounts with upload_via = "cas"
  engine::PacingRegistry pacing_;
};

// Reads upload certificates from the configuration at apply time, and refuses one whose content
// no longer has the planned fingerprint.
class ConfigMaterial final : public engine::CertificateMaterial {
 public:
  ConfigMaterial(const engine::Config& config, Context& ctx) : config_(config), ctx_(ctx) {}
  engine::Status Load(const engine::StateEntry& after, engine::BindingRequest* request) override;

 private:
  const engine::Config& config_;
  Context& ctx_;
};

// Reads the live bindings of `domains`, building the providers their accounts need. A missing
// credential is an error before any call is made.
engine::Status ReadLiveBindings(const engine::Config& config,
                                const std::vector<engine::DomainRef>& domains,
                                const ConnectionOptions& connection, Context& ctx,
                                std::vector<engine::LiveRead>* reads);

}  // namespace certform::cli
