#include "engine/config/binding_address.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/base/domain_name.h"
#include "engine/base/suggest.h"
#include "engine/base/text_escape.h"

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

namespace {

std::string AddressProblemRaw(std::string_view text, std::string* canonical);

}  // namespace

// The problem quotes parts of `text`, which comes from outside: escaped for any output.
std::string AddressProblem(std::string_view text, std::string* canonical) {
  return ForTerminal(AddressProblemRaw(text, canonical));
}

namespace {

std::string AddressProblemRaw(std::string_view text, std::string* canonical) {
  constexpr size_t kMaxAddress = 512;  // a product, a region, a bucket and a 253-character name
  if (text.size() > kMaxAddress) return fmt::format("longer than {} characters", kMaxAddress);
  std::string product = kProductCdn;
  std::string_view rest = text;
  if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    product = std::string(text.substr(0, colon));
    rest = text.substr(colon + 1);
    const auto& known = KnownProducts();
    if (std::find(known.begin(), known.end(), product) == known.end()) {
      const std::string hint = Suggest(product, known);
      return fmt::format("\"{}\" is not a product{}", product,
                         hint.empty() ? fmt::format(" (products: {})", fmt::join(known, ", "))
                                      : fmt::format("; did you mean \"{}\"?", hint));
    }
  }
  std::string location;
  std::string domain;
  if (product == kProductOss) {
    std::string region, bucket;
    if (!SplitOssTarget(std::string(rest), &region, &bucket, &domain) ||
        std::count(rest.begin(), rest.end(), '/') != 2) {
      return "an OSS address is oss:REGION/BUCKET/DOMAIN";
    }
    if (std::string p = RegionProblem(region); !p.empty()) {
      return fmt::format("region \"{}\": {}", region, p);
    }
    if (std::string p = BucketNameProblem(bucket); !p.empty()) {
      return fmt::format("bucket \"{}\": {}", bucket, p);
    }
    location = OssLocation(region, bucket);
  } else {
    if (rest.find('/') != std::string_view::npos) {
      return fmt::format("{} domains have no location (no '/')", ProductTitle(product));
    }
    domain = std::string(rest);
  }
  domain = NormalizeDomain(domain);
  if (product == kProductOss && (domain.starts_with(".") || domain.starts_with("*."))) {
    return "OSS has no wildcard domains";
  }
  if (std::string p = DomainNameProblem(domain); !p.empty()) return p;
  AddressParts parts;
  parts.location = location;
  parts.domain = domain;
  *canonical = BindingAddress(product, parts.Target());
  return "";
}

}  // namespace

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

namespace {

bool LowerDigitsHyphens(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-';
  });
}

bool AllOf(const std::string& s, int (*is)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [is](unsigned char c) { return is(c); });
}

}  // namespace

std::string BucketNameProblem(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return "a bucket name has 3 to 63 characters";
  if (!LowerDigitsHyphens(name)) {
    return "a bucket name has only lower-case letters, digits and hyphens";
  }
  if (name.front() == '-' || name.back() == '-') {
    return "a bucket name starts and ends with a letter or digit";
  }
  return "";
}

const std::vector<std::string>& KnownRegions() {
  // https://www.alibabacloud.com/help/en/oss/user-guide/regions-and-endpoints (public cloud)
  static const std::vector<std::string> kRegions = {"cn-hangzhou",
                                                    "cn-shanghai",
                                                    "cn-nanjing",
                                                    "cn-fuzhou",
                                                    "cn-wuhan-lr",
                                                    "cn-qingdao",
                                                    "cn-beijing",
                                                    "cn-zhangjiakou",
                                                    "cn-huhehaote",
                                                    "cn-wulanchabu",
                                                    "cn-shenzhen",
                                                    "cn-heyuan",
                                                    "cn-guangzhou",
                                                    "cn-chengdu",
                                                    "cn-hongkong",
                                                    "ap-northeast-1",
                                                    "ap-northeast-2",
                                                    "ap-southeast-1",
                                                    "ap-southeast-3",
                                                    "ap-southeast-5",
                                                    "ap-southeast-6",
                                                    "ap-southeast-7",
                                                    "us-east-1",
                                                    "us-west-1",
                                                    "na-south-1",
                                                    "eu-central-1",
                                                    "eu-west-1",
                                                    "me-east-1",
                                                    "me-central-1",
                                                    "cn-shanghai-finance-1",
                                                    "cn-shenzhen-finance-1",
                                                    "cn-beijing-finance-1",
                                                    "cn-north-2-gov-1"};
  return kRegions;
}

std::string RegionProblem(const std::string& region) {
  if (region.empty()) return "the region id is empty";
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dash = region.find('-', start);
    parts.push_back(region.substr(start, dash == std::string::npos ? dash : dash - start));
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  bool ok = parts.size() >= 2 && parts[0].size() >= 2 && parts[0].size() <= 3 &&
            AllOf(parts[0], std::islower) && AllOf(parts[1], std::islower) && region.size() <= 32;
  for (size_t i = 2; ok && i < parts.size(); ++i) {
    ok = std::all_of(parts[i].begin(), parts[i].end(),
                     [](unsigned char c) { return std::islower(c) || std::isdigit(c); }) &&
         !parts[i].empty();
  }
  if (ok) return "";
  std::string hint = Suggest(region, KnownRegions());
  if (hint.empty()) {
    for (const std::string& known : KnownRegions()) {
      if (known.ends_with("-" + region)) hint = known;  // "hangzhou" → "cn-hangzhou"
    }
  }
  return fmt::format(
      "a region id is written as Alibaba Cloud lists it (e.g. \"cn-hangzhou\", "
      "\"ap-southeast-1\"){}",
      hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint));
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
