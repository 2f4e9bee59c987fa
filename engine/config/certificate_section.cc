// [certificate.NAME]: a certificate to upload, or one already in CAS.
#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/region_id.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine::config_reading {

namespace {

const std::vector<std::string> kCertificateKeys = {"type", "cert_file", "key_file",   "key_env",
                                                   "name", "cert_id",   "cert_region"};

}  // namespace

void FileReader::ReadCertificate(const std::string& name, const toml::table& t) {
  CheckKeys(t, kCertificateKeys, fmt::format("[certificate.{}]", name));
  CertificateConfig c;
  c.key = name;
  c.where = Pos(t);
  const std::string context = fmt::format("certificate \"{}\"", name);
  if (auto v = String(t, "type")) {
    if (*v == "cas") {
      c.type = CertType::kCas;
    } else if (*v != "upload") {
      diags_->Error(Pos(*t.get("type")),
                    fmt::format("\"type\" must be \"upload\" or \"cas\", not \"{}\"", *v));
    }
  }
  if (auto v = String(t, "name")) {
    if (v->empty() || v->size() > 128) {
      diags_->Error(Pos(*t.get("name")), "\"name\" must be 1 to 128 characters long",
                    "the API refuses longer names with InvalidCertName.TooLong");
    }
    c.cert_name = *v;
    c.explicit_name = true;
  }
  if (const toml::node* n = t.get("cert_id")) {
    if (!n->is_integer()) {
      WrongType(*n, "cert_id", "an integer");
    } else if (*n->value<int64_t>() <= 0) {
      diags_->Error(Pos(*n), "\"cert_id\" must be a positive integer");
    } else {
      c.cert_id = *n->value<int64_t>();
    }
  }
  if (auto v = String(t, "cert_region")) {
    if (std::string p = RegionIdProblem(*v); !p.empty()) {
      diags_->Error(Pos(*t.get("cert_region")), "\"cert_region\" is " + p);
    } else {
      c.cert_region = *v;
    }
  }
  auto cert_file = String(t, "cert_file");
  auto key_file = String(t, "key_file");
  auto key_env = String(t, "key_env");
  if (c.type == CertType::kUpload) {
    if (!cert_file) {
      if (!t.get("cert_file")) {
        diags_->Error(c.where, fmt::format("{} needs \"cert_file\" (the PEM chain)", context));
      }
    } else {
      c.cert_file = ResolvePath(*cert_file);
      c.cert_file_where = Pos(*t.get("cert_file"));
    }
    if (key_file && key_env) {
      diags_->Error(Pos(*t.get("key_env")),
                    fmt::format("{} sets both \"key_file\" and \"key_env\"; keep one", context));
    } else if (key_file) {
      c.key_file = ResolvePath(*key_file);
      c.key_where = Pos(*t.get("key_file"));
    } else if (key_env) {
      c.key_env = *key_env;
      c.key_where = Pos(*t.get("key_env"));
    } else if (!t.get("key_file") && !t.get("key_env")) {
      diags_->Error(c.where,
                    fmt::format("{} needs \"key_file\" or \"key_env\" (the private key)", context));
    }
    if (t.get("cert_id") || t.get("cert_region")) {
      diags_->Error(Pos(*(t.get("cert_id") ? t.get("cert_id") : t.get("cert_region"))),
                    "\"cert_id\" and \"cert_region\" belong to type = \"cas\" certificates");
    }
  } else {
    if (c.cert_name.empty() && !t.get("name")) {
      diags_->Error(c.where,
                    fmt::format("{} of type \"cas\" needs \"name\" (its name in Certificate "
                                "Management Service)",
                                context));
    }
    for (const char* k : {"cert_file", "key_file", "key_env"}) {
      if (const toml::node* n = t.get(k)) {
        diags_->Error(Pos(*n), fmt::format("\"{}\" does not apply to type = \"cas\"; the "
                                           "certificate already lives in Alibaba Cloud",
                                           k));
      }
    }
  }
  config_->certificates[name] = std::move(c);
}

}  // namespace certform::engine::config_reading
