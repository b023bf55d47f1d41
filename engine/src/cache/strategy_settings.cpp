// SPDX-License-Identifier: MIT
// Strategy names and parameters as the user writes them: lookup, parsing and validation with
// messages that list what is allowed.
#include <optional>
#include <sstream>

#include "cachelens/error.h"
#include "cachelens/number_parse.h"
#include "cachelens/strategy.h"

namespace cachelens {
namespace {

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& info : strategy_catalog()) names.push_back(info.name);
  return names;
}

const StrategyParam* find_param(const StrategyInfo& info, const std::string& key) {
  for (const auto& p : info.params) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

std::string param_keys(const StrategyInfo& info) {
  std::vector<std::string> keys;
  for (const auto& p : info.params) keys.push_back(p.key);
  return keys.empty() ? "none" : join_names(keys);
}

std::string range_text(const StrategyParam& p) {
  std::ostringstream out;
  if (p.type == StrategyParam::Type::Int) {  // 1048576, not 1.04858e+06
    out << "an integer in [" << static_cast<long long>(p.min) << ", "
        << static_cast<long long>(p.max) << "]";
  } else {
    out << "a number in [" << p.min << ", " << p.max << "]";
  }
  return out.str();
}

// Checks one value against its parameter; the message names strategy, key and what is allowed.
void check_value(const StrategyInfo& info, const StrategyParam& p, const std::string& value) {
  const auto bad = [&](const std::string& expected) {
    fail("strategy ", info.name, ": ", p.key, "=", value, " is invalid (expected ", expected, ")");
  };
  switch (p.type) {
    case StrategyParam::Type::Int:
    case StrategyParam::Type::Double: {
      std::optional<double> v;
      if (p.type == StrategyParam::Type::Int) {
        if (const auto i = parse_int(value)) v = static_cast<double>(*i);
      } else {
        v = parse_double(value);
      }
      if (!v || *v < p.min || *v > p.max) bad(range_text(p));
      break;
    }
    case StrategyParam::Type::Bool:
      if (value != "true" && value != "false") bad("true or false");
      break;
    case StrategyParam::Type::Choice: {
      bool known = false;
      for (const auto& c : p.choices) known = known || c == value;
      if (!known) bad("one of " + join_names(p.choices));
      break;
    }
  }
}

}  // namespace

const StrategyInfo& strategy_info(const std::string& name) {
  for (const auto& info : strategy_catalog()) {
    if (info.name == name) return info;
  }
  fail("unknown strategy '", name, "' (allowed: ", join_names(strategy_names()), ")");
}

UnmaskRule rule_for(const std::string& strategy, UnmaskRule requested) {
  const auto& rules = strategy_info(strategy).rules;
  for (auto r : rules) {
    if (r == requested) return requested;
  }
  return rules.front();
}

std::vector<std::string> parse_strategy_list(const std::string& text) {
  if (text == "all") return strategy_names();
  std::vector<std::string> names;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    item = item.substr(first, item.find_last_not_of(' ') - first + 1);
    strategy_info(item);
    names.push_back(item);
  }
  if (names.empty()) {
    fail("no strategy given (allowed: all, or a comma-separated list of ",
         join_names(strategy_names()), ")");
  }
  return names;
}

std::map<std::string, std::string> StrategySettings::resolved() const {
  const auto& info = strategy_info(name);
  std::map<std::string, std::string> out;
  for (const auto& p : info.params) {
    const auto it = values.find(p.key);
    out[p.key] = it == values.end() ? p.default_value : it->second;
  }
  return out;
}

void StrategySettings::validate(UnmaskRule rule) const {
  const auto& info = strategy_info(name);
  for (const auto& [key, value] : values) {
    const auto* p = find_param(info, key);
    if (!p) {
      fail("strategy ", name, " has no parameter '", key, "' (allowed: ", param_keys(info), ")");
    }
    check_value(info, *p, value);
  }
  bool allowed = false;
  std::vector<std::string> rules;
  for (auto r : info.rules) {
    allowed = allowed || r == rule;
    rules.push_back(unmask_rule_name(r));
  }
  if (!allowed) {
    fail("strategy ", name, " is not defined for --unmask ", unmask_rule_name(rule),
         " (it needs: ", join_names(rules, " or "), ")");
  }
}

std::string StrategySettings::get(const std::string& key) const {
  const auto all = resolved();
  const auto it = all.find(key);
  if (it == all.end()) fail("strategy ", name, " has no parameter '", key, "'");
  return it->second;
}

int64_t StrategySettings::get_int(const std::string& key) const {
  return std::stoll(get(key));
}
double StrategySettings::get_double(const std::string& key) const {
  return std::stod(get(key));
}
bool StrategySettings::get_bool(const std::string& key) const {
  return get(key) == "true";
}

StrategySettings parse_strategy_settings(const std::string& name,
                                         const std::vector<std::string>& assignments) {
  StrategySettings settings;
  settings.name = name;
  strategy_info(name);
  for (const auto& text : assignments) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail("--set expects key=value, got '", text, "'");
    }
    settings.values[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return settings;
}

}  // namespace cachelens
