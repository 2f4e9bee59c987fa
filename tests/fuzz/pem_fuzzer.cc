// libFuzzer target: certificate chain and private key PEM parsing.
#include <cstdint>
#include <string>

#include "engine/config/certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string pem(reinterpret_cast<const char*>(data), size);
  certform::engine::CertificateChain chain;
  if (certform::engine::CertificateChain::Parse(pem, &chain).ok()) {
    chain.Inspect();
    chain.CheckOrder();
  }
  certform::engine::PrivateKey key;
  if (certform::engine::PrivateKey::Parse(pem, &key).ok() && chain.size() > 0) key.Matches(chain);
  return 0;
}
