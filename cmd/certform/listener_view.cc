#include "cmd/certform/listener_view.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "engine/base/text_escape.h"
#include "engine/config/binding_address.h"
#include "engine/product/product_catalog.h"

namespace certform::cli {

namespace {

using engine::Action;
using engine::ForTerminal;

// A side of a slot's change as a reviewer names it: the configuration's certificate key, else
// the CAS id the state recorded, else "none".
std::string Side(const std::optional<engine::StateEntry>& e) {
  if (!e || !e->https) return "none";
  if (!e->certificate.empty()) return ForTerminal(e->certificate);
  if (e->cert_id != 0) return fmt::format("CAS certificate {}", e->cert_id);
  return "a certificate certform did not record";
}

// The slot's name within its listener: "default", or its key ("web", a domain for CLB).
std::string SlotName(const engine::Address& a) {
  if (a.domain == engine::kDefaultSlot) return engine::kDefaultSlot;
  const std::string prefix = engine::kSniSlotPrefix;
  return ForTerminal(a.domain.starts_with(prefix) ? a.domain.substr(prefix.size()) : a.domain);
}

// Which content or CAS certificate an entry holds, for two sides of one key (a renewal).
std::string Detail(const std::optional<engine::StateEntry>& e) {
  if (!e || !e->https) return "";
  if (!e->fingerprint.empty()) return " (" + ForTerminal(e->fingerprint.substr(0, 8)) + "…)";
  if (e->cert_id != 0) return fmt::format(" (CAS certificate {})", e->cert_id);
  return "";
}

// One slot's line: a glyph, what it serves before and after, and what apply does to it.
std::string Line(const engine::Change& c, const Style& style) {
  const bool is_default = c.address.domain == engine::kDefaultSlot;
  // "web → web" says nothing: a renewal under one key names each side's content.
  const bool same_key = Side(c.before) == Side(c.after);
  const auto Before = [&] { return Side(c.before) + (same_key ? Detail(c.before) : ""); };
  const auto After = [&] { return Side(c.after) + (same_key ? Detail(c.after) : ""); };
  switch (c.action) {
    case Action::kCreate:
      return is_default ? fmt::format("{} {} (replaces the listener's default)", style.Yellow("~"),
                                      Side(c.after))
                        : fmt::format("{} {} (added)", style.Green("+"), Side(c.after));
    case Action::kUpdate:
      if (is_default) return fmt::format("{} {} → {}", style.Yellow("~"), Before(), After());
      if (c.keeps_previous) {
        return fmt::format("{} {} (added; {} stays: another slot of the listener has it)",
                           style.Green("+"), After(), Before());
      }
      return fmt::format(
          "{} {} → {} (the new one is added first, then the old one removed: the "
          "listener never lacks it)",
          style.Yellow("~"), Before(), After());
    case Action::kDelete:
      return fmt::format("{} {} (removed)", style.Red("-"), Side(c.before));
    case Action::kForget:
      return fmt::format("= {} (forgotten: the listener keeps serving it)", Side(c.before));
    case Action::kRename:
      return fmt::format("= {} (renamed in the state only, no call)", Side(c.after));
    case Action::kNoOp:
      break;
  }
  return fmt::format("= {} (unchanged)", Side(c.after));
}

}  // namespace

void PrintListeners(std::ostream& out, const engine::Plan& plan, const Style& style) {
  // By product (in the catalog's order), then listener: every slot of a listener any change
  // touches, the default first.
  using Key = std::tuple<size_t, std::string, std::string>;  // product order, location, account
  std::map<Key, std::vector<const engine::Change*>> listeners;
  const std::vector<std::string> products = engine::ProductNames();
  for (const engine::Change& c : plan.changes) {
    if (!engine::IsSlot(c.address)) continue;
    const size_t order = static_cast<size_t>(
        std::find(products.begin(), products.end(), c.address.product) - products.begin());
    listeners[{order, c.address.product + ":" + c.address.Location(), c.account}].push_back(&c);
  }
  std::erase_if(listeners, [](const auto& entry) {
    return std::all_of(entry.second.begin(), entry.second.end(),
                       [](const engine::Change* c) { return c->action == Action::kNoOp; });
  });
  if (listeners.empty()) return;
  fmt::print(out, "\n{}\n", style.Bold("Per listener (what each one serves after apply):"));
  for (auto& [key, changes] : listeners) {
    std::stable_sort(changes.begin(), changes.end(),
                     [](const engine::Change* a, const engine::Change* b) {
                       return (a->address.domain == engine::kDefaultSlot) >
                              (b->address.domain == engine::kDefaultSlot);
                     });
    const engine::Address& a = changes.front()->address;
    const engine::ProductRules* rules = engine::FindProduct(a.product);
    fmt::print(out, "\n  {} {} {} (account {})\n", rules->title, rules->slots.of,
               style.Bold(ForTerminal(a.Location())), ForTerminal(std::get<2>(key)));
    const char* label = "";
    bool additional_seen = false;
    for (const engine::Change* c : changes) {
      const bool is_default = c->address.domain == engine::kDefaultSlot;
      if (is_default) {
        label = "default";
      } else if (!additional_seen) {
        label = rules->slots.sni_key == engine::SlotRules::SniKey::kDomain ? "extensions"
                                                                           : "additional";
        additional_seen = true;
      } else {
        label = "";
      }
      fmt::print(out, "      {:<12} {:<14} {}\n", label, SlotName(c->address), Line(*c, style));
      for (const std::string& why : c->reasons) {
        fmt::print(out, "      {:<12} {:<14}   why: {}\n", "", "", ForTerminal(why));
      }
    }
    if (rules->slots.additional) {
      fmt::print(out, "      {:<12} {}\n", "others",
                 "any other certificate of the listener stays: certform removes only what it "
                 "bound");
    }
  }
}

}  // namespace certform::cli
