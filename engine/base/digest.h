// SHA-256 helpers (OpenSSL EVP) used for certificate fingerprints and configuration digests.
#pragma once

#include <string>
#include <string_view>

namespace certform::engine {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Lower-case hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);

// "3f2a1b0c…" style short form used in human output: the first `n` hex digits.
std::string ShortFingerprint(const std::string& hex, size_t n = 8);

}  // namespace certform::engine
