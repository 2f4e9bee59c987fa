// ViewSlot (engine/calls/slot_read.h): a listener's read seen through one slot. An additional
// slot is bound while the CAS id certform recorded for it is listed and not leaving (being
// dissociated, by anyone): drift then reports it, while prune still keeps every listed id.
#include "engine/calls/slot_read.h"

#include <catch2/catch.hpp>

#include "engine/apply/prune.h"
#include "engine/product/product_catalog.h"

using namespace certform::engine;

namespace {

// The first installed product whose bindings are slots (a listener product).
const ProductRules& SlotProduct() {
  for (const ProductRules& r : Products()) {
    if (r.slots.enabled) return r;
  }
  FAIL("no slot product installed");
  return Products().front();
}

LiveBinding Listener() {
  LiveBinding live;
  live.exists = true;
  live.https = true;
  live.cert_id = 7;  // the default certificate
  live.additional_ids = {5, 9};
  return live;
}

}  // namespace

TEST_CASE("slot read: an additional slot is bound while its certificate is listed, not leaving",
          "[slots]") {
  const ProductRules& rules = SlotProduct();
  const Address sni{rules.name, {"cn-hangzhou", "lsn-a"}, "sni:web"};

  LiveBinding bound = Listener();
  ViewSlot(sni, 9, &bound);
  CHECK(bound.https);
  CHECK(bound.cert_id == 9);

  LiveBinding leaving = Listener();
  leaving.additional_leaving = {9};
  ViewSlot(sni, 9, &leaving);
  CHECK_FALSE(leaving.https);
  CHECK(leaving.cert_id == 0);
  // Still served: prune, given that read of the slot, keeps it (and 5), and only them.
  const auto upload = [](int64_t id) {
    return UploadEntry{.account = "main",
                       .fingerprint = std::string(64, 'a'),
                       .name = "certform-" + std::string(16, 'a'),
                       .cert_id = id};
  };
  std::vector<InUse> kept;
  const std::vector<UploadEntry> unused =
      KeepInUse({upload(5), upload(9), upload(12)}, {{sni, "main", true, leaving, "", {}}}, &kept);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].cert_id == 5);
  CHECK(kept[1].cert_id == 9);
  CHECK(kept[1].address.Key() == sni.Key());
  REQUIRE(unused.size() == 1);
  CHECK(unused[0].cert_id == 12);

  LiveBinding other = Listener();
  other.additional_leaving = {5};  // another certificate leaving is not this slot's business
  ViewSlot(sni, 9, &other);
  CHECK(other.https);

  LiveBinding absent = Listener();
  ViewSlot(sni, 4, &absent);
  CHECK_FALSE(absent.https);

  // The default slot is the default certificate, whatever the additional ones do.
  LiveBinding by_default = Listener();
  by_default.additional_leaving = {5, 9};
  ViewSlot({rules.name, {"cn-hangzhou", "lsn-a"}, std::string(kDefaultSlot)}, 0, &by_default);
  CHECK(by_default.https);
  CHECK(by_default.cert_id == 7);
}
