// What the slots of one location (a load balancer's listener, ProductRules::slots) share. A
// listener holds a certificate once: when two slots have the same certificate (one CAS id, or
// one content uploaded once), the listener lists it once, and removing it for one slot removes
// it for the other. So certform never removes a slot's certificate while another slot of the same
// listener has, records or will have it: a removal of such a slot is a forget, and a renewal
// associates the new certificate and keeps the old one (docs/design/load-balancers.md).
#pragma once

#include <string>

#include "engine/config/config.h"
#include "engine/state/state.h"

namespace certform::engine {

// The other slot of `entry`'s location (same account and product) whose certificate is
// `entry`'s (same CAS id, or same content): in the configuration (what the plan binds there, an
// upload's content resolved to its CAS id through the state's uploads) or as the state records
// it. Its description (SlotDescription), or "" when none.
std::string SlotSharingCertificate(const Config& config, const State& state,
                                   const StateEntry& entry);

// Why the removal of slot `entry` is only a forget even with on_removal = "disable"; "" when its
// certificate may be removed from the location. A default certificate is never removed (an HTTPS
// listener always has one); a slot with no certificate recorded (or a job not yet confirmed) has
// nothing certform may remove; a certificate another slot shares (SlotSharingCertificate) is that
// slot's too.
std::string SlotKeptReason(const Config& config, const State& state, const StateEntry& entry);

}  // namespace certform::engine
