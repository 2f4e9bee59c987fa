// OSS's naming rules for buckets and regions (the location fields of an OSS binding).
#include "providers/alicloud/oss_names.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/base/region_id.h"
#include "engine/base/suggest.h"

namespace certform::alicloud {

using engine::Suggest;

namespace {

bool LowerDigitsHyphens(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-';
  });
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
  // The shape, as every region id certform reads (engine/base/region_id.h).
  if (engine::RegionIdProblem(region).empty()) return "";
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

}  // namespace certform::alicloud
