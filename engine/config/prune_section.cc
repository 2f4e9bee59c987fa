// [prune]: what `certform prune` may leave unread. Today one key, skip_products: the products
// the users of this configuration have none of (prune then does not list them, and says so).
#include <algorithm>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/config/toml_file_reader.h"

namespace certform::engine::config_reading {

namespace {

const std::vector<std::string> kPruneKeys = {"skip_products"};

}  // namespace

void FileReader::ReadPrune(const toml::node& n) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return WrongType(n, "prune", "a table, like [prune]");
  if (!FirstDefinition("[prune]", Pos(n))) return;
  config_->prune.configured = true;
  CheckKeys(*t, kPruneKeys, "[prune]");
  const toml::node* skip = t->get("skip_products");
  if (skip == nullptr) return;
  const toml::array* list = skip->as_array();
  if (list == nullptr) return WrongType(*skip, "skip_products", "an array of product names");
  PruneSettings& p = config_->prune;
  p.where = Pos(*skip);
  const std::vector<std::string>& known = KnownProducts();
  for (const toml::node& item : *list) {
    if (!item.is_string()) {
      WrongType(item, "skip_products", "an array of product names");
      continue;
    }
    const std::string product = *item.value<std::string>();
    if (std::find(known.begin(), known.end(), product) == known.end()) {
      const std::string hint = Suggest(product, known);
      // The value is printed only when it is a plain word: it may hold anything.
      const bool plain = std::all_of(product.begin(), product.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      });
      diags_->Error(Pos(item),
                    plain ? fmt::format("unknown product \"{}\" in skip_products", product)
                          : "unknown product in skip_products",
                    hint.empty() ? fmt::format("the products are {}", fmt::join(known, ", "))
                                 : fmt::format("did you mean \"{}\"?", hint));
      continue;
    }
    if (std::find(p.skip_products.begin(), p.skip_products.end(), product) !=
        p.skip_products.end()) {
      diags_->Error(Pos(item), fmt::format("\"{}\" is named twice in skip_products", product));
      continue;
    }
    p.skip_products.push_back(product);
  }
}

void CheckPruneSkips(const Config& config, Diagnostics* diags) {
  for (const std::string& product : config.prune.skip_products) {
    for (const DesiredBinding& b : config.bindings) {
      if (b.address.product != product) continue;
      diags->Error(config.prune.where,
                   fmt::format("skip_products names {}, yet the configuration binds {} there",
                               ProductTitle(product), b.address.Key()),
                   fmt::format("binding at {}; skip a product only when the users of this "
                               "configuration have none of it (prune would otherwise delete a "
                               "certificate bound there)",
                               b.where.ToString()));
      break;
    }
  }
}

}  // namespace certform::engine::config_reading
