#include "tests/support/toy/toy_provider.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certform::testing {

namespace {

constexpr int kPageSize = 50;

std::string Text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

}  // namespace

const engine::ProductRules& ToyProvider::Rules() {
  using engine::CallKind;
  static const engine::ProductRules rules = [] {
    engine::ProductRules r;
    r.name = "toy";
    r.title = "Toy";
    r.what = "a toy domain";
    r.wildcards = false;
    r.write_calls = {{{"SetToyCertificate", 5},
                      /*force_set=*/false,
                      /*cas_by_name=*/false,
                      /*cas_by_id=*/true,
                      /*by_content=*/false}};
    r.calls = {{CallKind::kReadBinding, {"DescribeToyCertificate", 10, {"toy:Describe*"}}},
               {CallKind::kListDomains, {"DescribeToyDomains", 10, {"toy:Describe*"}}}};
    r.reads_fingerprint = false;
    r.reads_expiry = false;
    r.default_endpoint = "https://toy.example.com";
    return r;
  }();
  return rules;
}

std::unique_ptr<engine::Provider> ToyProvider::Make(const alicloud::ProductWiring& w) {
  return std::make_unique<ToyProvider>(
      alicloud::RpcClient(*w.transport, *w.clock, *w.random, w.credentials, w.Endpoint(Rules()),
                          kToyApiVersion),
      w.Settings(Rules()).rate_limit);
}

ToyProvider::ToyProvider(alicloud::RpcClient client, double write_rate)
    : client_(std::move(client)), write_rate_(write_rate) {}

engine::CallLimit ToyProvider::Limit(engine::CallKind kind) const {
  engine::CallLimit limit = Rules().Limit(kind);
  if (kind == engine::CallKind::kSetBinding && write_rate_ > 0) limit.rate = write_rate_;
  return limit;
}

engine::Status ToyProvider::SetBinding(const engine::BindingRequest& r,
                                       engine::CallResult* result) {
  if (r.https && r.cert_type != "cas") {
    return engine::Status::InvalidArgument("the toy product binds CAS certificates by id only");
  }
  alicloud::Params p = {{"DomainName", r.address.domain}, {"Enabled", r.https ? "on" : "off"}};
  if (r.https) p.emplace_back("CertId", std::to_string(r.cert_id));
  nlohmann::json body;
  return client_.Call("SetToyCertificate", p, &body, result);
}

engine::Status ToyProvider::ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                                        engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s =
      client_.Call("DescribeToyCertificate", {{"DomainName", address.domain}}, &body, result);
  *live = engine::LiveBinding{};
  if (s.IsNotFound() && result->error_code == "InvalidDomain.NotFound") {
    return engine::Status::OK();  // exists = false
  }
  if (!s.ok()) return s;
  const std::string enabled = Text(body, "Enabled");
  if (enabled != "on" && enabled != "off") {
    return engine::Status::Corruption("DescribeToyCertificate answered without Enabled on|off");
  }
  live->exists = true;
  live->https = enabled == "on";
  live->cert_id = std::strtoll(Text(body, "CertId").c_str(), nullptr, 10);
  if (live->cert_id != 0) live->cert_type = "cas";
  return engine::Status::OK();
}

engine::Status ToyProvider::ListDomainsPage(int page, std::vector<engine::Address>* domains,
                                            int64_t* total, engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s =
      client_.Call("DescribeToyDomains",
                   {{"PageNumber", std::to_string(page)}, {"PageSize", std::to_string(kPageSize)}},
                   &body, result);
  if (!s.ok()) return s;
  auto list = body.find("Domains");
  if (list == body.end() || !list->is_object() || !list->contains("Domain") ||
      !(*list)["Domain"].is_array()) {
    return engine::Status::Corruption("DescribeToyDomains answered without Domains.Domain");
  }
  *total = std::strtoll(Text(body, "TotalCount").c_str(), nullptr, 10);
  for (const nlohmann::json& item : (*list)["Domain"]) {
    if (!item.is_object()) continue;
    if (std::string name = Text(item, "DomainName"); !name.empty()) {
      domains->push_back({Rules().name, {}, name});
    }
  }
  return engine::Status::OK();
}

}  // namespace certform::testing
