// SPDX-License-Identifier: MIT
// Short constructors for the parameter tables of the strategy files.
#pragma once

#include <string>
#include <vector>

#include "cachelens/strategy.h"

namespace cachelens::cache {

inline StrategyParam int_param(std::string key, int64_t value, int64_t min, int64_t max,
                               std::string description) {
  StrategyParam p;
  p.key = std::move(key);
  p.type = StrategyParam::Type::Int;
  p.default_value = std::to_string(value);
  p.min = static_cast<double>(min);
  p.max = static_cast<double>(max);
  p.description = std::move(description);
  return p;
}

inline StrategyParam double_param(std::string key, std::string value, double min, double max,
                                  std::string description) {
  StrategyParam p;
  p.key = std::move(key);
  p.type = StrategyParam::Type::Double;
  p.default_value = std::move(value);
  p.min = min;
  p.max = max;
  p.description = std::move(description);
  return p;
}

inline StrategyParam bool_param(std::string key, bool value, std::string description) {
  StrategyParam p;
  p.key = std::move(key);
  p.type = StrategyParam::Type::Bool;
  p.default_value = value ? "true" : "false";
  p.description = std::move(description);
  return p;
}

inline StrategyParam choice_param(std::string key, std::string value,
                                  std::vector<std::string> choices, std::string description) {
  StrategyParam p;
  p.key = std::move(key);
  p.type = StrategyParam::Type::Choice;
  p.default_value = std::move(value);
  p.choices = std::move(choices);
  p.description = std::move(description);
  return p;
}

inline std::vector<UnmaskRule> all_rules() {
  return {UnmaskRule::Fixed, UnmaskRule::Threshold, UnmaskRule::Factor, UnmaskRule::Random};
}

// Positions [begin, end) as a RowSet-ready vector.
inline std::vector<int64_t> position_range(int64_t begin, int64_t end) {
  std::vector<int64_t> out;
  for (int64_t p = begin; p < end; ++p) out.push_back(p);
  return out;
}

}  // namespace cachelens::cache
