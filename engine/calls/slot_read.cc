#include "engine/calls/slot_read.h"

#include <algorithm>

#include "engine/product/product_catalog.h"

namespace certform::engine {

void ViewSlot(const Address& address, int64_t recorded, LiveBinding* live) {
  const ProductRules* rules = FindProduct(address.product);
  if (rules == nullptr || !rules->slots.enabled || !live->exists) return;
  live->cert_type = live->https ? "cas" : "";
  // The default slot, and an additional one that holds one certificate of its own (a domain
  // extension): the product read the slot itself.
  if (address.domain == kDefaultSlot || rules->slots.sni_key == SlotRules::SniKey::kDomain) return;
  const auto has = [recorded](const std::vector<int64_t>& ids) {
    return std::find(ids.begin(), ids.end(), recorded) != ids.end();
  };
  // A certificate being dissociated is leaving the slot: not bound, whoever removes it.
  const bool listed = recorded != 0 && has(live->additional_ids) && !has(live->additional_leaving);
  live->https = listed;
  live->cert_id = listed ? recorded : 0;
  live->cert_type = listed ? "cas" : "";
  live->cert_ref.clear();
  live->cert_status.clear();
}

}  // namespace certform::engine
