// libFuzzer target: the provider's reading of API answers (errors and read-back), and the
// emulator's decoding of form bodies.
#include <cstdint>
#include <string>

#include "cmd/certform/product_table.h"
#include "providers/alicloud/cdn_provider.h"
#include "providers/alicloud/errors.h"
#include "providers/alicloud/signer.h"

// The products certform binds on, installed as its main() does.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  certform::cli::InstallProductTable();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  certform::providers::HttpResponse response;
  response.status = 200 + (data[0] % 4) * 100;  // 200, 300, 400, 500
  response.body = body;
  response.headers["x-acs-retry-after"] = body.substr(0, 12);
  nlohmann::json doc;
  certform::engine::CallResult result;
  certform::alicloud::SecretScrubber scrubber;
  scrubber.Add("fuzz-secret-value");
  if (certform::alicloud::InterpretResponse(response, "fuzzid", scrubber, &doc, &result).ok()) {
    certform::engine::LiveBinding live;
    (void)certform::alicloud::ParseCertificateInfo(doc, "www.example.com", &live);
  }
  certform::alicloud::ParseFormEncoded(body);
  return 0;
}
