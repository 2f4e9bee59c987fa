#include "engine/product/product_rules.h"

#include "engine/base/config_name.h"
#include "engine/base/domain_name.h"

namespace certform::engine {

const char* CallKindName(CallKind kind) {
  switch (kind) {
    case CallKind::kSetBinding:
      return "set binding";
    case CallKind::kReadBinding:
      return "read binding";
    case CallKind::kUpload:
      return "upload certificate";
    case CallKind::kListUploaded:
      return "list uploaded certificates";
    case CallKind::kGetCertificate:
      return "get certificate";
    case CallKind::kDeleteCertificate:
      return "delete certificate";
    case CallKind::kListDomains:
      return "list domains";
    case CallKind::kPollJob:
      return "poll job";
  }
  return "call";
}

CallLimit DefaultCallLimit(CallKind kind) {
  const bool read = kind == CallKind::kReadBinding || kind == CallKind::kListDomains ||
                    kind == CallKind::kPollJob;
  return CallLimit{CallKindName(kind), read ? 100.0 : 10.0};
}

std::string SlotProblem(const std::string& slot, const SlotRules& rules) {
  if (slot == kDefaultSlot) return "";
  if (!slot.starts_with(kSniSlotPrefix)) {
    return rules.additional ? (rules.sni_key == SlotRules::SniKey::kDomain
                                   ? "a slot is \"default\" or \"sni:DOMAIN\""
                                   : "a slot is \"default\" or \"sni:CERTIFICATE\"")
                            : "a slot is \"default\" (this product has no additional certificates)";
  }
  if (!rules.additional) return "this product has no additional (SNI) certificates";
  const std::string key = slot.substr(sizeof(kSniSlotPrefix) - 1);
  if (rules.sni_key == SlotRules::SniKey::kDomain) {
    // The domain extension's domain, as the configuration's door writes it (lower case).
    if (std::string problem = SniDomainProblem(key); !problem.empty()) {
      return "the domain of an additional slot: " + problem;
    }
    if (NormalizeDomain(key) != key)
      return "the domain of an additional slot is written in lower case";
    return "";
  }
  // A certificate key as the configuration names it: [certificate.KEY].
  if (std::string problem = ConfigNameProblem(key); !problem.empty()) {
    return "the certificate key of an additional slot " + problem;
  }
  return "";
}

const WriteCall* ProductRules::FindWrite(const std::string& api) const {
  for (const WriteCall& w : write_calls) {
    if (w.limit.api == api) return &w;
  }
  return nullptr;
}

const WriteCall& ProductRules::WriteFor(const std::string& api) const {
  const WriteCall* w = FindWrite(api);
  return w != nullptr ? *w : DefaultWrite();
}

CallLimit ProductRules::Limit(CallKind kind) const {
  if (kind == CallKind::kSetBinding && !write_calls.empty()) return DefaultWrite().limit;
  for (const auto& [k, limit] : calls) {
    if (k == kind) return limit;
  }
  return DefaultCallLimit(kind);
}

}  // namespace certform::engine
