// SPDX-License-Identifier: MIT
// Fast-dLLM PrefixCache (cache-strategies.md §2.2, §2.8): a full forward refreshes every cache at
// the start of each block (and every `refresh_interval` steps within it, as LLaDA-V's hook does);
// the other steps recompute the current block and the whole suffix, reusing the prefix's K/V.
#include "cache/fast_dllm_block_cache.h"
#include "cache/strategies.h"

namespace cachelens::cache {
StrategyInfo fast_dllm_prefix_info() {
  StrategyInfo info;
  info.name = "fast-dllm-prefix";
  info.title = "Fast-dLLM prefix cache";
  info.description =
      "Caches the K/V of the prompt and finished blocks. A full forward at each block start (and "
      "every refresh_interval steps) rebuilds it; other steps recompute the block and all later "
      "positions.";
  info.params = {int_param("refresh_interval", 32, 0, 1 << 30,
                           "steps between full refreshes within a block (LLaDA-V's "
                           "prefix_refresh_interval; 0 = only at block start, as NVlabs)")};
  info.rules = all_rules();
  info.exact_setting = {{"refresh_interval", "1"}};
  return info;
}

std::unique_ptr<CacheStrategy> make_fast_dllm_prefix(const StrategySettings& settings) {
  return std::make_unique<FastDllmBlockCache>(settings.get_int("refresh_interval"), /*dual=*/false);
}

}  // namespace cachelens::cache
