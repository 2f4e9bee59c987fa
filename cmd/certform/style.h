// Terminal styling: colour only on a terminal, and never with NO_COLOR or --no-color.
#pragma once

#include <string>
#include <string_view>

#include "cmd/certform/context.h"

namespace certform::cli {

class Style {
 public:
  explicit Style(bool color) : color_(color) {}
  // Colour when ctx.out is a terminal, NO_COLOR is unset and --no-color was not given.
  static Style For(const Context& ctx, bool no_color_flag);

  std::string Bold(std::string_view s) const { return Wrap("1", s); }
  std::string Green(std::string_view s) const { return Wrap("32", s); }
  std::string Yellow(std::string_view s) const { return Wrap("33", s); }
  std::string Red(std::string_view s) const { return Wrap("31", s); }
  std::string Dim(std::string_view s) const { return Wrap("2", s); }

 private:
  std::string Wrap(const char* code, std::string_view s) const;
  bool color_;
};

}  // namespace certform::cli
