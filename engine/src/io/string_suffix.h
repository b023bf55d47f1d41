// SPDX-License-Identifier: MIT
// Tensor names are matched by their ending ("o_proj.weight", "norm.weight"), test answers by
// theirs; C++17 has no std::string::ends_with, so this is the one place that spells it out.
#pragma once

#include <string>

namespace cachelens {

inline bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace cachelens
