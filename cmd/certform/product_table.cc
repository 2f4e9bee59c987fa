#include "cmd/certform/product_table.h"

#include "engine/product/product_catalog.h"
#include "providers/alicloud/alb_provider.h"
#include "providers/alicloud/cdn_provider.h"
#include "providers/alicloud/clb_provider.h"
#include "providers/alicloud/dcdn_provider.h"
#include "providers/alicloud/nlb_provider.h"
#include "providers/alicloud/oss_provider.h"

namespace certform::cli {

std::vector<ProductRow>& ProductTable() {
  static std::vector<ProductRow> table = {
      {&alicloud::CdnProvider::Rules, &alicloud::CdnProvider::Make},
      {&alicloud::DcdnProvider::Rules, &alicloud::DcdnProvider::Make},
      {&alicloud::OssProvider::Rules, &alicloud::OssProvider::Make},
      {&alicloud::AlbProvider::Rules, &alicloud::AlbProvider::Make},
      {&alicloud::NlbProvider::Rules, &alicloud::NlbProvider::Make},
      {&alicloud::ClbProvider::Rules, &alicloud::ClbProvider::Make},
  };
  return table;
}

void InstallProductTable() {
  std::vector<engine::ProductRules> rules;
  for (const ProductRow& row : ProductTable()) rules.push_back(row.rules());
  engine::InstallProducts(std::move(rules));
}

const ProductRow* FindProductRow(const std::string& name) {
  for (const ProductRow& row : ProductTable()) {
    if (row.rules().name == name) return &row;
  }
  return nullptr;
}

}  // namespace certform::cli
