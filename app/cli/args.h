// SPDX-License-Identifier: MIT
// A small strict argument parser: --name value and --flag options, every unknown option an error
// naming it, every number checked.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace cachelens::cli {

class Args {
 public:
  // `options` take a value; `flags` do not. Throws Error on anything else.
  Args(int argc, char** argv, int first, const std::set<std::string>& options,
       const std::set<std::string>& flags);

  bool has(const std::string& name) const;
  bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback) const;
  std::string required(const std::string& name) const;
  int64_t get_int(const std::string& name, int64_t fallback) const;
  double get_double(const std::string& name, double fallback) const;
  // Values of a repeatable option (e.g. --set k=v --set k2=v2).
  std::vector<std::string> all(const std::string& name) const;

 private:
  std::multimap<std::string, std::string> values_;
  std::set<std::string> flags_;
};

}  // namespace cachelens::cli
