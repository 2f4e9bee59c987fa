#include "engine/config/binding_address.h"

#include <algorithm>
#include <cctype>

namespace certform::engine {

const std::vector<std::string>& KnownProducts() {
  static const std::vector<std::string> kProducts = {kProductCdn, kProductDcdn, kProductOss};
  return kProducts;
}

std::string BindingAddress(const std::string& product, const std::string& target) {
  return product == kProductCdn ? target : product + ":" + target;
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
      if (product == kProductOss) {
        if (const size_t slash = parts.domain.rfind('/'); slash != std::string::npos) {
          parts.location = parts.domain.substr(0, slash);
          parts.domain = parts.domain.substr(slash + 1);
        }
      }
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
  const size_t rank =
      static_cast<size_t>(std::find(known.begin(), known.end(), parts.product) - known.begin());
  return {account, rank, parts.domain + (parts.location.empty() ? "" : " " + parts.location)};
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

std::string OssLocation(const std::string& region, const std::string& bucket) {
  return region + "/" + bucket;
}

bool SplitOssTarget(const std::string& target, std::string* region, std::string* bucket,
                    std::string* domain) {
  const size_t first = target.find('/');
  if (first == std::string::npos) return false;
  *region = target.substr(0, first);
  const size_t second = target.find('/', first + 1);
  *bucket = target.substr(first + 1,
                          second == std::string::npos ? std::string::npos : second - first - 1);
  *domain = second == std::string::npos ? "" : target.substr(second + 1);
  return !region->empty() && !bucket->empty();
}

}  // namespace certform::engine
