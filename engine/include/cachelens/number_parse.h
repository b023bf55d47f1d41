// SPDX-License-Identifier: MIT
// Strict number parsing, one way for every caller (CLI options, strategy parameters): the whole
// text must be the number, so "2x", "" or an out-of-range value is refused rather than read as
// part of it; the caller names the option and what it expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cachelens {

// `text` as a base-10 integer, the whole of it and within int64_t's range; nullopt otherwise.
std::optional<int64_t> parse_int(const std::string& text);

// `text` as a finite decimal number (strtod's syntax), the whole of it; nullopt otherwise.
std::optional<double> parse_double(const std::string& text);

}  // namespace cachelens
