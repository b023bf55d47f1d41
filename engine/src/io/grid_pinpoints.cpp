// SPDX-License-Identifier: MIT
// image_grid_pinpoints in either form: a JSON list of [w, h] pairs, or LLaVA's range shorthand
// "(1x1),...,(6x6)" which train.py expands to [[unit*i, unit*j] for i for j] (spec §7.1).
#include <cctype>
#include <regex>

#include "cachelens/config.h"
#include "cachelens/error.h"
#include "io/config_fields.h"

namespace cachelens {
namespace {

// Far beyond any real grid (the checkpoint has 36); stops a typo from expanding to millions.
constexpr int64_t kMaxPinpoints = 4096;

bool read_positive(const nlohmann::json& value, int64_t* out) {
  if (!value.is_number_integer()) return false;
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(INT64_MAX)) return false;
  *out = value.get<int64_t>();
  return *out > 0;
}

}  // namespace

Pinpoints pinpoints_from_json(const nlohmann::json& list, const std::string& where) {
  if (!list.is_array()) fail(where, " must be a list of [width, height] pairs");
  if (list.empty()) fail(where, " lists no [width, height] pairs");
  Pinpoints out;
  for (const auto& pair : list) {
    int64_t w = 0, h = 0;
    if (!pair.is_array() || pair.size() != 2 || !read_positive(pair[0], &w) ||
        !read_positive(pair[1], &h)) {
      fail(where, ": expected [width, height] with positive integers, got ", pair.dump());
    }
    out.emplace_back(w, h);
  }
  return out;
}

Pinpoints expand_pinpoints_text(const std::string& spec, int64_t unit, const std::string& where) {
  if (unit <= 0) fail(where, ": the pinpoint unit (vision image size) must be positive");
  size_t first = 0;
  while (first < spec.size() && std::isspace(static_cast<unsigned char>(spec[first]))) ++first;
  if (first < spec.size() && spec[first] == '[') {
    nlohmann::json list;
    try {
      list = nlohmann::json::parse(spec);
    } catch (const nlohmann::json::exception& e) {
      fail(where, " is not a valid JSON list: ", e.what());
    }
    return pinpoints_from_json(list, where);
  }

  // Like train.py, the first and last "(AxB)" groups bound the ranges; only separators may sit
  // between groups, so a malformed string is reported instead of half-read.
  static const std::regex group(R"(\((\d{1,4})x(\d{1,4})\))");
  std::vector<std::pair<int64_t, int64_t>> groups;
  std::string rest;
  size_t last_end = 0;
  for (auto it = std::sregex_iterator(spec.begin(), spec.end(), group);
       it != std::sregex_iterator(); ++it) {
    rest += spec.substr(last_end, it->position() - last_end);
    last_end = it->position() + it->length();
    groups.emplace_back(std::stoll((*it)[1].str()), std::stoll((*it)[2].str()));
  }
  rest += spec.substr(last_end);
  const bool separators_only = rest.find_first_not_of(" ,.") == std::string::npos;
  if (groups.empty() || !separators_only)
    fail(where, ": '", spec, "' is neither a JSON list nor of the form '(1x1),...,(6x6)'");
  const auto [i0, j0] = groups.front();
  const auto [i1, j1] = groups.back();
  if (i0 < 1 || j0 < 1 || i1 < i0 || j1 < j0)
    fail(where, ": '", spec, "' must run from a smaller grid (at least 1x1) to a larger one");
  if ((i1 - i0 + 1) * (j1 - j0 + 1) > kMaxPinpoints)
    fail(where, ": '", spec, "' expands to more than ", kMaxPinpoints, " pinpoints");

  Pinpoints out;
  for (int64_t i = i0; i <= i1; ++i)
    for (int64_t j = j0; j <= j1; ++j) out.emplace_back(unit * i, unit * j);
  return out;
}

std::vector<std::pair<int64_t, int64_t>> expand_grid_pinpoints(const std::string& spec,
                                                               int64_t unit) {
  return expand_pinpoints_text(spec, unit, "image_grid_pinpoints");
}

}  // namespace cachelens
