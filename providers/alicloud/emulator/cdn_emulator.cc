#include "providers/alicloud/emulator/cdn_emulator.h"

namespace certform::emulator {

namespace {

template <typename T>
T* Added(ServiceRouter& router, std::unique_ptr<T> handler) {
  T* raw = handler.get();
  router.Add(std::move(handler));
  return raw;
}

}  // namespace

CdnEmulator::CdnEmulator(EmulatorConfig config, engine::Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      edge_(clock),
      auth_(config_.accounts),
      flow_(config_.faults, clock),
      router_(flow_) {
  const ServiceContext c = context();
  // CAS first in construction: the others bind through it. OSS is asked first in routing: its
  // requests carry no Action.
  auto cas = std::make_unique<CasService>(c);
  oss_ = Added(router_, std::make_unique<OssService>(c, *cas));
  cdn_ = Added(router_, MakeCdnService(c, *cas));
  dcdn_ = Added(router_, MakeDcdnService(c, *cas));
  // ALB and NLB: by action and version.
  alb_ = Added(router_, std::make_unique<AlbService>(c, *cas, AlbDialect()));
  nlb_ = Added(router_, std::make_unique<AlbService>(c, *cas, NlbDialect()));
  clb_ = Added(router_, std::make_unique<ClbService>(c, *cas));  // by action and version
  cas->SetBindings(cdn_);  // ListUserCertificateOrder's Keyword matches CDN domains
  cas_ = Added(router_, std::move(cas));
  Added(router_, std::make_unique<StsService>(c));
  metadata_ = Added(router_, std::make_unique<MetadataService>(c));
  router_.SetFallback(cdn_);
  edge_.SetPropagation(config_.propagation);
  for (const std::string& key : config_.tls_keys) edge_.KeepKeyAlways(key);
}

ApiResponse CdnEmulator::Handle(const ApiRequest& request, engine::Clock::Duration* latency) {
  return router_.Handle(request, latency);
}

void CdnEmulator::AddService(std::unique_ptr<ServiceHandler> handler) {
  router_.Add(std::move(handler));
}

void CdnEmulator::Reset() {
  flow_.Reset();
  auth_.ForgetNonces();
  auth_.ForgetTemporaryKeys();
  router_.Reset();
  edge_.Reset();
}

EdgeAnswer CdnEmulator::EdgeHandshake(const std::string& server_name) {
  std::string name = server_name;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // The name itself, then the wildcard domains one label up (CDN writes them ".example.com" or
  // "*.example.com").
  std::vector<std::string> candidates = {name};
  if (const size_t dot = name.find('.'); dot != std::string::npos) {
    candidates.push_back("*" + name.substr(dot));
    candidates.push_back(name.substr(dot));
  }
  for (const std::string& domain : candidates) {
    std::optional<ServedCertificate> current = cdn_->Served(domain);
    if (!current) current = dcdn_->Served(domain);
    if (!current) current = oss_->Served(domain);
    if (!current) continue;
    const ServedCertificate served = edge_.Serve(domain, *current);
    if (!served.https) return {EdgeAnswer::Kind::kRefused, "", ""};
    std::string key = edge_.KeyFor(served.cert_pem);
    if (key.empty()) return {EdgeAnswer::Kind::kRefused, "", ""};
    return {EdgeAnswer::Kind::kServe, served.cert_pem, std::move(key)};
  }
  return {};
}

nlohmann::json CdnEmulator::StateJson() const {
  nlohmann::json state = nlohmann::json::object();
  router_.AddState(&state);
  return state;
}

nlohmann::json CdnEmulator::CountersJson() const { return flow_.CountersJson(); }

int64_t CdnEmulator::PutCasCertificate(CasCertificate certificate) {
  return cas_->Put(std::move(certificate));
}

bool CdnEmulator::RemoveCasCertificate(int64_t id) { return cas_->Remove(id); }

bool CdnEmulator::PutDomain(const std::string& name, const nlohmann::json& changes,
                            std::string* error, const std::string& product) {
  return (product == "dcdn" ? dcdn_ : cdn_)->Put(name, changes, error);
}

bool CdnEmulator::RemoveDomain(const std::string& name, const std::string& product) {
  return (product == "dcdn" ? dcdn_ : cdn_)->Remove(name);
}

void CdnEmulator::DetachCname(const std::string& domain) { oss_->DetachCname(domain); }

bool CdnEmulator::SetCnameCertificateStatus(const std::string& domain, const std::string& status,
                                            std::string* error) {
  return oss_->SetCnameCertificateStatus(domain, status, error);
}

void CdnEmulator::SetFaults(const Faults& faults) { flow_.SetFaults(faults); }

engine::Clock::Duration CdnEmulator::TransitDelay() { return flow_.TransitDelay(); }

std::string CdnEmulator::MetadataToken(int ttl_seconds) { return metadata_->Token(ttl_seconds); }

int CdnEmulator::MetadataCredentials(const std::string& token, const std::string& role_name,
                                     std::string* body) {
  return metadata_->Credentials(token, role_name, body);
}

}  // namespace certform::emulator
