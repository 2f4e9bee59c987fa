#include "providers/alicloud/listener_provider.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/base/text_escape.h"
#include "engine/calls/paged_listing.h"
#include "providers/alicloud/oss_cnames.h"
#include "providers/alicloud/oss_names.h"

namespace certform::alicloud {

namespace {

using engine::Status;

// The region whose endpoint DescribeRegions is sent to (the references' example endpoint).
constexpr char kRegionsFrom[] = "cn-hangzhou";

// Where a listener address points, checked again (it passed the address door).
struct Slot {
  std::string region, listener;
  bool is_default = true;
};

Status SlotOf(const engine::ProductRules& rules, const ListenerApi& api,
              const engine::Address& address, Slot* slot) {
  slot->region = address.Field("region");
  slot->listener = address.Field("listener");
  const std::string& name = address.domain;
  if (address.product != rules.name || !RegionProblem(slot->region).empty() ||
      !api.listener_id(slot->listener) || !engine::SlotProblem(name, rules.slots).empty()) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not an {} listener slot ({}:REGION/LISTENER/default or "
                    "{}:REGION/LISTENER/sni:CERTIFICATE)",
                    engine::ForTerminal(address.Key()), api.title, rules.name, rules.name));
  }
  slot->is_default = name == engine::kDefaultSlot;
  return Status::OK();
}

// The id a listener takes for a CAS certificate: "CASID-REGION" (D: ALB doc 214350; S: certimate
// for NLB), CAS's default region when none is configured.
std::string CertificateId(int64_t cas_id, const std::string& region) {
  return OssCertId(cas_id, region);
}

// Whether `c`, listed as an additional certificate after certform dissociated `cas_id`, may
// still be that certificate: the same CAS id under any region (a dissociate sent under a region
// it was not associated with is answered "not associated", and must not pass for done), or a
// foreign id whose leading digits, zeros dropped, are that id's ("09100002-cn-hangzhou",
// "9100002-CN-HANGZHOU": no parse tells what the API means by it). Only a CAS id of another
// number, or a foreign id that does not begin with its digits (the store's
// "12315790343_166f…"), is provably another certificate.
bool MayBe(const ListenerCertificate& c, int64_t cas_id) {
  if (!c.Foreign()) return c.cas_id == cas_id;
  size_t start = c.id.find_first_not_of('0');
  if (start == std::string::npos) return false;
  const size_t end = c.id.find_first_not_of("0123456789", start);
  return c.id.substr(start, end == std::string::npos ? end : end - start) == std::to_string(cas_id);
}

// Whether an API's answer `code` is the ListenerApi code `named`: never for an empty one (a
// network failure answers no code, and a product that names none decides nothing by it).
bool IsCode(const std::string& code, const char* named) {
  return named != nullptr && *named != '\0' && code == named;
}

const ListenerCertificate* Find(const std::vector<ListenerCertificate>& all,
                                const std::string& id) {
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const ListenerCertificate& c) { return c.id == id; });
  return it == all.end() ? nullptr : &*it;
}

// What a step does: set the default certificate (UpdateListenerAttribute), or associate or
// dissociate `id` as an additional one.
enum class Write { kDefault, kAssociate, kDissociate };
struct StepWrite {
  Write action = Write::kDefault;
  std::string id;
};

Status StepOf(const ListenerApi& api, const engine::BindingRequest& r, const Slot& slot,
              StepWrite* w) {
  if (slot.is_default) {
    if (!r.https) {
      return Status::Failed(fmt::format(
          "certform does not remove the default certificate of {} listener {}: a listener "
          "that takes certificates always has one; bind another certificate as its default "
          "instead",
          api.title, slot.listener));
    }
    w->id = CertificateId(r.cert_id, r.cert_region);
    return Status::OK();
  }
  const bool associate = r.https && r.step == 0;
  if (associate) {
    w->action = Write::kAssociate;
    w->id = CertificateId(r.cert_id, r.cert_region);
    return Status::OK();
  }
  // Dissociate only the certificate certform recorded for this slot (its earlier one), in the
  // region the state records for it; a state that records none (imported) gives the region of
  // the certificate that replaces it.
  if (r.previous_cert_id == 0) {
    return Status::Failed(fmt::format(
        "certform did not dissociate an additional certificate from {} listener {}: its state "
        "records none for slot {}, and it removes only a certificate it recorded there",
        api.title, slot.listener, engine::ForTerminal(r.address.domain)));
  }
  w->action = Write::kDissociate;
  w->id = CertificateId(r.previous_cert_id,
                        r.previous_cert_region.empty() ? r.cert_region : r.previous_cert_region);
  return Status::OK();
}

// The slot `request` names and the write of its step, both checked.
Status WriteOf(const engine::ProductRules& rules, const ListenerApi& api,
               const engine::BindingRequest& request, Slot* slot, StepWrite* step) {
  if (Status s = SlotOf(rules, api, request.address, slot); !s.ok()) return s;
  return StepOf(api, request, *slot, step);
}

}  // namespace

engine::ProductRules ListenerRules(const ListenerProduct& product, const ListenerApi& api) {
  using engine::CallKind;
  const std::string ram = std::string(product.name) + ":";
  engine::ProductRules r;
  r.name = product.name;
  r.title = api.title;
  r.what = fmt::format("an {} listener's certificate", api.title);
  r.location = {{"region", RegionProblem, "cn-hangzhou"},
                {"listener", product.listener_problem, product.example_listener}};
  r.wildcards = false;
  // The three writes in one lane (the harsher reading of per-call limits); the RAM actions are
  // the calls' own (PRODUCT:ACTION, as each API's RAM authorization page names them).
  r.write_calls = {{{"UpdateListenerAttribute",
                     product.write_limit,
                     {ram + "UpdateListenerAttribute",
                      ram + "AssociateAdditionalCertificatesWithListener", ram + api.dissociate}},
                    /*force_set=*/false,
                    /*cas_by_name=*/false,
                    /*cas_by_id=*/true,
                    /*by_content=*/false}};
  r.calls = {
      {CallKind::kReadBinding,
       {"ListListenerCertificates", product.read_limit, {ram + "ListListenerCertificates"}}},
      {CallKind::kPollJob, {"ListAsynJobs", product.poll_limit, {ram + "ListAsynJobs"}}},
  };
  r.reads_fingerprint = false;  // listeners list certificate ids, not certificates
  r.reads_expiry = false;
  r.default_endpoint = "";  // PRODUCT.REGION.aliyuncs.com, per region
  r.rate_limit_setting = false;
  // Prune's listing: DescribeRegions, then ListListeners per region, paced as the reads (U: the
  // quota page names neither; the read limit is the harsher of the two it names).
  r.calls.push_back(
      {CallKind::kListDomains,
       {"ListListeners", product.read_limit, {ram + "ListListeners", ram + "DescribeRegions"}}});
  r.listable = true;
  r.slots = {.enabled = true, .additional = true, .of = "listener"};
  // Jobs: Terraform polls every 5 s for at most 5 min (S: resource_alicloud_alb_listener.go);
  // certform every second (polls are paced at their limit) for the same 5 min.
  r.writes = {.enabled = true,
              .dry_run_first = true,
              .serialize_by = "listener",
              .poll_every_ms = 1000,
              .job_timeout_s = 300};
  return r;
}

std::unique_ptr<engine::Provider> ListenerProvider::Make(const engine::ProductRules& rules,
                                                         const ListenerApi& api,
                                                         const ProductWiring& w) {
  ProductWiring wiring = w;
  return std::make_unique<ListenerProvider>(rules, api, [wiring, &api](const std::string& region) {
    const std::string endpoint = wiring.endpoint_override.empty()
                                     ? fmt::format("https://{}.{}.aliyuncs.com", api.host, region)
                                     : wiring.endpoint_override;
    return ListenerCertificates(RpcClient(*wiring.transport, *wiring.clock, *wiring.random,
                                          wiring.credentials, endpoint, api.version),
                                region, api);
  });
}

ListenerCertificates& ListenerProvider::Client(const std::string& region) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<ListenerCertificates>& client = by_region_[region];
  if (!client) client = std::make_unique<ListenerCertificates>(clients_(region));
  return *client;
}

int ListenerProvider::Steps(const engine::BindingRequest& request) const {
  const bool renewal = request.https && request.previous_cert_id != 0 &&
                       request.previous_cert_id != request.cert_id && !request.keep_previous;
  return request.address.domain != engine::kDefaultSlot && renewal ? 2 : 1;
}

engine::Status ListenerProvider::SetBinding(const engine::BindingRequest& request,
                                            engine::CallResult* result) {
  *result = engine::CallResult();
  Slot slot;
  StepWrite step;
  if (Status s = WriteOf(rules_, api_, request, &slot, &step); !s.ok()) return s;
  const ListenerWriteOptions options{request.dry_run, request.client_token};
  ListenerCertificates& client = Client(slot.region);
  std::string job;
  Status s;
  if (step.action == Write::kDefault) {
    s = client.SetDefault(slot.listener, step.id, options, &job, result);
  } else if (step.action == Write::kAssociate) {
    s = client.Associate(slot.listener, {step.id}, options, &job, result);
  } else {
    s = client.Dissociate(slot.listener, {step.id}, options, &job, result);
  }
  // Already true (an answer lost, a run killed before its journal): no job; the read-back that
  // follows decides (an "already associated" default certificate is no additional one, nor is
  // one another party is dissociating).
  const bool already =
      (step.action == Write::kAssociate && IsCode(result->error_code, api_.already_associated)) ||
      (step.action == Write::kDissociate && IsCode(result->error_code, api_.not_associated));
  if (!s.ok() && already) return Status::OK();
  result->job_id = job;
  return s;
}

engine::Status ListenerProvider::PollJob(const engine::BindingRequest& request,
                                         const std::string& job_id, engine::JobStatus* job,
                                         engine::CallResult* result) {
  Slot slot;
  if (Status s = SlotOf(rules_, api_, request.address, &slot); !s.ok()) return s;
  ListenerJob answer;
  Status s = Client(slot.region).Job(job_id, &answer, result);
  if (!s.ok()) return s;
  job->done = answer.Done();
  job->succeeded = answer.status == "Succeeded";
  job->error = answer.error;
  return Status::OK();
}

engine::Status ListenerProvider::ConfirmStep(const engine::BindingRequest& request,
                                             engine::CallResult* result) {
  Slot slot;
  StepWrite step;
  if (Status s = WriteOf(rules_, api_, request, &slot, &step); !s.ok()) return s;
  std::vector<ListenerCertificate> all;
  if (Status s = ReadAll(slot.region, slot.listener, &all, result); !s.ok()) return s;
  const ListenerCertificate* found = Find(all, step.id);
  const std::string where =
      fmt::format("{} listener {} ({})", api_.title, slot.listener, slot.region);
  if (step.action == Write::kDefault) {
    auto def = std::find_if(all.begin(), all.end(),
                            [](const ListenerCertificate& c) { return c.is_default; });
    if (def != all.end() && def->id == step.id) return Status::OK();
    return Status::Failed(
        fmt::format("after its job succeeded, {} has default certificate {}, "
                    "not {}",
                    where, def == all.end() ? "none" : def->id, step.id));
  }
  if (step.action == Write::kAssociate) {
    if (found != nullptr && !found->is_default && found->status == api_.associated) {
      return Status::OK();
    }
    if (found != nullptr && found->status == api_.associating) {
      return Status::Unavailable(
          fmt::format("{} still reports {} {}", where, step.id, api_.associating));
    }
    // Listed, but on its way out: someone else's dissociate (certform's own steps never
    // dissociate the certificate they associate), which the associate found "already
    // associated" or ran beside. Not bound, and waiting would not make it so.
    if (found != nullptr && !found->is_default && found->status == api_.dissociating) {
      return Status::Failed(fmt::format(
          "{} lists {} as {}: it is being dissociated by another party, so it is not bound; "
          "certform associates it again on a later apply, once that dissociation has ended",
          where, step.id, api_.dissociating));
    }
    return Status::Failed(fmt::format(
        "after its job succeeded, {} does not list {} as an additional certificate{}", where,
        step.id, found != nullptr && found->is_default ? " (it is the listener's default)" : ""));
  }
  // Gone only when no additional certificate listed may still be the one dissociated (MayBe):
  // the exact id, the same CAS id in another region, or a foreign variant of it.
  int64_t old_cas_id = 0;
  std::string old_region;
  if (!ParseListenerCertificateId(step.id, &old_cas_id, &old_region)) {
    return Status::Failed(
        fmt::format("certform dissociates CAS ids only, not \"{}\"", engine::ForTerminal(step.id)));
  }
  auto listed = std::find_if(all.begin(), all.end(), [&](const ListenerCertificate& c) {
    return !c.is_default && MayBe(c, old_cas_id);
  });
  found = listed == all.end() ? nullptr : &*listed;
  if (found == nullptr) return Status::OK();
  if (found->status == api_.dissociating) {
    return Status::Unavailable(
        fmt::format("{} still reports {} {}", where, found->id, api_.dissociating));
  }
  std::string why;
  if (found->Foreign()) {
    why = fmt::format(
        "; it is not a CAS id certform reads, and may name the certificate certform dissociated "
        "({}): certform cannot tell that one is gone",
        step.id);
  } else if (found->id != step.id) {
    why = fmt::format(
        "; certform dissociated {}, the region the state records or, when none, the new "
        "certificate's",
        step.id);
  }
  return Status::Failed(fmt::format("after its job succeeded, {} still lists {} ({}){}", where,
                                    engine::ForTerminal(found->id), found->status, why));
}

engine::Status ListenerProvider::ReadAll(const std::string& region, const std::string& listener_id,
                                         std::vector<ListenerCertificate>* all,
                                         engine::CallResult* result) {
  all->clear();
  ListenerCertificates& client = Client(region);
  std::string token;
  // A listener's certificates fill at most this many pages (ListenerApi::max_certificates).
  const size_t max_pages = (api_.max_certificates + api_.page_size - 1) / api_.page_size;
  for (size_t page = 0; page < max_pages; ++page) {
    std::vector<ListenerCertificate> certificates;
    std::string next;
    if (Status s = client.ListPage(listener_id, token, &certificates, &next, result); !s.ok()) {
      return s;
    }
    all->insert(all->end(), certificates.begin(), certificates.end());
    if (next.empty()) {
      if (std::count_if(all->begin(), all->end(),
                        [](const ListenerCertificate& c) { return c.is_default; }) > 1) {
        return Status::Corruption(fmt::format(
            "ListListenerCertificates answered two default certificates for {}", listener_id));
      }
      return Status::OK();
    }
    token = next;
  }
  return Status::Corruption(fmt::format(
      "ListListenerCertificates answered more than {} pages for {}", max_pages, listener_id));
}

engine::Status ListenerProvider::ListDomainsPage(int page, std::vector<engine::Address>* domains,
                                                 int64_t* total, engine::CallResult* result) {
  // The most pages one region's listing may take: 100 listeners a page (D: MaxResults).
  constexpr int kMaxRegionPages = 1000;
  domains->clear();
  if (page == 1) {
    std::vector<std::string> regions;
    if (Status s = Client(kRegionsFrom).Regions(&regions, result); !s.ok()) return s;
    list_regions_ = std::move(regions);
    list_region_ = 0;
    list_token_.clear();
    list_pages_ = 0;
    *total = list_regions_.empty() ? 0 : engine::kMorePages;
    return Status::OK();
  }
  if (list_region_ >= list_regions_.size()) {
    *total = 0;
    return Status::OK();
  }
  const std::string& region = list_regions_[list_region_];
  ListenerPage listed;
  if (Status s = Client(region).ListenersPage(list_token_, &listed, result); !s.ok()) return s;
  if (++list_pages_ > kMaxRegionPages) {
    return Status::Corruption(
        fmt::format("ListListeners answered more than {} pages in {}", kMaxRegionPages, region));
  }
  for (const std::string& id : listed.listeners) {
    domains->push_back({rules_.name, {region, id}, engine::kDefaultSlot});
  }
  list_token_ = listed.next;
  if (list_token_.empty()) {
    ++list_region_;
    list_pages_ = 0;
  }
  *total = list_region_ >= list_regions_.size() ? 0 : engine::kMorePages;
  return Status::OK();
}

engine::Status ListenerProvider::ReadBinding(const engine::Address& address,
                                             engine::LiveBinding* live,
                                             engine::CallResult* result) {
  *live = engine::LiveBinding();
  Slot slot;
  if (Status s = SlotOf(rules_, api_, address, &slot); !s.ok()) return s;
  std::vector<ListenerCertificate> all;
  Status s = ReadAll(slot.region, slot.listener, &all, result);
  if (!s.ok() && IsCode(result->error_code, api_.listener_not_found)) return Status::OK();
  if (!s.ok()) return s;
  live->exists = true;
  for (const ListenerCertificate& c : all) {
    if (c.is_default) {
      // A foreign default is served (https) with no CAS id: a default binding replaces it.
      live->https = true;
      live->cert_id = c.cas_id;
      live->cert_ref = c.id;
      live->cert_status = c.status;
    } else if (!c.Foreign()) {
      // A foreign additional certificate is no slot's and no CAS upload: not reported.
      live->additional_ids.push_back(c.cas_id);
      if (c.status == api_.dissociating) live->additional_leaving.push_back(c.cas_id);
    }
  }
  return Status::OK();
}

}  // namespace certform::alicloud
