// SPDX-License-Identifier: MIT
#include "args.h"

#include <iterator>

#include "cachelens/error.h"
#include "cachelens/number_parse.h"

namespace cachelens::cli {

Args::Args(int argc, char** argv, int first, const std::set<std::string>& options,
           const std::set<std::string>& flags) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) fail("unexpected argument '", arg, "'");
    std::string name = arg.substr(2), value;
    const auto eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name)) {
      if (inline_value) fail("option --", name, " takes no value");
      flags_.insert(name);
    } else if (options.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argc) fail("option --", name, " needs a value");
        value = argv[++i];
      }
      values_.emplace(name, value);
    } else {
      std::string allowed;
      for (const auto& o : options) allowed += " --" + o;
      for (const auto& f : flags) allowed += " --" + f;
      fail("unknown option '--", name, "' (allowed:", allowed, ")");
    }
  }
}

bool Args::has(const std::string& name) const {
  return values_.count(name) != 0;
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  // The last occurrence wins, so a later --option overrides an earlier one (as in most CLIs).
  const auto range = values_.equal_range(name);
  if (range.first == range.second) return fallback;
  return std::prev(range.second)->second;
}

std::string Args::required(const std::string& name) const {
  if (!has(name)) fail("missing required option --", name);
  return get(name, "");
}

int64_t Args::get_int(const std::string& name, int64_t fallback) const {
  if (!has(name)) return fallback;
  const std::string text = get(name, "");
  const auto value = parse_int(text);
  if (!value) fail("option --", name, " expects an integer, got '", text, "'");
  return *value;
}

double Args::get_double(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string text = get(name, "");
  const auto value = parse_double(text);
  if (!value) fail("option --", name, " expects a number, got '", text, "'");
  return *value;
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  const auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

}  // namespace cachelens::cli
