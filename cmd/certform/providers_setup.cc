#include "cmd/certform/providers_setup.h"

#include <fmt/format.h>

#include "cmd/certform/product_table.h"
#include "cmd/certform/workspace.h"
#include "engine/base/endpoint.h"
#include "engine/base/text_escape.h"
#include "engine/config/certificate.h"
#include "engine/config/certificate_resolver.h"
#include "engine/config/config_loader.h"
#include "providers/alicloud/cas_certificates.h"
#include "providers/alicloud/credentials.h"
#include "providers/alicloud/sts_credentials.h"

namespace certform::cli {

engine::Status ProviderSet::Build(const engine::Config& config,
                                  const std::set<std::string>& accounts,
                                  const ConnectionOptions& options, Context& ctx) {
  if (engine::Status s = Prepare(options, ctx); !s.ok()) return s;
  for (const std::string& name : accounts) {
    auto it = config.accounts.find(name);
    if (it == config.accounts.end()) {
      return engine::Status::NotFound("account \"" + name + "\" is not in the configuration");
    }
    const engine::AccountConfig& a = it->second;
    alicloud::CredentialSpec spec;
    engine::Status s =
        alicloud::ResolveAccountCredentials(a, options.profile, ctx.env, ctx.fs, &spec);
    if (!s.ok()) return s.WithContext(fmt::format("account \"{}\"", name));
    std::shared_ptr<alicloud::CredentialSource> creds =
        alicloud::MakeCredentialSource(spec, StsFor(a));
    engine::WipeSecret(&spec.access_key.access_key_secret);
    AddAccount(config, a, creds, ctx);
  }
  return engine::Status::OK();
}

engine::Status ProviderSet::Prepare(const ConnectionOptions& options, Context& ctx) {
  if (!options.endpoint_override.empty()) {
    if (std::string problem = engine::EndpointProblem(options.endpoint_override);
        !problem.empty()) {
      return engine::Status::InvalidArgument("--endpoint " + options.endpoint_override + ": " +
                                             problem);
    }
  }
  endpoint_override_ = options.endpoint_override;
  providers::CurlOptions curl;
  curl.ca_bundle = options.ca_bundle;
  transport_ = std::make_unique<providers::CurlTransport>(curl);
  transport_in_use_ = transport_.get();
  if (ctx.env("CERTFORM_LOG").value_or("") == "debug") {
    logging_ = std::make_unique<providers::LoggingTransport>(*transport_, ctx.err);
    transport_in_use_ = logging_.get();
  }
  sts_base_ = alicloud::StsSetup();  // what every account's STS calls share
  sts_base_.transport = transport_in_use_;
  sts_base_.clock = &ctx.clock;
  sts_base_.random = &ctx.random;
  sts_base_.fs = &ctx.fs;
  // For tests only: where the ECS metadata service is. Its answer is the credentials every call
  // is signed with, so an environment value may point it at this machine (the emulator) and
  // nowhere else.
  if (auto metadata = ctx.env("CERTFORM_ECS_METADATA_ENDPOINT"); metadata && !metadata->empty()) {
    engine::EndpointParts parts;
    std::string problem = engine::ParseEndpoint(*metadata, &parts);
    if (problem.empty() && parts.host != "localhost" && parts.host != "[::1]" &&
        !parts.host.starts_with("127.")) {
      problem =
          "it may only name this machine (127.0.0.1, localhost, [::1]): the metadata "
          "service's answer is the credentials certform signs with";
    }
    if (!problem.empty()) {
      return engine::Status::InvalidArgument(
          fmt::format("CERTFORM_ECS_METADATA_ENDPOINT \"{}\": {}",
                      engine::ForTerminal(metadata->substr(0, 256)), problem));
    }
    sts_base_.metadata_endpoint = *metadata;
  }
  return engine::Status::OK();
}

// --endpoint sends every call (every product's, CAS's, STS's) to one place: the emulator serves
// them all.
std::string ProviderSet::Via(const std::string& own) const {
  return endpoint_override_.empty() ? own : endpoint_override_;
}

alicloud::StsSetup ProviderSet::StsFor(const engine::AccountConfig& account) const {
  alicloud::StsSetup sts = sts_base_;
  sts.sts_endpoint = Via(account.sts_endpoint);
  return sts;
}

void ProviderSet::AddAccount(const engine::Config& config, const engine::AccountConfig& a,
                             std::shared_ptr<alicloud::CredentialSource> creds, Context& ctx) {
  const std::string& name = a.name;
  providers::HttpTransport& transport = *transport_in_use_;
  // Who the API counts calls of: the key, at the default product's endpoint.
  users_[name] = creds->Identity() + "@" + Via(a.EndpointOf(engine::DefaultProduct()));
  // Certificates uploaded once go to CAS, the account's store, and are bound by id on every
  // product.
  if (a.UploadsViaCas()) {
    stores_[name] = std::make_unique<alicloud::CasCertificates>(alicloud::RpcClient(
        transport, ctx.clock, ctx.random, creds, Via(a.cas_endpoint), alicloud::kCasApiVersion));
    cas_regions_[name] = a.cas_region;
  }
  alicloud::ProductWiring wiring;
  wiring.config = &config;
  wiring.account = &a;
  wiring.transport = &transport;
  wiring.clock = &ctx.clock;
  wiring.random = &ctx.random;
  wiring.credentials = creds;
  wiring.endpoint_override = endpoint_override_;
  for (const ProductRow& row : ProductTable()) {
    providers_[name][row.rules().name] = row.make(wiring);
  }
}

std::map<std::string, engine::AccountRuntime> ProviderSet::Runtimes() const {
  std::map<std::string, engine::AccountRuntime> out;
  for (const auto& [name, products] : providers_) {
    engine::AccountRuntime& rt = out[name];
    for (const auto& [product, provider] : products) rt.products[product] = provider.get();
    rt.user = users_.at(name);
    if (auto r = cas_regions_.find(name); r != cas_regions_.end()) {
      rt.uploads_via_cas = true;
      rt.cas_region = r->second;
      rt.cas = stores_.at(name).get();
    }
  }
  return out;
}

engine::Status ReadLiveBindings(const engine::Config& config,
                                const std::vector<engine::DomainRef>& domains,
                                const ConnectionOptions& connection, Context& ctx,
                                std::vector<engine::LiveRead>* reads) {
  std::set<std::string> accounts;
  for (const engine::DomainRef& d : domains) accounts.insert(d.account);
  ProviderSet providers;
  engine::Status s = providers.Build(config, accounts, connection, ctx);
  if (!s.ok()) return s;
  *reads =
      engine::ReadLive(domains, providers.Runtimes(), providers.pacing(), ctx.clock, ctx.random);
  return engine::Status::OK();
}

engine::Status ConfigMaterial::Load(const engine::StateEntry& after,
                                    engine::BindingRequest* request) {
  auto it = config_.certificates.find(after.certificate);
  if (it == config_.certificates.end()) {
    return engine::Status::NotFound("certificate \"" + after.certificate +
                                    "\" is no longer in the configuration");
  }
  const engine::CertificateConfig& c = it->second;
  request->cert_region = c.cert_region;
  if (c.type != engine::CertType::kUpload) return engine::Status::OK();
  std::string file;
  engine::Status s = ctx_.fs.ReadFile(c.cert_file, &file);
  engine::CertificateChain chain;
  if (s.ok()) s = engine::CertificateChain::Parse(file, &chain).WithContext(c.cert_file);
  engine::WipeSecret(&file);  // a bundle may hold the key too: only the parsed chain is sent
  if (!s.ok()) return s;
  const engine::CertificateInfo info = chain.Inspect();
  if (info.fingerprint != after.fingerprint) {
    return engine::Status::Stale(
        fmt::format("{} changed since the plan (fingerprint {} planned); run certform plan again",
                    c.cert_file, after.fingerprint.substr(0, 16)));
  }
  if (!after.chain_digest.empty() && info.chain_digest != after.chain_digest) {
    return engine::Status::Stale(
        fmt::format("{} changed since the plan (intermediates {} planned); run certform plan again",
                    c.cert_file, engine::ShortChainDigest(after.chain_digest)));
  }
  request->cert_pem = chain.ToPem();
  if (request->cert_pem.empty()) {
    return engine::Status::IoError("cannot re-encode the certificates of " + c.cert_file);
  }
  return engine::ReadPrivateKeyPem(c, ctx_.fs, ctx_.env, &request->key_pem);
}

}  // namespace certform::cli
