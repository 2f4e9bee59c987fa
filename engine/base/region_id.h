// An Alibaba Cloud region id as certform accepts it wherever it comes from (the configuration's
// cert_region and cas_region, a state's cert_region): two or more parts joined by '-', the first
// two to three lower-case letters, the second lower-case letters, the rest lower-case letters and
// digits ("cn-hangzhou", "ap-southeast-1", "cn-north-2-gov-1"), at most 32 characters.
#pragma once

#include <string>
#include <string_view>

namespace certform::engine {

// The problem with `region`, or "" when it is a region id.
std::string RegionIdProblem(std::string_view region);

}  // namespace certform::engine
