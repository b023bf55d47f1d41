// SPDX-License-Identifier: MIT
// The strategy registry: adding a strategy is one file in this folder plus one line here.
#include <algorithm>

#include "cache/cache_strategy.h"
#include "cache/strategies.h"
#include "cachelens/error.h"

namespace cachelens {
namespace cache {

const std::vector<StrategyEntry>& strategy_registry() {
  static const std::vector<StrategyEntry> entries = {
      {none_info, make_none},
      {fast_dllm_prefix_info, make_fast_dllm_prefix},
      {fast_dllm_dual_info, make_fast_dllm_dual},
      {dkv_decode_info, make_dkv_decode},
      {dkv_greedy_info, make_dkv_greedy},
      {dllm_cache_info, make_dllm_cache},
      {elastic_cache_info, make_elastic_cache},
  };
  return entries;
}

std::unique_ptr<CacheStrategy> make_strategy(const StrategySettings& settings, UnmaskRule rule) {
  settings.validate(rule);
  const auto& catalog = strategy_catalog();
  for (size_t i = 0; i < catalog.size(); ++i) {
    if (catalog[i].name == settings.name) return strategy_registry()[i].make(settings);
  }
  fail("unknown strategy '", settings.name, "'");  // validate() already named the allowed ones
}

RowSet RowSet::of(std::vector<int64_t> rows) {
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  RowSet set;
  set.all = false;
  set.rows = std::move(rows);
  return set;
}

bool RowSet::contains(int64_t position) const {
  return all || std::binary_search(rows.begin(), rows.end(), position);
}

}  // namespace cache

const std::vector<StrategyInfo>& strategy_catalog() {
  static const std::vector<StrategyInfo> catalog = [] {
    std::vector<StrategyInfo> out;
    for (const auto& entry : cache::strategy_registry()) out.push_back(entry.info());
    return out;
  }();
  return catalog;
}

}  // namespace cachelens
