// SPDX-License-Identifier: MIT
// cachelens-cli strategies: every registered cache strategy with its parameters and defaults.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "cachelens/error.h"
#include "cachelens/strategy.h"
#include "commands.h"

namespace cachelens::cli {

int cmd_strategies(int argc, char** argv, int first) {
  const Args args(argc, argv, first, {}, {"json", "help"});
  if (args.flag("help")) {
    std::fputs("usage: cachelens-cli strategies [--json]\n", stdout);
    return 0;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& info : strategy_catalog()) {
    std::vector<std::string> rules;
    for (auto r : info.rules) rules.push_back(unmask_rule_name(r));
    if (!args.flag("json")) {
      std::printf("%s — %s\n  %s\n  unmasking: %s\n", info.name.c_str(), info.title.c_str(),
                  info.description.c_str(), join_names(rules).c_str());
      for (const auto& p : info.params) {
        std::printf("  --set %s=%s  %s\n", p.key.c_str(), p.default_value.c_str(),
                    p.description.c_str());
      }
      std::printf("\n");
      continue;
    }
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : info.params) {
      params.push_back(
          {{"key", p.key}, {"default", p.default_value}, {"description", p.description}});
    }
    out.push_back({{"name", info.name},
                   {"title", info.title},
                   {"description", info.description},
                   {"unmask", rules},
                   {"params", params}});
  }
  if (args.flag("json")) std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace cachelens::cli
