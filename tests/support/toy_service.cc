#include "tests/support/toy_service.h"

#include <cstdlib>

namespace certform::testing {

using emulator::ApiError;
using emulator::ApiResponse;
using emulator::Param;
using emulator::Params;
using emulator::RenderError;
using emulator::RenderSuccess;

namespace {

ApiError DomainNotFound() {
  return {404, "InvalidDomain.NotFound", "The domain provided does not belong to you."};
}

}  // namespace

ToyService::ToyService(emulator::ServiceContext context, emulator::CasDirectory& cas)
    : RpcService(context), cas_(cas) {}

bool ToyService::Serves(const std::string& action) const {
  return action == "SetToyCertificate" || action == "DescribeToyCertificate" ||
         action == "DescribeToyDomains";
}

std::pair<std::string, int> ToyService::Window(const std::string& action) const {
  return action == "SetToyCertificate" ? std::pair<std::string, int>{"toy-write", write_limit_}
                                       : std::pair<std::string, int>{"toy-read", 100};
}

ApiResponse ToyService::Dispatch(const std::string& action, const Params& p,
                                 const std::string& user, const std::string& request_id,
                                 bool json) {
  if (action == "SetToyCertificate") return Set(p, user, request_id, json);
  if (action == "DescribeToyCertificate") return Describe(p, user, request_id, json);
  return List(p, user, request_id, json);
}

ApiResponse ToyService::Set(const Params& p, const std::string& user, const std::string& request_id,
                            bool json) {
  const std::string name = Param(p, "DomainName");
  if (name.empty()) return RenderError(emulator::MissingParam("DomainName"), request_id, json);
  const std::string enabled = Param(p, "Enabled");
  if (enabled != "on" && enabled != "off") {
    return RenderError({400, "InvalidEnabled.ValueNotSupported",
                        "The specified value of parameter Enabled is not supported."},
                       request_id, json);
  }
  ToyBinding next;
  if (enabled == "on") {
    const std::string id = Param(p, "CertId");
    if (id.empty()) return RenderError(emulator::MissingParam("CertId"), request_id, json);
    // Looked up before taking this service's lock (cas_directory.h's lock order allows either).
    const std::optional<emulator::CasCertificate> cert = cas_.FindById(user, id);
    if (!cert) {
      return RenderError({404, "Certificate.NotFound", "The certificate does not exist."},
                         request_id, json);
    }
    next = {true, cert->id};
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto d = domains_.find(name);
  if (d == domains_.end() || d->second.user != user) {
    return RenderError(DomainNotFound(), request_id, json);
  }
  d->second.binding = next;
  return RenderSuccess("SetToyCertificate", {{"RequestId", request_id}}, json);
}

ApiResponse ToyService::Describe(const Params& p, const std::string& user,
                                 const std::string& request_id, bool json) {
  const std::string name = Param(p, "DomainName");
  if (name.empty()) return RenderError(emulator::MissingParam("DomainName"), request_id, json);
  std::lock_guard<std::mutex> lock(mu_);
  auto d = domains_.find(name);
  if (d == domains_.end() || d->second.user != user) {
    return RenderError(DomainNotFound(), request_id, json);
  }
  return RenderSuccess("DescribeToyCertificate",
                       {{"RequestId", request_id},
                        {"DomainName", name},
                        {"Enabled", d->second.binding.enabled ? "on" : "off"},
                        {"CertId", d->second.binding.cert_id}},
                       json);
}

ApiResponse ToyService::List(const Params& p, const std::string& user,
                             const std::string& request_id, bool json) {
  auto number = [&](const char* name, int64_t absent) {
    const std::string text = Param(p, name);
    return text.empty() ? absent : std::atoll(text.c_str());
  };
  const int64_t page = number("PageNumber", 1), size = number("PageSize", 20);
  if (size < 1 || size > 50 || page < 1) {
    return RenderError({400, "InvalidParameter", "PageSize must be 1-50, PageNumber from 1."},
                       request_id, json);
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> mine;
  for (const auto& [name, d] : domains_) {
    if (d.user == user) mine.push_back(name);
  }
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t i = (page - 1) * size; i < page * size && i < static_cast<int64_t>(mine.size());
       ++i) {
    rows.push_back({{"DomainName", mine[static_cast<size_t>(i)]}});
  }
  return RenderSuccess("DescribeToyDomains",
                       {{"RequestId", request_id},
                        {"TotalCount", mine.size()},
                        {"PageNumber", page},
                        {"PageSize", size},
                        {"Domains", {{"Domain", rows}}}},
                       json);
}

void ToyService::PutToyDomain(const std::string& name, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  domains_[name] = {user, {}};
}

std::optional<ToyBinding> ToyService::Binding(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto d = domains_.find(name);
  if (d == domains_.end()) return std::nullopt;
  return d->second.binding;
}

bool ToyService::SetBinding(const std::string& name, ToyBinding binding) {
  std::lock_guard<std::mutex> lock(mu_);
  auto d = domains_.find(name);
  if (d == domains_.end()) return false;
  d->second.binding = binding;
  return true;
}

void ToyService::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  domains_.clear();
}

void ToyService::AddState(nlohmann::json* state) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [name, d] : domains_) {
    doc[name] = {{"user", d.user}, {"enabled", d.binding.enabled}, {"cert_id", d.binding.cert_id}};
  }
  (*state)["toy_domains"] = doc;
}

}  // namespace certform::testing
