// The configuration an Adoption (adoption.h) writes: one TOML file per account, in the layout
// `certform fmt` keeps (fmt --check passes on it), every string from an API answer written as an
// escaped TOML basic string. Certificates without a CAS id and their bindings are comments: a
// placeholder asking for the certificate's file (never its key).
#pragma once

#include <string>

#include "engine/plan/adoption.h"

namespace certform::engine {

// `text` as a TOML basic string, quotes included: '"' and '\' escaped, control characters as
// \uXXXX (or \t, \n, ...). `text` must be valid UTF-8 (CertNameProblem checks names from API
// answers; addresses passed the address door and are ASCII).
std::string TomlString(const std::string& text);

// The file of `account`'s part of `adoption`: its certificates (those not already configured),
// placeholders and bindings, headed by a comment saying what made it and when (`now`, UTC).
std::string AdoptionToml(const Adoption& adoption, const std::string& account,
                         const std::string& now);

}  // namespace certform::engine
