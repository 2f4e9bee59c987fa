#include "providers/alicloud/alb_provider.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/base/text_escape.h"
#include "providers/alicloud/oss_cnames.h"
#include "providers/alicloud/oss_names.h"

namespace certform::alicloud {

namespace {

using engine::Status;

// A listener's certificates fill at most 4 pages of 100: ALB's quota of additional certificates
// per instance is at most 300 (D: doc-detail/198636), plus the default.
constexpr int kMaxPages = 4;

constexpr char kAssociate[] = "AssociateAdditionalCertificatesWithListener";
constexpr char kDissociate[] = "DissociateAdditionalCertificatesFromListener";

std::string ListenerIdProblem(const std::string& id) {
  return IsAlbListenerId(id) ? ""
                             : "an ALB listener id is \"lsn-\" (or \"lsr-\") and lower-case "
                               "letters and digits (as the ALB console shows it)";
}

// Where an ALB address points, checked again (it passed the address door).
struct Slot {
  std::string region, listener;
  bool is_default = true;
};

Status SlotOf(const engine::Address& address, Slot* slot) {
  slot->region = address.Field("region");
  slot->listener = address.Field("listener");
  const std::string& name = address.domain;
  if (address.product != AlbProvider::Rules().name || !RegionProblem(slot->region).empty() ||
      !IsAlbListenerId(slot->listener) ||
      !engine::SlotProblem(name, AlbProvider::Rules().slots).empty()) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not an ALB listener slot (alb:REGION/LISTENER/default or "
                    "alb:REGION/LISTENER/sni:CERTIFICATE)",
                    engine::ForTerminal(address.Key())));
  }
  slot->is_default = name == engine::kDefaultSlot;
  return Status::OK();
}

// The id ALB takes for a CAS certificate: "CASID-REGION" (D: doc 214350), CAS's default region
// when none is configured.
std::string CertificateId(int64_t cas_id, const std::string& region) {
  return OssCertId(cas_id, region);
}

int64_t CasIdOf(const std::string& certificate_id) {
  int64_t id = 0;
  std::string region;
  return ParseOssCertId(certificate_id, &id, &region) ? id : 0;
}

const AlbCertificate* Find(const std::vector<AlbCertificate>& all, const std::string& id) {
  auto it =
      std::find_if(all.begin(), all.end(), [&](const AlbCertificate& c) { return c.id == id; });
  return it == all.end() ? nullptr : &*it;
}

// What a step does: "default" (UpdateListenerAttribute), or an associate or dissociate of `id`.
struct StepWrite {
  const char* action = nullptr;  // null: the default certificate
  std::string id;
};

Status StepOf(const engine::BindingRequest& r, const Slot& slot, StepWrite* w) {
  if (slot.is_default) {
    if (!r.https) {
      return Status::Failed(fmt::format(
          "certform does not remove the default certificate of ALB listener {}: an HTTPS "
          "listener always has one; bind another certificate as its default instead",
          slot.listener));
    }
    w->id = CertificateId(r.cert_id, r.cert_region);
    return Status::OK();
  }
  const bool associate = r.https && r.step == 0;
  if (associate) {
    w->action = kAssociate;
    w->id = CertificateId(r.cert_id, r.cert_region);
    return Status::OK();
  }
  // Dissociate only the certificate certform recorded for this slot (its earlier one), in the
  // region the state records for it; a state that records none (imported) gives the region of
  // the certificate that replaces it.
  if (r.previous_cert_id == 0) {
    return Status::Failed(fmt::format(
        "certform did not dissociate an additional certificate from ALB listener {}: its state "
        "records none for slot {}, and it removes only a certificate it recorded there",
        slot.listener, engine::ForTerminal(r.address.domain)));
  }
  w->action = kDissociate;
  w->id = CertificateId(r.previous_cert_id,
                        r.previous_cert_region.empty() ? r.cert_region : r.previous_cert_region);
  return Status::OK();
}

// The slot `request` names and the write of its step, both checked.
Status WriteOf(const engine::BindingRequest& request, Slot* slot, StepWrite* step) {
  if (Status s = SlotOf(request.address, slot); !s.ok()) return s;
  return StepOf(request, *slot, step);
}

}  // namespace

const engine::ProductRules& AlbProvider::Rules() {
  using engine::CallKind;
  static const engine::ProductRules rules = [] {
    engine::ProductRules r;
    r.name = "alb";
    r.title = "ALB";
    r.what = "an ALB listener's certificate";
    r.location = {{"region", RegionProblem, "cn-hangzhou"},
                  {"listener", ListenerIdProblem, "lsn-0bfucwbs9mn3rwabcd"}};
    r.wildcards = false;
    // Writes: 200 per 60 s each (D: the quota page), in one lane for the three (harsher). The
    // RAM actions are the calls' own (ALB's RAM authorization page names alb:ACTION).
    r.write_calls = {{{"UpdateListenerAttribute",
                       200.0 / 60.0,
                       {"alb:UpdateListenerAttribute", std::string("alb:") + kAssociate,
                        std::string("alb:") + kDissociate}},
                      /*force_set=*/false,
                      /*cas_by_name=*/false,
                      /*cas_by_id=*/true,
                      /*by_content=*/false}};
    r.calls = {
        {CallKind::kReadBinding,
         {"ListListenerCertificates", 20, {"alb:ListListenerCertificates"}}},
        {CallKind::kPollJob, {"ListAsynJobs", 20, {"alb:ListAsynJobs"}}},
    };
    r.reads_fingerprint = false;  // ALB lists certificate ids, not certificates
    r.reads_expiry = false;
    r.default_endpoint = "";  // alb.REGION.aliyuncs.com, per region
    r.rate_limit_setting = false;
    // certform does not list a user's listeners (regional, and not modelled yet), so prune
    // cannot see a listener it does not manage: it stops unless told to skip ALB.
    r.listable = false;
    r.slots = {.enabled = true, .additional = true, .of = "listener"};
    // Jobs: Terraform polls every 5 s for at most 5 min (S: resource_alicloud_alb_listener.go);
    // certform every second (polls are 20/s) for the same 5 min.
    r.writes = {.enabled = true,
                .dry_run_first = true,
                .serialize_by = "listener",
                .poll_every_ms = 1000,
                .job_timeout_s = 300};
    return r;
  }();
  return rules;
}

std::unique_ptr<engine::Provider> AlbProvider::Make(const ProductWiring& w) {
  ProductWiring wiring = w;
  return std::make_unique<AlbProvider>([wiring](const std::string& region) {
    const std::string endpoint = wiring.endpoint_override.empty()
                                     ? "https://alb." + region + ".aliyuncs.com"
                                     : wiring.endpoint_override;
    return AlbListeners(RpcClient(*wiring.transport, *wiring.clock, *wiring.random,
                                  wiring.credentials, endpoint, kAlbApiVersion),
                        region);
  });
}

AlbListeners& AlbProvider::Client(const std::string& region) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<AlbListeners>& client = by_region_[region];
  if (!client) client = std::make_unique<AlbListeners>(clients_(region));
  return *client;
}

int AlbProvider::Steps(const engine::BindingRequest& request) const {
  const bool renewal = request.https && request.previous_cert_id != 0 &&
                       request.previous_cert_id != request.cert_id && !request.keep_previous;
  return request.address.domain != engine::kDefaultSlot && renewal ? 2 : 1;
}

engine::Status AlbProvider::SetBinding(const engine::BindingRequest& request,
                                       engine::CallResult* result) {
  *result = engine::CallResult();
  Slot slot;
  StepWrite step;
  if (Status s = WriteOf(request, &slot, &step); !s.ok()) return s;
  const AlbWriteOptions options{request.dry_run, request.client_token};
  AlbListeners& alb = Client(slot.region);
  std::string job;
  Status s;
  if (step.action == nullptr) {
    s = alb.SetDefault(slot.listener, step.id, options, &job, result);
  } else if (step.action == kAssociate) {
    s = alb.Associate(slot.listener, {step.id}, options, &job, result);
  } else {
    s = alb.Dissociate(slot.listener, {step.id}, options, &job, result);
  }
  // Already true (an answer lost, a run killed before its journal): no job; the read-back that
  // follows decides (an "already associated" default certificate is no additional one).
  const bool already =
      (step.action == kAssociate &&
       result->error_code == "ResourceAlreadyAssociated.Certificate") ||
      (step.action == kDissociate && result->error_code == "ResourceNotAssociated.Certificate");
  if (!s.ok() && already) return Status::OK();
  result->job_id = job;
  return s;
}

engine::Status AlbProvider::PollJob(const engine::BindingRequest& request,
                                    const std::string& job_id, engine::JobStatus* job,
                                    engine::CallResult* result) {
  Slot slot;
  if (Status s = SlotOf(request.address, &slot); !s.ok()) return s;
  AlbJob answer;
  Status s = Client(slot.region).Job(job_id, &answer, result);
  if (!s.ok()) return s;
  job->done = answer.Done();
  job->succeeded = answer.status == "Succeeded";
  job->error = answer.error;
  return Status::OK();
}

engine::Status AlbProvider::ConfirmStep(const engine::BindingRequest& request,
                                        engine::CallResult* result) {
  Slot slot;
  StepWrite step;
  if (Status s = WriteOf(request, &slot, &step); !s.ok()) return s;
  std::vector<AlbCertificate> all;
  if (Status s = ReadAll(slot.region, slot.listener, &all, result); !s.ok()) return s;
  const AlbCertificate* found = Find(all, step.id);
  const std::string where = fmt::format("ALB listener {} ({})", slot.listener, slot.region);
  if (step.action == nullptr) {
    auto def =
        std::find_if(all.begin(), all.end(), [](const AlbCertificate& c) { return c.is_default; });
    if (def != all.end() && def->id == step.id) return Status::OK();
    return Status::Failed(
        fmt::format("after its job succeeded, {} has default certificate {}, "
                    "not {}",
                    where, def == all.end() ? "none" : def->id, step.id));
  }
  if (step.action == kAssociate) {
    if (found != nullptr && !found->is_default && found->status == "Associated") {
      return Status::OK();
    }
    if (found != nullptr && found->status == "Associating") {
      return Status::Unavailable(fmt::format("{} still reports {} Associating", where, step.id));
    }
    return Status::Failed(fmt::format(
        "after its job succeeded, {} does not list {} as an additional certificate{}", where,
        step.id, found != nullptr && found->is_default ? " (it is the listener's default)" : ""));
  }
  // The old certificate under any region: a dissociate sent under a region it was not associated
  // with is answered "not associated", and must not pass for done while the listener still
  // lists it.
  const int64_t old_cas_id = CasIdOf(step.id);
  auto listed = std::find_if(all.begin(), all.end(), [&](const AlbCertificate& c) {
    return !c.is_default && CasIdOf(c.id) == old_cas_id;
  });
  found = listed == all.end() ? nullptr : &*listed;
  if (found == nullptr) return Status::OK();
  if (found->status == "Dissociating") {
    return Status::Unavailable(fmt::format("{} still reports {} Dissociating", where, step.id));
  }
  return Status::Failed(fmt::format(
      "after its job succeeded, {} still lists {} ({}){}", where, found->id, found->status,
      found->id == step.id ? ""
                           : fmt::format("; certform dissociated {}, the region the state "
                                         "records or, when none, the new certificate's",
                                         step.id)));
}

engine::Status AlbProvider::ReadAll(const std::string& region, const std::string& listener_id,
                                    std::vector<AlbCertificate>* all, engine::CallResult* result) {
  all->clear();
  AlbListeners& alb = Client(region);
  std::string token;
  for (int page = 0; page < kMaxPages; ++page) {
    std::vector<AlbCertificate> certificates;
    std::string next;
    if (Status s = alb.ListPage(listener_id, token, &certificates, &next, result); !s.ok()) {
      return s;
    }
    all->insert(all->end(), certificates.begin(), certificates.end());
    if (next.empty()) {
      if (std::count_if(all->begin(), all->end(),
                        [](const AlbCertificate& c) { return c.is_default; }) > 1) {
        return Status::Corruption(fmt::format(
            "ListListenerCertificates answered two default certificates for {}", listener_id));
      }
      return Status::OK();
    }
    token = next;
  }
  return Status::Corruption(fmt::format(
      "ListListenerCertificates answered more than {} pages for {}", kMaxPages, listener_id));
}

engine::Status AlbProvider::ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                                        engine::CallResult* result) {
  *live = engine::LiveBinding();
  Slot slot;
  if (Status s = SlotOf(address, &slot); !s.ok()) return s;
  std::vector<AlbCertificate> all;
  Status s = ReadAll(slot.region, slot.listener, &all, result);
  if (!s.ok() && result->error_code == "ResourceNotFound.Listener") return Status::OK();
  if (!s.ok()) return s;
  live->exists = true;
  for (const AlbCertificate& c : all) {
    if (c.is_default) {
      live->https = true;
      live->cert_id = CasIdOf(c.id);
      live->cert_ref = c.id;
      live->cert_status = c.status;
    } else {
      live->additional_ids.push_back(CasIdOf(c.id));
    }
  }
  return Status::OK();
}

}  // namespace certform::alicloud
