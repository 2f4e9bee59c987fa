#include "providers/alicloud/listener_certificates.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/base/text_escape.h"
#include "providers/alicloud/oss_cnames.h"
#include "providers/alicloud/oss_names.h"

namespace certform::alicloud {

namespace {

using engine::Status;

// A NextToken, JobId or certificate id longer than this is no answer of the API's.
constexpr size_t kMaxTokenSize = 256;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A token the API hands back (NextToken, JobId): printable ASCII without spaces, bounded.
bool IsToken(const std::string& s) {
  return !s.empty() && s.size() <= kMaxTokenSize &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// A foreign certificate id: the load balancer's own store's, as the references' examples show
// them ("12315790343_166f8204689_1714763408_70998…"), or any other of lower-case letters,
// digits, '_' and '-' that is not exactly a CAS id ("0911-cn-hangzhou"): not certform's (it
// sends CAS ids), but a listener may serve one, and reading it is no corruption.
bool IsForeignCertificateId(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return IsLowerAlnum(c) || c == '_' || c == '-';
  });
}

Status Malformed(const std::string& action, const std::string& what) {
  return Status::Corruption(fmt::format("{} answered {}", action, what));
}

// The array `key` of one page of `action`'s answer, at most `page_size` long (`noun` names its
// items in the message).
Status PageItems(const nlohmann::json& body, const char* action, const char* key, size_t page_size,
                 const char* noun, const nlohmann::json** items) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_array()) return Malformed(action, std::string("without ") + key);
  if (it->size() > page_size) {
    return Malformed(action, fmt::format("{} {} in a page of {}", it->size(), noun, page_size));
  }
  *items = &*it;
  return Status::OK();
}

// The answer's NextToken into `next`: empty after the last page, else a token that is not the
// one just sent.
Status NextToken(const nlohmann::json& body, const char* action, const std::string& sent,
                 std::string* next) {
  *next = StringField(body, "NextToken");
  if (!next->empty() && (!IsToken(*next) || *next == sent)) {
    return Malformed(action, "a NextToken that is not one");
  }
  return Status::OK();
}

}  // namespace

// One parser for a CAS certificate's "ID-REGION" wherever certform reads or sends one (D: ALB doc
// 214350, "ends with a region ID, for example, 1011****-cn-hangzhou"; the same id OSS takes).
bool ParseListenerCertificateId(const std::string& text, int64_t* id, std::string* region) {
  return ParseOssCertId(text, id, region);
}

bool IsListenerCertificateId(const std::string& id) {
  int64_t cas_id = 0;
  std::string region;
  return ParseListenerCertificateId(id, &cas_id, &region);
}

// The references' examples write both "lsn-5qnirjhpt…" and "lsr-bp1bpn0kn908w4nbw…".
bool IsLsnId(const std::string& id) {
  if (id.size() < 5 || id.size() > 68 || (!id.starts_with("lsn-") && !id.starts_with("lsr-"))) {
    return false;
  }
  return std::all_of(id.begin() + 4, id.end(), IsLowerAlnum);
}

Status ListenerCertificates::ListPage(const std::string& listener_id, const std::string& next_token,
                                      std::vector<ListenerCertificate>* page, std::string* next,
                                      engine::CallResult* result) {
  constexpr char kAction[] = "ListListenerCertificates";
  if (Status s = CheckListener(listener_id); !s.ok()) return s;
  const size_t page_size = api_->page_size;
  Params params = {{"RegionId", region_},
                   {"ListenerId", listener_id},
                   {api_->cert_type_param, "Server"},
                   {"MaxResults", std::to_string(page_size)}};
  if (!next_token.empty()) params.emplace_back("NextToken", next_token);
  nlohmann::json body;
  Status s = client_.Call(kAction, params, &body, result);
  if (!s.ok()) return s;
  const nlohmann::json* items = nullptr;
  if (s = PageItems(body, kAction, "Certificates", page_size, "certificates", &items); !s.ok()) {
    return s;
  }
  page->clear();
  for (const nlohmann::json& item : *items) {
    if (!item.is_object()) return Malformed(kAction, "a certificate that is not an object");
    ListenerCertificate c;
    c.id = StringField(item, "CertificateId");
    c.status = StringField(item, "Status");
    auto is_default = item.find("IsDefault");
    if (is_default == item.end() || !is_default->is_boolean()) {
      return Malformed(kAction, "a certificate without IsDefault");
    }
    c.is_default = is_default->get<bool>();
    if (!ParseListenerCertificateId(c.id, &c.cas_id, &c.cas_region) &&
        !IsForeignCertificateId(c.id)) {
      return Malformed(kAction, fmt::format("a CertificateId of no known shape: \"{}\"",
                                            engine::ForTerminal(c.id.substr(0, 80))));
    }
    if (c.status.empty() || (c.status != api_->associating && c.status != api_->associated &&
                             c.status != api_->dissociating)) {
      return Malformed(kAction, fmt::format("an unknown Status \"{}\" for {}",
                                            engine::ForTerminal(c.status.substr(0, 40)), c.id));
    }
    page->push_back(std::move(c));
  }
  if (std::count_if(page->begin(), page->end(),
                    [](const ListenerCertificate& c) { return c.is_default; }) > 1) {
    return Malformed(kAction, "two default certificates");
  }
  return NextToken(body, kAction, next_token, next);
}

Status ListenerCertificates::SetDefault(const std::string& listener_id,
                                        const std::string& certificate_id,
                                        const ListenerWriteOptions& options, std::string* job_id,
                                        engine::CallResult* result) {
  return Write("UpdateListenerAttribute", api_->default_param, listener_id, {certificate_id}, 1,
               options, job_id, result);
}

Status ListenerCertificates::Associate(const std::string& listener_id,
                                       const std::vector<std::string>& ids,
                                       const ListenerWriteOptions& options, std::string* job_id,
                                       engine::CallResult* result) {
  return Write("AssociateAdditionalCertificatesWithListener", api_->additional_param, listener_id,
               ids, api_->max_associate, options, job_id, result);
}

Status ListenerCertificates::Dissociate(const std::string& listener_id,
                                        const std::vector<std::string>& ids,
                                        const ListenerWriteOptions& options, std::string* job_id,
                                        engine::CallResult* result) {
  return Write(api_->dissociate, api_->additional_param, listener_id, ids, api_->max_dissociate,
               options, job_id, result);
}

Status ListenerCertificates::CheckListener(const std::string& listener_id) const {
  if (api_->listener_id(listener_id)) return Status::OK();
  return Status::InvalidArgument(fmt::format("not an {} listener id ({}): \"{}\"", api_->title,
                                             api_->listener_id_shape,
                                             engine::ForTerminal(listener_id)));
}

Status ListenerCertificates::Write(const std::string& action, const char* param,
                                   const std::string& listener_id,
                                   const std::vector<std::string>& ids, size_t max_ids,
                                   const ListenerWriteOptions& options, std::string* job_id,
                                   engine::CallResult* result) {
  job_id->clear();
  if (Status s = CheckListener(listener_id); !s.ok()) return s;
  if (ids.empty() || ids.size() > max_ids) {
    return Status::InvalidArgument(
        fmt::format("{} takes 1 to {} certificates, not {}", action, max_ids, ids.size()));
  }
  // ClientToken: ASCII, at most 64 characters (D: ALB's doc 214350, ClientToken; NLB's pages say
  // ASCII only: the same bound, harsher). certform's tokens are 41.
  if (!options.client_token.empty() &&
      (!IsToken(options.client_token) || options.client_token.size() > 64)) {
    return Status::InvalidArgument("a ClientToken is printable ASCII, at most 64 characters");
  }
  Params params = {{"RegionId", region_}, {"ListenerId", listener_id}};
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!IsListenerCertificateId(ids[i])) {
      return Status::InvalidArgument(fmt::format("not a CAS certificate id (CASID-REGION): \"{}\"",
                                                 engine::ForTerminal(ids[i])));
    }
    params.emplace_back(fmt::format(fmt::runtime(param), i + 1), ids[i]);
  }
  if (!options.client_token.empty()) params.emplace_back("ClientToken", options.client_token);
  if (options.dry_run) params.emplace_back("DryRun", "true");
  nlohmann::json body;
  Status s = client_.Call(action, params, &body, result);
  // A dry run that passes every check answers the error DryRunOperation (D: each write's DryRun).
  if (options.dry_run) {
    if (s.ok()) return Malformed(action, "a dry run with success, not DryRunOperation");
    return result->error_code == "DryRunOperation" ? Status::OK() : s;
  }
  if (!s.ok()) return s;
  *job_id = StringField(body, "JobId");
  if (!IsToken(*job_id)) return Malformed(action, "without a JobId");
  return Status::OK();
}

// DescribeRegions (D: ALB's api-alb-2020-06-16-describeregions, "Regions": [{"RegionId",
// "RegionEndpoint", "LocalName"}]; NLB's of the same name). Sent without RegionId: the call
// asks for every region, and the endpoint it is sent to is a fixed one (Client's).
Status ListenerCertificates::Regions(std::vector<std::string>* regions,
                                     engine::CallResult* result) {
  constexpr char kAction[] = "DescribeRegions";
  regions->clear();
  nlohmann::json body;
  Status s = client_.Call(kAction, {}, &body, result);
  if (!s.ok()) return s;
  auto items = body.find("Regions");
  if (items == body.end() || !items->is_array()) return Malformed(kAction, "without Regions");
  if (items->size() > kMaxRegions) {
    return Malformed(kAction, fmt::format("{} regions (more than {})", items->size(), kMaxRegions));
  }
  for (const nlohmann::json& item : *items) {
    const std::string id = item.is_object() ? StringField(item, "RegionId") : "";
    if (!RegionProblem(id).empty()) {
      return Malformed(kAction, fmt::format("a RegionId that is not one: \"{}\"",
                                            engine::ForTerminal(id.substr(0, 80))));
    }
    if (std::find(regions->begin(), regions->end(), id) != regions->end()) {
      return Malformed(kAction, "a region twice: " + id);
    }
    regions->push_back(id);
  }
  return Status::OK();
}

// ListListeners (D: ALB's api-alb-2020-06-16-listlisteners, NLB's api-listlisteners-nlb):
// MaxResults 1 to 100, NextToken; each listener with ListenerId, ListenerProtocol, ListenerPort
// and LoadBalancerId. NLB's example answer writes the id without its port
// ("lsn-ga6sjjcll6ou34l1et****") where its requests write "lsn-…@443" (U which the API answers):
// a bare id gets "@" and the listed ListenerPort, an id with a port must name the listed one.
Status ListenerCertificates::ListenersPage(const std::string& next_token, ListenerPage* page,
                                           engine::CallResult* result) {
  constexpr char kAction[] = "ListListeners";
  constexpr size_t kPageSize = 100;
  page->listeners.clear();
  page->next.clear();
  Params params = {{"RegionId", region_}, {"MaxResults", std::to_string(kPageSize)}};
  if (!next_token.empty()) params.emplace_back("NextToken", next_token);
  nlohmann::json body;
  Status s = client_.Call(kAction, params, &body, result);
  if (!s.ok()) return s;
  const nlohmann::json* items = nullptr;
  if (s = PageItems(body, kAction, "Listeners", kPageSize, "listeners", &items); !s.ok()) return s;
  const auto known = [](const std::vector<std::string>& words, const std::string& w) {
    return std::find(words.begin(), words.end(), w) != words.end();
  };
  for (const nlohmann::json& item : *items) {
    if (!item.is_object()) return Malformed(kAction, "a listener that is not an object");
    std::string id = StringField(item, "ListenerId");
    const std::string protocol = StringField(item, "ListenerProtocol");
    const std::string shown = engine::ForTerminal(id.substr(0, 80));
    if (known(api_->other_protocols, protocol)) continue;
    if (!known(api_->certificate_protocols, protocol)) {
      return Malformed(kAction, fmt::format("an unknown ListenerProtocol \"{}\" for {}",
                                            engine::ForTerminal(protocol.substr(0, 40)), shown));
    }
    if (api_->port_in_id) {
      auto port = item.find("ListenerPort");
      if (port == item.end() || !port->is_number_integer() || port->get<int64_t>() < 1 ||
          port->get<int64_t>() > 65535) {
        return Malformed(kAction, fmt::format("no ListenerPort of 1 to 65535 for {}", shown));
      }
      const std::string with_port = "@" + std::to_string(port->get<int64_t>());
      if (id.find('@') == std::string::npos) id += with_port;
      if (!id.ends_with(with_port)) {
        return Malformed(kAction, fmt::format("{} with another ListenerPort", shown));
      }
    }
    if (!api_->listener_id(id)) {
      return Malformed(kAction, fmt::format("a ListenerId that is not one: \"{}\"", shown));
    }
    if (std::find(page->listeners.begin(), page->listeners.end(), id) != page->listeners.end()) {
      return Malformed(kAction, "a listener twice in a page: " + id);
    }
    page->listeners.push_back(std::move(id));
  }
  return NextToken(body, kAction, next_token, &page->next);
}

Status ListenerCertificates::Job(const std::string& job_id, ListenerJob* job,
                                 engine::CallResult* result) {
  constexpr char kAction[] = "ListAsynJobs";
  if (!IsToken(job_id)) return Status::InvalidArgument("not a JobId");
  nlohmann::json body;
  Status s = client_.Call(kAction, {{"RegionId", region_}, {"JobIds.1", job_id}}, &body, result);
  if (!s.ok()) return s;
  auto jobs = body.find("Jobs");
  if (jobs == body.end() || !jobs->is_array()) return Malformed(kAction, "without Jobs");
  for (const nlohmann::json& j : *jobs) {
    if (!j.is_object() || StringField(j, "Id") != job_id) continue;
    job->id = job_id;
    job->status = StringField(j, "Status");
    if (job->status != "Processing" && job->status != "Succeeded" && job->status != "Failed") {
      return Malformed(kAction,
                       fmt::format("an unknown Status \"{}\" for job {}",
                                   engine::ForTerminal(job->status.substr(0, 40)), job_id));
    }
    job->error.clear();
    const std::string code = StringField(j, "ErrorCode");
    if (!code.empty()) {
      job->error = engine::ForTerminal(
          fmt::format("{}: {}", code.substr(0, 80), StringField(j, "ErrorMessage").substr(0, 200)));
    }
    return Status::OK();
  }
  return Status::NotFound(fmt::format("ListAsynJobs knows no job {}", job_id));
}

}  // namespace certform::alicloud
