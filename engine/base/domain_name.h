// CDN domain names and certificate name matching.
//
// A CDN domain is a DNS name ("www.example.com") or, for a wildcard CDN domain, a name with a
// leading dot (".example.com"), which is how Alibaba Cloud CDN spells "every subdomain".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace certform::engine {

// Empty when `domain` is a valid CDN domain name, else why not ("label \"-a\" starts with '-'").
// Expects lower case; see NormalizeDomain.
std::string DomainNameProblem(std::string_view domain);

// Empty when `domain` is a domain as a load balancer names the domain its SNI certificate is
// for (CLB's domain extensions): a DNS name, or "*." and one for a wildcard ("*.example.com", as
// CreateDomainExtension writes it; the CDN's ".example.com" is refused). Expects lower case.
std::string SniDomainProblem(std::string_view domain);

// Lower-cases ASCII letters.
std::string NormalizeDomain(std::string_view domain);

// True when a certificate dNSName `san` covers `domain`, by RFC 6125 §6.4.3 as narrowed for
// certform: `*` only as the whole left-most label, matching exactly one non-empty label, and never
// directly above a single label ("*.com"). A wildcard CDN domain ".example.com" is covered only by
// "*.example.com". Comparison is case-insensitive.
bool NameCovers(std::string_view san, std::string_view domain);

// True when any of `sans` covers `domain`.
bool CertificateCovers(const std::vector<std::string>& sans, std::string_view domain);

}  // namespace certform::engine
