// A binding's address: where a domain's certificate lives, as one string that keys the state, the
// plan and the journal. A CDN domain is its own address ("www.example.com", as before products
// came); a domain on another product is prefixed with it ("dcdn:www.example.com"), so that one
// name may be bound on several products. No domain name holds ':', so the two never collide.
// An OSS custom domain also names its bucket: "oss:REGION/BUCKET/DOMAIN" (no domain, bucket or
// region name holds '/').
#pragma once

#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace certform::engine {

inline constexpr char kProductCdn[] = "cdn";
inline constexpr char kProductDcdn[] = "dcdn";
inline constexpr char kProductOss[] = "oss";

// The products a binding may name, CDN first.
const std::vector<std::string>& KnownProducts();

// The address of `target` on `product`: `target` is what the product's provider is given (the
// domain; "REGION/BUCKET/DOMAIN" on OSS).
std::string BindingAddress(const std::string& product, const std::string& target);

struct AddressParts {
  std::string product = kProductCdn;
  std::string location;  // OSS: "REGION/BUCKET"; empty on the other products
  std::string domain;

  // What the product's provider is given for this binding: the domain, or "REGION/BUCKET/DOMAIN".
  std::string Target() const { return location.empty() ? domain : location + "/" + domain; }
};
// The product and domain of `address`; an unknown prefix is left in the domain (which then fails
// as a domain name wherever it is checked).
AddressParts SplitAddress(const std::string& address);
inline std::string ProductOf(const std::string& address) { return SplitAddress(address).product; }

// The one door for an address that comes from outside the configuration: a state file or row, a
// journal, a saved plan, `import`, `--target`, `state show/rm`. It applies the configuration's
// own rules (a known product, a domain name as DomainNameProblem checks it, lower-cased; on OSS no
// wildcard and a location "REGION/BUCKET" as RegionProblem and BucketNameProblem check them) and
// yields the one canonical form of the address in `*canonical` ("cdn:WWW.Example.com" →
// "www.example.com"). Returns the problem, empty when `text` is a valid address.
std::string AddressProblem(std::string_view text, std::string* canonical);

// The order of bindings and changes: by account, then product (as KnownProducts lists them, so
// that a plan groups each product's changes), then domain.
std::tuple<std::string, size_t, std::string> BindingOrder(const std::string& account,
                                                          const std::string& address);

// What an account-wide stop covers: an account on one product ("main", "main/dcdn"). A refused
// key stops every product of it alike, but a dead endpoint is one product's.
std::string StopKey(const std::string& account, const std::string& address);

// The products' display names: "CDN", "DCDN", "OSS".
std::string ProductTitle(const std::string& product);

// Where an OSS custom domain lives, as its address and its provider write it: "REGION/BUCKET".
std::string OssLocation(const std::string& region, const std::string& bucket);
// OSS bucket names (OSS naming rules): 3-63 lower-case letters, digits and hyphens, starting and
// ending with a letter or digit. Empty when `name` is one, else why not.
std::string BucketNameProblem(const std::string& name);

// Region ids in the form Alibaba Cloud documents them ("cn-hangzhou", "ap-southeast-1",
// "cn-shanghai-finance-1"): an area of 2 or 3 letters, then one or more parts of lower-case
// letters or digits, the first of them letters. Empty when `region` is one, else why not (with a
// "did you mean" from KnownRegions when one is close).
std::string RegionProblem(const std::string& region);

// The region ids Alibaba Cloud lists for OSS (regions and endpoints, 2026), for "did you mean".
const std::vector<std::string>& KnownRegions();

// Splits "REGION/BUCKET[/DOMAIN]" (a location or an OSS target); false when it has no '/'.
bool SplitOssTarget(const std::string& target, std::string* region, std::string* bucket,
                    std::string* domain);

}  // namespace certform::engine
