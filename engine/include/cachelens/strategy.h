// SPDX-License-Identifier: MIT
// The cache strategies a run can use, as data the CLI and UI can show and edit: names,
// descriptions, every parameter with its default and range (cache-strategies.md). The strategies
// themselves live in engine/src/cache, one file each, behind one interface.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cachelens/decode.h"

namespace cachelens {

struct StrategyParam {
  enum class Type { Int, Double, Bool, Choice };
  std::string key;
  Type type = Type::Int;
  std::string default_value;
  std::string description;
  double min = 0.0, max = 0.0;       // inclusive range for Int and Double
  std::vector<std::string> choices;  // for Choice
};

struct StrategyInfo {
  std::string name;         // registry key, e.g. "fast-dllm-dual"
  std::string title;        // for people, e.g. "Fast-dLLM dual cache"
  std::string description;  // one or two sentences: what is cached, when it is refreshed
  std::vector<StrategyParam> params;
  std::vector<UnmaskRule> rules;  // unmasking rules it is defined for
  // The setting under which it must give exactly the tokens of `none` (tests use it).
  std::map<std::string, std::string> exact_setting;
};

// Every registered strategy, `none` first.
const std::vector<StrategyInfo>& strategy_catalog();
// Throws Error listing the registered names when `name` is unknown.
const StrategyInfo& strategy_info(const std::string& name);
// The rule a strategy runs with: `requested` when it is defined for it, else its first allowed
// rule (e.g. dkv-greedy, defined only for random). Its baseline is a `none` run with that rule.
UnmaskRule rule_for(const std::string& strategy, UnmaskRule requested);
// "all" or a comma-separated list; every name checked.
std::vector<std::string> parse_strategy_list(const std::string& text);

// A strategy and the parameters the user changed (key -> value text); the rest keep defaults.
struct StrategySettings {
  std::string name = "none";
  std::map<std::string, std::string> values;

  // Every parameter with its value (defaults filled in).
  std::map<std::string, std::string> resolved() const;
  // Throws Error naming the key and what is allowed: unknown keys, bad numbers, out-of-range
  // values, and a rule the strategy is not defined for.
  void validate(UnmaskRule rule) const;
  // Typed reads of a resolved value (validate first).
  int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::string get(const std::string& key) const;
};

// Builds settings from "key=value" texts (the CLI's --set); errors name the malformed text.
StrategySettings parse_strategy_settings(const std::string& name,
                                         const std::vector<std::string>& assignments);

}  // namespace cachelens
