// OSS's naming rules for buckets and regions: the checks of an OSS binding's location fields
// (oss_rules.cc), and of every bucket and region before a request is addressed to it
// (OssCnames::Host).
#pragma once

#include <string>
#include <vector>

namespace certform::alicloud {

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

}  // namespace certform::alicloud
