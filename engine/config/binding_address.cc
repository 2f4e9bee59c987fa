#include "engine/config/binding_address.h"

#include <algorithm>
#include <cctype>

namespace certform::engine {

const std::vector<std::string>& KnownProducts() {
  static const std::vector<std::string> kProducts = {kProductCdn, kProductDcdn};
  return kProducts;
}

std::string BindingAddress(const std::string& product, const std::string& domain) {
  return product == kProductCdn ? domain : product + ":" + domain;
}

AddressParts SplitAddress(const std::string& address) {
  AddressParts parts;
  const size_t colon = address.find(':');
  if (colon != std::string::npos) {
    const std::string product = address.substr(0, colon);
    const auto& known = KnownProducts();
    if (std::find(known.begin(), known.end(), product) != known.end()) {
      parts.product = product;
      parts.domain = address.substr(colon + 1);
      return parts;
    }
  }
  parts.domain = address;
  return parts;
}

std::tuple<std::string, size_t, std::string> BindingOrder(const std::string& account,
                                                          const std::string& address) {
  AddressParts parts = SplitAddress(address);
  const auto& known = KnownProducts();
  const size_t rank = static_cast<size_t>(
      std::find(known.begin(), known.end(), parts.product) - known.begin());
  return {account, rank, parts.domain};
}

std::string StopKey(const std::string& account, const std::string& address) {
  const std::string product = ProductOf(address);
  return product == kProductCdn ? account : account + "/" + product;
}

std::string ProductTitle(const std::string& product) {
  std::string title = product;
  for (char& c : title) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return title;
}

}  // namespace certform::engine
