// Loading what most commands start from: the configuration with its certificates checked.
#pragma once

#include "cmd/certform/command_line.h"
#include "cmd/certform/context.h"
#include "engine/config.h"
#include "engine/diagnostics.h"

namespace certform::cli {

// LoadConfig + ResolveCertificates: every problem of both, sorted by file and line.
engine::Config LoadCheckedConfig(const CommonOptions& common, Context& ctx,
                                 engine::Diagnostics* diags);

}  // namespace certform::cli
