#include "providers/alicloud/clb_provider.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/base/text_escape.h"
#include "engine/calls/paged_listing.h"
#include "providers/alicloud/oss_names.h"

namespace certform::alicloud {

namespace {

using engine::Status;

// CAS's default region, as for the other products' "ID-REGION" ids (oss_cnames.h OssCertId).
constexpr char kDefaultCasRegion[] = "cn-hangzhou";

std::string LoadBalancerProblem(const std::string& id) {
  return IsLoadBalancerId(id) ? ""
                              : "a CLB instance id is \"lb-\" and lower-case letters and digits "
                                "(as the CLB console shows it, e.g. \"lb-bp1mxu5r8lau0abcd\")";
}

std::string PortProblem(const std::string& port) {
  const bool digits =
      !port.empty() && port.size() <= 5 && port.front() != '0' &&
      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits && std::stoi(port) <= 65535 ? "" : "a listener port is a number from 1 to 65535";
}

std::string Where(const std::string& load_balancer, int port, const std::string& region) {
  return fmt::format("CLB listener {}:{} ({})", load_balancer, port, region);
}

const DomainExtension* FindExtension(const std::vector<DomainExtension>& all,
                                     const std::string& domain, int* count) {
  const DomainExtension* found = nullptr;
  *count = 0;
  for (const DomainExtension& e : all) {
    if (e.domain != domain) continue;
    ++*count;
    found = &e;
  }
  return found;
}

std::string CasRegion(const std::string& region) {
  return region.empty() ? kDefaultCasRegion : region;
}

// The previous certificate's region as the state records it, else the new one's.
std::string PreviousRegion(const engine::BindingRequest& r) {
  return CasRegion(r.previous_cert_region.empty() ? r.cert_region : r.previous_cert_region);
}

// certform's copy of CAS certificate `cas_id` of `cas_region` in `store`, or null. Only
// certform's own copies name a CAS certificate (and its region): someone else's copy of one, of
// whatever region, is not taken for it.
const ServerCertificate* FindCopy(const std::vector<ServerCertificate>& store, int64_t cas_id,
                                  const std::string& cas_region) {
  auto it = std::find_if(store.begin(), store.end(), [&](const ServerCertificate& c) {
    return c.cas_id == cas_id && c.copy_region == cas_region;
  });
  return it == store.end() ? nullptr : &*it;
}

}  // namespace

// Limits are not documented for these calls (U; shared/docs/load-balancers.md §1.2 notes 90
// listener calls and 400 extension calls per 60 s from an earlier note). A write makes each of
// its calls at most once, and so does a read (or a read-back); certform paces 1 write and 0.5
// reads a second, so that the listener calls (SetLoadBalancerHTTPSListenerAttribute and
// DescribeLoadBalancerHTTPSListenerAttribute) stay within 1.5 a second together, and no call
// is made more than 1.5 times a second by one user. A listing page is one call
// (DescribeRegions, then DescribeLoadBalancerListeners), paced at 1 a second in a lane of its
// own (U: no page states a limit for either; the harsher end, within the 90 per 60 s noted for
// listener calls).
const engine::ProductRules& ClbProvider::Rules() {
  static const engine::ProductRules rules = [] {
    using engine::CallKind;
    engine::ProductRules r;
    r.name = "clb";
    r.title = "CLB";
    r.what = "a CLB HTTPS listener's certificate";
    r.location = {{"region", RegionProblem, "cn-hangzhou"},
                  {"load_balancer", LoadBalancerProblem, "lb-bp1mxu5r8lau0abcd"},
                  {"port", PortProblem, "443"}};
    r.wildcards = false;
    // The RAM actions are the calls' own (slb:ACTION, D: each call's RAM authorization table).
    r.write_calls = {{{"SetLoadBalancerHTTPSListenerAttribute",
                       1,
                       {"slb:DescribeServerCertificates", "slb:UploadServerCertificate",
                        "slb:DeleteServerCertificate", "slb:SetLoadBalancerHTTPSListenerAttribute",
                        "slb:DescribeDomainExtensions", "slb:SetDomainExtensionAttribute"}},
                      /*force_set=*/false,
                      /*cas_by_name=*/false,
                      /*cas_by_id=*/true,
                      /*by_content=*/false}};
    // RAM: slb:DescribeLoadBalancerListeners (D: its page's authorization table); DescribeRegions'
    // page lists no action (D: "no authorization for this operation"), and slb:DescribeRegions is
    // named anyway, so that a policy that denies it is told (U).
    r.calls = {{CallKind::kReadBinding,
                {"DescribeLoadBalancerHTTPSListenerAttribute",
                 0.5,
                 {"slb:DescribeLoadBalancerHTTPSListenerAttribute", "slb:DescribeDomainExtensions",
                  "slb:DescribeServerCertificates"}}},
               {CallKind::kListDomains,
                {"DescribeLoadBalancerListeners",
                 1,
                 {"slb:DescribeRegions", "slb:DescribeLoadBalancerListeners"}}},
               // prune's store copies (ListOwnCopiesPage, ReadOwnCopies, DeleteOwnCopy): U, no
               // limit documented; paced as the reads.
               {CallKind::kListUploaded,
                {"DescribeServerCertificates",
                 0.5,
                 {"slb:DescribeRegions", "slb:DescribeServerCertificates"}}},
               {CallKind::kDeleteCertificate,
                {"DeleteServerCertificate", 0.5, {"slb:DeleteServerCertificate"}}}};
    r.reads_fingerprint =
        false;  // the store lists fingerprints of no stated digest (SHA-1 in samples)
    r.reads_expiry = false;
    r.default_endpoint = "";  // slb.REGION.aliyuncs.com
    r.rate_limit_setting = false;
    r.listable = true;      // every region's HTTPS listeners (ListDomainsPage)
    r.store_copies = true;  // the region's SLB store (prune_copies.h)
    r.slots = {.enabled = true,
               .additional = true,
               .of = "listener",
               .sni_key = engine::SlotRules::SniKey::kDomain,
               .holds_once = false,
               .removable = false};
    // No jobs: each write is done when it answers; SLB configures one change of an instance at a
    // time (S: Terraform retries OperationBusy and ServiceIsConfiguring), so certform sends one
    // at a time per load balancer. The calls take no DryRun.
    r.writes = {.enabled = true,
                .dry_run_first = false,
                .serialize_by = "load_balancer",
                .poll_every_ms = 1000,
                .job_timeout_s = 300};
    return r;
  }();
  return rules;
}

std::unique_ptr<engine::Provider> ClbProvider::Make(const ProductWiring& w) {
  ProductWiring wiring = w;
  return std::make_unique<ClbProvider>([wiring](const std::string& region) {
    const std::string endpoint = wiring.endpoint_override.empty()
                                     ? fmt::format("https://slb.{}.aliyuncs.com", region)
                                     : wiring.endpoint_override;
    return SlbCertificates(RpcClient(*wiring.transport, *wiring.clock, *wiring.random,
                                     wiring.credentials, endpoint, kSlbApiVersion),
                           region);
  });
}

Status ClbProvider::SlotOf(const engine::Address& address, Slot* slot) {
  slot->region = address.Field("region");
  slot->load_balancer = address.Field("load_balancer");
  const std::string port = address.Field("port");
  const std::string& name = address.domain;
  if (address.product != Rules().name || !RegionProblem(slot->region).empty() ||
      !IsLoadBalancerId(slot->load_balancer) || !PortProblem(port).empty() ||
      !engine::SlotProblem(name, Rules().slots).empty()) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a CLB listener slot (clb:REGION/LB/PORT/default or "
                    "clb:REGION/LB/PORT/sni:DOMAIN)",
                    engine::ForTerminal(address.Key())));
  }
  slot->port = std::stoi(port);
  slot->domain =
      name == engine::kDefaultSlot ? "" : name.substr(sizeof(engine::kSniSlotPrefix) - 1);
  return Status::OK();
}

SlbCertificates& ClbProvider::Client(const std::string& region) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<SlbCertificates>& client = by_region_[region];
  if (!client) client = std::make_unique<SlbCertificates>(clients_(region));
  return *client;
}

Status ClbProvider::StoreCopy(SlbCertificates& client, const Slot& slot,
                              const engine::BindingRequest& request, std::string* store_id,
                              engine::CallResult* result) {
  std::mutex* region_mu = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<std::mutex>& m = store_mu_[slot.region];
    if (!m) m = std::make_unique<std::mutex>();
    region_mu = m.get();
  }
  std::lock_guard<std::mutex> lock(*region_mu);
  const std::string cas_region = CasRegion(request.cert_region);
  const std::string name = StoreCopyName(request.cert_id, cas_region);
  std::vector<ServerCertificate> store;
  if (Status s = client.ListStore(&store, result); !s.ok()) return s;
  // Only certform's own copy: a copy someone else made may be deleted by them once unbound
  // elsewhere, and a renewal deletes only copies it knows to be certform's.
  if (const ServerCertificate* copy = FindCopy(store, request.cert_id, cas_region)) {
    *store_id = copy->id;
    return Status::OK();
  }
  // A certificate under certform's name that the answer does not tie to the CAS certificate (an
  // AliCloudCertificateId of another shape, say): uploading would make a second copy on every
  // apply until the region's store is full.
  for (const ServerCertificate& c : store) {
    if (c.name == name) {
      return Status::Failed(fmt::format(
          "the SLB store of {} has {} named {}, but its answer does not tie it to CAS "
          "certificate {}: certform does not upload another copy; delete it, or tell us what "
          "DescribeServerCertificates answers for it",
          slot.region, engine::ForTerminal(c.id), name, request.cert_id));
    }
  }
  return client.CopyFromCas(request.cert_id, cas_region, request.cert_name, name, store_id, result);
}

int ClbProvider::Steps(const engine::BindingRequest& request) const {
  const bool renewal = request.https && request.previous_cert_id != 0 &&
                       (request.previous_cert_id != request.cert_id ||
                        PreviousRegion(request) != CasRegion(request.cert_region));
  return renewal ? 2 : 1;
}

Status ClbProvider::DeleteOldCopy(SlbCertificates& client, const engine::BindingRequest& request,
                                  engine::CallResult* result) {
  std::vector<ServerCertificate> store;
  if (Status s = client.ListStore(&store, result); !s.ok()) return s;
  const ServerCertificate* old = FindCopy(store, request.previous_cert_id, PreviousRegion(request));
  if (old == nullptr) return Status::OK();  // none, or gone already
  Status s = client.Delete(old->id, result);
  // Still served by a listener or an extension (another slot, anyone's): it stays (D: doc
  // 34182). Gone meanwhile: done (S: Terraform's ServerCertificateId.NotFound).
  if (!s.ok() && (result->error_code == "CertificateAndPrivateKeyIsRefered" ||
                  result->error_code == "ServerCertificateId.NotFound")) {
    return Status::OK();
  }
  return s;
}

Status ClbProvider::SetBinding(const engine::BindingRequest& request, engine::CallResult* result) {
  *result = engine::CallResult();
  Slot slot;
  if (Status s = SlotOf(request.address, &slot); !s.ok()) return s;
  const std::string where = Where(slot.load_balancer, slot.port, slot.region);
  if (!request.https) {
    return Status::Failed(fmt::format(
        "certform does not remove a certificate from {}: the default certificate is always "
        "there, and an extension's goes only with the extension",
        where));
  }
  if (request.cert_id <= 0) {
    return Status::InvalidArgument(
        fmt::format("{} takes certificates by CAS id: bind a CAS certificate, or upload with "
                    "upload_via = \"cas\"",
                    where));
  }
  if (request.dry_run) return Status::OK();  // SLB's calls have no DryRun: nothing to check
  SlbCertificates& client = Client(slot.region);
  if (request.step == 1) return DeleteOldCopy(client, request, result);
  std::string store_id;
  if (slot.domain.empty()) {
    if (Status s = StoreCopy(client, slot, request, &store_id, result); !s.ok()) return s;
    return client.SetListener(slot.load_balancer, slot.port, store_id, result);
  }
  // The extension first: a binding that has none copies nothing into the store.
  std::vector<DomainExtension> extensions;
  if (Status s = client.ListExtensions(slot.load_balancer, slot.port, &extensions, result);
      !s.ok()) {
    return s;
  }
  int count = 0;
  const DomainExtension* e = FindExtension(extensions, slot.domain, &count);
  if (count == 0) {
    return Status::Failed(fmt::format(
        "{} has no domain extension for {}: certform sets the certificate of an extension and "
        "never creates one; create it (CreateDomainExtension, or the console) and apply again",
        where, engine::ForTerminal(slot.domain)));
  }
  if (count > 1) {
    return Status::Failed(
        fmt::format("{} has {} domain extensions for {}: certform cannot tell "
                    "which one the binding means",
                    where, count, engine::ForTerminal(slot.domain)));
  }
  const std::string extension_id = e->id;
  if (Status s = StoreCopy(client, slot, request, &store_id, result); !s.ok()) return s;
  return client.SetExtension(extension_id, store_id, result);
}

Status ClbProvider::ReadSlot(const Slot& slot, Served* served, std::vector<int64_t>* served_cas_ids,
                             engine::CallResult* result, std::vector<std::string>* served_refs) {
  SlbCertificates& client = Client(slot.region);
  std::string default_id;
  if (Status s = client.ReadListener(slot.load_balancer, slot.port, &default_id, result); !s.ok()) {
    return s;
  }
  std::vector<DomainExtension> extensions;
  if (Status s = client.ListExtensions(slot.load_balancer, slot.port, &extensions, result);
      !s.ok()) {
    return s;
  }
  std::vector<ServerCertificate> store;
  if (Status s = client.ListStore(&store, result); !s.ok()) return s;
  // The store certificate `id` when it is certform's copy of a CAS certificate (FindCopy's
  // rule), else null.
  const auto own_copy = [&](const std::string& id) -> const ServerCertificate* {
    auto it = std::find_if(store.begin(), store.end(),
                           [&](const ServerCertificate& c) { return c.id == id; });
    return it == store.end() || it->copy_region.empty() ? nullptr : &*it;
  };
  if (served_cas_ids != nullptr) {
    // Every copy of a CAS certificate the listener serves, whoever made it (ReadBinding).
    std::vector<std::string> served_ids = {default_id};
    for (const DomainExtension& e : extensions) served_ids.push_back(e.certificate_id);
    if (served_refs != nullptr) {
      // An empty id stays: a certificate served that the answer does not name (LiveBinding).
      for (const std::string& id : served_ids) {
        if (std::find(served_refs->begin(), served_refs->end(), id) == served_refs->end()) {
          served_refs->push_back(id);
        }
      }
    }
    for (const std::string& id : served_ids) {
      auto it = std::find_if(store.begin(), store.end(),
                             [&](const ServerCertificate& c) { return c.id == id; });
      if (id.empty() || it == store.end() || !it->from_cas || it->cas_id == 0) continue;
      if (std::find(served_cas_ids->begin(), served_cas_ids->end(), it->cas_id) ==
          served_cas_ids->end()) {
        served_cas_ids->push_back(it->cas_id);
      }
    }
  }
  if (slot.domain.empty()) {
    served->store_id = default_id;
  } else {
    int count = 0;
    const DomainExtension* e = FindExtension(extensions, slot.domain, &count);
    if (count > 1) {
      return Status::Corruption(fmt::format(
          "DescribeDomainExtensions answered {} extensions for {} on {}", count,
          engine::ForTerminal(slot.domain), Where(slot.load_balancer, slot.port, slot.region)));
    }
    served->extension_found = e != nullptr;
    if (e != nullptr) served->store_id = e->certificate_id;
  }
  if (const ServerCertificate* c = own_copy(served->store_id)) {
    served->cas_id = c->cas_id;
    served->copy_region = c->copy_region;
  }
  return Status::OK();
}

Status ClbProvider::ConfirmStep(const engine::BindingRequest& request, engine::CallResult* result) {
  Slot slot;
  if (Status s = SlotOf(request.address, &slot); !s.ok()) return s;
  Served served;
  if (Status s = ReadSlot(slot, &served, nullptr, result); !s.ok()) return s;
  const std::string cas_region = CasRegion(request.cert_region);
  if (served.cas_id == request.cert_id && served.cas_id != 0 && served.copy_region == cas_region) {
    return Status::OK();
  }
  const std::string what = slot.domain.empty() ? "its default certificate"
                                               : "the certificate of its extension for " +
                                                     engine::ForTerminal(slot.domain);
  return Status::Failed(fmt::format(
      "after the write, {} has {} {}, not certform's copy of CAS certificate {}",
      Where(slot.load_balancer, slot.port, slot.region), what,
      !served.extension_found   ? "gone (no such extension)"
      : served.store_id.empty() ? "unset"
      : served.cas_id != 0      ? fmt::format("{} (certform's copy of CAS certificate {} of {})",
                                              served.store_id, served.cas_id, served.copy_region)
                           : fmt::format("{} (not a copy certform can tie to a CAS certificate)",
                                         engine::ForTerminal(served.store_id)),
      request.cert_id));
}

Status ClbProvider::ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                                engine::CallResult* result) {
  *live = engine::LiveBinding();
  Slot slot;
  if (Status s = SlotOf(address, &slot); !s.ok()) return s;
  Served served;
  Status s = ReadSlot(slot, &served, &live->additional_ids, result, &live->served_refs);
  // D: "InvalidLoadBalancerId.NotFound" (S: Terraform's LoadBalancerNotFound). A listener or an
  // extension that is missing has no code of its own the references give: an error, not "gone".
  if (!s.ok() && result->error_code == "InvalidLoadBalancerId.NotFound") return Status::OK();
  if (!s.ok()) return s;
  // An extension slot whose domain has no extension is not there (import refuses it, drift says
  // it is gone); the listener's default is there whenever the listener is.
  live->exists = slot.domain.empty() || served.extension_found;
  if (!live->exists) return Status::OK();
  live->https = !served.store_id.empty();
  live->cert_id = served.cas_id;
  live->cert_type = live->https ? "cas" : "";
  live->cert_ref = served.store_id;
  return Status::OK();
}

Status ClbProvider::ListDomainsPage(int page, std::vector<engine::Address>* domains, int64_t* total,
                                    engine::CallResult* result) {
  *result = engine::CallResult();
  domains->clear();
  *total = 0;
  std::lock_guard<std::mutex> lock(list_mu_);
  if (page == 1) {
    list_complete_ = false;  // until this listing reaches its end
    // The documented example region's endpoint (slb.cn-hangzhou.aliyuncs.com, or the override);
    // the answer names regions only by id, each then reached through Client(region).
    std::vector<std::string> regions;
    if (Status s = Client(kRegionsRegion).ListRegions(&regions, result); !s.ok()) return s;
    list_regions_ = std::move(regions);
    list_complete_ = list_regions_.empty();
    list_cursors_.clear();
    list_cursors_[2] = ListCursor{};
    *total = list_regions_.empty() ? 0 : engine::kMorePages;
    return Status::OK();
  }
  auto at = list_cursors_.find(page);
  if (at == list_cursors_.end()) {
    return Status::InvalidArgument(
        fmt::format("CLB listing page {} asked for before the page before it was listed", page));
  }
  const ListCursor cursor = at->second;
  if (cursor.region >= list_regions_.size()) return Status::OK();  // nothing left: done
  const std::string& region = list_regions_[cursor.region];
  if (cursor.pages_in_region >= kMaxPagesPerRegion) {
    return Status::Corruption(
        fmt::format("DescribeLoadBalancerListeners answered more than {} pages in {}",
                    kMaxPagesPerRegion, region));
  }
  std::vector<HttpsListener> listeners;
  std::string next;
  if (Status s = Client(region).ListHttpsListeners(cursor.token, list_page_size_, &listeners, &next,
                                                   result);
      !s.ok()) {
    return s;  // the cursor stays: the same page asks the same call again
  }
  for (const HttpsListener& l : listeners) {
    domains->push_back(
        {Rules().name, {region, l.load_balancer, std::to_string(l.port)}, engine::kDefaultSlot});
  }
  ListCursor after = next.empty() ? ListCursor{cursor.region + 1, "", 0}
                                  : ListCursor{cursor.region, next, cursor.pages_in_region + 1};
  list_cursors_.erase(list_cursors_.upper_bound(page), list_cursors_.end());
  list_cursors_[page + 1] = after;
  *total = after.region < list_regions_.size() ? engine::kMorePages : 0;
  if (*total == 0) list_complete_ = true;
  return Status::OK();
}

std::vector<std::string> ClbProvider::ListedLocations() const {
  std::lock_guard<std::mutex> lock(list_mu_);
  return list_complete_ ? list_regions_ : std::vector<std::string>{};
}

namespace {

std::vector<engine::OwnCopy> OwnCopies(const std::string& region,
                                       const std::vector<ServerCertificate>& store) {
  std::vector<engine::OwnCopy> out;
  for (const ServerCertificate& c : store) {
    // certform's naming only: a copy whose name is StoreCopyName of its own CAS id.
    if (!c.from_cas || c.cas_id <= 0 || c.copy_region.empty() ||
        c.name != StoreCopyName(c.cas_id, c.copy_region)) {
      continue;
    }
    out.push_back({region, c.id, c.name, c.cas_id, c.copy_region});
  }
  return out;
}

}  // namespace

std::string ClbProvider::CopyLocation(const engine::Address& address) const {
  return address.product == Rules().name ? address.Field("region") : "";
}

Status ClbProvider::ListOwnCopiesPage(int page, std::vector<engine::OwnCopy>* copies,
                                      int64_t* total, engine::CallResult* result) {
  *result = engine::CallResult();
  copies->clear();
  *total = 0;
  std::lock_guard<std::mutex> lock(list_mu_);
  if (page == 1) {
    std::vector<std::string> regions;
    if (Status s = Client(kRegionsRegion).ListRegions(&regions, result); !s.ok()) return s;
    copy_regions_ = std::move(regions);
    *total = copy_regions_.empty() ? 0 : engine::kMorePages;
    return Status::OK();
  }
  const size_t index = static_cast<size_t>(page - 2);
  if (page < 2 || index >= copy_regions_.size()) return Status::OK();  // nothing left: done
  const std::string region = copy_regions_[index];
  std::vector<ServerCertificate> store;
  if (Status s = Client(region).ListStore(&store, result); !s.ok()) return s;
  *copies = OwnCopies(region, store);
  *total = index + 1 < copy_regions_.size() ? engine::kMorePages : 0;
  return Status::OK();
}

Status ClbProvider::ReadOwnCopies(const std::string& location, std::vector<engine::OwnCopy>* copies,
                                  engine::CallResult* result) {
  *result = engine::CallResult();
  copies->clear();
  if (!RegionProblem(location).empty()) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a region", engine::ForTerminal(location)));
  }
  std::vector<ServerCertificate> store;
  if (Status s = Client(location).ListStore(&store, result); !s.ok()) return s;
  // Every certificate of the store, so that one renamed since the listing is told from one gone.
  for (const ServerCertificate& c : store) {
    copies->push_back({location, c.id, c.name, c.from_cas ? c.cas_id : 0, c.copy_region});
  }
  return Status::OK();
}

Status ClbProvider::DeleteOwnCopy(const engine::OwnCopy& copy, bool* in_use,
                                  engine::CallResult* result) {
  *result = engine::CallResult();
  *in_use = false;
  if (!RegionProblem(copy.location).empty()) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a region", engine::ForTerminal(copy.location)));
  }
  Status s = Client(copy.location).Delete(copy.id, result);
  if (!s.ok() && result->error_code == "CertificateAndPrivateKeyIsRefered") {
    *in_use = true;
    return Status::OK();
  }
  if (!s.ok() && result->error_code == "ServerCertificateId.NotFound") {
    return Status::NotFound(s.message());
  }
  return s;
}

}  // namespace certform::alicloud
