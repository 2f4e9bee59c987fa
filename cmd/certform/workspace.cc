#include "cmd/certform/workspace.h"

#include "engine/certificate_resolver.h"
#include "engine/config_loader.h"

namespace certform::cli {

engine::Config LoadCheckedConfig(const CommonOptions& common, Context& ctx,
                                 engine::Diagnostics* diags) {
  engine::Config config = engine::LoadConfig(ctx.fs, common.config_dir, diags);
  engine::ResolveCertificates(&config, ctx.fs, ctx.env, ctx.clock.Now(), diags);
  diags->Sort();
  return config;
}

}  // namespace certform::cli
