#include "engine/calls/provider.h"

#include "engine/config/binding_address.h"

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

Provider* AccountRuntime::ProviderFor(const std::string& product) const {
  if (product == kProductCdn) return provider;
  auto it = products.find(product);
  return it == products.end() ? nullptr : it->second;
}

}  // namespace certform::engine
