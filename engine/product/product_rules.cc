#include "engine/product/product_rules.h"

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
  }
  return "call";
}

CallLimit DefaultCallLimit(CallKind kind) {
  const bool read = kind == CallKind::kReadBinding || kind == CallKind::kListDomains;
  return CallLimit{CallKindName(kind), read ? 100.0 : 10.0};
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
