#include "engine/calls/provider.h"

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

}  // namespace certform::engine
