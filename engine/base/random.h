// RandomSource: where lineage UUIDs (and, in providers, nonces and jitter) come from.
// Tests use a seeded source so that outputs are reproducible.
#pragma once

#include <cstdint>
#include <string>

namespace certform::engine {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual uint64_t Next64() = 0;
};

// Cryptographically strong (OpenSSL RAND_bytes); made in main().
class SecureRandom final : public RandomSource {
 public:
  uint64_t Next64() override;
};

// An RFC 4122 version-4 UUID in lower-case 8-4-4-4-12 form.
std::string NewUuid(RandomSource& random);

}  // namespace certform::engine
