// SPDX-License-Identifier: MIT
// Fast-dLLM DualCache (cache-strategies.md §2.3): a full forward at each block start caches the
// K/V of every position; the other steps recompute only the current block, reusing both the
// prefix and the suffix.
#include "cache/fast_dllm_block_cache.h"
#include "cache/strategies.h"

namespace cachelens::cache {
StrategyInfo fast_dllm_dual_info() {
  StrategyInfo info;
  info.name = "fast-dllm-dual";
  info.title = "Fast-dLLM dual cache";
  info.description =
      "Caches the K/V of every position at each block start; the other steps recompute only the "
      "current block, reusing the prefix and the masked suffix.";
  info.params = {int_param("refresh_interval", 0, 0, 1 << 30,
                           "steps between full refreshes within a block (0 = only at block "
                           "start, as NVlabs)")};
  info.rules = all_rules();
  info.exact_setting = {{"refresh_interval", "1"}};
  return info;
}

std::unique_ptr<CacheStrategy> make_fast_dllm_dual(const StrategySettings& settings) {
  return std::make_unique<FastDllmBlockCache>(settings.get_int("refresh_interval"), /*dual=*/true);
}

}  // namespace cachelens::cache
