#include "engine/base/random.h"

#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

namespace certform::engine {

uint64_t SecureRandom::Next64() {
  uint64_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) {
    // Without entropy nothing certform generates could be trusted; this is not recoverable.
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return v;
}

std::string NewUuid(RandomSource& random) {
  uint64_t hi = random.Next64();
  uint64_t lo = random.Next64();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

}  // namespace certform::engine
