#include "cmd/certform/style.h"

namespace certform::cli {

Style Style::For(const Context& ctx, bool no_color_flag) {
  auto no_color = ctx.env("NO_COLOR");
  return Style(ctx.out_is_tty && !no_color_flag && !(no_color && !no_color->empty()));
}

std::string Style::Wrap(const char* code, std::string_view s) const {
  if (!color_) return std::string(s);
  return "\x1b[" + std::string(code) + "m" + std::string(s) + "\x1b[0m";
}

}  // namespace certform::cli
