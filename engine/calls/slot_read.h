// What a read of a listener says of one of its certificate slots (ProductRules::slots). A slot
// product's ReadBinding reports the whole listener: its default certificate (https, cert_id) and
// the CAS ids of every additional one (LiveBinding::additional_ids), since the product knows no
// certform keys. The default slot is the default certificate as read. An additional slot
// ("sni:KEY") is the certificate certform recorded there: served (https on, that CAS id) while
// the listener lists it, missing (https off) once it does not. Nothing else of the listener is
// that slot's, so drift, refresh and plans compare only the slot's own certificate.
#pragma once

#include <cstdint>

#include "engine/calls/provider.h"

namespace certform::engine {

// Turns `live`, a read of the listener `address` names, into the read of its slot; `recorded`
// is the CAS id the state records for the slot (0: none). No change for other products.
void ViewSlot(const Address& address, int64_t recorded, LiveBinding* live);

}  // namespace certform::engine
