#include "engine/calls/provider.h"

namespace certform::engine {

Provider* AccountRuntime::ProviderFor(const std::string& product) const {
  auto it = products.find(product);
  return it == products.end() ? nullptr : it->second;
}

}  // namespace certform::engine
