// SPDX-License-Identifier: MIT
// Pieces of config.json handling shared by the parser and the writer (internal to src/io).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace cachelens {

using Pinpoints = std::vector<std::pair<int64_t, int64_t>>;

// `where` prefixes every error message ("'<file>': field 'image_grid_pinpoints'").
Pinpoints pinpoints_from_json(const nlohmann::json& list, const std::string& where);
Pinpoints expand_pinpoints_text(const std::string& spec, int64_t unit, const std::string& where);

// "anyres_max_<n>" -> n, "anyres" -> 0 (no maximum); anything else is unsupported.
int64_t max_patches_from_aspect_ratio(const std::string& value, const std::string& where);

}  // namespace cachelens
