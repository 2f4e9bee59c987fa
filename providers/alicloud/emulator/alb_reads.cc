// AlbService's reads (ListListenerCertificates, GetListenerAttribute, ListAsynJobs), its admin
// side and its state; the writes are in alb_service.cc. Sources as there.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "providers/alicloud/emulator/alb_service.h"
#include "providers/alicloud/oss_names.h"

namespace certform::emulator {

namespace {

nlohmann::json Entry(const std::string& id, bool is_default, const std::string& status,
                     const std::string& type_key) {
  return {
      {"CertificateId", id}, {"IsDefault", is_default}, {"Status", status}, {type_key, "Server"}};
}

}  // namespace

// ListListenerCertificates (D: doc 214354; NLB's page): the default certificate and the additional
// ones in one paged read (MaxResults 1..100, NLB's 1..50, default 20; NextToken), each with
// CertificateId, IsDefault, Status and CertificateType (NLB: CertType, and the ids alone under
// CertificateIds too); type Ca lists none (the emulator holds server certificates only). HTTPS
// and QUIC (TCPSSL) listeners only (harsher: another listener is refused).
ApiResponse AlbService::ListCertificates(AlbCall& call) {
  const Params& p = call.r.params;
  const std::string listener_id = Param(p, "ListenerId");
  if (listener_id.empty()) return call.Error(MissingParam("ListenerId"));
  const std::string& type_key = dialect_.type_param;
  const std::string type = Param(p, type_key);
  if (type != "" && type != "Server" && type != "Ca") {
    return call.Error(
        {400, "IllegalParam." + type_key, "The param of " + type_key + " is illegal."});
  }
  size_t offset = 0, max_results = 0;
  if (auto e = ParseAlbPage(p, 20, dialect_.list_most, &offset, &max_results)) {
    return call.Error(*e);
  }
  std::lock_guard<std::mutex> lock(mu_);
  const AlbListenerState* found = CallersListener(call, listener_id);
  if (found == nullptr) return call.Error(ListenerNotFound(dialect_, listener_id));
  const AlbListenerState& l = *found;
  if (!dialect_.TakesCertificates(l.seed.protocol)) {
    return call.Error(ProtocolRefusal(l.seed.protocol, dialect_.CertificateProtocols()));
  }
  nlohmann::json all = nlohmann::json::array();
  if (type != "Ca") {
    if (!l.default_certificate.empty())
      all.push_back(Entry(l.default_certificate, true, "Associated", type_key));
    for (const AlbAdditionalCertificate& c : l.additional)
      all.push_back(Entry(c.id, false, c.status, type_key));
  }
  if (offset > 0 && offset >= all.size())
    return call.Error({400, "IllegalParam.NextToken", "The param of NextToken is illegal."});
  nlohmann::json page = nlohmann::json::array();
  for (size_t i = offset; i < all.size() && i < offset + max_results; ++i) page.push_back(all[i]);
  const size_t next = offset + page.size();
  nlohmann::json doc = {{"MaxResults", max_results},
                        {"NextToken", next < all.size() ? AlbNextToken(next) : ""},
                        {"TotalCount", all.size()},
                        {"Certificates", page}};
  if (dialect_.id_lists) {
    doc["CertificateIds"] = nlohmann::json::array();
    for (const auto& c : page) doc["CertificateIds"].push_back(c["CertificateId"]);
  }
  return call.Ok(doc);
}

// GetListenerAttribute (D: doc 214356's status note; S: certimate polls it; D: NLB's page):
// ListenerStatus Running or Configuring, and the default certificate under Certificates (NLB:
// its id under CertificateIds).
ApiResponse AlbService::GetAttribute(AlbCall& call) {
  const std::string listener_id = Param(call.r.params, "ListenerId");
  if (listener_id.empty()) return call.Error(MissingParam("ListenerId"));
  std::lock_guard<std::mutex> lock(mu_);
  const AlbListenerState* found = CallersListener(call, listener_id);
  if (found == nullptr) return call.Error(ListenerNotFound(dialect_, listener_id));
  const AlbListenerState& l = *found;
  nlohmann::json certificates = nlohmann::json::array();
  if (!l.default_certificate.empty()) {
    certificates.push_back(dialect_.id_lists
                               ? nlohmann::json(l.default_certificate)
                               : nlohmann::json{{"CertificateId", l.default_certificate}});
  }
  return call.Ok({{"ListenerId", l.seed.id},
                  {"LoadBalancerId", l.seed.load_balancer_id},
                  {"ListenerProtocol", l.seed.protocol},
                  {"ListenerStatus", l.status},
                  {dialect_.id_lists ? "CertificateIds" : "Certificates", certificates}});
}

// ListAsynJobs (D: api.aliyun.com/document/Alb/2020-06-16/ListAsynJobs and NLB's page of the same
// name; S: Terraform polls it with JobIds.1): the caller's jobs in the region, Status Processing,
// Succeeded or Failed; without JobIds, all of them, paged like the other lists (MaxResults
// 1..100 for both: U for NLB). An id that names no job of the caller is not listed (harsher for a
// poller: it never sees Succeeded).
ApiResponse AlbService::ListJobs(AlbCall& call) {
  std::vector<std::string> ids;
  for (const auto& [name, value] : call.r.params) {
    if (name.starts_with("JobIds.")) ids.push_back(value);
  }
  if (ids.size() > 20) {
    return call.Error({400, "IllegalParamSize.JobIds", "The param size of JobIds is illegal."});
  }
  size_t offset = 0, max_results = 0;
  if (auto e = ParseAlbPage(call.r.params, 20, 100, &offset, &max_results)) return call.Error(*e);
  std::lock_guard<std::mutex> lock(mu_);
  jobs_.Advance(context_.clock.Monotonic());
  std::vector<const AlbJob*> found;
  for (const AlbJob* job : jobs_.Of(call.region, call.user)) {
    if (ids.empty() || std::count(ids.begin(), ids.end(), job->id)) found.push_back(job);
  }
  nlohmann::json jobs = nlohmann::json::array();
  for (size_t i = offset; i < found.size() && i < offset + max_results; ++i) {
    const AlbJob& job = *found[i];
    nlohmann::json j = {{"Id", job.id},
                        {"ApiName", job.api},
                        {"ResourceId", job.resource_id},
                        {"ResourceType", "listener"},
                        {"OperateType", "Update"},
                        {"Status", job.status}};
    if (job.status == "Failed") {
      j["ErrorCode"] = "SystemBusy";  // U: a failed job's code is not documented
      j["ErrorMessage"] = "System is busy, please try again later.";
    }
    jobs.push_back(j);
  }
  const size_t next = offset + jobs.size();
  return call.Ok({{"MaxResults", max_results},
                  {"NextToken", next < found.size() ? AlbNextToken(next) : ""},
                  {"TotalCount", found.size()},
                  {"Jobs", jobs}});
}

// DescribeRegions (D: ALB's api-alb-2020-06-16-describeregions and NLB's page of the name):
// Regions, each RegionId, RegionEndpoint and LocalName; the same for every caller. The regions
// are a sample of those the products are offered in (D: their endpoint tables) and every region a
// load balancer was put in. The endpoints name the real hosts, never this emulator: a client
// that follows them instead of building its own would leave the machine.
ApiResponse AlbService::DescribeRegions(const ServiceRequest& r) const {
  std::set<std::string> regions = {"cn-hangzhou", "cn-shanghai",    "cn-beijing",   "cn-shenzhen",
                                   "cn-hongkong", "ap-southeast-1", "eu-central-1", "us-west-1"};
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, lb] : load_balancers_) regions.insert(lb.region);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& region : regions) {
    list.push_back({{"RegionId", region},
                    {"RegionEndpoint", fmt::format("{}.{}.aliyuncs.com", dialect_.name, region)},
                    {"LocalName", region}});
  }
  nlohmann::json doc = {{"Regions", list}, {"RequestId", r.request_id}};
  return RenderSuccess(r.action, doc, r.json);
}

// ListListeners (D: ALB's api-alb-2020-06-16-listlisteners, NLB's api-listlisteners-nlb): the
// caller's listeners in the region, every protocol unless ListenerProtocol names one (a protocol
// the dialect does not know is refused, harsher: U), paged (MaxResults 1..100, default 20;
// NextToken). Each with ListenerId, ListenerProtocol, ListenerPort, LoadBalancerId and
// ListenerStatus. NLB's ids are answered without their "@PORT", as its page's example answer
// writes them ("lsn-ga6sjjcll6ou34l1et****", beside ListenerPort 443): the harsher reading for a
// client, which must add the port to read the listener back.
ApiResponse AlbService::ListListeners(AlbCall& call) {
  const Params& p = call.r.params;
  const std::string protocol = Param(p, "ListenerProtocol");
  if (!protocol.empty() && !dialect_.KnowsProtocol(protocol)) {
    return call.Error(
        {400, "IllegalParam.ListenerProtocol", "The param of ListenerProtocol is illegal."});
  }
  size_t offset = 0, max_results = 0;
  if (auto e = ParseAlbPage(p, 20, 100, &offset, &max_results)) return call.Error(*e);
  std::lock_guard<std::mutex> lock(mu_);
  jobs_.Advance(context_.clock.Monotonic());
  std::vector<const AlbListenerState*> found;
  for (const auto& [key, l] : listeners_) {
    if (l.region == call.region && l.user == call.user &&
        (protocol.empty() || l.seed.protocol == protocol)) {
      found.push_back(&l);
    }
  }
  if (offset > 0 && offset >= found.size())
    return call.Error({400, "IllegalParam.NextToken", "The param of NextToken is illegal."});
  nlohmann::json listeners = nlohmann::json::array();
  for (size_t i = offset; i < found.size() && i < offset + max_results; ++i) {
    const AlbListenerState& l = *found[i];
    const size_t at = l.seed.id.find('@');
    const int port = at == std::string::npos ? l.seed.port : std::stoi(l.seed.id.substr(at + 1));
    listeners.push_back({{"ListenerId", l.seed.id.substr(0, at)},
                         {"ListenerProtocol", l.seed.protocol},
                         {"ListenerPort", port},
                         {"LoadBalancerId", l.seed.load_balancer_id},
                         {"ListenerStatus", l.status}});
  }
  const size_t next = offset + listeners.size();
  return call.Ok({{"MaxResults", max_results},
                  {"NextToken", next < found.size() ? AlbNextToken(next) : ""},
                  {"TotalCount", found.size()},
                  {"Listeners", listeners}});
}

bool AlbService::PutLoadBalancer(const AlbLoadBalancerSeed& seed, std::string* error) {
  if (!seed.id.starts_with(dialect_.load_balancer_prefix) || seed.id.size() > 64) {
    *error = fmt::format("a load balancer's id is \"{}...\" (at most 64 characters)",
                         dialect_.load_balancer_prefix);
    return false;
  }
  if (!dialect_.quotas.contains(seed.edition)) {
    std::vector<std::string> editions;
    for (const auto& [edition, quota] : dialect_.quotas) editions.push_back(edition);
    *error = editions.front().empty()
                 ? dialect_.title + " load balancers take no edition"
                 : fmt::format("edition is one of {}", fmt::join(editions, ", "));
    return false;
  }
  if (!alicloud::RegionProblem(seed.region).empty() || seed.user.empty()) {
    *error = "a load balancer needs a region (e.g. cn-hangzhou) and a user";
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  load_balancers_[seed.region + "/" + seed.id] = seed;
  return true;
}

bool AlbService::PutListener(const AlbListenerSeed& seed, std::string* error) {
  if (!dialect_.ListenerIdOk(seed.id, error)) return false;
  if (!dialect_.KnowsProtocol(seed.protocol)) {
    *error =
        fmt::format("protocol is one of {}, {}", fmt::join(dialect_.certificate_protocols, ", "),
                    fmt::join(dialect_.other_protocols, ", "));
    return false;
  }
  if (dialect_.TakesCertificates(seed.protocol) == seed.default_certificate.empty()) {
    *error = fmt::format(
        "a listener of {} needs a default_certificate (\"CASID-REGION\"), one of {} has none",
        dialect_.CertificateProtocols(), fmt::join(dialect_.other_protocols, ", "));
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const AlbLoadBalancerSeed* lb = nullptr;
  for (const auto& [key, l] : load_balancers_) {
    if (l.id == seed.load_balancer_id) lb = &l;
  }
  if (lb == nullptr) {
    *error = "no load balancer " + seed.load_balancer_id + " was put";
    return false;
  }
  AlbListenerState state;
  state.seed = seed;
  state.region = lb->region;
  state.user = lb->user;
  state.default_certificate = seed.default_certificate;
  for (const std::string& id : seed.additional_certificates) {
    state.additional.push_back({id, "Associated"});
  }
  listeners_[lb->region + "/" + seed.id] = state;
  return true;
}

void AlbService::SetJobDuration(engine::Clock::Duration duration) {
  std::lock_guard<std::mutex> lock(mu_);
  job_duration_ = duration;
}

void AlbService::FailNextJobs(int count) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_jobs_ = count;
}

void AlbService::ForgetEndedJobs() {
  std::lock_guard<std::mutex> lock(mu_);
  jobs_.Advance(context_.clock.Monotonic());
  jobs_.ForgetEnded();
}

bool AlbService::Listener(const std::string& region, const std::string& id, AlbListenerState* out) {
  std::lock_guard<std::mutex> lock(mu_);
  jobs_.Advance(context_.clock.Monotonic());
  auto it = listeners_.find(region + "/" + id);
  if (it == listeners_.end()) return false;
  *out = it->second;
  return true;
}

// Back to nothing: ALB and NLB have no seeds in the configuration file, only the admin's.
void AlbService::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  load_balancers_.clear();
  listeners_.clear();
  tokens_.clear();
  jobs_.Reset();
  job_duration_ = kAlbDefaultJobDuration;
  fail_jobs_ = 0;
}

// /_emulator/state's "alb" (or "nlb"): ids, editions (ALB's), statuses and certificate ids (no
// key: neither receives one).
void AlbService::AddState(nlohmann::json* state) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = context_.clock.Monotonic();
  jobs_.Advance(now);
  nlohmann::json lbs = nlohmann::json::array(), listeners = nlohmann::json::array();
  for (const auto& [key, lb] : load_balancers_) {
    nlohmann::json j = {
        {"id", lb.id}, {"region", lb.region}, {"user", lb.user}, {"ack_managed", lb.ack_managed}};
    if (!lb.edition.empty()) j["edition"] = lb.edition;
    lbs.push_back(j);
  }
  for (const auto& [key, l] : listeners_) {
    nlohmann::json additional = nlohmann::json::array();
    for (const AlbAdditionalCertificate& c : l.additional) {
      additional.push_back({{"id", c.id}, {"status", c.status}});
    }
    listeners.push_back({{"id", l.seed.id},
                         {"region", l.region},
                         {"load_balancer_id", l.seed.load_balancer_id},
                         {"protocol", l.seed.protocol},
                         {"status", l.status},
                         {"default_certificate", l.default_certificate},
                         {"additional_certificates", additional}});
  }
  (*state)[dialect_.name] = {
      {"job_duration_ms",
       std::chrono::duration_cast<std::chrono::milliseconds>(job_duration_).count()},
      {"fail_jobs", fail_jobs_},
      {"load_balancers", lbs},
      {"listeners", listeners},
      {"jobs", jobs_.Json(now)}};
}

}  // namespace certform::emulator
