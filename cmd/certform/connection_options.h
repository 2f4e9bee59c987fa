// The options of every command that talks to the API: where to send calls, whom to trust, and
// which profile the accounts with credentials = "profile" use.
#pragma once

#include <string>

namespace certform::cli {

struct ConnectionOptions {
  std::string endpoint_override;  // --endpoint: every account (and STS) talks to this URL instead
  std::string ca_bundle;          // --ca-bundle: PEM file of trusted CAs
  std::string profile;            // --profile: the profile of credentials = "profile"
};

}  // namespace certform::cli
